"""The erDiagram parser: every construct of mermaid's documentation, the
lexer's quirks, line numbers, errors; and (where node and mermaid are
installed) agreement with mermaid's own parser."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dbdesign.erd import mermaid
from dbdesign.erd.mermaid import (
    MD_PARENT,
    ONE_OR_MORE,
    ONLY_ONE,
    ZERO_OR_MORE,
    ZERO_OR_ONE,
    ParseError,
    parse,
)


def rels(source: str) -> list[tuple[str, str, str, str, bool, str]]:
    return [
        (
            r.first,
            r.second,
            r.first_cardinality,
            r.second_cardinality,
            r.identifying,
            r.label,
        )
        for r in parse(source).relationships
    ]


def names(source: str) -> list[str]:
    return [e.name for e in parse(source).entities]


# -- the constructs of mermaid's erDiagram documentation ----------------------


def test_basic_relationships():
    source = """\
erDiagram
    CUSTOMER ||--o{ ORDER : places
    ORDER ||--|{ LINE-ITEM : contains
    CUSTOMER }|..|{ DELIVERY-ADDRESS : uses
"""
    assert names(source) == ["CUSTOMER", "ORDER", "LINE-ITEM", "DELIVERY-ADDRESS"]
    assert rels(source) == [
        ("CUSTOMER", "ORDER", ONLY_ONE, ZERO_OR_MORE, True, "places"),
        ("ORDER", "LINE-ITEM", ONLY_ONE, ONE_OR_MORE, True, "contains"),
        ("CUSTOMER", "DELIVERY-ADDRESS", ONE_OR_MORE, ONE_OR_MORE, False, "uses"),
    ]


@pytest.mark.parametrize(
    ("left", "right", "first", "second"),
    [
        ("|o", "o|", ZERO_OR_ONE, ZERO_OR_ONE),
        ("||", "||", ONLY_ONE, ONLY_ONE),
        ("}o", "o{", ZERO_OR_MORE, ZERO_OR_MORE),
        ("}|", "|{", ONE_OR_MORE, ONE_OR_MORE),
        # mermaid reads each marker the same on either side
        ("o{", "}o", ZERO_OR_MORE, ZERO_OR_MORE),
        ("o|", "|o", ZERO_OR_ONE, ZERO_OR_ONE),
        ("u", "||", MD_PARENT, ONLY_ONE),
    ],
)
def test_cardinality_markers(left, right, first, second):
    assert rels(f"erDiagram\n  A {left}--{right} B : x\n") == [
        ("A", "B", first, second, True, "x")
    ]


@pytest.mark.parametrize(
    ("alias", "kind"),
    [
        ("one or zero", ZERO_OR_ONE),
        ("zero or one", ZERO_OR_ONE),
        ("one or more", ONE_OR_MORE),
        ("one or many", ONE_OR_MORE),
        ("many(1)", ONE_OR_MORE),
        ("1+", ONE_OR_MORE),
        ("zero or more", ZERO_OR_MORE),
        ("zero or many", ZERO_OR_MORE),
        ("many(0)", ZERO_OR_MORE),
        ("0+", ZERO_OR_MORE),
        ("many", ZERO_OR_MORE),
        ("only one", ONLY_ONE),
        ("one", ONLY_ONE),
        ("1", ONLY_ONE),
    ],
)
def test_cardinality_aliases(alias, kind):
    assert rels(f"erDiagram\n  CAR {alias} to {alias} DRIVER : x\n") == [
        ("CAR", "DRIVER", kind, kind, True, "x")
    ]


def test_identification_aliases():
    source = """\
erDiagram
    CAR 1 to zero or more NAMED-DRIVER : allows
    PERSON many(0) optionally to 0+ NAMED-DRIVER : is
    A ||.-o{ B : x
    A ||-.o{ B : y
"""
    assert [r[4] for r in rels(source)] == [True, False, False, False]


def test_attributes_keys_and_comments():
    source = """\
erDiagram
    CAR ||--o{ NAMED-DRIVER : allows
    CAR {
        string registrationNumber PK
        string make
        string[] parts
    }
    PERSON {
        string driversLicense PK "The license #"
        string(99) firstName "Only 99 characters are allowed"
        string phone UK
    }
    NAMED-DRIVER {
        string carRegistrationNumber PK, FK
        string driverLicence PK,FK
    }
    MANUFACTURER only one to zero or more CAR : makes
"""
    diagram = parse(source)
    car = diagram.entity("CAR")
    assert car is not None and car.block_line == 3
    assert [(a.type, a.name, a.keys, a.line) for a in car.attributes] == [
        ("string", "registrationNumber", ("PK",), 4),
        ("string", "make", (), 5),
        ("string[]", "parts", (), 6),
    ]
    person = diagram.entity("PERSON")
    assert person is not None
    assert [(a.type, a.name, a.keys, a.comment) for a in person.attributes] == [
        ("string", "driversLicense", ("PK",), "The license #"),
        ("string(99)", "firstName", (), "Only 99 characters are allowed"),
        ("string", "phone", ("UK",), None),
    ]
    driver = diagram.entity("NAMED-DRIVER")
    assert driver is not None
    assert [a.keys for a in driver.attributes] == [("PK", "FK"), ("PK", "FK")]
    assert diagram.entity("MANUFACTURER") is not None


def test_attribute_forms_of_mermaid_11():
    diagram = parse(
        "erDiagram\n  A { int? maybe  list~string~ tags  "
        "int `odd name`  int *id  numeric(10,2) price }\n"
    )
    entity = diagram.entity("A")
    assert entity is not None
    assert [(a.type, a.name) for a in entity.attributes] == [
        ("int?", "maybe"),
        ("list~string~", "tags"),
        ("int", "odd name"),
        ("int", "*id"),
        ("numeric(10,2)", "price"),
    ]


def test_aliases_quoted_names_and_unicode():
    source = """\
erDiagram
    p[Person] {
        string firstName
    }
    a["Customer Account"] {
        string email
    }
    p ||--o| a : has
    "This ❤ Unicode" ||--o{ "order item" : "has many"
    Álvaro ||--|| Ñu : x
"""
    diagram = parse(source)
    assert [(e.name, e.alias) for e in diagram.entities] == [
        ("p", "Person"),
        ("a", "Customer Account"),
        ("This ❤ Unicode", None),
        ("order item", None),
        ("Álvaro", None),
        ("Ñu", None),
    ]
    assert diagram.relationships[1].label == "has many"


def test_direction_styles_classes_and_comments():
    source = """\
---
title: Order example
---
%%{init: {'theme': 'dark'}}%%
erDiagram
    %% a comment line
    direction LR
    accTitle: Orders
    accDescr: How orders relate
    accDescr {
        on several lines
    }
    CAR:::someclass {
        string registrationNumber
    }
    HOUSE:::someclass
    PERSON:::foo ||--|| CAR : owns
    PERSON o{--|| HOUSE:::bar : has
    style CAR fill:#f9f,stroke:#333,stroke-width:4px
    style PERSON,HOUSE fill:#bbf,stroke-dasharray: 5 5
    classDef someclass fill:#f96
    classDef foo,bar stroke:#f00;
    class CAR,HOUSE foo,bar
    nodeId:::className1,className2
"""
    diagram = parse(source)
    assert diagram.direction == "LR"
    assert diagram.line == 5
    assert [e.name for e in diagram.entities] == ["CAR", "HOUSE", "PERSON", "nodeId"]
    assert [r.line for r in diagram.relationships] == [17, 18]


def test_subgraphs():
    source = """\
erDiagram
    subgraph sales [Sales area]
        CUSTOMER ||--o{ ORDER : places
        subgraph inner
            ORDER
        end
    end
    PRODUCT
"""
    assert names(source) == ["CUSTOMER", "ORDER", "PRODUCT"]


def test_entities_without_relationships_and_empty_blocks():
    assert names("erDiagram\n  A\n  B { }\n  C {}\n  D E\n") == [
        "A",
        "B",
        "C",
        "D",
        "E",
    ]


def test_labels_quoted_empty_and_bare():
    assert [
        r[5]
        for r in rels(
            'erDiagram\n  A ||--o{ B : ""\n  A ||--o{ B : "100%"\n'
            "  A ||--o{ B : bare_word\n"
        )
    ] == ["", "100%", "bare_word"]


def test_a_bare_label_of_two_words_makes_an_entity_as_mermaid_does():
    # mermaid draws an entity `items`; ER003 will then ask about it
    assert names("erDiagram\n  A ||--o{ B : places items\n") == ["A", "B", "items"]


def test_entities_merge_their_blocks():
    diagram = parse("erDiagram\n  A { int x }\n  A ||--o{ B : r\n  A { int y }\n")
    entity = diagram.entity("A")
    assert entity is not None
    assert [a.name for a in entity.attributes] == ["x", "y"]
    assert (entity.line, entity.block_line) == (2, 2)


# -- the lexer's quirks, as mermaid has them -----------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "erDiagram\n  tokens ||--o{ B : x\n",  # `to\b` does not match `tokens`
        "erDiagram\n  end_date\n",
        "erDiagram\n  style_guide\n",
        "erDiagram\n  onex\n",
        "erDiagram\n  1 ||--o{ 2 : x\n",
        "erDiagram\n  1.5 ||--o{ 22 : x\n",
        "erDiagram\n  public.users ||--o{ B : x\n",
        "erDiagram\n  u ||--o{ B : x\n",
        "erDiagram\n  A||--o{B:x\n",
        "erDiagram\n  A { int pk_id }\n",
        "erDiagram\n  A { int a-b.c[0] }\n",
        'erDiagram\n  A ||--o{ B : "direction LR inside"\n',
    ],
)
def test_names_that_parse(source):
    parse(source)


@pytest.mark.parametrize(
    ("source", "line", "fragment"),
    [
        ("erDiagram\n  users ||--o{ : places\n", 2, "the second entity"),
        ("erDiagram\n  users ||--o{ orders\n", 2, "`:` and a label"),
        ("erDiagram\n  users ||--o{ orders :\n", 2, "a label"),
        ("erDiagram\n  users --o{ orders : x\n", 2, "cardinality"),
        ("erDiagram\n  users ||o{ orders : x\n", 2, "`--` or `..`"),
        ("erDiagram\n  to-do ||--o{ B : x\n", 2, "expected"),
        ("erDiagram\n  one-time\n", 2, "expected"),
        ("erDiagram\n  end\n", 2, "`end` without a `subgraph`"),
        ("erDiagram\n  A %% trailing comment\n", 2, "on a line of its own"),
        ("erDiagram\n  A {\n    int id\n", 2, "not closed"),
        ("erDiagram\n  A { int }\n", 2, "an attribute name"),
        ("erDiagram\n  A { int pk }\n", 2, "an attribute name"),
        ("erDiagram\n  A { int a PK FK }\n", 2, "with commas"),
        ('erDiagram\n  A { int a "c" PK }\n', 2, "PK, FK, UK"),
        ("erDiagram\n  A { numeric(10, 2) price }\n", 2, "without spaces"),
        ("erDiagram\n  A { 1int a }\n", 2, "an attribute type"),
        ("erDiagram\n  subgraph S\n    A\n", 4, "`end`"),
        ("erDiagram\n  A ||--o{ B : x;\n", 2, "a new line"),
        (
            "erDiagram\n  ORDER ||--o{ ITEM : contains\n  erDiagram\n",
            3,
            "an entity name",
        ),
        ("  \n%% c\nflowchart\n", 3, "`erDiagram` first"),
    ],
)
def test_parse_errors_name_the_line(source, line, fragment):
    with pytest.raises(ParseError) as info:
        parse(source)
    assert info.value.line == line
    assert fragment in info.value.message


def test_parse_error_lines_are_file_lines():
    with pytest.raises(ParseError) as info:
        parse("erDiagram\n  A ||--o{ : x\n", first_line=10)
    assert info.value.line == 11


def test_deep_subgraphs_are_bounded():
    depth = mermaid.MAX_DEPTH + 5
    source = "erDiagram\n" + "subgraph s\n" * depth + "A\n" + "end\n" * depth
    with pytest.raises(ParseError, match="nested"):
        parse(source)


def test_long_lines_stay_linear():
    # one line of 20,000 entities, each a direction rule candidate
    parse("erDiagram\n" + " ".join(f"E{i}" for i in range(20_000)) + " direction LR\n")


# -- diagrams in Markdown -----------------------------------------------------

MARKDOWN = """\
# ERD

Prose that mentions erDiagram.

```mermaid
flowchart LR
  a --> b
```

<!-- dbdesign:erd:start -->
```mermaid
erDiagram
  users ||--o{ orders : places
```
<!-- dbdesign:erd:end -->

    ```mermaid
    erDiagram
      indented code, not a fence
    ```

> ```mermaid
> erDiagram
>   a ||--o{ : broken
> ```

```sql
erDiagram
```
"""


def test_blocks_finds_erdiagram_fences_with_file_lines():
    found = mermaid.blocks(MARKDOWN)
    assert [(b.line, b.first_line, b.generated) for b in found] == [
        (11, 12, True),
        (22, 23, False),
    ]
    first = found[0].diagram
    assert first is not None and first.line == 12
    assert first.relationships[0].line == 13
    assert found[1].error is not None and found[1].error.line == 24


def test_markers_are_html_comment_lines_outside_code():
    text = (
        "```\n<!-- dbdesign:erd:start -->\n```\n\n"
        "<!-- dbdesign:erd:start -->\n\n<!-- dbdesign:erd:end -->\n"
    )
    assert mermaid.markers(text) == ([4], [6])
    assert mermaid.marked_span(text) == (4, 6)


def test_crlf_and_lone_cr_keep_lines():
    text = "# ERD\r\n\r\n```mermaid\r\nerDiagram\r\n  a ||--o{ b : x\r\n```\r\n"
    (block,) = mermaid.blocks(text)
    assert block.diagram is not None
    assert block.diagram.relationships[0].line == 5


# -- agreement with mermaid's own parser ---------------------------------------


def _mermaid_chunk() -> str | None:
    """mermaid's erDiagram module in the npm package folder named by
    $DBDESIGN_MERMAID_DIR (e.g. .../node_modules/mermaid)."""
    folder = os.environ.get("DBDESIGN_MERMAID_DIR")
    if not folder:
        return None
    found = glob.glob(
        os.path.join(folder, "dist", "chunks", "mermaid.core", "erDiagram-*.mjs")
    )
    return found[0] if found else None


ORACLE = """\
import { diagram } from %s;
const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const out = [];
for (const text of JSON.parse(Buffer.concat(chunks).toString())) {
  const db = diagram.db;
  db.setAccTitle = () => {}; db.setAccDescription = () => {};
  const p = diagram.parser; p.yy = db;
  try {
    db.clear(); p.parse(text);
    const ids = new Map([...db.getEntities().values()].map(e => [e.id, e.label]));
    out.push({ok: true,
      ents: [...db.getEntities().values()].map(e => [
        e.label, e.alias || "",
        e.attributes.map(a => [a.type, a.name,
          (a.keys || []).map(k => k.toUpperCase()), a.comment || ""])]),
      rels: db.getRelationships().map(r => [
        ids.get(r.entityA), ids.get(r.entityB), r.relSpec.cardB,
        r.relSpec.cardA, r.relSpec.relType === "IDENTIFYING", r.roleA])});
  } catch (e) { out.push({ok: false}); }
}
console.log(JSON.stringify(out));
"""

ORACLE_CASES = [
    'erDiagram\n  A ||--o{ B : x\n  A { string(10) a PK, FK "c" }\n',
    "erDiagram\n  to-do ||--o{ B : x\n",
    "erDiagram\n  tokens ||--o{ B : x\n",
    "erDiagram\n  A ||--o{ B : places items\n",
    "erDiagram\n  A { int pk }\n",
    "erDiagram\n  A { numeric(10, 2) price }\n",
    "erDiagram\n  A { int? maybe list~string~ tags int `odd name` }\n",
    'erDiagram\n  p[Person] { string a }\n  a["Customer Account"]\n'
    "  p ||--o| a : has\n",
    "erDiagram\n  CAR 1 to zero or more NAMED-DRIVER : allows\n"
    "  PERSON many(0) optionally to 0+ NAMED-DRIVER : is\n",
    "erDiagram\n  PERSON:::foo ||--|| CAR : owns\n"
    "  PERSON o{--|| HOUSE:::bar : has\n  classDef foo stroke:#f00\n",
    "erDiagram\n  u-turn ||--o{ B : x\n",
    "erDiagram\n  1 ||--o{ 2 : x\n  1.5 ||--o{ 22 : x\n",
    "erDiagram\n  A ||--o{ B : x;\n",
    "erDiagram\n  A B C\n",
    "erDiagram\n  end\n",
    "erDiagram\n  one-time\n",
    "erDiagram\n  one_time\n",
    "erDiagram\n  accTitle: t\n  A\n",
]


@pytest.mark.skipif(
    shutil.which("node") is None or _mermaid_chunk() is None,
    reason="needs node and the mermaid npm package "
    "(set DBDESIGN_MERMAID_DIR to its folder)",
)
def test_agrees_with_mermaids_own_parser(tmp_path):
    chunk = _mermaid_chunk()
    script = tmp_path / "oracle.mjs"
    script.write_text(ORACLE % json.dumps(Path(str(chunk)).as_uri()))
    texts = [mermaid.preprocess(t).lstrip() for t in ORACLE_CASES]
    out = subprocess.run(
        ["node", str(script)],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
    )
    theirs = json.loads(out.stdout)
    for text, their in zip(ORACLE_CASES, theirs, strict=True):
        try:
            diagram = parse(text)
        except ParseError:
            assert not their["ok"], text
            continue
        assert their["ok"], text
        ents = [
            [
                e.name,
                e.alias or "",
                [[a.type, a.name, list(a.keys), a.comment or ""] for a in e.attributes],
            ]
            for e in diagram.entities
        ]
        assert sorted(map(json.dumps, ents)) == sorted(
            map(json.dumps, their["ents"])
        ), text
        assert [
            [
                r.first,
                r.second,
                r.first_cardinality,
                r.second_cardinality,
                r.identifying,
                r.label,
            ]
            for r in diagram.relationships
        ] == their["rels"], text
