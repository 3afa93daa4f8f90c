"""DDL that sqlglot reads only as an opaque Command, or not at all, read
with patterns: `ATTACH`/`DETACH PARTITION`, `RENAME CONSTRAINT`, pg_dump's
`ADD GENERATED ... AS IDENTITY`, MySQL's `RENAME TABLE`, `COMMENT ON`, and
the table a CREATE TABLE defines when the rest of it cannot be read."""

from __future__ import annotations

import re

from dbdesign.sql.effects import Op
from dbdesign.sql.normalise import normalise_name, qualified
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


def command(dialect: str, statement: Statement) -> list[Op]:
    """The ops of a statement sqlglot read as an opaque Command."""
    text = statement.text
    m = _ATTACH.match(text)
    if m:
        parent = (
            text_name(dialect, m["parent"]) if m["op"].lower() == "attach" else None
        )
        return [("attach", parent, text_name(dialect, m["child"]))]
    m = _RENAME_CONSTRAINT.match(text)
    if m:
        return [
            (
                "rename_constraint",
                text_name(dialect, m["table"]),
                text_name(dialect, m["old"]),
                text_name(dialect, m["new"]),
            )
        ]
    m = _ADD_IDENTITY.match(text)
    if m:
        return [
            (
                "identity",
                text_name(dialect, m["table"]),
                text_name(dialect, m["column"]),
            )
        ]
    m = _RENAME_TABLE.match(text)
    if m:
        return [
            (
                "rename_table",
                text_name(dialect, m["old"]),
                text_name(dialect, m["new"]),
                m["new"],
            )
        ]
    if re.match(r"(?is)^alter\s+table\b", text) and _IGNORABLE_ALTER.search(text):
        return []
    if re.match(r"(?is)^(?:create|alter)\s", text):
        return [("unmodelled", (statement.line, statement.column), short(text))]
    return []


def placeholder(dialect: str, statement: Statement) -> list[Op]:
    """A CREATE TABLE the model cannot read still creates its table
    (with unknown columns), so that nothing dangles on it."""
    m = _CREATE_TABLE.match(statement.text)
    if m is None:
        return []
    parts = re.findall(_NAME, m["name"])
    return [
        (
            "placeholder",
            text_name(dialect, m["name"]),
            parts[-1].strip('"`[]'),
            (statement.line, statement.column),
        )
    ]


def comment(dialect: str, statement: Statement) -> list[Op]:
    """COMMENT ON TABLE t / COLUMN t.c IS '...' (or NULL)."""
    m = _COMMENT.match(statement.text)
    if m is None:
        return []
    text = None if m["null"] else m["text"][1:-1].replace("''", "'")
    if m["kind"].lower() == "table":
        return [("comment_table", text_name(dialect, m["name"]), text)]
    parts = re.findall(_NAME, m["name"])
    if len(parts) < 2:
        return []
    return [
        (
            "comment_column",
            text_name(dialect, ".".join(parts[:-1])),
            text_name(dialect, parts[-1]),
            text,
        )
    ]


def short(text: str) -> str:
    first = " ".join(text.split())
    return first[:60] + ("..." if len(first) > 60 else "")
