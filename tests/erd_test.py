"""ER001-ER005 beyond the rule cases of tests/cases/erd.yml (unreadable
bytes, which findings the fix cures, type matching), `dbdesign erd
[--write]`, the fix, rendering, and round trips through our own parser on
the corpus and on generated Catalogs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, needs_corpus
from dbdesign import cli, config, hooks
from dbdesign.checks import erd as erd_check
from dbdesign.erd import mermaid
from dbdesign.erd.document import updated
from dbdesign.erd.mermaid import END_MARKER, START_MARKER
from dbdesign.erd.render import (
    attribute_name,
    attribute_type,
    display,
    drawn_tables,
    entity_ref,
    entity_text,
    links,
    render,
)
from dbdesign.project import Project
from dbdesign.sql.catalog import Catalog, Column, ForeignKey, Table


def with_diagram(body: str) -> str:
    return "# ERD\n\n```mermaid\nerDiagram\n" + body + "```\n"


ERD = "entity-relationship-diagram.md"
SCHEMA = """\
CREATE TABLE users (
    id integer PRIMARY KEY,
    email text NOT NULL UNIQUE,
    created_at timestamp with time zone NOT NULL
);
CREATE TABLE coupons (
    id integer PRIMARY KEY,
    code text
);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id),
    coupon_id integer REFERENCES coupons (id),
    total numeric(10, 2) NOT NULL
);
CREATE TABLE profiles (
    user_id integer PRIMARY KEY REFERENCES users (id),
    bio text
);
"""
GOOD = """\
# Shop ERD

```mermaid
erDiagram
    users ||--o{ orders : places
    coupons |o--o{ orders : "applies to"
    profiles |o--|| users : "belongs to"
    users {
        int id PK
        string email UK
        timestamptz created_at
    }
    orders {
        bigint id PK
        integer user_id FK
        int coupon_id FK
        numeric total
    }
    coupons
    profiles
```
"""


def make(
    tmp_path: Path,
    erd: str | bytes | None,
    schema: str = SCHEMA,
    extra: dict[str, str] | None = None,
) -> Path:
    root = tmp_path / "project"
    root.mkdir(exist_ok=True)
    (root / "database-schema.sql").write_text(schema)
    if erd is not None:
        data = erd if isinstance(erd, bytes) else erd.encode()
        (root / ERD).write_bytes(data)
    for name, text in (extra or {}).items():
        (root / name).write_text(text)
    return root


def run(root: Path) -> list[tuple[str, int | None]]:
    project = Project(root, config.load(root))
    return sorted(
        ((f.code, f.line) for f in erd_check.check(project)),
        key=lambda item: (item[1] or 0, item[0]),
    )


def messages(root: Path) -> list[str]:
    project = Project(root, config.load(root))
    return [f.message for f in erd_check.check(project)]


# -- each rule fires, and stays quiet ----------------------------------------


def test_er001_unreadable_file(tmp_path):
    root = make(tmp_path, b"# ERD\n\xff\xfe\n")
    assert run(root) == [("ER001", None)]
    assert "not UTF-8" in messages(root)[0]


def test_findings_say_whether_the_fix_cures_them(tmp_path):
    marked = (
        f"{START_MARKER}\n```mermaid\nerDiagram\n    users ||--o{{ orders"
        f" : user_id\n    phantom\n```\n{END_MARKER}\n"
    )
    erd = (
        GOOD.replace("    coupons\n", "    ghost\n").replace(
            '    coupons |o--o{ orders : "applies to"\n', ""
        )
        + "\n"
        + marked
    )
    project = Project(make(tmp_path, erd), config.load(tmp_path / "project"))
    found = {
        (f.code, f.message.split(";")[0]): f.fixable for f in erd_check.check(project)
    }
    assert found == {
        # stated by the hand-drawn diagram: the fix leaves it
        ("ER003", "entity ghost is not a table in database-schema.sql"): False,
        # stated by the generated block: the fix rewrites it
        ("ER003", "entity phantom is not a table in database-schema.sql"): True,
        # missing: the regenerated block adds it
        ("ER003", "table coupons of database-schema.sql is not in the ERD"): True,
        # the generated block's relationship has the foreign key's label, so
        # the hand-drawn one is the one too many
        (
            "ER004",
            "relationship users -- orders has no foreign key behind it"
            " in database-schema.sql",
        ): False,
    }


def test_foreign_keys_of_partitions_belong_to_their_table():
    catalog = catalog_of(
        SCHEMA
        + (
            "CREATE TABLE events (id integer, user_id integer NOT NULL, at date)"
            " PARTITION BY RANGE (at);\n"
            "CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM "
            "('2024-01-01') TO ('2025-01-01');\n"
            "CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM "
            "('2025-01-01') TO ('2026-01-01');\n"
            "ALTER TABLE events_1 ADD FOREIGN KEY (user_id) REFERENCES users;\n"
            "ALTER TABLE events_2 ADD FOREIGN KEY (user_id) REFERENCES users;\n"
        )
    )
    assert [
        (k.parent, k.child, k.label) for k in links(catalog) if k.child == "events"
    ] == [("users", "events", "user_id")]
    assert "events_1" not in render(catalog)
    assert "        integer user_id FK\n" in render(catalog)


@pytest.mark.parametrize(
    ("written", "column", "same"),
    [
        ("int", "integer", True),
        ("INTEGER", "int4", True),
        ("int", "bigint", True),  # `int` is the loose ERD word for integers
        ("integer", "bigint", False),
        ("numeric", "numeric(10,2)", True),
        ("NUMERIC(10,2)", "numeric(12,4)", True),
        ("decimal", "numeric(10,2)", True),
        ("timestamptz", "timestamp with time zone", True),
        ("timestamp_with_time_zone", "timestamptz", True),
        ("timestamp", "timestamptz", False),
        ("varchar(20)", "character varying(255)", True),
        ("string", "text", True),
        ("string", "integer", False),
        ("int[]", "integer[]", True),
        ("int", "integer[]", False),
        ("float", "double precision", True),
        ("datetime", "timestamp", True),
        ("mpaa_rating", "mpaa_rating", True),
        ("uuid", "", True),  # an untyped (SQLite) column
    ],
)
def test_type_matching(written, column, same):
    assert erd_check.type_matches(written, column) is same


# -- rendering ----------------------------------------------------------------


def catalog_of(sql: str, dialect: str = "postgres") -> Catalog:
    from dbdesign.sql.build import build
    from dbdesign.sql.parse import parse_file

    return build([parse_file("schema.sql", sql, dialect)], dialect)


def test_render_shop():
    text = render(catalog_of(SCHEMA))
    assert text.startswith("erDiagram\n    %% Generated by `dbdesign erd`")
    assert '        numeric total "numeric(10,2)"\n' in text
    assert "        timestamptz created_at\n" in text
    assert "        text email UK\n" in text
    assert '    users ||..o{ orders : "user_id"\n' in text
    assert '    coupons |o..o{ orders : "coupon_id"\n' in text
    assert '    users ||--o| profiles : "user_id"\n' in text
    assert text == render(catalog_of(SCHEMA))


def big_catalog(tables: int) -> Catalog:
    catalog = Catalog()
    for i in range(tables):
        columns = {
            f"column_{j}": Column(f"column_{j}", "character varying(200)")
            for j in range(20)
        }
        fks = [ForeignKey(("column_1",), f"table_{i - 1}", ())] if i else []
        catalog.tables[f"table_{i}"] = Table(
            f"table_{i}", columns, ("column_0",), [], fks
        )
    return catalog


def test_a_diagram_too_long_for_mermaid_leaves_attributes_out():
    small = render(big_catalog(20))
    assert "{" in small.split("\n", 3)[2]
    catalog = big_catalog(200)
    text = render(catalog)
    assert mermaid.code_length(text) <= mermaid.MAX_TEXT
    assert "%% Attributes left out" in text and "column_0" not in text
    assert erd_check.compare([mermaid.parse(text)], catalog, ERD) == []


def test_er002_a_diagram_over_mermaids_size_limit(tmp_path):
    body = "  users { int id PK }\n" * 3000
    root = make(tmp_path, GOOD + "\n```mermaid\nerDiagram\n" + body + "```\n")
    assert run(root) == [("ER002", 23)]
    assert "over the 50,000 that mermaid draws" in messages(root)[0]


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("users", "users"),
        ("to", '"to"'),
        ("one", '"one"'),
        ("end", '"end"'),
        ("style", '"style"'),
        ("classes", "classes"),
        ("class", '"class"'),
        ("many", '"many"'),
        ("erDiagram", '"erDiagram"'),
        ("subgraph", '"subgraph"'),
        ("tokens", "tokens"),
        ("1st", '"1st"'),
        ("audit.log", '"audit.log"'),
        ("order item", '"order item"'),
        ('odd"name', "odd_name"),
        ("accTitle", '"accTitle"'),
        ("accDescr", '"accDescr"'),
        ("100%", '"100_"'),
    ],
)
def test_entity_names_are_quoted_where_mermaid_needs_it(name, written):
    assert entity_ref(name) == written
    diagram = mermaid.parse(f"erDiagram\n  {written} ||--o{{ x : y\n")
    assert diagram.entities[0].name == entity_text(name)


@pytest.mark.parametrize(
    ("type_", "written", "comment"),
    [
        ("integer", "integer", None),
        ("numeric(10,2)", "numeric", "numeric(10,2)"),
        ("numeric(10, 2)", "numeric", "numeric(10, 2)"),
        ("timestamp with time zone", "timestamp_with_time_zone", None),
        ("character varying(20)[]", "character_varying(20)[]", None),
        ("geometry(polygon,4326)", "geometry", "geometry(polygon,4326)"),
        ("audit.level", "audit_level", "audit.level"),
        ("uk", "uk_", None),
        ("", "any", None),
    ],
)
def test_types_are_sanitised(type_, written, comment):
    assert attribute_type(type_) == (written, comment)
    mermaid.parse(f"erDiagram\n  A {{ {written} x }}\n")


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("id", "id"),
        ("pk", "pk_"),
        ("FK", "FK_"),
        ("2nd", "_2nd"),
        ("a b", "a_b"),
        ("uk-x", "uk_x"),
        ("uk", "uk_"),
    ],
)
def test_attribute_names_are_sanitised(name, written):
    assert attribute_name(name) == written
    mermaid.parse(f"erDiagram\n  A {{ int {written} }}\n")


# -- `dbdesign erd`, `--write` and the fix ------------------------------------


def test_erd_prints_the_diagram(tmp_path, capsys):
    root = make(tmp_path, None)
    assert cli.main(["erd", str(root)]) == 0
    assert capsys.readouterr().out == render(catalog_of(SCHEMA))


def test_erd_write_creates_the_file_and_is_idempotent(tmp_path, capsys):
    root = make(tmp_path, None)
    assert cli.main(["erd", str(root), "--write"]) == 0
    assert capsys.readouterr().out == f"Wrote {ERD}\n"
    text = (root / ERD).read_text()
    assert text.startswith("# Entity relationship diagram\n\n" + START_MARKER)
    assert run(root) == []
    assert cli.main(["erd", str(root), "--write"]) == 0
    assert capsys.readouterr().out == f"{ERD} is up to date\n"
    assert (root / ERD).read_text() == text


def test_erd_write_replaces_only_the_marked_block(tmp_path):
    before = (
        "\ufeff# ERD\r\n\r\nHand-written prose, kept.\r\n\r\n"
        f"{START_MARKER}\r\n```mermaid\r\nerDiagram\r\n  stale\r\n```\r\n"
        f"{END_MARKER}\r\n\r\n## Notes\r\n\r\nMore prose, no newline"
    )
    root = make(tmp_path, before.encode())
    assert cli.main(["erd", str(root), "--write"]) == 0
    after = (root / ERD).read_bytes().decode()
    head, tail = before.split("```mermaid")[0], before.split("```\r\n")[-1]
    assert after.startswith(head) and after.endswith(tail)
    assert "\r\n" in after and "\n" not in after.replace("\r\n", "")
    assert "stale" not in after
    assert run(root) == []


def test_erd_write_appends_markers_and_block(tmp_path):
    before = "# ERD\n\nProse without a trailing newline"
    root = make(tmp_path, before)
    assert cli.main(["erd", str(root), "--write"]) == 0
    after = (root / ERD).read_text()
    assert after.startswith(before + "\n\n" + START_MARKER + "\n```mermaid\n")
    assert after.endswith("```\n" + END_MARKER + "\n")
    assert run(root) == []


def test_updated_keeps_a_lone_cr_file_as_it_is():
    before = "# ERD\r\rtext\r"
    after = updated(before, "erDiagram\n  a\n")
    assert after == (
        before + "\r" + START_MARKER + "\r```mermaid\rerDiagram\r"
        "  a\r```\r" + END_MARKER + "\r"
    )


@pytest.mark.parametrize(
    "markers",
    [
        [START_MARKER],
        [END_MARKER, START_MARKER],
        [START_MARKER, END_MARKER, START_MARKER, END_MARKER],
    ],
)
def test_erd_write_refuses_broken_markers(tmp_path, capsys, markers):
    before = "# ERD\n\n" + "\n\n".join(markers) + "\n"
    root = make(tmp_path, before)
    assert cli.main(["erd", str(root), "--write"]) == 2
    assert "markers" in capsys.readouterr().err
    assert (root / ERD).read_text() == before


def test_erd_notes_a_schema_with_syntax_errors(tmp_path, capsys):
    root = make(tmp_path, None, SCHEMA + "CREATE TABLE broken (;\n")
    assert cli.main(["erd", str(root)]) == 0
    out, err = capsys.readouterr()
    assert "users {" in out
    assert "database-schema.sql: it has 1 syntax error" in err


def test_erd_without_a_schema_is_exit_2(tmp_path, capsys):
    root = make(tmp_path, None)
    (root / "database-schema.sql").unlink()
    assert cli.main(["erd", str(root)]) == 2
    assert "database-schema.sql does not exist" in capsys.readouterr().err


def test_erd_write_never_follows_a_link_out_of_the_root(tmp_path, capsys):
    outside = tmp_path / "outside.md"
    outside.write_text("# not ours\n")
    root = make(tmp_path, None)
    (root / ERD).symlink_to(outside)
    assert run(root) == [("ER001", None)]
    assert cli.main(["erd", str(root), "--write"]) == 2
    assert "leaves the project root" in capsys.readouterr().err
    assert outside.read_text() == "# not ours\n"


def test_erd_write_keeps_the_files_mode(tmp_path):
    root = make(tmp_path, "# ERD\n")
    (root / ERD).chmod(0o640)
    assert cli.main(["erd", str(root), "--write"]) == 0
    assert (root / ERD).stat().st_mode & 0o777 == 0o640


def test_hook_fix_regenerates_the_block(tmp_path, capsys):
    # ghost is no table (not fixable), a relationship is missing (fixable)
    erd = GOOD.replace("    coupons\n", "    ghost\n")
    root = make(tmp_path, erd.replace('    profiles |o--|| users : "belongs to"\n', ""))
    assert cli.erd_main(["--root", str(root)]) == 1
    capsys.readouterr()
    assert cli.erd_main(["--root", str(root), "--fix"]) == 1
    out = capsys.readouterr().out
    assert f"Fixing {ERD}" in out
    # Without markers, the one hand-drawn diagram becomes the generated one
    # (one diagram, never two), and a note says so.
    assert f"note: {ERD}: the erDiagram drawn at line " in out
    text = (root / ERD).read_text()
    assert "ghost" not in text and text.count("erDiagram") == 1
    assert "<!-- dbdesign:erd:start -->" in text
    assert "ER003" not in out
    assert cli.erd_main(["--root", str(root), "--fix"]) == 0


def test_hook_is_registered():
    hook = next(h for h in hooks.HOOKS if h.id == "dbdesign-erd")
    assert hook.checks == ("erd",)
    assert not hook.pass_filenames and hook.always_run
    assert "erd" in hooks.CHECKS


def test_hook_json_output(tmp_path, capsys):
    root = make(tmp_path, "# ERD\n")
    assert cli.erd_main(["--root", str(root), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [f["code"] for f in report["findings"]] == ["ER001"]


# -- the corpus: round trips through our own parser ---------------------------

CORPUS_SCHEMAS = [
    ("pagila/pagila-schema.sql", "postgres"),
    ("osm/db/structure.sql", "postgres"),
    ("chinook/Chinook_MySql.sql", "mysql"),
    ("chinook/Chinook_Sqlite.sql", "sqlite"),
]


def corpus_project(
    tmp_path: Path, relpath: str, dialect: str, erd: str | bytes | None
) -> Path:
    schema = (CORPUS / relpath).read_text(encoding="utf-8-sig")
    return make(tmp_path, erd, schema, {".dbdesign.yaml": f"dialect: {dialect}\n"})


@needs_corpus
@pytest.mark.parametrize(("relpath", "dialect"), CORPUS_SCHEMAS)
def test_corpus_round_trip(tmp_path, relpath, dialect):
    schema = (CORPUS / relpath).read_text(encoding="utf-8-sig")
    catalog = catalog_of(schema, dialect)
    diagram = mermaid.parse(render(catalog))
    tables = drawn_tables(catalog)
    assert len(tables) > 5
    assert [e.name for e in diagram.entities][: len(tables)] == [
        entity_text(display(t.name, t.spelled)) for t in tables
    ]
    assert len(diagram.entities) == len(tables)
    drawn = {t.name: entity_text(display(t.name, t.spelled)) for t in tables}
    assert [
        (r.first, r.second, r.first_cardinality, r.second_cardinality, r.label)
        for r in diagram.relationships
    ] == [
        (
            drawn[k.parent],
            drawn[k.child],
            k.parent_cardinality,
            k.child_cardinality,
            k.label,
        )
        for k in links(catalog)
    ]
    assert len(diagram.relationships) > 5
    for table, entity in zip(tables, diagram.entities, strict=True):
        assert len(entity.attributes) == len(table.columns)
    assert erd_check.compare([diagram], catalog, ERD) == []


@needs_corpus
@pytest.mark.parametrize(("relpath", "dialect"), CORPUS_SCHEMAS)
def test_corpus_write_keeps_prose_and_passes(tmp_path, relpath, dialect):
    head = "\ufeff# Design notes\r\n\r\nWhy the model looks like this.\r\n\r\n"
    tail = "\r\n## Later\r\n\r\n- partitions are not drawn\r\n"
    before = head + START_MARKER + "\r\nold\r\n" + END_MARKER + tail
    root = corpus_project(tmp_path, relpath, dialect, before.encode())
    assert cli.main(["erd", str(root), "--write"]) == 0
    after = (root / ERD).read_bytes().decode()
    assert after.startswith(head + START_MARKER + "\r\n```mermaid\r\n")
    assert after.endswith("```\r\n" + END_MARKER + tail)
    assert run(root) == []


# -- hypothesis: render -> parse on generated Catalogs ------------------------

_NAMES = st.one_of(
    st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True),
    st.sampled_from(
        [
            "to",
            "one",
            "end",
            "style",
            "class",
            "u",
            "erDiagram",
            "many",
            "direction",
            "subgraph",
            "only",
            "1",
            "2x",
            "a b",
            "x.y",
            "Ñu",
            'q"uote',
            "pct%",
            "to-do",
            "one-x",
            "PK",
            "fk",
            "uk",
            "Users",
            "accTitle",
            "zero",
        ]
    ),
)
_TYPES = st.sampled_from(
    [
        "integer",
        "bigint",
        "text",
        "numeric(10,2)",
        "numeric(10, 2)",
        "timestamp with time zone",
        "timestamptz",
        "character varying(20)[]",
        "public.my_type",
        "audit.level",
        "",
        "uk",
        "double precision",
        "geometry(polygon,4326)",
        "boolean",
        "jsonb",
        '"char"',
    ]
)


@st.composite
def catalogs(draw: st.DrawFn) -> Catalog:
    names = draw(
        st.lists(
            _NAMES,
            min_size=1,
            max_size=6,
            unique_by=lambda n: entity_text(n).casefold(),
        )
    )
    tables: dict[str, Table] = {}
    for name in names:
        columns = draw(
            st.lists(
                _NAMES,
                min_size=1,
                max_size=5,
                unique_by=lambda n: attribute_name(n).casefold(),
            )
        )
        cols = {c: Column(c, draw(_TYPES), draw(st.booleans())) for c in columns}
        pk = tuple(columns[: draw(st.integers(0, min(2, len(columns))))])
        uniques = [
            tuple(
                draw(
                    st.lists(
                        st.sampled_from(columns), min_size=1, max_size=2, unique=True
                    )
                )
            )
            for _ in range(draw(st.integers(0, 1)))
        ]
        tables[name] = Table(name, cols, pk, uniques)
    for table in tables.values():
        for _ in range(draw(st.integers(0, 2))):
            parent = draw(st.sampled_from(names))
            cols = tuple(
                draw(
                    st.lists(
                        st.sampled_from(list(table.columns)),
                        min_size=1,
                        max_size=2,
                        unique=True,
                    )
                )
            )
            table.foreign_keys.append(ForeignKey(cols, parent, ()))
    return Catalog(tables=tables)


@settings(
    max_examples=int(os.environ.get("ERD_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(catalogs())
def test_render_parse_round_trip(catalog):
    text = render(catalog)
    diagram = mermaid.parse(text)
    tables = drawn_tables(catalog)
    assert {e.name for e in diagram.entities} == {entity_text(t.name) for t in tables}
    assert [
        (r.first, r.second, r.first_cardinality, r.second_cardinality)
        for r in diagram.relationships
    ] == [
        (
            entity_text(k.parent),
            entity_text(k.child),
            k.parent_cardinality,
            k.child_cardinality,
        )
        for k in links(catalog)
    ]
    assert erd_check.compare([diagram], catalog, ERD) == []


# -- the real renderer ----------------------------------------------------------


def _mmdc() -> tuple[str, str] | None:
    mmdc = os.environ.get("DBDESIGN_MMDC") or shutil.which("mmdc")
    browser = os.environ.get("PUPPETEER_EXECUTABLE_PATH") or next(
        (
            p
            for p in (
                shutil.which("chromium"),
                shutil.which("chromium-browser"),
                shutil.which("google-chrome"),
            )
            if p
        ),
        None,
    )
    return (mmdc, browser) if mmdc and browser else None


@needs_corpus
@pytest.mark.skipif(
    _mmdc() is None,
    reason="needs mermaid-cli (`mmdc` on PATH or $DBDESIGN_MMDC) and chromium",
)
def test_largest_corpus_diagram_renders_with_mermaid(tmp_path):
    found = _mmdc()
    assert found is not None
    mmdc, browser = found
    # osm has the most drawn tables and foreign keys of the corpus
    schema = (CORPUS / "osm/db/structure.sql").read_text(encoding="utf-8")
    source = tmp_path / "osm.mmd"
    source.write_text(render(catalog_of(schema)))
    config_file = tmp_path / "puppeteer.json"
    config_file.write_text(
        json.dumps({"executablePath": browser, "args": ["--no-sandbox"]})
    )
    out = Path(os.environ.get("DBDESIGN_ERD_PNG") or tmp_path / "osm.png")
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=browser)
    result = subprocess.run(
        [
            mmdc,
            "-q",
            "-p",
            str(config_file),
            "-i",
            str(source),
            "-o",
            str(out),
            "-w",
            "4000",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 10_000


def test_a_type_written_over_lines_stays_on_one_line() -> None:
    written, comment = attribute_type('numeric(10,\n  2) COLLATE "C"')
    assert (written, comment) == ("numeric", "numeric(10, 2) COLLATE C")
    mermaid.parse(f'erDiagram\n  A {{ {written} x "{comment}" }}\n')


# -- a hand-drawn diagram without markers (issue 13) ---------------------------


def test_write_converts_the_one_hand_drawn_diagram(tmp_path, capsys):
    prose = "Notes the team wrote stay byte for byte.\r\n"
    text = GOOD.replace("# Shop ERD\n", "# Shop ERD\n\n" + prose)
    root = make(tmp_path, text)
    assert cli.main(["erd", str(root), "--write"]) == 0
    out, err = capsys.readouterr()
    assert out == f"Wrote {ERD}\n"
    assert err == (
        f"dbdesign: note: {ERD}: the erDiagram drawn at line 5 is now the one "
        "generated from the schema, between dbdesign:erd markers that `--fix` "
        "keeps up to date (`git diff` shows what it replaced)\n"
    )
    written = (root / ERD).read_text()
    assert written.count("erDiagram") == 1  # one diagram, never two
    assert written.startswith("# Shop ERD\n\n" + prose.replace("\r\n", "\n"))
    after = GOOD.partition("```mermaid")[2]
    closing = after.index("```\n") + len("```\n")
    assert written.endswith(after[closing:])  # what follows the block, kept
    assert "<!-- dbdesign:erd:start -->\n```mermaid\n" in written
    assert run(root) == []
    # Now marked: a second write keeps the block where it is.
    assert cli.main(["erd", str(root), "--write"]) == 0
    assert capsys.readouterr().out == f"{ERD} is up to date\n"


def test_findings_in_the_one_unmarked_diagram_are_fixable(tmp_path):
    root = make(tmp_path, GOOD.replace("    coupons\n", "    ghost\n"))
    project = Project(root, config.load(root))
    found = [f for f in erd_check.check(project) if f.code == "ER003"]
    assert found and all(f.fixable for f in found)


def test_two_hand_drawn_diagrams_are_left_to_the_author(tmp_path, capsys):
    second = "\n```mermaid\nerDiagram\n    users {\n        int id PK\n    }\n```\n"
    root = make(tmp_path, GOOD + second)
    before = (root / ERD).read_bytes()
    assert cli.main(["erd", str(root), "--write"]) == 2
    err = capsys.readouterr().err
    assert "the ERD has 2 erDiagram blocks (lines 3, " in err
    assert (
        "put `<!-- dbdesign:erd:start -->` and `<!-- dbdesign:erd:end -->` around"
        in err
    )
    # --fix writes nothing: no reported finding is one the fix can cure.
    assert cli.erd_main(["--root", str(root), "--fix"]) == 0
    assert (root / ERD).read_bytes() == before


@pytest.mark.parametrize(
    "label, shown",
    [
        ("assigned to", "assigned to"),
        ("places many items", "places many items"),
        ("one-time", "one-time"),
    ],
)
def test_an_unquoted_label_is_told_to_be_quoted(tmp_path, label, shown):
    root = make(tmp_path, GOOD.replace(": places", f": {label}"))
    [message] = [m for m in messages(root) if "label" in m]
    assert message == (
        f"the erDiagram does not parse: the relationship label `{shown}` is not "
        f'one plain word; quote it: `: "{shown}"`'
    )


def test_erd_write_through_a_link_inside_the_root_keeps_the_link(tmp_path, capsys):
    # As the checklist fixer does: one rule for every writer.
    root = make(tmp_path, None)
    (root / "docs").mkdir()
    (root / "docs/erd.md").write_text("# ERD\n")
    (root / ERD).symlink_to("docs/erd.md")
    assert cli.main(["erd", str(root), "--write"]) == 0
    assert (root / ERD).is_symlink()
    assert "erDiagram" in (root / "docs/erd.md").read_text()
    assert cli.erd_main(["--root", str(root)]) == 0


@pytest.mark.parametrize(
    ("yaml", "args"),
    [
        ("ignore: [ER003]\n", []),
        ("", ["--select", "ER004"]),
        (f"per_file_ignores:\n  '{ERD}': [ER]\n", []),
    ],
)
def test_fix_only_when_a_fixable_finding_is_reported(tmp_path, capsys, yaml, args):
    # coupons is missing (ER003, fixable); nothing else is wrong.
    source = GOOD.replace("    coupons\n", "")
    source = source.replace('    coupons |o--o{ orders : "applies to"\n', "")
    source = source.replace("int coupon_id FK", "int coupon_id")
    root = make(
        tmp_path,
        source,
        SCHEMA.replace(
            "coupon_id integer REFERENCES coupons (id),", "coupon_id integer,"
        ),
    )
    assert run(root) == [("ER003", 4)]
    if yaml:
        (root / ".dbdesign.yaml").write_text(yaml)
    cli.erd_main(["--root", str(root), "--fix", *args])
    assert (root / ERD).read_text() == source
    assert "Fixing" not in capsys.readouterr().out
    (root / ".dbdesign.yaml").unlink(missing_ok=True)
    assert cli.erd_main(["--root", str(root), "--fix"]) == 1
    assert "coupons" in (root / ERD).read_text()


# -- a fix makes its finding go away, or the finding is not fixable -------------


def test_names_that_sanitise_alike_stay_apart(tmp_path, capsys):
    # `a%b` and `a_b` were both drawn as `a_b` (and `prénom`, `pr_nom`
    # as `pr_nom`): one entity, a table "missing" that no fix could add.
    schema = (
        'CREATE TABLE "a%b" (id int PRIMARY KEY, "prénom" text, pr_nom text);\n'
        'CREATE TABLE a_b (id int PRIMARY KEY, "名前" text, "名字" text,'
        ' a_id int REFERENCES "a%b" (id));\n'
        "CREATE TABLE a_b_2 (id int PRIMARY KEY);\n"
    )
    root = make(tmp_path, None, schema)
    assert cli.main(["erd", str(root), "--write"]) == 0
    diagram = (root / ERD).read_text()
    assert "    a_b_3 {" in diagram and "    a_b {" in diagram
    assert "text pr_nom_2" in diagram and "text pr_nom\n" in diagram
    assert 'a_b_3 |o..o{ a_b : "a_id"' in diagram
    assert run(root) == []
    assert cli.erd_main(["--root", str(root), "--fix"]) == 0


def test_a_hand_drawn_copy_of_a_generated_relationship_is_fine(tmp_path):
    # It states nothing false; it was "a relationship with no foreign key"
    # on the generated line, fixable, and regenerating never cured it.
    erd = '# ERD\n\n```mermaid\nerDiagram\n    users ||..o{ profiles : "user_id"\n```\n'
    root = make(
        tmp_path,
        erd,
        "CREATE TABLE users (id int PRIMARY KEY);\n"
        "CREATE TABLE profiles (id int PRIMARY KEY,"
        " user_id int NOT NULL REFERENCES users (id));\n",
    )
    assert cli.main(["erd", str(root), "--write"]) == 0
    assert run(root) == []


def test_a_diagram_too_long_even_without_attributes_is_not_fixable(tmp_path, capsys):
    names = [f"table_with_a_rather_long_name_number_{n:05}" for n in range(1300)]
    schema = "".join(f"CREATE TABLE {name} (id int PRIMARY KEY);\n" for name in names)
    root = make(tmp_path, None, schema)
    assert cli.main(["erd", str(root), "--write"]) == 0
    project = Project(root, config.load(root))
    found = list(erd_check.check(project))
    assert [(f.code, f.fixable) for f in found] == [("ER002", False)]
    assert cli.erd_main(["--root", str(root), "--fix"]) == 1
    assert "Fixing" not in capsys.readouterr().out


def test_nothing_is_fixable_when_the_fix_cannot_run(tmp_path):
    root = make(tmp_path, None)
    (root / "database-schema.sql").write_bytes(b"\xff\xfe")  # not UTF-8
    project = Project(root, config.load(root))
    assert [(f.code, f.fixable) for f in erd_check.check(project)] == [("ER001", False)]
    broken = f"# ERD\n\n{START_MARKER}\n```mermaid\nerDiagram\n  ghost\n```\n"
    root = make(tmp_path, broken)  # a start marker without its end
    project = Project(root, config.load(root))
    assert all(not f.fixable for f in erd_check.check(project))


def test_bookkeeping_tables_are_not_entities(tmp_path: Path) -> None:
    (tmp_path / "database-schema.sql").write_text(
        "CREATE TABLE users (id int PRIMARY KEY);\n"
        "CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint);\n"
        "CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY);\n"
    )
    (tmp_path / "entity-relationship-diagram.md").write_text(
        with_diagram("  users {\n    int id PK\n  }\n")
    )
    assert run(tmp_path) == []
