"""DDL that sqlglot reads only as an opaque Command, or not at all, read
with patterns: `ATTACH`/`DETACH PARTITION`, `RENAME CONSTRAINT`, pg_dump's
`ADD GENERATED ... AS IDENTITY`, MySQL's `RENAME TABLE`, `COMMENT ON`, and
the table a CREATE TABLE defines when the rest of it cannot be read."""

from __future__ import annotations

import re
from dataclasses import replace

from dbdesign.sql.catalog import Catalog, Origin, Table, normalise_name, qualified
from dbdesign.sql.split import Statement

_NAME = r'(?:"(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|[\w$]+)'
QNAME = rf"{_NAME}(?:\s*\.\s*{_NAME})*"
_ATTACH = re.compile(
    rf"(?is)^alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?(?P<parent>{QNAME})"
    rf"\s+(?P<op>attach|detach)\s+partition\s+(?P<child>{QNAME})"
)
_RENAME_TABLE = re.compile(
    rf"(?is)^rename\s+table\s+(?P<old>{QNAME})\s+to\s+(?P<new>{QNAME})"
)
_CREATE_TABLE = re.compile(
    r"(?is)^create\s+(?:or\s+replace\s+)?(?:(?:global|local)\s+)?"
    r"(?:(?:temp|temporary|unlogged)\s+)?table\s+(?:if\s+not\s+exists\s+)?"
    rf"(?P<name>{QNAME})"
)
_COMMENT = re.compile(
    rf"(?is)^comment\s+on\s+(?P<kind>table|column)\s+(?P<name>{QNAME})\s+is"
    r"\s+(?:(?P<text>'(?:[^']|'')*')|(?P<null>null))\s*$"
)
_ADD_IDENTITY = re.compile(
    rf"(?is)^alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?(?P<table>{QNAME})"
    rf"\s+alter\s+(?:column\s+)?(?P<column>{_NAME})\s+add\s+generated\s+"
    r"(?:always|by\s+default)\s+as\s+identity\b"
)
_RENAME_CONSTRAINT = re.compile(
    rf"(?is)^alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?(?P<table>{QNAME})"
    rf"\s+rename\s+constraint\s+(?P<old>{_NAME})\s+to\s+(?P<new>{_NAME})"
)
# ALTER TABLE forms that change nothing the Catalog models.
_IGNORABLE_ALTER = re.compile(
    r"(?is)\b(?:owner\s+to|enable|disable|replica\s+identity|cluster\s+on|"
    r"set\s+(?:tablespace|schema|logged|unlogged|without|with|access)|"
    r"set\s*\(|reset\s*\(|inherit|no\s+inherit|validate\s+constraint|"
    r"force\s+row|no\s+force|alter\s+constraint|of\s|not\s+of|"
    r"add\s+(?:constraint\s+\S+\s+)?(?:check|exclude)\b|"
    r"alter\s+(?:column\s+)?\S+\s+(?:set\s+(?:statistics|storage|"
    r"compression)|add\s+generated|set\s+generated|restart|drop\s+identity|"
    r"drop\s+expression|set\s+(?:\(|options)|reset))"
)


def text_name(dialect: str, text: str) -> str:
    """A (possibly qualified, possibly quoted) name in SQL text as a
    DIALECT Catalog keys it."""
    parts = [p.strip() for p in re.findall(_NAME, text)]
    names = []
    for part in parts:
        quoted = part[0] in '"`['
        bare = part[1:-1].replace('""', '"') if quoted else part
        names.append(normalise_name(bare, quoted, dialect))
    if not names:
        return text.lower()
    return qualified(names[-2] if len(names) > 1 else None, names[-1])


def command(catalog: Catalog, statement: Statement, path: str) -> None:
    """A statement sqlglot read as an opaque Command."""
    text = statement.text
    m = _ATTACH.match(text)
    if m:
        child = catalog.tables.get(text_name(catalog.dialect, m["child"]))
        if child is not None:
            child.parent = (
                text_name(catalog.dialect, m["parent"])
                if m["op"].lower() == "attach"
                else None
            )
        return
    m = _RENAME_CONSTRAINT.match(text)
    if m:
        table = catalog.tables.get(text_name(catalog.dialect, m["table"]))
        if table is not None:
            catalog.rename_constraint(
                table,
                text_name(catalog.dialect, m["old"]),
                text_name(catalog.dialect, m["new"]),
            )
        return
    m = _ADD_IDENTITY.match(text)
    if m:
        table = catalog.tables.get(text_name(catalog.dialect, m["table"]))
        column_name = text_name(catalog.dialect, m["column"])
        column = table.columns.get(column_name) if table else None
        if table is not None and column is not None:
            table.columns[column_name] = replace(
                column, default="identity", nullable=False
            )
        return
    m = _RENAME_TABLE.match(text)
    if m:
        catalog.rename_table(
            text_name(catalog.dialect, m["old"]),
            text_name(catalog.dialect, m["new"]),
            m["new"],
        )
        return
    if re.match(r"(?is)^alter\s+table\b", text) and _IGNORABLE_ALTER.search(text):
        return
    if re.match(r"(?is)^(?:create|alter)\s", text):
        catalog.unmodelled.append(
            (Origin(path, statement.line, statement.column), short(statement.text))
        )


def placeholder(catalog: Catalog, statement: Statement, path: str) -> None:
    """A CREATE TABLE the model cannot read still creates its table
    (with unknown columns), so that nothing dangles on it."""
    m = _CREATE_TABLE.match(statement.text)
    if m is None:
        return
    name = text_name(catalog.dialect, m["name"])
    if name not in catalog.tables:
        parts = re.findall(_NAME, m["name"])
        catalog.tables[name] = Table(
            name,
            origin=Origin(path, statement.line, statement.column),
            spelled=parts[-1].strip('"`[]'),
            complete=False,
        )


def comment(catalog: Catalog, statement: Statement, path: str) -> None:
    """COMMENT ON TABLE t / COLUMN t.c IS '...' (or NULL)."""
    m = _COMMENT.match(statement.text)
    if m is None:
        return
    text = None if m["null"] else m["text"][1:-1].replace("''", "'")
    if m["kind"].lower() == "table":
        table = catalog.tables.get(text_name(catalog.dialect, m["name"]))
        if table is not None:
            table.comment = text
        return
    parts = re.findall(_NAME, m["name"])
    if len(parts) < 2:
        return
    table = catalog.tables.get(text_name(catalog.dialect, ".".join(parts[:-1])))
    column_name = text_name(catalog.dialect, parts[-1])
    column = table.columns.get(column_name) if table else None
    if table is not None and column is not None:
        table.columns[column_name] = replace(column, comment=text)


def short(text: str) -> str:
    first = " ".join(text.split())
    return first[:60] + ("..." if len(first) > 60 else "")
