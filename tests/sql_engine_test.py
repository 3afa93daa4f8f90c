"""The SQL engine: splitting with positions, parsing (pglast for postgres,
sqlglot elsewhere), the Catalog builder, type normalisation and the diff."""

from __future__ import annotations

import pytest

from dbdesign.sql.build import build
from dbdesign.sql.catalog import Catalog
from dbdesign.sql.diff import diff
from dbdesign.sql.normalise import (
    normalise_default,
    normalise_name,
    normalise_type,
    qualified,
)
from dbdesign.sql.parse import parse_file
from dbdesign.sql.split import split


def catalog_of(sql: str, dialect: str = "postgres") -> Catalog:
    return build([parse_file("s.sql", sql, dialect)], dialect)


# -- splitting -------------------------------------------------------------------


def test_split_positions_and_terminators() -> None:
    sql = (
        "-- header\nSELECT 1;\n\n  SELECT 'a;b' -- c;\n;\n"
        "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ "
        "LANGUAGE sql;\n/* x; /* nested; */ y; */ SELECT (1;2);"
    )
    statements = split(sql)
    assert [(s.line, s.column) for s in statements] == [(2, 1), (4, 3), (6, 1), (7, 27)]
    assert statements[0].text == "SELECT 1"
    assert statements[1].text.startswith("SELECT 'a;b'")
    assert "$body$ SELECT 1; $body$" in statements[2].text
    assert statements[3].text == "SELECT (1;2)"


def test_split_skips_psql_meta_commands_and_copy_data() -> None:
    sql = "\\connect db\nCOPY t (a) FROM stdin;\n1\n2;3\n\\.\nSELECT 1;\n"
    statements = split(sql)
    assert [s.text for s in statements] == ["COPY t (a) FROM stdin", "SELECT 1"]
    assert statements[1].line == 6


def test_split_sqlite_trigger_body() -> None:
    sql = (
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
        "  UPDATE b SET x = CASE WHEN 1 THEN 2 END;\n"
        "  DELETE FROM c;\nEND;\nSELECT 1;"
    )
    statements = split(sql, "sqlite")
    assert len(statements) == 2
    assert statements[0].text.endswith("END")


def test_split_mysql_delimiter_and_backslash_strings() -> None:
    sql = (
        "SELECT 'it\\'s;';\nDELIMITER //\nCREATE PROCEDURE p() BEGIN "
        "SELECT 1; END//\nDELIMITER ;\nSELECT 2;"
    )
    statements = split(sql, "mysql")
    assert [s.text.split()[0] for s in statements] == ["SELECT", "CREATE", "SELECT"]


def test_split_postgres_begin_atomic() -> None:
    sql = (
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC "
        "SELECT 1; SELECT CASE WHEN true THEN 1 END; END;\nSELECT 2;"
    )
    assert len(split(sql)) == 2


@pytest.mark.parametrize(
    "sql, what",
    [
        ("SELECT 'abc", "string"),
        ("SELECT 1 /* open", "comment"),
        ("SELECT $$ body", "dollar-quoted string"),
        ('SELECT "name', "quoted name"),
    ],
)
def test_split_unterminated(sql: str, what: str) -> None:
    (statement,) = split(sql)
    assert statement.unterminated == what


# -- parsing ---------------------------------------------------------------------


def test_postgres_syntax_error_has_exact_position() -> None:
    sql = "SELECT 1;\n\nCREATE TABLE t (\n  id int,\n  ,name text\n);\n"
    parsed = parse_file("s.sql", sql)
    (error,) = parsed.errors
    assert (error.line, error.column) == (5, 3)
    assert "syntax error" in error.message


def test_postgres_accepts_what_sqlglot_cannot_read() -> None:
    # PostgreSQL 18's virtual generated columns and pg_dump's ON ONLY:
    # pglast decides syntax; the Catalog still models both statements.
    sql = (
        "CREATE TABLE film (id int PRIMARY KEY, len int, hours numeric "
        "GENERATED ALWAYS AS (len / 60.0) VIRTUAL);\n"
        "CREATE INDEX film_len ON ONLY public.film USING btree (len);\n"
    )
    parsed = parse_file("s.sql", sql)
    assert parsed.errors == []
    catalog = build([parsed], "postgres")
    assert set(catalog.tables["film"].columns) == {"id", "len", "hours"}
    assert [i.name for i in catalog.indexes] == ["film_len"]


def test_error_at_end_of_input_points_at_the_end() -> None:
    (error,) = parse_file("s.sql", "SELECT 1;\nCREATE TABLE t (\n  id int").errors
    assert (error.line, error.column) == (3, 9)
    assert "end of input" in error.message


def test_multibyte_positions() -> None:
    sql = "SELECT 'é', 'ü';\nSELEC 1;\nSELECT '😀日本', 1 +;"
    first, second = parse_file("s.sql", sql).errors
    assert (first.line, first.column) == (2, 1)
    assert (second.line, second.column) == (3, 18)  # at the ;


@pytest.mark.parametrize("dialect", ["mysql", "sqlite"])
def test_other_dialects_statement_by_statement(dialect: str) -> None:
    sql = (
        "CREATE TABLE a (id int PRIMARY KEY);\nSELEC 1;\n"
        "CREATE TABLE b (id int PRIMARY KEY,\n);\n"
        "INSERT INTO a VALUES ('x', /* c, */ ''),\n  (1, 'y');\n"
        "INSERT INTO a VALUES (1,"
    )
    parsed = parse_file("s.sql", sql, dialect)
    assert [e.line for e in parsed.errors] == [2, 3, 7]
    assert "comma" in parsed.errors[1].message
    # the bad statements do not hide the good ones
    assert set(build([parsed], dialect).tables) == {"a", "b"}


@pytest.mark.parametrize("marker", ["{{ .Table }}", "{% if x %}", "${schema}"])
def test_templated_sql_is_skipped_once(marker: str) -> None:
    sql = f"CREATE TABLE {marker}.t (id int);\nSELEC broken;\n"
    parsed = parse_file("s.sql", sql)
    assert parsed.errors == []
    assert parsed.skipped is not None and "templated" in parsed.skipped


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT '{{1,2},{3,4}}'::int[][];",
        "SELECT '{{a,b},{c,d}}'::text[][];",
        "SELECT '{}', '{{}}', '${ 1 }';",
    ],
)
def test_array_literals_are_not_templates(sql: str) -> None:
    parsed = parse_file("s.sql", sql)
    assert parsed.skipped is None and parsed.errors == []


def test_time_budget_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = iter(range(0, 1000, 20))
    sql = "".join(f"CREATE TABLE t{i} (id int);\n" for i in range(5))
    parsed = parse_file("s.sql", sql, "sqlite", clock=lambda: next(ticks))
    assert parsed.skipped is not None and "were not checked" in parsed.skipped


@pytest.mark.parametrize("depth", [50, 3000, 20000])
@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_deep_nesting_never_raises(depth: int, dialect: str) -> None:
    sql = "SELECT " + "(" * depth + "1" + ")" * depth + ";\n"
    parsed = parse_file("s.sql", sql, dialect)
    if depth == 50:
        assert parsed.errors == []
    elif dialect == "postgres" and depth == 20000:
        # PostgreSQL itself refuses this ("memory exhausted")
        assert "PostgreSQL cannot parse nesting this deep" in parsed.errors[0].message
    elif dialect == "mysql":
        assert parsed.errors == []
        assert parsed.unchecked and "nested" in parsed.unchecked[0][1]


def test_deep_nesting_in_ddl_never_raises() -> None:
    sql = (
        "CREATE TABLE t (id int DEFAULT "
        + "(" * 3000
        + "1"
        + ")" * 3000
        + " PRIMARY KEY);"
    )
    parsed = parse_file("s.sql", sql)
    assert parsed.errors == []  # PostgreSQL accepts it
    # and its own parser's tree is what the model reads
    assert build([parsed], "postgres").tables["t"].primary_key == ("id",)
    mysql = parse_file("s.sql", sql.replace("int DEFAULT", "int"), "mysql")
    assert mysql.unreadable  # sqlglot is not given it
    build([mysql], "mysql")


# -- normalisation ----------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b",
    [
        ("int", "integer"),
        ("INT4", "int"),
        ("serial", "integer"),
        ("timestamptz", "timestamp with time zone"),
        ("timestamp without time zone", "TIMESTAMP"),
        ("varchar(20)", "character varying(20)"),
        ("int(11)", "int"),
        ("bool", "boolean"),
        ("float8", "double precision"),
        ("numeric(10, 2)", "decimal(10,2)"),
        ("public.mood", "mood"),
        ("int[]", "integer ARRAY"),
        ("ARRAY<VARCHAR(20)>", "varchar(20)[]"),
        ("UINT(11)", "int unsigned"),
        ("DOUBLE", "double precision"),
    ],
)
def test_type_normalisation(a: str, b: str) -> None:
    assert normalise_type(a) == normalise_type(b)


def test_type_normalisation_keeps_real_differences() -> None:
    assert normalise_type("varchar(20)") != normalise_type("varchar(30)")
    assert normalise_type("timestamp") != normalise_type("timestamptz")
    assert normalise_type("bigint") != normalise_type("int")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("'x'::text", "'x'"),
        ("nextval('a_seq'::regclass)", "nextval()"),
        ("CURRENT_TIMESTAMP", "now()"),
        ("(now())", "now()"),
        ("NULL", None),
        ("'Mixed Case'", "'Mixed Case'"),
        (None, None),
    ],
)
def test_default_normalisation(raw: str | None, expected: str | None) -> None:
    assert normalise_default(raw) == expected


def test_names() -> None:
    assert normalise_name("Users") == "users"
    assert normalise_name("Users", quoted=True) == "Users"
    assert normalise_name("Users", quoted=True, dialect="mysql") == "users"
    assert qualified("public", "users") == "users"
    assert qualified("audit", "users") == "audit.users"


# -- the builder ----------------------------------------------------------------


def test_create_table_with_every_constraint_form() -> None:
    catalog = catalog_of(
        "CREATE TABLE public.users (id serial PRIMARY KEY, email text "
        "NOT NULL UNIQUE);\n"
        "CREATE TABLE orders (\n  id bigint GENERATED ALWAYS AS IDENTITY,\n"
        "  user_id int NOT NULL REFERENCES users ON DELETE CASCADE,\n"
        "  code varchar(10) DEFAULT 'x'::text,\n"
        "  CONSTRAINT orders_pk PRIMARY KEY (id),\n"
        "  UNIQUE (user_id, code),\n"
        "  CONSTRAINT fk2 FOREIGN KEY (user_id) REFERENCES public.users(id)\n"
        ");"
    )
    users = catalog.tables["users"]
    assert users.primary_key == ("id",)
    assert users.columns["id"].type == "integer"
    assert users.columns["id"].default == "nextval()"
    assert users.uniques == [("email",)]
    orders = catalog.tables["orders"]
    assert orders.primary_key == ("id",)
    assert orders.columns["id"].default == "identity"
    assert orders.columns["user_id"].origin is not None
    assert orders.columns["user_id"].origin.line == 4
    assert orders.columns["code"].default == "'x'"
    assert [
        (fk.columns, fk.ref_table, fk.ref_columns) for fk in orders.foreign_keys
    ] == [(("user_id",), "users", ()), (("user_id",), "users", ("id",))]
    assert orders.uniques == [("user_id", "code")]


def test_pg_dump_style() -> None:
    catalog = catalog_of(
        "DROP TABLE IF EXISTS public.payment;\n"
        "CREATE TABLE public.payment (payment_id integer NOT NULL, "
        "payment_date timestamp with time zone NOT NULL) "
        "PARTITION BY RANGE (payment_date);\n"
        "CREATE TABLE public.payment_p1 (payment_id integer NOT NULL, "
        "payment_date timestamptz NOT NULL);\n"
        "CREATE TABLE public.payment_p2 PARTITION OF public.payment "
        "FOR VALUES FROM ('2022-02-01') TO ('2022-03-01');\n"
        "ALTER TABLE ONLY public.payment ATTACH PARTITION public.payment_p1 "
        "FOR VALUES FROM ('2022-01-01') TO ('2022-02-01');\n"
        "ALTER TABLE ONLY public.payment ADD CONSTRAINT payment_pkey "
        "PRIMARY KEY (payment_date, payment_id);\n"
        "ALTER TABLE ONLY public.payment ALTER COLUMN payment_id SET DEFAULT "
        "nextval('public.payment_seq'::regclass);\n"
        "CREATE INDEX idx ON ONLY public.payment USING btree (payment_date);\n"
        "ALTER TABLE public.payment OWNER TO postgres;\n"
    )
    assert catalog.unmodelled == []
    p1, p2 = catalog.tables["payment_p1"], catalog.tables["payment_p2"]
    assert p1.parent == p2.parent == "payment"
    assert p1.key_of_partition(catalog) == ("payment_date", "payment_id")
    assert set(p2.columns) == {"payment_id", "payment_date"}
    assert catalog.tables["payment"].columns["payment_id"].default == "nextval()"


def test_alter_table_forms_replay() -> None:
    catalog = catalog_of(
        "CREATE TABLE a (id int PRIMARY KEY, x int, y text);\n"
        "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));\n"
        "CREATE INDEX b_a ON b (a_id);\n"
        "ALTER TABLE a ADD COLUMN z int NOT NULL DEFAULT 0, DROP COLUMN y;\n"
        "ALTER TABLE a ALTER COLUMN x SET NOT NULL;\n"
        "ALTER TABLE a ALTER COLUMN x TYPE bigint;\n"
        "ALTER TABLE a ALTER COLUMN x SET DEFAULT 1;\n"
        "ALTER TABLE a ALTER COLUMN z DROP DEFAULT;\n"
        "ALTER TABLE a ALTER COLUMN z DROP NOT NULL;\n"
        "ALTER TABLE a RENAME COLUMN id TO key;\n"
        "ALTER TABLE a RENAME key TO a_key;\n"
        "ALTER TABLE a RENAME TO aa;\n"
        "ALTER TABLE b ADD CONSTRAINT b_u UNIQUE (a_id);\n"
        "ALTER TABLE b DROP CONSTRAINT b_u;\n"
        "ALTER TABLE b RENAME CONSTRAINT b_a_id_fkey TO b_fk;\n"
        "ALTER INDEX b_a RENAME TO b_a_idx;\n"
    )
    assert "a" not in catalog.tables
    aa = catalog.tables["aa"]
    assert list(aa.columns) == ["a_key", "x", "z"]
    assert aa.primary_key == ("a_key",)
    x, z = aa.columns["x"], aa.columns["z"]
    assert (x.type, x.nullable, x.default) == ("bigint", False, "1")
    assert (z.nullable, z.default) == (True, None)
    b = catalog.tables["b"]
    assert b.uniques == []
    (fk,) = b.foreign_keys
    assert (fk.name, fk.ref_table, fk.ref_columns) == ("b_fk", "aa", ("a_key",))
    assert [i.name for i in catalog.indexes] == ["b_a_idx"]


def test_drop_statements() -> None:
    catalog = catalog_of(
        "CREATE TABLE a (id int PRIMARY KEY);\n"
        "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);\n"
        "CREATE INDEX i1 ON b (a_id);\nCREATE INDEX i2 ON b (id);\n"
        "DROP INDEX i1, i2;\nDROP TABLE a CASCADE;\n"
    )
    assert set(catalog.tables) == {"b"}
    assert catalog.tables["b"].foreign_keys == []
    assert catalog.indexes == []


@pytest.mark.parametrize(
    "dialect, sql",
    [
        (
            "mysql",
            "CREATE TABLE `Album` (`AlbumId` INT NOT NULL AUTO_INCREMENT, "
            "`ArtistId` INT NOT NULL, CONSTRAINT `PK_Album` PRIMARY KEY "
            "(`AlbumId`), KEY `IFK_Artist` (`ArtistId`));",
        ),
        (
            "sqlite",
            "CREATE TABLE [Album] ([AlbumId] INTEGER NOT NULL, "
            "[ArtistId] INTEGER NOT NULL, CONSTRAINT [PK_Album] PRIMARY "
            "KEY ([AlbumId]));\nCREATE INDEX [IFK_Artist] ON [Album] "
            "([ArtistId]);",
        ),
    ],
)
def test_other_dialect_catalogs(dialect: str, sql: str) -> None:
    catalog = catalog_of(sql, dialect)
    album = catalog.tables["album"]
    assert album.spelled == "Album"
    assert album.primary_key == ("albumid",)
    assert [i.columns for i in catalog.indexes] == [("artistid",)]


def test_mysql_modify_change_and_rename_table() -> None:
    catalog = catalog_of(
        "CREATE TABLE a (id int PRIMARY KEY, x int);\n"
        "ALTER TABLE a MODIFY COLUMN x bigint NOT NULL;\n"
        "ALTER TABLE a CHANGE x y bigint;\nRENAME TABLE a TO b;",
        "mysql",
    )
    assert list(catalog.tables) == ["b"]
    assert catalog.tables["b"].columns["y"].type == "bigint"


def test_comments() -> None:
    catalog = catalog_of(
        'CREATE TABLE public.t (id int PRIMARY KEY, "Name" text);\n'
        "COMMENT ON TABLE public.t IS 'People''s things';\n"
        "COMMENT ON COLUMN public.t.\"Name\" IS 'shown';\n"
        "COMMENT ON COLUMN t.id IS 'key';\nCOMMENT ON COLUMN t.id IS NULL;\n"
    )
    t = catalog.tables["t"]
    assert t.comment == "People's things"
    assert t.columns["Name"].comment == "shown"
    assert t.columns["id"].comment is None


def test_mysql_index_and_key_forms() -> None:
    catalog = catalog_of(
        "CREATE TABLE u (id int PRIMARY KEY);\n"
        "CREATE TABLE t (id int, a int, b int, UNIQUE KEY uk (a), "
        "INDEX ix (b), CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id)) "
        "ENGINE=InnoDB;\n"
        "ALTER TABLE t ADD PRIMARY KEY (id), ADD INDEX ab (a, b);\n"
        "ALTER TABLE t RENAME INDEX ab TO a_b;\n"
        "ALTER TABLE t DROP INDEX uk, DROP INDEX ix, DROP FOREIGN KEY fk;\n"
        "ALTER TABLE t DROP PRIMARY KEY;\n",
        "mysql",
    )
    t = catalog.tables["t"]
    assert catalog.unmodelled == []
    assert t.primary_key == () and t.uniques == [] and t.foreign_keys == []
    assert [(i.name, i.columns) for i in catalog.indexes] == [("a_b", ("a", "b"))]


def test_create_table_as_is_incomplete() -> None:
    catalog = catalog_of("CREATE TABLE a AS SELECT 1 AS x;")
    assert catalog.tables["a"].complete is False


# -- the diff -------------------------------------------------------------------


def test_diff_names_every_difference() -> None:
    schema = catalog_of(
        "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, "
        "name varchar(20) DEFAULT 'x');\nCREATE TABLE only_schema (id int);\n"
        "CREATE INDEX users_email ON users (email);"
    )
    replay = catalog_of(
        "CREATE TABLE users (id integer PRIMARY KEY, email text, "
        "name varchar(30), extra int);\n"
        "CREATE TABLE only_migrations (id int);"
    )
    found = {(d.what, d.subject, d.schema, d.migrations) for d in diff(replay, schema)}
    assert found == {
        ("table", "only_schema", "defined", "absent"),
        ("table", "only_migrations", "absent", "created"),
        ("nullability", "users.email", "NOT NULL", "NULL"),
        ("type", "users.name", "character varying(20)", "character varying(30)"),
        ("default", "users.name", "DEFAULT 'x'", "no default"),
        ("column", "users.extra", "absent", "integer"),
        ("index", "users", "(email)", "absent"),
    }


def test_diff_of_equivalent_spellings_is_empty() -> None:
    schema = catalog_of(
        "CREATE TABLE public.users (id serial PRIMARY KEY, at timestamptz "
        "DEFAULT CURRENT_TIMESTAMP, u int UNIQUE);"
    )
    replay = catalog_of(
        "CREATE TABLE users (id integer NOT NULL DEFAULT "
        "nextval('users_id_seq'::regclass), at timestamp with time zone "
        "DEFAULT now(), u int4);\n"
        "ALTER TABLE ONLY users ADD CONSTRAINT users_pkey PRIMARY KEY (id);\n"
        "CREATE UNIQUE INDEX users_u ON users (u);"
    )
    assert diff(replay, schema) == []


def test_pg_dump_identity_equals_inline_identity() -> None:
    dumped = catalog_of(
        "CREATE TABLE public.t (id bigint NOT NULL);\n"
        "ALTER TABLE public.t ALTER COLUMN id ADD GENERATED ALWAYS AS "
        "IDENTITY (\n    SEQUENCE NAME public.t_id_seq\n    CACHE 1\n);\n"
        "ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n"
    )
    written = catalog_of(
        "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);"
    )
    assert dumped.unmodelled == []
    assert diff(written, dumped) == []


def test_pg_dump_restrict_lines_are_not_sql() -> None:
    # pg_dump 17.6+ wraps its output in psql's \restrict ... \unrestrict
    sql = (
        "\\restrict abc123\nSET statement_timeout = 0;\n"
        "CREATE TABLE t (id int PRIMARY KEY);\n\\unrestrict abc123\n"
    )
    parsed = parse_file("s.sql", sql)
    assert parsed.errors == []
    assert set(build([parsed], "postgres").tables) == {"t"}


def test_without_pglast_postgres_syntax_is_a_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pglast", None)
    parsed = parse_file("s.sql", "SELEC 1;\nCREATE TABLE t (id int);\n")
    assert parsed.errors == []
    assert parsed.notes and "pglast is not installed" in parsed.notes[0]
    assert set(build([parsed], "postgres").tables) == {"t"}


def test_index_lookups_follow_renames() -> None:
    sql = (
        "CREATE TABLE t (x int, y int);\n"
        "CREATE INDEX a ON t (x);\nCREATE INDEX c ON t (y);\n"
        "CREATE INDEX IF NOT EXISTS c ON t (y);\n"
        "ALTER INDEX a RENAME TO b;\nALTER INDEX c RENAME TO d;\n"
        "CREATE INDEX IF NOT EXISTS a ON t (x, y);\n"
    )
    catalog = build([parse_file("s.sql", sql, "postgres")], "postgres")
    assert sorted(i.name or "" for i in catalog.indexes) == ["a", "b", "d"]
    assert catalog.has_index("b") and not catalog.has_index("c")


# -- the replay's record of what each statement created (issue 15, item 7) ------


def steps_of(sql: str) -> list[frozenset[str]]:
    from dbdesign.sql.build import Step, apply_file

    parsed = parse_file("m.sql", sql, "postgres")
    steps: dict[int, Step] = {}
    apply_file(Catalog(), parsed, steps)
    return [steps[i].created for i in sorted(steps)]


def test_step_created_is_what_the_statement_added() -> None:
    assert steps_of(
        "CREATE TABLE a (id int PRIMARY KEY);\n"
        "CREATE TABLE IF NOT EXISTS a (id int PRIMARY KEY);\n"
        "CREATE TABLE a (id int PRIMARY KEY);\n"  # replaces: not new
        "ALTER TABLE a RENAME TO b;\n"
        "DROP TABLE b;\n"
        "CREATE TABLE b (id int PRIMARY KEY);\n"
        "CREATE TABLE c AS SELECT 1 AS id;\n"
        "ALTER TABLE c ADD COLUMN x int;\n"
    ) == [
        frozenset({"a"}),
        frozenset(),
        frozenset(),
        frozenset(),  # a renamed table keeps its rows: not new
        frozenset(),
        frozenset({"b"}),
        frozenset({"c"}),
        frozenset(),
    ]


def test_replay_never_walks_every_table_per_statement() -> None:
    # Copying the table names before each statement made a replay of N
    # CREATE TABLE statements take N squared steps (20,000: 20 s).
    from dbdesign.sql.build import Step, apply_file
    from dbdesign.sql.catalog import Tables

    walks = 0

    class Counted(Tables):
        def __iter__(self):  # type: ignore[no-untyped-def]
            nonlocal walks
            walks += 1
            return super().__iter__()

        def keys(self):  # type: ignore[no-untyped-def]
            nonlocal walks
            walks += 1
            return super().keys()

    sql = "".join(f"CREATE TABLE t{n} (id int PRIMARY KEY);\n" for n in range(200))
    catalog = Catalog(tables=Counted())
    steps: dict[int, Step] = {}
    apply_file(catalog, parse_file("m.sql", sql, "postgres"), steps)
    assert len(catalog.tables) == 200
    assert steps[199].created == frozenset({"t199"})
    assert walks == 0
