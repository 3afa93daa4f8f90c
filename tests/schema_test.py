"""SQ001-SQ009: each rule fires on a minimal bad case and stays quiet on a
good one, in postgres, mysql and sqlite; the hook end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Repo
from dbdesign import cli, hooks
from dbdesign.checks import schema
from dbdesign.config import Config
from dbdesign.findings import Finding
from dbdesign.project import Options, Project

SCHEMA = "database-schema.sql"
DIALECTS = ("postgres", "mysql", "sqlite")


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


def codes(found: list[Finding], code: str) -> list[tuple[str, int | None]]:
    return [(f.path, f.line) for f in found if f.code == code]


USERS = "CREATE TABLE users (id int PRIMARY KEY, email text);\n"

# (code, bad schema, line of the finding, good schema): the same SQL serves
# every dialect unless a dialect's own spelling is given.
CASES = [
    (
        "SQ001",
        "CREATE TABLE users (\n  id int PRIMARY KEY,);",
        2,
        "CREATE TABLE users (\n  id int PRIMARY KEY\n);",
    ),
    (
        "SQ002",
        USERS + "CREATE TABLE tags (name text);",
        2,
        USERS + "CREATE TABLE tags (name text PRIMARY KEY);",
    ),
    (
        "SQ003",
        USERS + "CREATE TABLE orders (\n  id int PRIMARY KEY,\n"
        "  user_id int REFERENCES usr (id)\n);\nCREATE INDEX o ON orders "
        "(user_id);",
        4,
        USERS + "CREATE TABLE orders (\n  id int PRIMARY KEY,\n"
        "  user_id int REFERENCES users (id)\n);\nCREATE INDEX o ON orders "
        "(user_id);",
    ),
    (
        "SQ004",
        USERS + "CREATE TABLE orders (id int PRIMARY KEY, user_id int,"
        "\n  FOREIGN KEY (user_id) REFERENCES users (id));",
        3,
        USERS + "CREATE TABLE orders (id int PRIMARY KEY, user_id int,"
        "\n  FOREIGN KEY (user_id) REFERENCES users (id));\n"
        "CREATE INDEX orders_user ON orders (user_id, id);",
    ),
    (
        "SQ005",
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int, at int);"
        "\nCREATE INDEX a ON orders (user_id);\n"
        "CREATE INDEX b ON orders (user_id, at);",
        2,
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int, at int);"
        "\nCREATE INDEX a ON orders (at);\n"
        "CREATE INDEX b ON orders (user_id, at);",
    ),
    (
        "SQ006",
        "CREATE TABLE people (id int PRIMARY KEY,\n  phone1 text, phone2 text);",
        2,
        "CREATE TABLE people (id int PRIMARY KEY,\n  phone text);",
    ),
    (
        "SQ006",
        "CREATE TABLE posts (id int PRIMARY KEY,\n  tag_ids text);",
        2,
        "CREATE TABLE posts (id int PRIMARY KEY,\n  tag_count int);",
    ),
    # PostgreSQL folds unquoted names, so only a quoted name keeps its case
    (
        "SQ008",
        {
            "postgres": 'CREATE TABLE "OrderItems" (id int PRIMARY KEY);',
            "mysql": "CREATE TABLE `OrderItems` (id int PRIMARY KEY);",
            "sqlite": "CREATE TABLE OrderItems (id int PRIMARY KEY);",
        },
        1,
        "CREATE TABLE order_items (id int PRIMARY KEY);",
    ),
    (
        "SQ008",
        {
            "postgres": 'CREATE TABLE items (id int PRIMARY KEY,\n  "unitPrice" int);',
            "mysql": "CREATE TABLE items (id int PRIMARY KEY,\n  unitPrice int);",
            "sqlite": "CREATE TABLE items (id int PRIMARY KEY,\n  [unitPrice] int);",
        },
        2,
        "CREATE TABLE items (id int PRIMARY KEY,\n  unit_price int);",
    ),
    (
        "SQ009",
        "INSERT INTO t VALUES ({{ .Value }});",
        1,
        "CREATE TABLE t (value int PRIMARY KEY);",
    ),
]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    "code, bad, line, good", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_rule_fires_and_stays_quiet(
    tmp_path: Path,
    dialect: str,
    code: str,
    bad: str | dict[str, str],
    line: int,
    good: str,
) -> None:
    if isinstance(bad, dict):
        bad = bad[dialect]
    found = run(tmp_path / "bad", {SCHEMA: bad}, dialect)
    assert codes(found, code) == [(SCHEMA, line)], found
    quiet = run(tmp_path / "good", {SCHEMA: good}, dialect)
    assert quiet == [], quiet


@pytest.mark.parametrize("dialect", DIALECTS)
def test_drift_one_finding_per_difference(tmp_path: Path, dialect: str) -> None:
    migrations = {
        "migration-scripts/V1__users.sql": "CREATE TABLE users (id int PRIMARY KEY, email text);\n",
        "migration-scripts/V2__name.sql": "ALTER TABLE users ADD COLUMN name varchar(20);\n",
    }
    bad = (
        "CREATE TABLE users (\n  id int PRIMARY KEY,\n"
        "  email text NOT NULL,\n  name varchar(30)\n);\n"
        "CREATE TABLE audit (id int PRIMARY KEY);\n"
    )
    found = run(tmp_path / "bad", {**migrations, SCHEMA: bad}, dialect)
    drift = sorted((f.line, f.message) for f in found if f.code == "SQ007")
    assert [line for line, _ in drift] == [3, 4, 6]
    assert "users.email" in drift[0][1] and "NOT NULL" in drift[0][1]
    assert "`character varying(30)` in database-schema.sql" in drift[1][1]
    assert "`character varying(20)` after the migrations" in drift[1][1]
    assert "table audit" in drift[2][1]
    good = (
        "CREATE TABLE users (\n  id integer PRIMARY KEY,\n  email text,\n"
        "  name varchar(20)\n);\n"
    )
    assert run(tmp_path / "good", {**migrations, SCHEMA: good}, dialect) == []


def test_drift_ignores_down_migrations(tmp_path: Path) -> None:
    files = {
        "migration-scripts/V1__users.sql": "CREATE TABLE users (id int PRIMARY KEY);\n",
        "migration-scripts/U1__users.sql": "DROP TABLE users;\n",
        SCHEMA: "CREATE TABLE users (id int PRIMARY KEY);\n",
    }
    assert run(tmp_path, files) == []


def test_sq001_in_migrations_too(tmp_path: Path) -> None:
    files = {
        SCHEMA: "CREATE TABLE users (id int PRIMARY KEY);\n",
        "migration-scripts/V1__users.sql": "CREATE TABLE users (id int PRIMARY KEY);\nSELEC 1;\n",
    }
    found = run(tmp_path, files)
    assert codes(found, "SQ001") == [("migration-scripts/V1__users.sql", 2)]


def test_paths_restrict_file_level_rules(tmp_path: Path) -> None:
    files = {
        SCHEMA: "CREATE TABLE tags (name text);\n",
        "migration-scripts/V1__tags.sql": "CREATE TABLE tags (name text);\nSELEC 1;\n",
    }
    found = run(tmp_path, files, paths=("migration-scripts/V1__tags.sql",))
    assert [(f.code, f.path) for f in found] == [
        ("SQ001", "migration-scripts/V1__tags.sql")
    ]


def test_unreadable_schema_is_sq001(tmp_path: Path) -> None:
    found = run(tmp_path, {SCHEMA: b"CREATE TABLE t (id int);\x00\xff"})
    (item,) = found
    assert item.code == "SQ001" and "binary" in item.message


def test_missing_schema_is_not_this_checks_business(tmp_path: Path) -> None:
    assert run(tmp_path, {}) == []


def test_templated_file_is_one_sq009(tmp_path: Path) -> None:
    sql = "".join(
        f"CREATE TABLE ${{schema}}.t{i} (id int);\nBROKEN;\n" for i in range(20)
    )
    found = run(tmp_path, {SCHEMA: sql})
    assert [f.code for f in found] == ["SQ009"]
    assert "templated" in found[0].message


def test_partition_inherits_the_parents_key(tmp_path: Path) -> None:
    sql = (
        "CREATE TABLE m (id int, at date, PRIMARY KEY (id, at)) "
        "PARTITION BY RANGE (at);\n"
        "CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') "
        "TO ('2025-01-01');\n"
    )
    assert run(tmp_path, {SCHEMA: sql}) == []


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


def test_unquoted_postgres_names_fold(tmp_path: Path) -> None:
    sql = "CREATE TABLE LANGUAGE (Id int PRIMARY KEY);\n"
    assert run(tmp_path, {SCHEMA: sql}) == []


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


def test_naming_convention_setting(tmp_path: Path) -> None:
    sql = 'CREATE TABLE "OrderItems" ("Id" int PRIMARY KEY);\n'
    assert run(tmp_path / "a", {SCHEMA: sql}, naming_convention="PascalCase") == []
    assert run(tmp_path / "b", {SCHEMA: sql}, naming_convention="off") == []
    found = run(tmp_path / "c", {SCHEMA: sql})
    assert "'order_items'" in found[0].message


def test_quoted_postgres_name_keeps_its_case(tmp_path: Path) -> None:
    sql = (
        'CREATE TABLE "Users" (id int PRIMARY KEY);\n'
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int "
        'REFERENCES "Users" (id));\nCREATE INDEX o ON orders (user_id);\n'
    )
    found = run(tmp_path, {SCHEMA: sql})
    assert [f.code for f in found] == ["SQ008"]


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


def test_partial_index_on_not_null_covers_a_foreign_key(tmp_path: Path) -> None:
    sql = (
        USERS + "CREATE TABLE notes (id int PRIMARY KEY, user_id int "
        "REFERENCES users (id), at int);\n"
        "CREATE INDEX n ON notes (user_id, at) WHERE user_id IS NOT NULL;\n"
    )
    assert run(tmp_path / "a", {SCHEMA: sql}) == []
    other = sql.replace("WHERE user_id IS NOT NULL", "WHERE at > 0")
    assert [f.code for f in run(tmp_path / "b", {SCHEMA: other})] == ["SQ004"]


@pytest.mark.parametrize(
    "columns",
    [
        "ipv4 text, ipv6 text",
        "sha1 text, sha256 text",
        "x1 int, x2 int",
        "cvss_v2 text, cvss_v3 text",
        "playlist text, checklist text",
        "address text, address2 text",
    ],
)
def test_normalisation_smell_leaves_look_alikes(tmp_path: Path, columns: str) -> None:
    sql = f"CREATE TABLE t (id int PRIMARY KEY, {columns});\n"
    assert run(tmp_path, {SCHEMA: sql}) == []


def test_camel_case_list_column(tmp_path: Path) -> None:
    sql = 'CREATE TABLE t (id int PRIMARY KEY, "tagIds" jsonb);\n'
    found = run(tmp_path, {SCHEMA: sql}, naming_convention="off")
    assert [f.code for f in found] == ["SQ006"]


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


def test_drift_keys_indexes_and_missing_tables(tmp_path: Path) -> None:
    files = {
        "migration-scripts/V1__init.sql": "CREATE TABLE users (id int PRIMARY KEY);\n"
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int "
        "REFERENCES users (id));\n"
        "CREATE INDEX orders_user ON orders (user_id);\n"
        "CREATE TABLE extra (id int PRIMARY KEY);\n",
        SCHEMA: "CREATE TABLE users (id int);\n"
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int);\n"
        "CREATE INDEX o ON orders (user_id, id);\n",
    }
    found = sorted(
        (f.path, f.line, f.message) for f in run(tmp_path, files) if f.code == "SQ007"
    )
    messages = [m for _, _, m in found]
    assert any(
        "primary key of users differs: none in" in m
        and "`(id)` after the migrations" in m
        for m in messages
    )
    assert any("foreign key of orders differs" in m for m in messages)
    assert any("index of orders differs: `(user_id, id)`" in m for m in messages)
    assert ("migration-scripts/V1__init.sql", 4) in [
        (p, line) for p, line, m in found if "table extra" in m
    ]
    assert any("nullability of users.id" in m for m in messages)
    assert len(found) == 6


def test_schema_file_among_the_migrations_is_not_one(tmp_path: Path) -> None:
    found = run(
        tmp_path,
        {
            "db/schema.sql": "SELEC 1;\n"
            "CREATE TABLE t (id int PRIMARY KEY);\n"
            "CREATE TABLE u (id int PRIMARY KEY);\n",
            "db/init.sql": "CREATE TABLE t (id int PRIMARY KEY);\n",
        },
        schema="db/schema.sql",
        migrations_dir="db",
    )
    assert codes(found, "SQ001") == [("db/schema.sql", 1)]
    assert [f.message for f in found if f.code == "SQ007"] == [
        "table u is in db/schema.sql but no migration creates it; add a "
        "migration that does, or remove it from the schema file"
    ]


def test_migrations_ignore_keeps_files_out_of_the_replay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The schema check takes its migrations from the migrations check's one
    # scan, so an ignored scratch file is neither parsed nor replayed.
    from dbdesign.cli import main

    (tmp_path / ".dbdesign.yaml").write_text(
        "migrations_ignore: ['scratch/*']\nsqlfluff: false\n"
    )
    (tmp_path / "database-schema.sql").write_text(
        "CREATE TABLE t (id int PRIMARY KEY);\n"
    )
    folder = tmp_path / "migration-scripts"
    (folder / "scratch").mkdir(parents=True)
    (folder / "V1__t.sql").write_text("CREATE TABLE t (id int PRIMARY KEY);\n")
    (folder / "scratch" / "V99__try.sql").write_text(
        "CREATE TABLE u (id int PRIMARY KEY,,);\n"
    )
    assert (
        main(["check", "--root", str(tmp_path), "--select", "SQ", "--format", "json"])
        == 0
    )
    assert '"findings": []' in capsys.readouterr().out


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
