"""The attributes an ERD lists for a table against the schema's columns
(ER005): each names a column, marks its keys (PK, FK, UK) and has its base
type; once an entity lists any, it lists them all. A finding about a
column left out is fixable: `dbdesign erd --write` adds it."""

from __future__ import annotations

from dbdesign.erd.compare import column_resolver
from dbdesign.erd.model import Entity
from dbdesign.erd.render import attribute_type, column_keys
from dbdesign.erd.types import type_matches
from dbdesign.findings import Finding, finding
from dbdesign.sql.catalog import Catalog, Table


def compare(
    catalog: Catalog, table: Table, occurrences: list[Entity], path: str, schema: str
) -> list[Finding]:
    """ER005 for the attributes OCCURRENCES (the entities that show TABLE
    of CATALOG, in the ERD at PATH) list: each a column of the schema file
    SCHEMA with its keys and base type, and no column left out once any
    is listed."""
    attributes = [a for entity in occurrences for a in entity.attributes]
    if not attributes:
        return []
    block_line = next(
        (e.block_line for e in occurrences if e.attributes and e.block_line),
        occurrences[0].line,
    )
    keys = column_keys(table, catalog)
    column_of = column_resolver(table)
    out: list[Finding] = []
    seen: set[str] = set()
    for attr in attributes:
        written = attr.name.lstrip("*")
        column_name = column_of(written)
        if column_name is None:
            out.append(
                finding(
                    "ER005",
                    path,
                    f"attribute {written} of {table.name} is not a column in "
                    f"{schema}; rename it to a column or remove it",
                    attr.line,
                )
            )
            continue
        if column_name in seen:
            continue
        seen.add(column_name)
        column = table.columns[column_name]
        stated = set(attr.keys) | ({"PK"} if attr.name.startswith("*") else set())
        expected = set(keys[column_name])
        if stated != expected:
            want = ", ".join(k for k in ("PK", "FK", "UK") if k in expected)
            said = ", ".join(k for k in ("PK", "FK", "UK") if k in stated)
            out.append(
                finding(
                    "ER005",
                    path,
                    f"{table.name}.{column_name} is marked "
                    f"{said or 'with no key'} in the ERD but is "
                    f"{want or 'no key'} in the schema; write "
                    f"`{attr.type} {written}{' ' + want if want else ''}`",
                    attr.line,
                )
            )
        if not type_matches(attr.type, column.type):
            out.append(
                finding(
                    "ER005",
                    path,
                    f"{table.name}.{column_name} is `{attr.type}` in the ERD but "
                    f"`{column.type}` in the schema; write "
                    f"`{attribute_type(column.type)[0]} {written}`",
                    attr.line,
                )
            )
    missing = [name for name in table.columns if name not in seen]
    if missing:
        out.append(
            finding(
                "ER005",
                path,
                f"the ERD lists attributes of {table.name} but not its column"
                f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}; add "
                f"{'them' if len(missing) > 1 else 'it'} (`dbdesign erd --write` "
                "regenerates the diagram)",
                block_line,
                fixable=True,
            )
        )
    return out
