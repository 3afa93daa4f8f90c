"""Shared fixtures: hermetic git (pinned identity, no user or system config,
no templates) and throwaway repositories built in tmp_path."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = REPO_ROOT / "examples" / "bookshop"
CORPUS = REPO_ROOT.parent / "shared" / "corpus"
# The real-world SQL lies beside the repository in the team's checkout and in
# CI; a plain clone (the README's quick start) runs everything else.
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason="the shared corpus (../shared/corpus) is not beside this checkout",
)

# An empty file of our own rather than /dev/null: git reads it as the user's
# global config, and a shared /dev/null that something on the machine
# replaced would fail every git call of the suite.
_GIT_HOME = Path(tempfile.mkdtemp(prefix="dbdesign-tests-git-"))
(_GIT_HOME / "config").touch()
atexit.register(shutil.rmtree, _GIT_HOME, True)

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+00:00",
    "GIT_CONFIG_GLOBAL": str(_GIT_HOME / "config"),
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TEMPLATE_DIR": "",
}


@pytest.fixture(autouse=True)
def _hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    for key in (
        "PRE_COMMIT_FROM_REF",
        "PRE_COMMIT_TO_REF",
        "GITHUB_ACTIONS",
        "DBDESIGN_DEBUG",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("DBDESIGN_CACHE_DIR", str(tmp_path / ".dbdesign-cache"))
    # `init` looks for a team's templates under ~/.claude: keep $HOME empty.
    home = tmp_path / ".home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))


def git(cwd: Path, *args: str) -> str:
    """Run git in CWD; return stdout; fail the test on a non-zero exit."""
    out = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, f"git {' '.join(args)}: {out.stderr}"
    return out.stdout


class Repo:
    """A throwaway git repository with helpers to write, stage and commit."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, relpath: str, content: str | bytes) -> Path:
        target = self.path / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_bytes(content.encode("utf-8"))
        return target

    def git(self, *args: str) -> str:
        return git(self.path, *args)

    def add(self, *paths: str) -> None:
        self.git("add", "-A", "--", *(paths or (".",)))

    def commit(self, message: str = "commit") -> str:
        self.add()
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repo]:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    yield Repo(path)


def script(
    name: str,
    cwd: Path,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Console script NAME of this venv, run in CWD as pre-commit and
    people run it."""
    import sys

    exe = Path(sys.executable).parent / name
    assert exe.is_file(), f"{exe} is not installed; pip install -e '.[test]'"
    return subprocess.run(
        [str(exe), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=timeout,
    )


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many files each call of the sqlfluff worker pool linted."""
    from dbdesign.sql import fluff_pool

    counted: list[int] = []
    real = fluff_pool.run

    def counting(tasks: Any, timeout: float, jobs: int, **options: Any) -> Any:
        counted.append(len(tasks))
        return real(tasks, timeout, jobs, **options)

    monkeypatch.setattr(fluff_pool, "run", counting)
    return counted


@pytest.fixture
def chdir(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def _chdir(path: Path) -> None:
        monkeypatch.chdir(path)

    return _chdir


# -- end to end through pre-commit (STYLE 12) ---------------------------------


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(path, rev) of a git repository holding a committed copy of this
    working tree (tracked and new files, as `git ls-files -co
    --exclude-standard` lists them), with `.pre-commit-hooks.yaml` rendered
    from hooks.HOOKS as they are now. `.pre-commit-config.yaml` files point
    at it with `repo: <path>` and `rev: <rev>`; pre-commit then builds one
    hook environment for the whole session (in `pre_commit_home`)."""
    import shutil

    from dbdesign import manifest

    env = {**os.environ, **GIT_ENV}
    copy = tmp_path_factory.mktemp("dbdesign-hook-repo")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "-co", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
        env=env,
    ).stdout
    for name in sorted({n for n in listed.decode().split("\0") if n}):
        source = REPO_ROOT / name
        if source.is_symlink() or not source.is_file():
            continue  # deleted in the working tree, or a test's link
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    (copy / ".pre-commit-hooks.yaml").write_text(manifest.render())
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["commit", "-q", "-m", "copy of the working tree"],
    ):
        subprocess.run(
            ["git", *args], cwd=copy, check=True, env=env, capture_output=True
        )
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=copy,
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    return copy, rev.strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An isolated PRE_COMMIT_HOME shared by the whole test session."""
    return tmp_path_factory.mktemp("pre-commit-home")


def pre_commit(
    cwd: Path, home: Path, *args: str, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """`pre-commit ARGS` from this venv in CWD with PRE_COMMIT_HOME=HOME."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    for key in ("PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF"):
        env.pop(key, None)
    return script("pre-commit", cwd, *args, env=env, timeout=timeout)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL server shared by the session's replay tests, by URL."""
    from replay_fixtures import serve

    yield from serve()
