"""What a pull request from a fork must not be able to do (issue 15):
make dbdesign run a file of the repository as Python, or make it read,
and print, a file outside the project through a link. Sentinel tests: the
hostile files write a sentinel when they run, and the sentinel must never
exist, while the real code path (the console script, sqlfluff and git)
still works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Repo
from dbdesign.sql import fluff_pool
from hostile import plant, ran

BAD_SQL = "select a,b from t\n"
SECRET = "TOPSECRET_VALUE_abc123"
CONSOLE_SCRIPT = Path(sys.executable).with_name("dbdesign")


def dbdesign(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The console script, as pre-commit and people run it, in CWD."""
    return subprocess.run(
        [str(CONSOLE_SCRIPT), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


# -- no repository code runs -------------------------------------------------


@pytest.mark.parametrize("trusted", [False, True], ids=["default", "trusted"])
def test_sqlfluff_workers_import_nothing_from_the_repository(
    repo: Repo, tmp_path: Path, trusted: bool
) -> None:
    # Trusted, the workers run in the project's folder (a dbt project may
    # need that): still nothing there is imported.
    repo.write("database-schema.sql", BAD_SQL)
    repo.write(".dbdesign.yaml", f"sqlfluff_trust_config: {str(trusted).lower()}\n")
    sentinels = tmp_path / "sentinels"
    plant(repo.path, sentinels)
    repo.add()
    for _ in range(2):  # cold, then from the cache
        out = dbdesign(repo.path, "check", "--select", "LT", "database-schema.sql")
        assert ran(sentinels) == []
        assert "database-schema.sql:1:10:" in out.stdout, out
        assert " LT01 " in out.stdout
        assert "SQ009" not in out.stdout and out.stderr == ""


def test_a_worker_gets_no_current_folder_on_its_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    here = tmp_path / "repo"
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setattr(
        sys, "path", [str(here), "", ".", "lib", str(here / "."), *sys.path]
    )
    command = fluff_pool.command(str(tmp_path / "empty"))
    assert command[:3] == [sys.executable, "-I", "-c"]
    path = command[4:]
    assert all(os.path.isabs(entry) for entry in path)
    assert str(here) not in path and str(here / ".") not in path
    import dbdesign

    assert str(Path(dbdesign.__file__).parent.parent) in path


