"""RP001-RP006 on a real PostgreSQL server (one ephemeral server shared by
the session, each run on its own throwaway databases), never a mock."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLE, Repo
from dbdesign import rules
from replay_fixtures import (
    assert_clean,
    codes,
    found,
    needs_postgres,
    replay,
    run_json,
    write,
)

pytestmark = needs_postgres

CONFIG_15 = "postgres_version: 15\n"


def test_failing_migration_at_its_line(tmp_path: Path, pg_url: str) -> None:
    root = write(
        tmp_path,
        {
            ".dbdesign.yaml": CONFIG_15,
            "migration-scripts/V1__book.sql": "CREATE TABLE book (\n  id int PRIMARY KEY,\n  price numeric\n);\n",
            "migration-scripts/V2__check.sql": "-- a typo\n\nALTER TABLE book ADD CONSTRAINT book_price_check\n  CHECK (prize > 0);\n",
            "migration-scripts/V3__later.sql": "CREATE TABLE later (id int PRIMARY KEY);\n",
        },
    )
    code, document = replay(root, pg_url)
    assert code == 1
    [item] = found(document, "RP")
    assert (item["code"], item["path"], item["line"]) == (
        "RP001",
        "migration-scripts/V2__check.sql",
        3,  # the failing statement's first line
    )
    assert 'column "prize" does not exist' in str(item["message"])
    assert "SQLSTATE 42703" in str(item["message"])
    assert any("1 later migration was not run" in n for n in document["notes"])  # type: ignore[attr-defined]


def test_clean_migrations_are_quiet(tmp_path: Path, pg_url: str) -> None:
    root = write(
        tmp_path,
        {
            ".dbdesign.yaml": CONFIG_15,
            "migration-scripts/V1__book.sql": "CREATE TABLE book (id int PRIMARY KEY);\n",
            "database-schema.sql": "CREATE TABLE book (id int PRIMARY KEY);\n",
        },
    )
    code, document = replay(root, pg_url)
    assert (code, found(document), document["notes"]) == (0, [], [])


MIGRATION = """\
CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE TABLE book (
    id int PRIMARY KEY,
    price numeric CHECK (price > 0),
    status text DEFAULT 'draft',
    feeling mood
);
CREATE INDEX book_price_idx ON book (price) WHERE status = 'live';
"""


def test_exact_drift_one_finding_per_object(tmp_path: Path, pg_url: str) -> None:
    schema = (
        MIGRATION.replace("'sad', 'happy'", "'sad', 'happy', 'bored'")
        .replace("price > 0", "price >= 0")
        .replace("DEFAULT 'draft'", "DEFAULT 'new'")
        .replace("status = 'live'", "status <> 'gone'")
    )
    root = write(
        tmp_path,
        {
            ".dbdesign.yaml": CONFIG_15 + "replay:\n  mode: on\n",
            "migration-scripts/V1__book.sql": MIGRATION,
            "database-schema.sql": schema,
        },
    )
    code, document = run_json(
        "check", "--root", str(root), "--select", "RP,SQ007", "--no-cache"
    )
    assert code == 1
    drift = found(document, "RP003")
    assert sorted(str(f["message"]).split(" ", 2)[:2] for f in drift) == [
        ["column", "book.status"],
        ["constraint", "book.book_price_check"],
        ["index", "book_price_idx"],
        ["type", "mood"],
    ]
    by_kind = {str(f["message"]).split(" ")[0]: str(f["message"]) for f in drift}
    assert "'bored'" in by_kind["type"]
    assert "DEFAULT 'new'::text" in by_kind["column"]
    assert "price >= 0" in by_kind["constraint"]
    assert "price > 0" in by_kind["constraint"]
    assert "status <> 'gone'" in by_kind["index"]
    assert all(f["line"] for f in drift)  # pointed at the schema file's line
    assert not found(document, "SQ007")  # RP003 supersedes the model's drift


def test_bookkeeping_and_drift_ignore_are_left_out(tmp_path: Path, pg_url: str) -> None:
    root = write(
        tmp_path,
        {
            ".dbdesign.yaml": CONFIG_15
            + "drift_ignore: [audit_*]\nmigrations_dir: migrations\n",
            "migrations/1_a.up.sql": "CREATE TABLE a (id int PRIMARY KEY);\n"
            "CREATE TABLE audit_log (id int);\n",
            "migrations/1_a.down.sql": "DROP TABLE audit_log; DROP TABLE a;\n",
            "database-schema.sql": "CREATE TABLE a (id int PRIMARY KEY);\n",
        },
    )
    assert_clean(root, pg_url)


def test_down_that_forgets_an_index(tmp_path: Path, pg_url: str) -> None:
    root = write(
        tmp_path,
        {
            ".dbdesign.yaml": CONFIG_15 + "migrations_dir: migrations\n",
            "migrations/1_book.up.sql": "CREATE TABLE book (id int PRIMARY KEY, title text);\n",
            "migrations/1_book.down.sql": "DROP TABLE book;\n",
            "migrations/2_title.up.sql": "ALTER TABLE book ADD COLUMN isbn text;\n"
            "CREATE INDEX book_title_idx ON book (title);\n",
            "migrations/2_title.down.sql": "ALTER TABLE book DROP COLUMN isbn;\n",
        },
    )
    code, document = replay(root, pg_url)
    assert code == 1
    [item] = found(document, "RP004")
    assert item["path"] == "migrations/2_title.down.sql"
    assert "index book_title_idx is left behind" in str(item["message"])


def _history(repo: Repo, files: dict[str, str]) -> None:
    """V1 committed (history), then FILES staged (the change)."""
    repo.write(".dbdesign.yaml", CONFIG_15 + "replay:\n  mode: on\n")
    repo.write(
        "migration-scripts/V1__users.sql",
        "CREATE TABLE users (id int PRIMARY KEY, name varchar(100), email text);\n"
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int);\n",
    )
    repo.commit("history")
    for path, text in files.items():
        repo.write(path, text)
    repo.add()


def _check(repo: Repo, url: str, select: str) -> dict[str, object]:
    import os

    os.environ["DBDESIGN_DATABASE_URL"] = url
    try:
        _, document = run_json(
            "check", "--root", str(repo.path), "--select", select, "--no-cache"
        )
    finally:
        del os.environ["DBDESIGN_DATABASE_URL"]
    return document


def test_varchar_widening_is_not_a_lock(repo: Repo, pg_url: str) -> None:
    _history(
        repo,
        {
            "migration-scripts/V2__wider.sql": "ALTER TABLE users ALTER COLUMN name TYPE varchar(200);\n"
        },
    )
    document = _check(repo, pg_url, "RP,MG013")
    assert codes(document) == []  # no RP005, and MG013 withdrawn


def test_type_change_that_rewrites_is_confirmed(repo: Repo, pg_url: str) -> None:
    _history(
        repo,
        {
            "migration-scripts/V2__big.sql": "ALTER TABLE users ALTER COLUMN id TYPE bigint;\n"
        },
    )
    document = _check(repo, pg_url, "RP,MG013")
    assert codes(document) == [
        ("MG013", "migration-scripts/V2__big.sql", 1),
        ("RP005", "migration-scripts/V2__big.sql", 1),
    ]
    [mg013] = found(document, "MG013")
    assert "confirmed by replay: rewrote users under ACCESS EXCLUSIVE" in str(
        mg013["message"]
    )
    [rp005] = found(document, "RP005")
    assert "every read and write waits" in str(rp005["message"])


def test_volatile_default_rewrites(repo: Repo, pg_url: str) -> None:
    _history(
        repo,
        {
            "migration-scripts/V2__token.sql": "ALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();\n"
        },
    )
    document = _check(repo, pg_url, "RP,MG")
    [rp005] = found(document, "RP005")
    assert "rewrote users under ACCESS EXCLUSIVE" in str(rp005["message"])
    if "MG014" in rules.BY_CODE:  # the static rule, where this version has it
        [mg014] = found(document, "MG014")
        assert "confirmed by replay" in str(mg014["message"])


def test_history_is_replayed_but_not_judged(repo: Repo, pg_url: str) -> None:
    _history(
        repo,
        {
            "migration-scripts/V2__big.sql": "ALTER TABLE users ALTER COLUMN id TYPE bigint;\n"
        },
    )
    repo.commit("V2 is history now")
    document = _check(repo, pg_url, "RP")
    assert codes(document) == []


@pytest.mark.parametrize(
    "files",
    [
        # Flyway runs a migration that PostgreSQL refuses in a transaction
        # without one.
        {
            "migration-scripts/V2__idx.sql": "CREATE INDEX CONCURRENTLY users_name_idx ON users (name);\n"
        },
        # dbmate, told so.
        {
            "db/migrations/2_idx.sql": "-- migrate:up transaction:false\n"
            "CREATE INDEX CONCURRENTLY users_name_idx ON users (name);\n"
            "-- migrate:down\nDROP INDEX users_name_idx;\n"
        },
    ],
)
def test_concurrently_outside_a_transaction_applies(
    tmp_path: Path, pg_url: str, files: dict[str, str]
) -> None:
    base = next(iter(files)).rsplit("/", 1)[0]
    first = (
        "migration-scripts/V1__users.sql"
        if base == "migration-scripts"
        else "db/migrations/1_users.sql"
    )
    head = "" if base == "migration-scripts" else "-- migrate:up\n"
    root = write(
        tmp_path,
        {
            ".dbdesign.yaml": CONFIG_15 + f"migrations_dir: {base}\n",
            first: head + "CREATE TABLE users (id int PRIMARY KEY, name text);\n",
            **files,
        },
    )
    assert_clean(root, pg_url)


def test_concurrently_in_a_transaction_fails(tmp_path: Path, pg_url: str) -> None:
    root = write(
        tmp_path,
        {
            ".dbdesign.yaml": CONFIG_15 + "migrations_dir: migrations\n",
            "migrations/2024-01-01-000000_users/up.sql": "CREATE TABLE users (id int PRIMARY KEY, name text);\n",
            "migrations/2024-01-01-000000_users/down.sql": "DROP TABLE users;\n",
            "migrations/2024-01-02-000000_idx/up.sql": "CREATE INDEX CONCURRENTLY users_name_idx ON users (name);\n",
            "migrations/2024-01-02-000000_idx/down.sql": "DROP INDEX users_name_idx;\n",
        },
    )
    code, document = replay(root, pg_url)
    assert code == 1
    [item] = found(document, "RP001")
    assert item["path"] == "migrations/2024-01-02-000000_idx/up.sql"
    assert "25001" in str(item["message"])
    # diesel, told to run it outside a transaction, applies it
    write(
        root,
        {
            "migrations/2024-01-02-000000_idx/metadata.toml": "run_in_transaction = false\n"
        },
    )
    _code, document = replay(root, pg_url)
    assert codes(document) == []


def test_setup_files_run_first(tmp_path: Path, pg_url: str) -> None:
    files = {
        "migration-scripts/V1__a.sql": "CREATE TABLE a (id int PRIMARY KEY);\n"
        "GRANT SELECT ON a TO reporting_role;\n",
    }
    root = write(tmp_path, {".dbdesign.yaml": CONFIG_15, **files})
    _, document = replay(root, pg_url)
    assert [f["code"] for f in found(document)] == ["RP001"]
    write(
        root,
        {
            ".dbdesign.yaml": CONFIG_15 + "replay:\n  setup: [db/roles.sql]\n",
            "db/roles.sql": "DO $$ BEGIN CREATE ROLE reporting_role; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$;\n",
        },
    )
    _, document = replay(root, pg_url)
    assert codes(document) == []


def test_url_run_leaves_other_databases_untouched(tmp_path: Path, pg_url: str) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS keep_me")
        conn.execute("CREATE DATABASE keep_me")
    with psycopg.connect(
        pg_url.replace("/postgres?", "/keep_me?"), autocommit=True
    ) as conn:
        conn.execute("CREATE TABLE precious (id int)")
        conn.execute("INSERT INTO precious VALUES (1), (2)")

    def databases() -> list[str]:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            rows = conn.execute("SELECT datname FROM pg_database ORDER BY 1").fetchall()
        return [str(r[0]) for r in rows]

    before = databases()
    root = write(
        tmp_path,
        {
            ".dbdesign.yaml": CONFIG_15,
            "migration-scripts/V1__precious.sql": "CREATE TABLE precious (id int PRIMARY KEY);\n",
            "migration-scripts/V2__bad.sql": "DROP TABLE nothing_here;\n",
            "database-schema.sql": "CREATE TABLE precious (id int PRIMARY KEY);\n",
        },
    )
    replay(root, pg_url)
    assert databases() == before
    with psycopg.connect(pg_url.replace("/postgres?", "/keep_me?")) as conn:
        assert conn.execute("SELECT count(*) FROM precious").fetchone() == (2,)


def test_bad_url_is_exit_2(tmp_path: Path) -> None:
    root = write(
        tmp_path, {"migration-scripts/V1__a.sql": "CREATE TABLE a (id int);\n"}
    )
    code, document = replay(
        root, "postgresql://nobody:secret@/nowhere?host=/nonexistent"
    )
    assert code == 2
    assert "cannot connect" in str(document["error"])
    assert "secret" not in str(document["error"])


def test_bookshop_replays_clean(pg_url: str) -> None:
    code, document = replay(EXAMPLE, pg_url, "--all")
    assert [f["code"] for f in found(document) if f["code"] != "RP006"] == []
    assert code == 0


def test_bookshop_schema_is_what_write_schema_writes(
    tmp_path: Path, pg_url: str
) -> None:
    copy = tmp_path / "bookshop"
    shutil.copytree(EXAMPLE, copy)
    code, document = replay(copy, pg_url, "--write-schema")
    assert code == 0
    written = (copy / "database-schema.sql").read_text()
    assert "CREATE TABLE public.books" in written
    assert "\\restrict" not in written
    assert "schema_migrations" not in written
    assert any("wrote database-schema.sql" in n for n in document["notes"])  # type: ignore[attr-defined]
    # up to pg_dump's formatting, the same database as the hand-written file
    _, document = replay(copy, pg_url)
    assert [f["code"] for f in found(document) if f["code"] != "RP006"] == []
    # and the hand-written file builds the same database as the dump
    shutil.copy(EXAMPLE / "database-schema.sql", copy / "database-schema.sql")
    _, document = replay(copy, pg_url)
    assert not found(document, "RP003")


def test_a_user_without_createdb_is_exit_2(tmp_path: Path, pg_url: str) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS plain_user")
        conn.execute("CREATE ROLE plain_user LOGIN")
    root = write(
        tmp_path, {"migration-scripts/V1__a.sql": "CREATE TABLE a (id int);\n"}
    )
    code, document = replay(root, pg_url.replace("postgres@", "plain_user@"))
    assert code == 2
    assert "its user needs CREATEDB" in str(document["error"])


def test_write_schema_never_writes_from_a_failed_replay(
    tmp_path: Path, pg_url: str
) -> None:
    schema = "CREATE TABLE a (id int PRIMARY KEY);\n"
    root = write(
        tmp_path,
        {
            ".dbdesign.yaml": CONFIG_15,
            "migration-scripts/V1__a.sql": schema,
            "migration-scripts/V2__bad.sql": "ALTER TABLE nothing ADD COLUMN b int;\n",
            "database-schema.sql": schema,
        },
    )
    code, document = replay(root, pg_url, "--write-schema")
    assert code == 1
    assert (root / "database-schema.sql").read_text() == schema
    assert any("was not written" in n for n in document["notes"])  # type: ignore[attr-defined]
    empty = write(tmp_path / "empty", {"database-schema.sql": schema})
    code, document = replay(empty, pg_url, "--write-schema")
    assert code == 2 and "no migrations" in str(document["error"])
    assert (empty / "database-schema.sql").read_text() == schema


def test_a_migrations_own_transaction_is_traced(repo: Repo, pg_url: str) -> None:
    _history(
        repo,
        {
            "migration-scripts/V2__own.sql": "-- migrate by hand\nBEGIN;\n"
            "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"
            "COMMIT;\n"
        },
    )
    document = _check(repo, pg_url, "RP")
    assert codes(document) == [("RP005", "migration-scripts/V2__own.sql", 3)]
