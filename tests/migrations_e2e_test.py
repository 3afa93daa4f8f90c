"""dbdesign-migrations through pre-commit itself: the hook sees the whole
folder however pre-commit batches files, so a duplicate among 40 migrations
is always found."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import GIT_ENV, REPO_ROOT, Repo, git

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A committed copy of the working tree (tracked and new files), with a
    `.pre-commit-hooks.yaml` generated from cli.HOOKS as it is now."""
    from dbdesign import manifest

    env = {**os.environ, **GIT_ENV}
    copy = tmp_path_factory.mktemp("dbdesign-copy")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT, capture_output=True, check=True, env=env).stdout
    for name in sorted({n for n in listed.decode().split("\0") if n}):
        source = REPO_ROOT / name
        if not source.is_file():
            continue  # deleted in the working tree
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    (copy / ".pre-commit-hooks.yaml").write_text(manifest.render())
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["commit", "-q", "-m", "copy of the working tree"]):
        subprocess.run(["git", *args], cwd=copy, check=True, env=env,
                       capture_output=True)
    yield copy


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def pre_commit(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    env.pop("PRE_COMMIT_FROM_REF", None)
    env.pop("PRE_COMMIT_TO_REF", None)
    exe = Path(sys.executable).with_name("pre-commit")
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True,
                          text=True, env=env, check=False, timeout=900)


def test_try_repo_finds_one_duplicate_among_40(
        repo: Repo, hook_repo: Path, pre_commit_home: Path) -> None:
    for n in range(1, 41):
        repo.write(f"migration-scripts/V{n}__step_{n:02d}.sql",
                   f"CREATE TABLE t{n} (id integer PRIMARY KEY);\n")
    repo.write("migration-scripts/V23__also_23.sql",
               "CREATE TABLE dup (id integer PRIMARY KEY);\n")
    for n in range(1, 200):  # enough files for pre-commit to batch them
        repo.write(f"src/file_{n}.txt", f"{n}\n")
    repo.commit("40 migrations and a duplicate")
    out = pre_commit(repo.path, pre_commit_home, "try-repo", str(hook_repo),
                     "dbdesign-migrations", "--all-files", "--color", "never")
    text = out.stdout + out.stderr
    assert out.returncode == 1, text
    assert "migration-scripts/V23__step_23.sql: MG002" in text or \
        "migration-scripts/V23__also_23.sql: MG002" in text, text
    assert text.count(": MG002 ") == 1, text
    assert "MG001" not in text and "Traceback" not in text, text
    git(repo.path, "status")
