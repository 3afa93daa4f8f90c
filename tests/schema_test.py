"""SQ001-SQ009 beyond the rule cases of tests/cases/schema.yml: bytes that
are not SQL, notes on SQL the schema model cannot read, the hook end to
end, and sqlfluff on the changed SQL only."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Repo
from dbdesign import cli, hooks
from dbdesign.checks import schema
from dbdesign.config import Config
from dbdesign.findings import Finding
from dbdesign.project import Options, Project


def codes(found: list[Finding], code: str) -> list[tuple[str, int | None]]:
    return [(f.path, f.line) for f in found if f.code == code]


USERS = "CREATE TABLE users (id int PRIMARY KEY, email text);\n"

SCHEMA = "database-schema.sql"


def run(
    root: Path,
    files: dict[str, str | bytes],
    dialect: str = "postgres",
    paths: tuple[str, ...] | None = None,
    **config: object,
) -> list[Finding]:
    for relpath, content in files.items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    project = Project(
        root,
        Config(dialect=dialect, sqlfluff=False, **config),  # type: ignore[arg-type]
        Options(paths=paths),
    )
    return list(schema.check(project))


def test_unreadable_schema_is_sq001(tmp_path: Path) -> None:
    found = run(tmp_path, {SCHEMA: b"CREATE TABLE t (id int);\x00\xff"})
    (item,) = found
    assert item.code == "SQ001" and "binary" in item.message


def test_unmodelled_statement_is_a_note_not_an_error(tmp_path: Path) -> None:
    sql = (
        "CREATE TABLE t (id int PRIMARY KEY);\n"
        "ALTER TABLE t ALTER COLUMN id SET (n_distinct = 100);\n"
        "CREATE TABLE u OF person_type;\n"  # columns from a composite type
    )
    project = Project(tmp_path, Config(sqlfluff=False))
    (tmp_path / SCHEMA).write_text(sql)
    assert list(schema.check(project)) == []
    assert len(project.notes) == 1
    assert f"{SCHEMA}:3" in project.notes[0]


def test_unreadable_create_table_still_defines_its_table(tmp_path: Path) -> None:
    sql = (
        "CREATE TABLE t (id int PRIMARY KEY, b int DEFAULT "
        + "(" * 150
        + "1"
        + ")" * 150
        + ");\n"
        "CREATE TABLE u (id int PRIMARY KEY, t_id int REFERENCES t);\n"
        "CREATE INDEX u_t ON u (t_id);\n"
    )
    # sqlglot is not given nesting this deep (PostgreSQL's parser reads it)
    project = Project(tmp_path, Config(sqlfluff=False, dialect="mysql"))
    (tmp_path / SCHEMA).write_text(sql)
    # not checked (SQ009), but t exists: no SQ003 for the key to it
    assert [f.code for f in schema.check(project)] == ["SQ009"]
    assert len(project.notes) == 1


# -- the hook -------------------------------------------------------------------


def test_hook_main(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".dbdesign.yaml").write_text("sqlfluff: false\n")
    (tmp_path / SCHEMA).write_text("CREATE TABLE tags (name text);\n")
    assert cli.schema_main(["--root", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"{SCHEMA}:1:14: error: SQ002 table tags has no primary key" in out
    (tmp_path / SCHEMA).write_text("CREATE TABLE tags (name text PRIMARY KEY);\n")
    assert cli.schema_main(["--root", str(tmp_path)]) == 0


def test_hook_is_registered() -> None:
    hook = next(h for h in hooks.HOOKS if h.id == "dbdesign-schema")
    assert hook.checks == ("schema",)
    assert hook.pass_filenames is False and hook.always_run is True
    assert "schema" in hooks.CHECKS and "safety" in hooks.CHECKS
    migrations = next(h for h in hooks.HOOKS if h.id == "dbdesign-migrations")
    assert "safety" in migrations.checks


def test_umbrella_check_select(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".dbdesign.yaml").write_text("sqlfluff: false\n")
    (tmp_path / SCHEMA).write_text("CREATE TABLE tags (name text);\n")
    assert (
        cli.main(
            ["check", "--root", str(tmp_path), "--select", "SQ", "--format", "json"]
        )
        == 1
    )
    out = capsys.readouterr().out
    assert '"code": "SQ002"' in out


def test_sqlfluff_runs_on_the_changed_sql_only(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(
        SCHEMA,
        "CREATE TABLE t (id int PRIMARY KEY);\nCREATE TABLE u (id int PRIMARY KEY);\n",
    )
    repo.write("migration-scripts/V1__t.sql", "CREATE TABLE t (id int PRIMARY KEY);\n")
    repo.commit()
    repo.write("migration-scripts/V2__u.sql", "create TABLE u (id int PRIMARY KEY);\n")
    repo.add()
    code = cli.schema_main(["--root", str(repo.path), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    assert "migration-scripts/V2__u.sql" in out
    assert '"check": "sqlfluff"' in out
    assert "database-schema.sql" not in out


def test_covering_index_is_not_redundant_with_the_key(tmp_path: Path) -> None:
    files = {
        SCHEMA: "CREATE TABLE agg (id int PRIMARY KEY, aggregation_type text);\n"
        "CREATE INDEX agg_cover ON agg (id) INCLUDE (aggregation_type);\n"
    }
    assert codes(run(tmp_path / "a", files), "SQ005") == []
    # a plain index on the same column is still redundant, with the key
    files[SCHEMA] += "CREATE INDEX agg_plain ON agg (id);\n"
    assert codes(run(tmp_path / "b", files), "SQ005") == [(SCHEMA, 3)]
    # and two covering indexes that carry the same columns are duplicates
    files[SCHEMA] += "CREATE INDEX agg_cover2 ON agg (id) INCLUDE (aggregation_type);\n"
    assert codes(run(tmp_path / "c", files), "SQ005") == [(SCHEMA, 3), (SCHEMA, 4)]


def test_bookkeeping_and_drift_ignore_tables(tmp_path: Path) -> None:
    files = {
        "migration-scripts/V1__users.sql": USERS,
        SCHEMA: USERS
        + "CREATE TABLE flyway_schema_history (installed_rank int, version text);\n"
        "CREATE TABLE sqitch.changes (change_id text);\n"
        "CREATE TABLE audit_2024 (at timestamptz, who int REFERENCES users (id));\n",
    }
    found = run(tmp_path / "a", files)
    # the audit table is the design's: no key, not in the migrations
    assert sorted({f.code for f in found}) == ["SQ002", "SQ004", "SQ007"]
    assert all("audit_2024" in f.message for f in found)
    assert run(tmp_path / "b", files, drift_ignore=("audit_*",)) == []
