"""MG010-MG013: migration safety on forward migrations, knowing what
earlier migrations, earlier statements and the change created."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Repo
from dbdesign import cli
from dbdesign.checks import safety
from dbdesign.config import Config
from dbdesign.findings import Finding
from dbdesign.project import Options, Project

DIALECTS = ("postgres", "mysql", "sqlite")
V1 = (
    "migration-scripts/V1__users.sql",
    "CREATE TABLE users (id int PRIMARY KEY, email text, name text);\n",
)


def run(
    root: Path, files: dict[str, str], dialect: str = "postgres", **config: object
) -> list[Finding]:
    for relpath, content in files.items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    project = Project(
        root,
        Config(dialect=dialect, sqlfluff=False, **config),  # type: ignore[arg-type]
        Options(),
    )
    return list(safety.check(project))


def found(items: list[Finding]) -> list[tuple[str, str, int | None]]:
    return [(f.code, f.path.rsplit("/", 1)[-1], f.line) for f in items]


# (code, second migration (bad), good variant); V1 creates users
CASES = [
    (
        "MG010",
        "SELECT 1;\nALTER TABLE users DROP COLUMN email;",
        "ALTER TABLE users ADD COLUMN phone text;",
    ),
    (
        "MG010",
        "DROP TABLE users;",
        "CREATE TABLE tmp (id int PRIMARY KEY);\nDROP TABLE tmp;",
    ),
    (
        "MG011",
        "ALTER TABLE users ADD COLUMN plan text NOT NULL;",
        "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';",
    ),
    (
        "MG011",
        "ALTER TABLE users ADD COLUMN plan text NOT NULL;",
        "CREATE TABLE plans (id int PRIMARY KEY);\n"
        "ALTER TABLE plans ADD COLUMN name text NOT NULL;",
    ),
    (
        "MG013",
        "ALTER TABLE users RENAME COLUMN name TO full_name;",
        "ALTER TABLE users ADD COLUMN full_name text;",
    ),
    (
        "MG013",
        "ALTER TABLE users RENAME TO people;",
        "CREATE VIEW people AS SELECT * FROM users;",
    ),
    (
        "MG010",
        "TRUNCATE users;",
        "CREATE TABLE tmp (id int PRIMARY KEY);\nTRUNCATE tmp;",
    ),
    # emptying a table does not make renaming it safe for the code using it
    (
        "MG013",
        "DELETE FROM users;\nALTER TABLE users RENAME COLUMN name TO n;",
        "DELETE FROM users;\nALTER TABLE users ADD COLUMN n text NOT NULL;",
    ),
]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    "code, bad, good", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_rule_fires_and_stays_quiet(
    tmp_path: Path, dialect: str, code: str, bad: str, good: str
) -> None:
    line = bad.count("\n") + 1
    items = run(
        tmp_path / "bad", {V1[0]: V1[1], "migration-scripts/V2__x.sql": bad}, dialect
    )
    assert found(items) == [(code, "V2__x.sql", line)], items
    assert (
        run(
            tmp_path / "good",
            {V1[0]: V1[1], "migration-scripts/V2__x.sql": good},
            dialect,
        )
        == []
    )


@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_type_change(tmp_path: Path, dialect: str) -> None:
    bad = (
        "ALTER TABLE users ALTER COLUMN email TYPE varchar(100);"
        if dialect == "postgres"
        else "ALTER TABLE users MODIFY COLUMN email varchar(100);"
    )
    items = run(tmp_path, {V1[0]: V1[1], "migration-scripts/V2__x.sql": bad}, dialect)
    assert found(items) == [("MG013", "V2__x.sql", 1)]
    assert "from text to character varying(100)" in items[0].message


def test_mysql_change_renames(tmp_path: Path) -> None:
    items = run(
        tmp_path,
        {
            V1[0]: V1[1],
            "migration-scripts/V2__x.sql": "ALTER TABLE users CHANGE name full_name text;",
        },
        "mysql",
    )
    assert [f.code for f in items] == ["MG013"]
    assert "renaming users.name to full_name" in items[0].message


def test_index_concurrently_postgres_only(tmp_path: Path) -> None:
    bad = "CREATE INDEX users_email ON users (email);\n"
    files = {V1[0]: V1[1], "migration-scripts/V2__x.sql": bad}
    assert found(run(tmp_path / "pg", files)) == [("MG012", "V2__x.sql", 1)]
    assert run(tmp_path / "my", files, "mysql") == []
    good = "CREATE INDEX CONCURRENTLY users_email ON users (email);\n"
    assert (
        run(tmp_path / "ok", {V1[0]: V1[1], "migration-scripts/V2__x.sql": good}) == []
    )


def test_new_table_in_same_migration_is_not_existing(tmp_path: Path) -> None:
    sql = (
        "CREATE TABLE t (id int PRIMARY KEY);\n"
        "CREATE INDEX t_id ON t (id);\n"
        "ALTER TABLE t ADD COLUMN c int NOT NULL;\n"
        "ALTER TABLE t RENAME COLUMN c TO d;\n"
    )
    assert run(tmp_path, {"migration-scripts/V1__t.sql": sql}) == []


def test_emptied_table_takes_not_null(tmp_path: Path) -> None:
    sql = "DELETE FROM users;\nALTER TABLE users ADD COLUMN plan text NOT NULL;\n"
    assert run(tmp_path, {V1[0]: V1[1], "migration-scripts/V2__x.sql": sql}) == []


def test_down_and_undo_migrations_are_exempt(tmp_path: Path) -> None:
    files = {
        V1[0]: V1[1],
        "migration-scripts/U1__users.sql": "DROP TABLE users;\n",
    }
    assert run(tmp_path / "flyway", files) == []
    golang = {
        "migrations/1_users.up.sql": V1[1],
        "migrations/1_users.down.sql": "DROP TABLE users;\n",
    }
    assert run(tmp_path / "golang", golang, migrations_dir="migrations") == []


def test_baseline(tmp_path: Path) -> None:
    files = {
        V1[0]: V1[1],
        "migration-scripts/V2__drop.sql": "ALTER TABLE users DROP COLUMN name;",
        "migration-scripts/V10__drop.sql": "ALTER TABLE users DROP COLUMN email;",
    }
    assert found(run(tmp_path / "a", files)) == [
        ("MG010", "V2__drop.sql", 1),
        ("MG010", "V10__drop.sql", 1),
    ]
    assert found(run(tmp_path / "b", files, migrations_baseline="2")) == [
        ("MG010", "V10__drop.sql", 1)
    ]
    assert run(tmp_path / "c", files, migrations_baseline="10.0") == []


def test_table_created_in_the_change_is_not_existing(repo: Repo) -> None:
    repo.write(*V1)
    repo.commit("v1")
    repo.write("migration-scripts/V2__t.sql", "CREATE TABLE t (id int PRIMARY KEY);\n")
    repo.write(
        "migration-scripts/V3__t.sql",
        "CREATE INDEX t_id ON t (id);\nCREATE INDEX users_email ON users (email);\n",
    )
    repo.add()
    project = Project(repo.path, Config(sqlfluff=False))
    assert found(list(safety.check(project))) == [("MG012", "V3__t.sql", 2)]


def test_suppression_and_hook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".dbdesign.yaml").write_text("sqlfluff: false\n")
    run(
        tmp_path,
        {
            V1[0]: V1[1],
            "migration-scripts/V2__x.sql": "-- dbdesign: ignore[MG010] unused since 2024, backed up\n"
            "ALTER TABLE users DROP COLUMN email;\n"
            "ALTER TABLE users ADD COLUMN plan text NOT NULL;\n",
        },
    )
    code = cli.main(["check", "--root", str(tmp_path), "--select", "MG01"])
    out = capsys.readouterr().out
    assert code == 1
    assert "V2__x.sql:3:1: error: MG011" in out
    assert "MG010" not in out


def test_drop_schema_is_destructive(tmp_path: Path) -> None:
    items = run(
        tmp_path,
        {V1[0]: V1[1], "migration-scripts/V2__x.sql": "DROP SCHEMA app;"},
        "postgres",
    )
    assert found(items) == [("MG010", "V2__x.sql", 1)], items


def test_one_replay_serves_drift_and_safety(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dbdesign.checks import schema
    from dbdesign.sql import build

    applied: list[str] = []
    statement = build._Builder.statement

    def counting(self: build._Builder, tree: object) -> None:
        applied.append(self.path)
        statement(self, tree)

    monkeypatch.setattr(build._Builder, "statement", counting)
    (tmp_path / "schema.sql").write_text(V1[1], encoding="utf-8")
    bad = "ALTER TABLE users RENAME COLUMN name TO full_name;\n"
    (tmp_path / "migration-scripts").mkdir()
    for relpath, content in (V1, ("migration-scripts/V2__x.sql", bad)):
        (tmp_path / relpath).write_text(content, encoding="utf-8")
    project = Project(tmp_path, Config(schema="schema.sql", sqlfluff=False), Options())
    codes = [f.code for f in schema.check(project)]
    codes += [f.code for f in safety.check(project)]
    assert "SQ007" in codes and "MG013" in codes
    assert applied == [
        "schema.sql",
        "migration-scripts/V1__users.sql",
        "migration-scripts/V2__x.sql",
    ]


@pytest.mark.parametrize(
    ("dialect", "delete"),
    [
        ("sqlite", 'DELETE FROM "USERS";'),  # sqlite ignores case even quoted
        ("mysql", "DELETE FROM `users`;"),
        ("postgres", "DELETE FROM public.users;"),
    ],
)
def test_delete_all_spelled_as_the_dialect_quotes(
    tmp_path: Path, dialect: str, delete: str
) -> None:
    second = f"{delete}\nALTER TABLE users ADD COLUMN plan text NOT NULL;\n"
    items = run(tmp_path, dict([V1, ("migration-scripts/V2__x.sql", second)]), dialect)
    assert found(items) == []


_DDL = [
    "CREATE TABLE a (id int PRIMARY KEY, b_id int)",
    "CREATE TABLE b (id int PRIMARY KEY, x text)",
    "ALTER TABLE a RENAME TO b",
    "ALTER TABLE b RENAME COLUMN id TO x",
    "ALTER TABLE a ADD COLUMN n int NOT NULL",
    "ALTER TABLE a DROP COLUMN b_id",
    "ALTER TABLE b ALTER COLUMN x TYPE bigint",
    "DROP TABLE a",
    "TRUNCATE b",
    "DELETE FROM a",
    "CREATE INDEX i ON b (x)",
    "RENAME TABLE a TO c",
    "(",
    "'",
]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    first=st.lists(st.sampled_from(_DDL), max_size=6),
    second=st.lists(st.sampled_from(_DDL), max_size=6),
)
def test_any_ddl_sequence_is_judged(
    tmp_path: Path, first: list[str], second: list[str]
) -> None:
    files = {
        "migration-scripts/V1__a.sql": ";\n".join(first) + ";\n",
        "migration-scripts/V2__b.sql": ";\n".join(second) + ";\n",
    }
    for item in run(tmp_path, files):
        assert item.code in {"MG010", "MG011", "MG012", "MG013"}
        assert (
            item.path == "migration-scripts/V2__b.sql"
            or item.path == "migration-scripts/V1__a.sql"
        )
        assert item.line is not None and item.line >= 1
