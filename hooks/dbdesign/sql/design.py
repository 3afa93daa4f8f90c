"""What the rules that ask the schema file's Catalog (`checks/schema.py`:
foreign-key indexes, redundant indexes, normalisation smells, the naming
convention) need to know of it: which indexes serve a table's lookups,
which index or key makes another redundant, the patterns of repeating
groups and list-valued columns, the naming conventions and a name
rewritten to one."""

from __future__ import annotations

import re

from dbdesign.sql.catalog import Catalog, Index, Table

_NOT_NULL = re.compile(r'^\(?\s*"?([\w$]+)"?\s+is\s+not\s+null\s*\)?$')


def _not_null_only(predicate: str | None) -> set[str] | None:
    """The columns of a `WHERE a IS NOT NULL [AND b IS NOT NULL]` index
    predicate (such an index serves every `a = ?` lookup); else None."""
    if predicate is None:
        return None
    columns = set()
    for part in re.split(r"\s+and\s+", predicate.strip().strip("()")):
        m = _NOT_NULL.match(part.strip())
        if m is None:
            return None
        columns.add(m[1])
    return columns


def key_columns(
    table: Table, catalog: Catalog, for_columns: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    """Column lists of every index that can serve lookups on TABLE: its
    own and its partitioned parents' (a parent's index cascades), and
    partial indexes that only leave out NULLs of FOR_COLUMNS."""
    out: list[tuple[str, ...]] = []
    seen: set[str] = set()
    current: Table | None = table
    while current is not None and current.name not in seen:
        seen.add(current.name)
        if current.primary_key:
            out.append(current.primary_key)
        out.extend(current.uniques)
        for index in catalog.indexes_on(current.name):
            nulls = _not_null_only(index.predicate)
            if not index.partial or (nulls is not None and nulls <= set(for_columns)):
                out.append(index.columns)
        current = catalog.tables.get(current.parent) if current.parent else None
    return out


def covering(
    index: Index,
    position: int,
    indexes: list[Index],
    keys: list[tuple[str, tuple[str, ...]]],
) -> str | None:
    cols = index.columns
    # A covering index (`INCLUDE (...)`) serves index-only scans that a key
    # without those columns cannot: redundant only with an index that
    # carries them too.
    if index.method == "btree" and not index.include:
        for what, key in keys:
            if key == cols or (not index.unique and key[: len(cols)] == cols):
                return f"{what} ({', '.join(key)})"
    for other_pos, other in enumerate(indexes):
        if other_pos == position or other.partial or other.method != index.method:
            continue
        if not set(index.include) <= set(other.columns) | set(other.include):
            continue
        if other.columns == cols:
            # exact duplicates: report the later one, or the plain one of a
            # plain and a unique index
            if index.unique and not other.unique:
                continue
            if other_pos < position or (other.unique and not index.unique):
                return f"index {other.name or '(unnamed)'}"
            continue
        prefix = len(other.columns) > len(cols) and other.columns[: len(cols)] == cols
        if prefix and not index.unique and index.method == "btree":
            return f"index {other.name or '(unnamed)'} ({', '.join(other.columns)})"
    return None


REPEAT = re.compile(r"^(?P<stem>[A-Za-z_]*?[A-Za-z])_?(?P<n>\d{1,2})$")
# stems whose numbers are versions or sizes, not repeated values
NOT_GROUPS = {
    "ipv",
    "sha",
    "md",
    "utf",
    "int",
    "float",
    "base",
    "crc",
    "http",
    "oauth",
    "col",
    "x",
    "y",
    "z",
    "lat",
    "lon",
    "lng",
}
LIST_NAME = re.compile(r"(?:_ids|_list|[a-z0-9](?:Ids|List))$")
LIST_TYPES = re.compile(
    r"^(?:text|character varying|character|json|jsonb|"
    r"varchar|nvarchar|clob|string|longtext|mediumtext|"
    r"tinytext)\b"
)


CONVENTIONS = {
    "snake_case": re.compile(r"^[a-z_][a-z0-9_]*$"),
    "camelCase": re.compile(r"^[a-z][a-zA-Z0-9]*$"),
    "PascalCase": re.compile(r"^[A-Z][a-zA-Z0-9]*$"),
    "UPPER_SNAKE_CASE": re.compile(r"^[A-Z_][A-Z0-9_]*$"),
}


def suggest(name: str, convention: str) -> str:
    words = [
        w
        for w in re.split(
            r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", name
        )
        if w
    ]
    if not words:
        return name
    if convention == "snake_case":
        return "_".join(w.lower() for w in words)
    if convention == "UPPER_SNAKE_CASE":
        return "_".join(w.upper() for w in words)
    camel = "".join(w[:1].upper() + w[1:].lower() for w in words)
    return camel if convention == "PascalCase" else camel[:1].lower() + camel[1:]
