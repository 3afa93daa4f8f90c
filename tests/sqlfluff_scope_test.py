"""Which files the schema check hands to sqlfluff: the SQL a commit, push or
pull request writes (SPEC 3b), every file with --all or without git."""

from __future__ import annotations

import json

import pytest

from conftest import Repo
from dbdesign.cli import main

BAD = "create table t (id int primary key);\nselect a,b from   t ;\n"
GOOD = "CREATE TABLE u (id INT PRIMARY KEY);\n"


def sqlfluff_paths(
    repo: Repo, capsys: pytest.CaptureFixture[str], *extra: str
) -> set[str]:
    main(
        [
            "check",
            "--root",
            str(repo.path),
            "--format",
            "json",
            "--select",
            "LT,CP",
            "--no-cache",
            *extra,
        ]
    )
    document = json.loads(capsys.readouterr().out)
    return {
        item["path"] for item in document["findings"] if item["check"] == "sqlfluff"
    }


@pytest.fixture
def project(repo: Repo) -> Repo:
    repo.write("database-schema.sql", BAD)
    repo.write("migration-scripts/V1__init.sql", BAD)
    repo.commit("init")
    return repo


def test_nothing_staged_lints_nothing(project: Repo, capsys) -> None:
    # `pre-commit run --all-files` on a clean tree: state rules only.
    assert sqlfluff_paths(project, capsys) == set()


def test_all_lints_every_file(project: Repo, capsys) -> None:
    assert sqlfluff_paths(project, capsys, "--all") == {
        "database-schema.sql",
        "migration-scripts/V1__init.sql",
    }


def test_a_commit_lints_only_the_sql_it_writes(project: Repo, capsys) -> None:
    project.write("README.md", "hello\n")
    project.add()
    assert sqlfluff_paths(project, capsys) == set()
    project.write("migration-scripts/V2__more.sql", BAD)
    project.add()
    assert sqlfluff_paths(project, capsys) == {"migration-scripts/V2__more.sql"}


def test_pull_request_lints_what_the_branch_changed(project: Repo, capsys) -> None:
    project.git("checkout", "-q", "-b", "feature")
    project.write("database-schema.sql", BAD + GOOD)
    project.commit("edit schema")
    assert sqlfluff_paths(project, capsys, "--base", "main") == {"database-schema.sql"}


def test_paths_given_restrict_the_audit(project: Repo, capsys) -> None:
    assert sqlfluff_paths(
        project, capsys, "--all", str(project.path / "database-schema.sql")
    ) == {"database-schema.sql"}


@pytest.mark.parametrize(
    "flags",
    [
        ["--select", "SQ002"],
        ["--ignore", "LT,CP,AL,AM,CV,JJ,OR,PG,RF,ST,TQ,PRS,TMP,LXR"],
    ],
)
def test_no_sqlfluff_run_when_no_sqlfluff_code_is_wanted(
    project: Repo, flags: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dbdesign.sql import lint

    def boom(*_: object) -> None:
        raise AssertionError("sqlfluff ran")

    monkeypatch.setattr(lint, "lint", boom)
    assert main(["check", "--root", str(project.path), "--no-cache", *flags]) in (0, 1)
