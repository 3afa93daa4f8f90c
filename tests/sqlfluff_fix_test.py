"""dbdesign's sqlfluff defaults (for a repository with no sqlfluff config),
and `--fix` applying sqlfluff's fixes to the SQL in scope only: new
migrations and the schema's changed lines, never a migration that existed."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLE, Repo
from dbdesign import cli, starter
from dbdesign.config import Config
from dbdesign.project import Options, Project
from dbdesign.sql import lint as sqllint

DIALECTS = {
    "postgres": "postgres",
    "sqlite": "sqlite",
    "mysql": "mysql",
    "tsql": "tsql",
    "duckdb": "duckdb",
}


def example_of(dialect: str) -> str:
    """The schema template's commented example, as a schema file."""
    text = starter.bundled(starter.schema_template(dialect)).decode()
    example = text.split("Example of the expected style", 1)[1].split("TODO", 1)[0]
    lines = [
        line.removeprefix("--").removeprefix("   ") for line in example.splitlines()
    ]
    return "\n".join(lines[1:]).strip() + "\n"


def lint(root: Path, *paths: str, **config: Any) -> list[str]:
    project = Project(root, Config(**config), Options(no_cache=True))
    return [f"{f.path}:{f.line}: {f.code}" for f in sqllint.lint(project, list(paths))]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_templates_pass_the_defaults(tmp_path: Path, dialect: str) -> None:
    (tmp_path / "example.sql").write_text(example_of(dialect))
    template = starter.bundled(starter.schema_template(dialect))
    (tmp_path / "database-schema.sql").write_bytes(template)
    assert lint(tmp_path, "example.sql", "database-schema.sql", dialect=dialect) == []


def test_the_example_project_passes_the_defaults(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path, dirs_exist_ok=True)
    migrations = (tmp_path / "migration-scripts").glob("*.sql")
    files = ["database-schema.sql", *sorted(m.name for m in migrations)]
    files[1:] = [f"migration-scripts/{name}" for name in files[1:]]
    assert lint(tmp_path, *files) == []


def test_a_repository_config_replaces_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "example.sql").write_text(example_of("postgres"))
    (tmp_path / ".sqlfluff").write_text("[sqlfluff]\ndialect = postgres\n")
    found = lint(tmp_path, "example.sql")
    assert "example.sql:2: LT01" in found  # the aligned columns


# -- --fix --------------------------------------------------------------------

OLD_MIGRATION = "create table a (id bigint primary key, note TEXT);\n"
SCHEMA = (
    "-- The schema.\n"
    "create table a (id bigint primary key, note TEXT);\n"
    "\n"
    "CREATE TABLE b (id bigint PRIMARY KEY);\n"
)


def test_fix_touches_only_what_the_change_wrote(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("migration-scripts/V1__a.sql", OLD_MIGRATION)
    repo.write("database-schema.sql", SCHEMA)
    repo.commit("v1")
    new_migration = "CREATE TABLE c (id bigint PRIMARY KEY, note TEXT);\n"
    repo.write("migration-scripts/V2__c.sql", new_migration)
    repo.write("database-schema.sql", SCHEMA + "\n" + new_migration)
    repo.add()
    code = cli.main(["check", "--root", str(repo.path), "--fix", "--select", "CP"])
    out = capsys.readouterr().out
    assert code == 1
    assert "Fixing migration-scripts/V2__c.sql\n" in out
    assert "Fixing database-schema.sql\n" in out
    fixed = "CREATE TABLE c (id bigint PRIMARY KEY, note text);\n"
    assert (repo.path / "migration-scripts/V2__c.sql").read_text() == fixed
    # The migration that existed has run somewhere: never rewritten.
    assert (repo.path / "migration-scripts/V1__a.sql").read_text() == OLD_MIGRATION
    # The schema's old lines stay as they were; the new one is fixed (its
    # keywords in the case the file started with: CP01's "consistent").
    assert (repo.path / "database-schema.sql").read_text() == (
        SCHEMA + "\ncreate table c (id bigint primary key, note text);\n"
    )
    # Fixed: a second run has nothing to do.
    assert cli.main(["check", "--root", str(repo.path), "--fix", "--select", "CP"]) == 0
    assert "Fixing" not in capsys.readouterr().out


def test_fix_keeps_bom_and_line_endings(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    data = b"\xef\xbb\xbfCREATE TABLE c (\r\n    id bigint PRIMARY KEY, note TEXT\r\n);\r\n"
    repo.write("migration-scripts/V1__c.sql", data)
    repo.add()
    assert cli.main(["check", "--root", str(repo.path), "--fix", "--select", "CP"]) == 1
    capsys.readouterr()
    assert (repo.path / "migration-scripts/V1__c.sql").read_bytes() == (
        data.replace(b"TEXT", b"text")
    )


def test_without_fix_nothing_is_written(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(
        "migration-scripts/V1__c.sql",
        "CREATE TABLE c (id bigint PRIMARY KEY, n TEXT);\n",
    )
    repo.add()
    assert cli.main(["check", "--root", str(repo.path), "--select", "CP"]) == 0
    assert "CP05" in capsys.readouterr().out
    assert "TEXT" in (repo.path / "migration-scripts/V1__c.sql").read_text()


@pytest.mark.parametrize(
    "lines, expected",
    [
        (None, "A\nb\nC\n"),
        (frozenset({1}), "A\nb\nc\n"),
        (frozenset({3}), "a\nb\nC\n"),
        (frozenset(), "a\nb\nc\n"),
    ],
)
def test_within_keeps_changes_on_the_lines_given(
    lines: frozenset[int] | None, expected: str
) -> None:
    assert sqllint.within("a\nb\nc\n", "A\nb\nC\n", lines) == expected
