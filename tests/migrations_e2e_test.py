"""dbdesign-migrations through pre-commit itself: the hook sees the whole
folder however pre-commit batches files, so a duplicate among 40 migrations
is always found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Repo, git, pre_commit

pytestmark = pytest.mark.e2e


def test_finds_one_duplicate_among_40(
    repo: Repo, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    for n in range(1, 41):
        repo.write(
            f"migration-scripts/V{n}__step_{n:02d}.sql",
            f"CREATE TABLE t{n} (id integer PRIMARY KEY);\n",
        )
    repo.write(
        "migration-scripts/V23__also_23.sql",
        "CREATE TABLE dup (id integer PRIMARY KEY);\n",
    )
    for n in range(1, 200):  # enough files for pre-commit to batch them
        repo.write(f"src/file_{n}.txt", f"{n}\n")
    path, rev = hook_repo
    repo.write(
        ".pre-commit-config.yaml",
        f"repos:\n  - repo: {json.dumps(str(path))}\n    rev: {rev}\n"
        "    hooks:\n      - id: dbdesign-migrations\n",
    )
    repo.commit("40 migrations and a duplicate")
    out = pre_commit(
        repo.path, pre_commit_home, "run", "--all-files", "--color", "never"
    )
    text = out.stdout + out.stderr
    assert out.returncode == 1, text
    assert (
        "migration-scripts/V23__step_23.sql: error: MG002" in text
        or "migration-scripts/V23__also_23.sql: error: MG002" in text
    ), text
    assert text.count(": MG002 ") == 1, text
    assert "MG001" not in text and "Traceback" not in text, text
    git(repo.path, "status")
