"""The schema engine on real SQL (../shared/corpus) and on hostile input:
no traceback, no SQ001 on SQL the real engine accepts, every migration
folder replays into a Catalog.

Which statements sqlglot cannot read, and why it does not matter:
- PostgreSQL: pglast (PostgreSQL's own parser) decides syntax, so sqlglot's
  gaps never become SQ001. sqlglot reads only the DDL the Catalog needs, and
  some of that only after same-length rewrites in `sql/glotparse.py`: pg_dump's
  `CREATE INDEX ... ON ONLY t` and PostgreSQL 18's `GENERATED ALWAYS AS
  (...) VIRTUAL` (pagila's film table), and PostgreSQL 18's named
  `CONSTRAINT x NOT NULL col` table constraints (lemmy's down migrations);
  `DROP INDEX a, b` (lemmy) is read as one DROP TABLE-like list. It turns
  `ALTER TABLE ... ATTACH PARTITION` (pagila), `RENAME CONSTRAINT` (lemmy)
  and MySQL's `RENAME TABLE` into an opaque Command, which the builder reads
  with its own patterns. The tests below assert that no corpus statement is
  left unmodelled.
- MySQL and SQLite (chinook): sqlglot reads every statement; it accepts
  `(a int,)`, which neither database does, so a trailing comma is checked
  separately.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS
from dbdesign.checks import safety, schema
from dbdesign.config import Config
from dbdesign.project import Options, Project
from dbdesign.sql.load import parsed, replay_catalog, schema_catalog
from dbdesign.sql.parse import parse_file
from dbdesign.sql.run_order import migrations

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="the shared corpus is not here"
)

SCHEMAS = [
    ("pagila", "pagila-schema.sql", "postgres"),
    ("osm", "db/structure.sql", "postgres"),
    ("chinook", "Chinook_MySql.sql", "mysql"),
    ("chinook", "Chinook_Sqlite.sql", "sqlite"),
]
FOLDERS = [
    ("lemmy", "migrations"),
    ("harbor", "make/migrations/postgresql"),
    ("conductor", "postgres-persistence/src/main/resources/db/migration_postgres"),
]


def corpus_project(folder: str, **config: object) -> Project:
    return Project(
        CORPUS / folder,
        Config(sqlfluff=False, **config),  # type: ignore[arg-type]
        Options(),
    )


@pytest.mark.parametrize("folder, schema_file, dialect", SCHEMAS)
def test_corpus_schema(folder: str, schema_file: str, dialect: str) -> None:
    project = corpus_project(folder, schema=schema_file, dialect=dialect)
    found = list(schema.check(project))
    assert [f for f in found if f.code in ("SQ001", "SQ003", "SQ009")] == []
    catalog = schema_catalog(project)
    assert catalog is not None and catalog.unmodelled == []
    assert project.notes == []
    assert len(catalog.tables) > 10


def test_pagila_model() -> None:
    project = corpus_project("pagila", schema="pagila-schema.sql")
    catalog = schema_catalog(project)
    assert catalog is not None
    payment = catalog.tables["payment_p2022_01"]
    assert payment.parent == "payment"
    assert payment.key_of_partition(catalog) == ("payment_date", "payment_id")
    film = catalog.tables["film"]
    assert film.columns["last_update"].type == "timestamptz"
    assert film.columns["film_id"].default == "nextval()"
    found = list(schema.check(project))
    # partitions are keyed through their parent: no SQ002 at all
    assert not [f for f in found if f.code == "SQ002"]


@pytest.mark.parametrize("folder, migrations_dir", FOLDERS)
def test_corpus_migrations_replay(folder: str, migrations_dir: str) -> None:
    project = corpus_project(folder, migrations_dir=migrations_dir, schema="absent.sql")
    assert migrations(project)
    for migration in migrations(project):
        item = parsed(project, migration.path)
        assert item is not None
        assert item.errors == [], (migration.path, item.errors)
        assert item.unreadable == [], (migration.path, item.unreadable)
    catalog = replay_catalog(project)
    assert catalog is not None and catalog.unmodelled == []
    assert len(catalog.tables) > 5
    assert list(schema.check(project)) == []
    list(safety.check(project))  # no traceback


def test_lemmy_replay_follows_renames() -> None:
    project = corpus_project("lemmy", migrations_dir="migrations", schema="absent.sql")
    catalog = replay_catalog(project)
    assert catalog is not None
    assert "user_" not in catalog.tables  # renamed to person long ago
    assert "person" in catalog.tables
    assert catalog.tables["person"].primary_key == ("id",)


def test_lemmy_baseline_waives_history() -> None:
    plain = corpus_project("lemmy", migrations_dir="migrations", schema="absent.sql")
    newest = plain.config.migrations_path + "/"
    folders = {m.path[len(newest) :].split("/")[0] for m in migrations(plain)}
    project = corpus_project(
        "lemmy",
        migrations_dir="migrations",
        schema="absent.sql",
        migrations_baseline=max(folders).split("_")[0],  # the newest, by name
    )
    assert list(safety.check(project)) == []


def test_pagila_catalog_and_rules_under_a_second() -> None:
    # The performance target (under 1 s) with a wide margin for a busy CI
    # machine; benchmarks/schema_bench.py reports the real figure.
    text = (CORPUS / "pagila" / "pagila-schema.sql").read_text()
    started = time.perf_counter()
    parse_file("pagila-schema.sql", text)
    assert time.perf_counter() - started < 10


# -- hostile input ------------------------------------------------------------

SCHEMA = "database-schema.sql"


def check_text(root: Path, data: bytes | str, dialect: str = "postgres"):  # type: ignore[no-untyped-def]
    root.mkdir(parents=True, exist_ok=True)
    target = root / SCHEMA
    if isinstance(data, str):
        target.write_text(data, encoding="utf-8")
    else:
        target.write_bytes(data)
    project = Project(root, Config(sqlfluff=False, dialect=dialect), Options())
    return list(schema.check(project)), project


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
@pytest.mark.parametrize("depth", [50, 3000, 20000])
def test_nested_parentheses(tmp_path: Path, dialect: str, depth: int) -> None:
    sql = (
        "CREATE TABLE t (id int PRIMARY KEY);\nSELECT "
        + "(" * depth
        + "1"
        + ")" * depth
        + ";\n"
    )
    found, _ = check_text(tmp_path, sql, dialect)
    assert all(f.line == 2 for f in found)
    if depth == 50:
        assert found == []


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE t (id int PRIMARY KEY);\nSELECT 'unterminated",
        "CREATE TABLE t (id int PRIMARY KEY);\nSELECT 1 /* unterminated",
        'CREATE TABLE t (id int PRIMARY KEY);\nSELECT "unterminated',
    ],
)
def test_unterminated(tmp_path: Path, dialect: str, sql: str) -> None:
    found, _ = check_text(tmp_path, sql, dialect)
    assert [(f.code, f.line) for f in found] == [("SQ001", 2)]


def test_binary_file(tmp_path: Path) -> None:
    found, _ = check_text(tmp_path, bytes(range(256)) * 10)
    assert [f.code for f in found] == ["SQ001"]
    assert "binary" in found[0].message


def test_not_utf8(tmp_path: Path) -> None:
    found, _ = check_text(tmp_path, "CREATE TABLE é (id int);".encode("latin-1"))
    assert [f.code for f in found] == ["SQ001"]
    assert "UTF-8" in found[0].message


def _big_schema(size: int) -> str:
    parts = []
    i = 0
    while sum(map(len, parts)) < size:
        parts.append(
            f"CREATE TABLE t{i} (\n  id bigint PRIMARY KEY,\n"
            f"  parent_id bigint REFERENCES t{max(i - 1, 0)} (id),\n"
            f"  name text NOT NULL DEFAULT 'x'\n);\n"
            f"CREATE INDEX t{i}_parent ON t{i} (parent_id);\n"
            f"INSERT INTO t{i} (id, name) VALUES "
            + ", ".join(f"({n}, 'row {n}')" for n in range(400))
            + ";\n"
        )
        i += 1
    return "".join(parts)


@pytest.mark.parametrize("size", [25_000, 5_000_000])
def test_large_schema(tmp_path: Path, size: int) -> None:
    sql = _big_schema(size)
    found, _ = check_text(tmp_path, sql)
    assert found == []


def test_bom_and_crlf(tmp_path: Path) -> None:
    sql = "\ufeffCREATE TABLE t (\r\n  id int PRIMARY KEY\r\n);\r\nSELEC 1;\r\n"
    found, _ = check_text(tmp_path, sql)
    assert [(f.code, f.line, f.column) for f in found] == [("SQ001", 4, 1)]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300),
    dialect=st.sampled_from(["postgres", "mysql", "sqlite", "tsql"]),
)
def test_nothing_raises_on_arbitrary_text(text: str, dialect: str) -> None:
    item = parse_file("x.sql", text, dialect)
    from dbdesign.sql.build import build

    build([item], dialect)
    for error in item.errors:
        assert error.line >= 1 and error.column >= 1


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "CREATE TABLE a (id int PRIMARY KEY, b_id int REFERENCES b)",
                "CREATE TABLE b (id int PRIMARY KEY, x text NOT NULL DEFAULT 'q')",
                "ALTER TABLE a RENAME TO b",
                "ALTER TABLE b RENAME COLUMN id TO x",
                "ALTER TABLE a DROP COLUMN b_id",
                "DROP TABLE a",
                "DROP TABLE b CASCADE",
                "CREATE INDEX i ON a (b_id)",
                "DROP INDEX i",
                "ALTER INDEX i RENAME TO j",
                "ALTER TABLE b ADD CONSTRAINT u UNIQUE (x)",
                "ALTER TABLE b DROP CONSTRAINT u",
                "ALTER TABLE a ALTER COLUMN b_id TYPE bigint",
                "TRUNCATE a",
                "CREATE TABLE c PARTITION OF b FOR VALUES IN (1)",
                "(",
                "'",
                "$$",
            ]
        ),
        max_size=12,
    )
)
def test_any_ddl_sequence_replays(statements: list[str]) -> None:
    from dbdesign.sql.build import build

    item = parse_file("x.sql", ";\n".join(statements) + ";\n")
    build([item], "postgres")


def test_many_errors_stay_linear(tmp_path: Path) -> None:
    sql = "SELEC 1;\n" * 20_000
    found, _ = check_text(tmp_path, sql)
    assert len(found) == 20_000 and found[-1].line == 20_000


def test_many_unclosed_template_openers(tmp_path: Path) -> None:
    sql = "SELECT '" + "{{ {% ${" * 200_000 + "';\n"
    found, _ = check_text(tmp_path, sql)
    assert found == []


def test_schema_link_out_of_the_root(tmp_path: Path) -> None:
    secret = tmp_path / "secret.sql"
    secret.write_text("CREATE TABLE leaked_secret (id int);\n")
    root = tmp_path / "project"
    root.mkdir()
    (root / SCHEMA).symlink_to(secret)
    project = Project(root, Config(sqlfluff=False), Options())
    found = list(schema.check(project))
    assert [f.code for f in found] == ["SQ001"]
    assert "leaves the project root" in found[0].message
    assert "leaked_secret" not in found[0].message
    assert schema_catalog(project) is None


@settings(max_examples=200, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(
            [
                *"ab ;'\"`$()[]-/*\n\\#{}%",
                "$$",
                "$t$",
                "BEGIN ",
                "END",
                "CASE ",
                "CREATE TRIGGER x ",
            ]
        ),
        max_size=60,
    ).map("".join),
    dialect=st.sampled_from(["postgres", "mysql", "sqlite", "tsql"]),
)
def test_split_positions_point_at_their_text(text: str, dialect: str) -> None:
    from dbdesign.sql.split import split
    from dbdesign.textio import line_starts

    starts = line_starts(text)
    for statement in split(text, dialect):
        assert (
            text[statement.start : statement.start + len(statement.text)]
            == statement.text
        )
        assert starts[statement.line - 1] + statement.column - 1 == statement.start
