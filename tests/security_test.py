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

from conftest import Repo, script
from dbdesign.sql import fluff_pool
from hostile import plant, ran

BAD_SQL = "select a,b from t\n"
SECRET = "TOPSECRET_VALUE_abc123"


def dbdesign(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return script("dbdesign", cwd, *args)


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
        assert "database-schema.sql:1:1:" in out.stdout, out
        assert " LT09 " in out.stdout  # (LT01 is off by dbdesign's defaults)
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


def test_git_never_uses_a_repository_the_project_folder_poses_as(
    repo: Repo, tmp_path: Path
) -> None:
    # HEAD, objects/ and refs/ make a folder a bare repository to git's
    # discovery, and its `config` would be obeyed: here it would move the
    # work tree elsewhere (and the change rules were skipped as "not a git
    # repository") and run a command at every index refresh.
    sentinels = tmp_path / "sentinels"
    sentinels.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    repo.write("db/database-schema.sql", "CREATE TABLE a (id int PRIMARY KEY);\n")
    repo.write("db/migration-scripts/V1__a.sql", "CREATE TABLE a (id int);\n")
    repo.commit("base")
    repo.write("db/HEAD", "ref: refs/heads/main\n")
    repo.write("db/objects/.keep", "")
    repo.write("db/refs/.keep", "")
    repo.write(
        "db/config",
        "[core]\n\trepositoryformatversion = 0\n\tbare = false\n"
        f"\tworktree = {elsewhere}\n"
        f"\tfsmonitor = \"echo ran > '{sentinels / 'fsmonitor'}'; false\"\n",
    )
    # An edit of a committed migration: MG004 in any real run.
    repo.write("db/migration-scripts/V1__a.sql", "CREATE TABLE a (id bigint);\n")
    repo.add()
    for cwd, args in ((repo.path, ["--root", "db"]), (repo.path / "db", [])):
        out = dbdesign(cwd, "check", *args, "--select", "MG,CH")
        assert ran(sentinels) == []
        assert out.returncode == 2, out
        assert "looks like a bare git repository" in out.stderr
        assert "remove those" in out.stderr and out.stdout == ""
    for name in ("HEAD", "config"):
        (repo.path / "db" / name).unlink()
    out = dbdesign(repo.path, "check", "--root", "db", "--select", "MG004")
    assert "MG004" in out.stdout and out.returncode == 1


def test_git_needs_no_environment(repo: Repo) -> None:
    # Run from a folder below the project, as editors do, with GIT_DIR and
    # GIT_WORK_TREE neither set nor needed, and with them set as a hook's
    # environment may have them.
    repo.write("db/database-schema.sql", "CREATE TABLE a (id int PRIMARY KEY);\n")
    repo.write("db/migration-scripts/V1__a.sql", "CREATE TABLE a (id int);\n")
    repo.commit("base")
    repo.write("db/migration-scripts/V1__a.sql", "CREATE TABLE a (id bigint);\n")
    repo.add()
    (repo.path / "db" / "deeper").mkdir()
    out = dbdesign(
        repo.path / "db" / "deeper", "check", "--root", "..", "--select", "MG004"
    )
    assert "migration-scripts/V1__a.sql" in out.stdout, out
    assert " MG004 " in out.stdout
    env = {
        **os.environ,
        "GIT_DIR": str(repo.path / ".git"),
        "GIT_WORK_TREE": str(repo.path),
    }
    out = script(
        "dbdesign", repo.path, "check", "--root", "db", "--select", "MG004", env=env
    )
    assert "migration-scripts/V1__a.sql" in out.stdout, out
    assert " MG004 " in out.stdout


# -- no link leads out of the project -----------------------------------------


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A runner's file outside the project, which reads as a config."""
    path = tmp_path / "outside" / "secret.yaml"
    path.parent.mkdir()
    path.write_text(f"{SECRET}: hunter2\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "given",
    ["team.yaml", "conf/secret.yaml", "conf/../outside/secret.yaml"],
    ids=["a link", "under a linked folder", "dot-dot after a link"],
)
def test_config_option_never_follows_a_link_out_of_the_root(
    repo: Repo, secret: Path, given: str
) -> None:
    # The last one reads as `outside/secret.yaml`, inside the root, but
    # the system takes `..` after following `conf`.
    (repo.path / "team.yaml").symlink_to(secret)
    (repo.path / "conf").symlink_to(secret.parent, target_is_directory=True)
    for command in (["check"], ["status"], ["erd"], ["migrations", "hash"]):
        out = dbdesign(repo.path, *command, "--config", given)
        assert out.returncode == 2, out
        assert SECRET not in out.stdout + out.stderr
        (line,) = out.stderr.splitlines()
        assert "leads out of the project root through a symbolic link" in line
        assert "name the file it points to" in line


def test_config_option_may_name_a_file_outside_the_root(
    repo: Repo, tmp_path: Path
) -> None:
    # A team's shared config, named as it is: the user chose it.
    team = tmp_path / "team" / "dbdesign.yaml"
    team.parent.mkdir()
    team.write_text("sqlfluff: false\nunknown_key: 1\n", encoding="utf-8")
    out = dbdesign(repo.path, "check", "--config", str(team))
    assert out.returncode == 2 and "unknown_key: unknown key" in out.stderr
    # And a link inside the root to a file inside it is fine.
    team.write_text("sqlfluff: false\n", encoding="utf-8")
    repo.write("conf/dbdesign.yaml", "sqlfluff: false\n")
    (repo.path / "dbdesign.yaml").symlink_to("conf/dbdesign.yaml")
    for given in (str(team), "dbdesign.yaml"):
        out = dbdesign(repo.path, "check", "--select", "FW", "--config", given)
        assert out.returncode == 1 and "FW001" in out.stdout, out


def test_a_config_link_loop_is_refused(repo: Repo) -> None:
    (repo.path / "a.yaml").symlink_to("b.yaml")
    (repo.path / "b.yaml").symlink_to("a.yaml")
    out = dbdesign(repo.path, "check", "--config", "a.yaml")
    assert out.returncode == 2
    assert "a.yaml: the config file is a symbolic link loop" in out.stderr


@pytest.mark.parametrize(
    "key",
    ["schema", "erd", "changelog", "migrations_dir", "framework_dir", "artifacts_dir"],
)
def test_no_configured_path_reads_through_a_link_out_of_the_root(
    repo: Repo, secret: Path, key: str
) -> None:
    # SPEC 3a: a project file behind such a link is a finding at its path,
    # never read; its content never reaches any output.
    for name in (
        "database-checklist.md",
        "database-schema.sql",
        "CHANGELOG.md",
        "entity-relationship-diagram.md",
        "V1__secret.sql",
    ):
        (secret.parent / name).write_text(f"-- {SECRET}\n", encoding="utf-8")
    (repo.path / "out").symlink_to(secret.parent, target_is_directory=True)
    value = {
        "schema": "out/database-schema.sql",
        "erd": "out/entity-relationship-diagram.md",
        "changelog": "out/CHANGELOG.md",
    }.get(key, "out")
    repo.write(".dbdesign.yaml", f"{key}: {value}\nsqlfluff: false\n")
    commands = [
        ["check", "--all", "--format", fmt] for fmt in ("text", "json", "github")
    ]
    commands += [["status"], ["erd"], ["migrations", "hash"]]
    for command in commands:
        out = dbdesign(repo.path, *command)
        assert SECRET not in out.stdout + out.stderr, (command, out)
        assert "Traceback" not in out.stderr
    assert (secret.parent / "V1__secret.sql").read_text() == f"-- {SECRET}\n"
    assert not (secret.parent / "dbdesign.sum").exists()


def test_an_artifact_named_outside_the_root_is_a_config_error(repo: Repo) -> None:
    repo.write(".dbdesign.yaml", "artifacts:\n  ../../etc/passwd: [root]\n")
    out = dbdesign(repo.path, "check")
    assert out.returncode == 2
    assert out.stderr.strip() == (
        "dbdesign: error: .dbdesign.yaml:2: artifacts.../../etc/passwd: "
        "expected a path inside the project root, with / separators (paths "
        "in the config are relative to the root)"
    )
