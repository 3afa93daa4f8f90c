"""MG010-MG013 beyond the rule cases of tests/cases/safety.yml: one replay
serves drift and safety, and any sequence of DDL is judged without a
crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Repo
from dbdesign.checks import safety
from dbdesign.config import Config
from dbdesign.findings import Finding
from dbdesign.project import Options, Project


def found(items: list[Finding]) -> list[tuple[str, str, int | None]]:
    return [(f.code, f.path.rsplit("/", 1)[-1], f.line) for f in items]


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


def test_one_replay_serves_drift_and_safety(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dbdesign.checks import schema
    from dbdesign.sql import effects

    applied: list[str] = []
    apply = effects.apply

    def counting(catalog: object, ops: object, path: str) -> None:
        applied.append(path)
        apply(catalog, ops, path)  # type: ignore[arg-type]

    monkeypatch.setattr(effects, "apply", counting)
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


# -- MG013-MG020 on PostgreSQL ---------------------------------------------------

PG_V1 = (
    "migration-scripts/V1__base.sql",
    "CREATE TABLE users (id int PRIMARY KEY, email text, name varchar(100));\n"
    "CREATE TABLE orders (id int PRIMARY KEY, user_id int);\n"
    "CREATE INDEX users_name_idx ON users (name);\n",
)
NEW_T = "CREATE TABLE t (id int, email text, user_id int, name varchar(100));\n"

# (code, statement on an existing table, the same on a table the migration
# creates first: quiet)
PG_CASES = [
    (
        "MG014",
        "ALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();",
        "ALTER TABLE t ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();",
    ),
    (
        "MG014",
        "ALTER TABLE users ADD COLUMN n bigserial;",
        "ALTER TABLE t ADD COLUMN n bigserial;",
    ),
    (
        "MG014",
        "ALTER TABLE users ADD COLUMN at timestamptz DEFAULT clock_timestamp();",
        "ALTER TABLE t ADD COLUMN at timestamptz DEFAULT clock_timestamp();",
    ),
    (
        "MG015",
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
        "ALTER TABLE t ALTER COLUMN email SET NOT NULL;",
    ),
    (
        "MG016",
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
        "ALTER TABLE t ADD CONSTRAINT t_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
    ),
    (
        "MG016",
        "ALTER TABLE users ADD CONSTRAINT users_email_check CHECK (email <> '');",
        "ALTER TABLE t ADD CONSTRAINT t_email_check CHECK (email <> '');",
    ),
    (
        "MG016",
        "ALTER TABLE orders ADD COLUMN buyer_id int REFERENCES users (id);",
        "ALTER TABLE t ADD COLUMN buyer_id int REFERENCES users (id);",
    ),
    (
        "MG017",
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
        "ALTER TABLE t ADD CONSTRAINT t_email_key UNIQUE (email);",
    ),
    (
        "MG017",
        "ALTER TABLE orders ADD COLUMN ref int UNIQUE;",
        "ALTER TABLE t ADD COLUMN ref int UNIQUE;",
    ),
    (
        "MG017",
        "ALTER TABLE users ADD PRIMARY KEY (email);",
        "ALTER TABLE t ADD PRIMARY KEY (id);",
    ),
    (
        "MG018",
        "DROP INDEX users_name_idx;",
        "CREATE INDEX t_name_idx ON t (name);\nDROP INDEX t_name_idx;",
    ),
    (
        "MG013",
        "ALTER TABLE users ALTER COLUMN name TYPE varchar(50);",
        "ALTER TABLE t ALTER COLUMN name TYPE varchar(50);",
    ),
    (
        "MG013",
        "ALTER TABLE users ALTER COLUMN id TYPE bigint;",
        "ALTER TABLE t ALTER COLUMN id TYPE bigint;",
    ),
]


@pytest.mark.parametrize(
    "code, bad, quiet", PG_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(PG_CASES)]
)
def test_pg_rule_fires_on_existing_table_only(
    tmp_path: Path, code: str, bad: str, quiet: str
) -> None:
    items = run(
        tmp_path / "bad",
        {PG_V1[0]: PG_V1[1], "migration-scripts/V2__x.sql": "SELECT 1;\n" + bad},
    )
    assert found(items) == [(code, "V2__x.sql", 2)], items
    message = items[0].message
    assert "lock" in message and ("then" in message or "use `" in message), message
    same = NEW_T + quiet
    assert (
        run(
            tmp_path / "same", {PG_V1[0]: PG_V1[1], "migration-scripts/V2__x.sql": same}
        )
        == []
    )


def test_pg_rules_quiet_on_mysql(tmp_path: Path) -> None:
    files = {
        PG_V1[0]: PG_V1[1],
        "migration-scripts/V2__x.sql": "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n",
    }
    assert run(tmp_path, files, "mysql") == []


ISSUE_MIGRATION = """\
ALTER TABLE users ALTER COLUMN name TYPE varchar(200);   -- was varchar(100)
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
ALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();
DROP INDEX IF EXISTS users_name_idx;
DROP TABLE IF EXISTS legacy_stuff;                        -- never existed
"""


def test_the_issue_migration(tmp_path: Path) -> None:
    files = {PG_V1[0]: PG_V1[1], "migration-scripts/V2__x.sql": ISSUE_MIGRATION}
    items = run(tmp_path, files, postgres_version=15)
    assert found(items) == [
        ("MG015", "V2__x.sql", 2),
        ("MG016", "V2__x.sql", 3),
        ("MG017", "V2__x.sql", 4),
        ("MG014", "V2__x.sql", 5),
        ("MG018", "V2__x.sql", 6),
    ], items
    by_code = {f.code: f.message for f in items}
    assert "SHARE ROW EXCLUSIVE lock on orders and users" in by_code["MG016"]
    assert "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk" in by_code["MG016"]
    assert "USING INDEX users_email_key" in by_code["MG017"]
    assert "gen_random_uuid() is volatile" in by_code["MG014"]
    assert "DROP INDEX CONCURRENTLY users_name_idx" in by_code["MG018"]


@pytest.mark.parametrize(
    "version, expected",
    [(10, [("MG014", "V2__x.sql", 1)] * 2), (11, []), (16, [])],
)
def test_constant_default_rewrites_before_11_only(
    tmp_path: Path, version: int, expected: list[tuple[str, str, int]]
) -> None:
    files = {
        PG_V1[0]: PG_V1[1],
        "migration-scripts/V2__x.sql": "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free', ADD COLUMN at timestamptz DEFAULT now(), ADD COLUMN note text DEFAULT NULL;\n",
    }
    items = run(tmp_path, files, postgres_version=version)
    assert found(items) == expected
    if expected:
        assert "before PostgreSQL 11 (postgres_version: 10)" in items[0].message


SAFE_NOT_NULL = {
    "migration-scripts/V2__check.sql": "ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;\n",
    "migration-scripts/V3__validate.sql": "ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\n",
    "migration-scripts/V4__not_null.sql": "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n",
}


def test_set_not_null_after_a_valid_check_from_12(tmp_path: Path) -> None:
    files = {PG_V1[0]: PG_V1[1], **SAFE_NOT_NULL}
    assert run(tmp_path / "pg12", files, postgres_version=12) == []
    items = run(tmp_path / "pg11", files, postgres_version=11)
    assert found(items) == [("MG015", "V4__not_null.sql", 1)]
    assert "before PostgreSQL 12" in items[0].message
    # a check never validated does not spare the scan
    unvalidated = {**files, "migration-scripts/V3__validate.sql": "SELECT 1;\n"}
    assert found(run(tmp_path / "nv", unvalidated, postgres_version=16)) == [
        ("MG015", "V4__not_null.sql", 1)
    ]


@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TABLE users ALTER COLUMN name TYPE varchar(200);",
        "ALTER TABLE users ALTER COLUMN name TYPE text;",
        "ALTER TABLE users ALTER COLUMN name TYPE varchar;",
        "ALTER TABLE users ALTER COLUMN email TYPE varchar;",
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
        "ALTER TABLE users ADD CONSTRAINT users_email_check CHECK (email <> '') NOT VALID;",
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;",
        "ALTER TABLE users ADD COLUMN plan text DEFAULT 'free';",
        "ALTER TABLE users ADD COLUMN at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP;",
        "DROP INDEX CONCURRENTLY users_name_idx;",
        "DROP INDEX IF EXISTS never_made_idx;",
        "DROP TABLE IF EXISTS legacy_stuff;",
        "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;",
        "ALTER TABLE users VALIDATE CONSTRAINT users_email_check;",
    ],
)
def test_pg_safe_forms_are_quiet(tmp_path: Path, sql: str) -> None:
    files = {PG_V1[0]: PG_V1[1], "migration-scripts/V2__x.sql": sql + "\n"}
    assert run(tmp_path, files) == []


def test_drop_if_exists_of_a_table_that_exists_is_destructive(tmp_path: Path) -> None:
    files = {
        PG_V1[0]: PG_V1[1],
        "migration-scripts/V2__x.sql": "DROP TABLE IF EXISTS users;\n",
    }
    assert found(run(tmp_path, files)) == [("MG010", "V2__x.sql", 1)]
    # after DDL the replay did not understand, absence is no longer known
    odd = {
        PG_V1[0]: PG_V1[1] + "CREATE TABLE legacy_stuff AS TABLE users WITH NO DATA;\n"
        "CREATE TABLE x (LIKE y INCLUDING ALL) PARTITION BY ((((;\n",
        "migration-scripts/V2__x.sql": "DROP TABLE IF EXISTS legacy_stuff;\n",
    }
    assert found(run(tmp_path / "odd", odd)) == [("MG010", "V2__x.sql", 1)]


def test_type_change_with_using_rewrites(tmp_path: Path) -> None:
    files = {
        PG_V1[0]: PG_V1[1],
        "migration-scripts/V2__x.sql": "ALTER TABLE users ALTER COLUMN name TYPE text USING upper(name);\n",
    }
    items = run(tmp_path, files)
    assert found(items) == [("MG013", "V2__x.sql", 1)]
    assert "ACCESS EXCLUSIVE" in items[0].message


def test_lock_timeout_only_when_required(tmp_path: Path) -> None:
    bad = "ALTER TABLE users ADD COLUMN plan text;\nALTER TABLE users ADD COLUMN b text;\n"
    files = {PG_V1[0]: PG_V1[1], "migration-scripts/V2__x.sql": bad}
    assert run(tmp_path / "off", files) == []
    items = run(tmp_path / "on", files, require_lock_timeout=True)
    assert found(items) == [("MG020", "V2__x.sql", 1)]
    assert "ACCESS EXCLUSIVE lock on users" in items[0].message
    assert "SET lock_timeout" in items[0].message
    good = {**files, "migration-scripts/V2__x.sql": "SET lock_timeout = '2s';\n" + bad}
    assert run(tmp_path / "good", good, require_lock_timeout=True) == []
    reset = {**files, "migration-scripts/V2__x.sql": "SET lock_timeout = 0;\n" + bad}
    assert found(run(tmp_path / "zero", reset, require_lock_timeout=True)) == [
        ("MG020", "V2__x.sql", 2)
    ]
    created = {
        **files,
        "migration-scripts/V2__x.sql": NEW_T + "ALTER TABLE t ADD COLUMN b text;\n",
    }
    assert run(tmp_path / "new", created, require_lock_timeout=True) == []
    # a foreign key and VALIDATE take weaker locks
    weak = {
        **files,
        "migration-scripts/V2__x.sql": "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\n",
    }
    assert run(tmp_path / "weak", weak, require_lock_timeout=True) == []


def test_rules_know_the_tables_the_change_created(repo: Repo) -> None:
    repo.write(*PG_V1)
    repo.commit("v1")
    repo.write("migration-scripts/V2__t.sql", NEW_T)
    stmts = [quiet for _, _, quiet in PG_CASES]
    repo.write("migration-scripts/V3__t.sql", "\n".join(stmts) + "\n")
    repo.add()
    project = Project(repo.path, Config(sqlfluff=False, require_lock_timeout=True))
    assert found(list(safety.check(project))) == []


# -- MG019: CONCURRENTLY where the tool runs a transaction -----------------------

CIC = "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n"


def _tool(
    tmp_path: Path, files: dict[str, str], naming: str, folder: str = "migrations"
) -> list[tuple[str, str, int | None]]:
    return found(run(tmp_path, files, migrations_dir=folder, migration_naming=naming))


def test_mg019_explicit_begin_in_any_tool(tmp_path: Path) -> None:
    files = {
        "migrations/001_users.sql": PG_V1[1],
        "migrations/002_idx.sql": "BEGIN;\n" + CIC + "COMMIT;\n",
    }
    assert _tool(tmp_path / "a", files, "sequential") == [("MG019", "002_idx.sql", 2)]
    files["migrations/002_idx.sql"] = "BEGIN;\nSELECT 1;\nCOMMIT;\n" + CIC
    assert _tool(tmp_path / "b", files, "sequential") == []


def test_mg019_flyway_mixed_file(tmp_path: Path) -> None:
    mixed = {
        PG_V1[0]: PG_V1[1],
        "migration-scripts/V2__idx.sql": "ALTER TABLE users ADD COLUMN plan text;\n"
        + CIC,
    }
    items = run(tmp_path / "mixed", mixed)
    assert found(items) == [("MG019", "V2__idx.sql", 2)]
    assert "executeInTransaction=false" in items[0].message
    alone = {
        **mixed,
        "migration-scripts/V2__idx.sql": CIC
        + "DROP INDEX CONCURRENTLY users_name_idx;\n",
    }
    assert run(tmp_path / "alone", alone) == []
    conf = {
        **mixed,
        "migration-scripts/V2__idx.sql.conf": "executeInTransaction=false\n",
    }
    assert run(tmp_path / "conf", conf, migrations_ignore=("*.conf",)) == []


def test_mg019_goose(tmp_path: Path) -> None:
    base = "-- +goose Up\n" + PG_V1[1] + "-- +goose Down\nDROP TABLE users;\n"
    files = {
        "migrations/20240101000000_base.sql": base,
        "migrations/20240102000000_idx.sql": "-- +goose Up\n"
        + CIC
        + "-- +goose Down\nDROP INDEX users_email_idx;\n",
    }
    items = run(tmp_path / "tx", files, migrations_dir="migrations")
    assert found(items) == [("MG019", "20240102000000_idx.sql", 2)]
    assert "-- +goose NO TRANSACTION" in items[0].message
    files["migrations/20240102000000_idx.sql"] = (
        "-- +goose NO TRANSACTION\n" + files["migrations/20240102000000_idx.sql"]
    )
    assert run(tmp_path / "notx", files, migrations_dir="migrations") == []


def test_mg019_dbmate(tmp_path: Path) -> None:
    files = {
        "migrations/20240101000000_base.sql": "-- migrate:up\n"
        + PG_V1[1]
        + "-- migrate:down\nDROP TABLE users;\n",
        "migrations/20240102000000_idx.sql": "-- migrate:up\n"
        + CIC
        + "\n-- migrate:down\n",
    }
    assert found(run(tmp_path / "tx", files, migrations_dir="migrations")) == [
        ("MG019", "20240102000000_idx.sql", 2)
    ]
    files["migrations/20240102000000_idx.sql"] = (
        "-- migrate:up transaction:false\n" + CIC + "\n-- migrate:down\n"
    )
    assert run(tmp_path / "notx", files, migrations_dir="migrations") == []


def test_mg019_diesel(tmp_path: Path) -> None:
    files = {
        "migrations/2024-01-01-000000_base/up.sql": PG_V1[1],
        "migrations/2024-01-01-000000_base/down.sql": "DROP TABLE users;\n",
        "migrations/2024-01-02-000000_idx/up.sql": CIC,
        "migrations/2024-01-02-000000_idx/down.sql": "DROP INDEX users_email_idx;\n",
    }
    items = run(tmp_path / "tx", files, migrations_dir="migrations")
    assert found(items) == [("MG019", "up.sql", 1)]
    assert "run_in_transaction = false" in items[0].message
    files["migrations/2024-01-02-000000_idx/metadata.toml"] = (
        "run_in_transaction = false\n"
    )
    assert run(tmp_path / "notx", files, migrations_dir="migrations") == []


def test_mg019_golang_migrate_one_string(tmp_path: Path) -> None:
    files = {
        "migrations/000001_base.up.sql": PG_V1[1],
        "migrations/000002_idx.up.sql": "SET lock_timeout = '1s';\n" + CIC,
    }
    items = run(tmp_path / "many", files, migrations_dir="migrations")
    assert found(items) == [("MG019", "000002_idx.up.sql", 2)]
    assert "multi-statement" in items[0].message
    files["migrations/000002_idx.up.sql"] = (
        "-- one statement alone runs outside a transaction\n" + CIC
    )
    assert run(tmp_path / "one", files, migrations_dir="migrations") == []


def test_a_renamed_table_keeps_its_rows(tmp_path: Path) -> None:
    files = {
        PG_V1[0]: PG_V1[1],
        "migration-scripts/V2__x.sql": "ALTER TABLE users RENAME TO person;\n"
        "ALTER TABLE person DROP COLUMN email;\n",
    }
    assert found(run(tmp_path, files)) == [
        ("MG013", "V2__x.sql", 1),
        ("MG010", "V2__x.sql", 2),
    ]


@pytest.mark.parametrize(
    "sql",
    [
        "DROP VIEW users_view;",
        "DROP TRIGGER users_touch ON users;",
        "ALTER TABLE users RENAME COLUMN name TO full_name;",
        "DROP INDEX users_name_idx;",
        "TRUNCATE orders;",
    ],
)
def test_lock_timeout_covers_every_access_exclusive(tmp_path: Path, sql: str) -> None:
    files = {PG_V1[0]: PG_V1[1], "migration-scripts/V2__x.sql": sql + "\n"}
    items = run(tmp_path, files, require_lock_timeout=True)
    assert "MG020" in [f.code for f in items]


def test_type_change_with_using_under_the_same_name(tmp_path: Path) -> None:
    files = {
        PG_V1[0]: PG_V1[1]
        + "CREATE TYPE mood AS ENUM ('a');\nALTER TABLE users ADD COLUMN m mood;\n",
        "migration-scripts/V2__x.sql": "ALTER TYPE mood RENAME TO mood_old;\n"
        "CREATE TYPE mood AS ENUM ('a', 'b');\n"
        "ALTER TABLE users ALTER COLUMN m TYPE mood USING m::text::mood;\n",
    }
    assert found(run(tmp_path, files)) == [("MG013", "V2__x.sql", 3)]
