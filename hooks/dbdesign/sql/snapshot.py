"""The state of a replay after the first N forward migrations, as plain
data (issue 14): the Catalog they build and the not-null checks they add
(MG015). A run whose change adds migration 5,001 restores the state after
the 5,000 it leaves alone instead of replaying them, so its work follows
the change. `memo.py` keeps one such state per project, keyed by the
chain of the N files' paths and contents; `decode` believes nothing it
is given: every table, column, key and index must have exactly the shape
`encode` writes, every place one of the N files and a line inside it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dbdesign.sql.catalog import Catalog, Column, ForeignKey, Index, Origin, Table
from dbdesign.sql.locks import Checks


class Invalid(Exception):
    """What was read back is not a state `encode` writes."""


def encode(
    catalog: Catalog, checks: Checks, paths: Sequence[str]
) -> dict[str, Any] | None:
    """CATALOG and CHECKS, their places as indexes into PATHS; None when a
    place is in none of them (nothing to keep, then)."""
    try:
        return _encode(catalog, checks, {path: n for n, path in enumerate(paths)})
    except KeyError:
        return None


def _encode(
    catalog: Catalog, checks: Checks, index: Mapping[str, int]
) -> dict[str, Any]:
    def where(origin: Origin | None) -> list[Any] | None:
        if origin is None:
            return None
        return [index[origin.path], origin.line, origin.column]

    return {
        "tables": [
            [
                t.name,
                t.spelled,
                where(t.origin),
                t.comment,
                t.complete,
                t.parent,
                list(t.primary_key),
                [list(u) for u in t.uniques],
                [
                    [
                        list(k.columns),
                        k.ref_table,
                        list(k.ref_columns),
                        k.name,
                        where(k.origin),
                    ]
                    for k in t.foreign_keys
                ],
                [
                    [name, kind, list(cols)]
                    for name, (kind, cols) in t.constraints.items()
                ],
                [
                    [
                        c.name,
                        c.type,
                        c.nullable,
                        c.default,
                        where(c.origin),
                        c.spelled,
                        c.comment,
                    ]
                    for c in t.columns.values()
                ],
            ]
            for t in catalog.tables.values()
        ],
        "indexes": [
            [
                i.name,
                i.table,
                list(i.columns),
                i.unique,
                i.partial,
                where(i.origin),
                i.method,
                i.predicate,
                list(i.include),
            ]
            for i in catalog.indexes
        ],
        "unmodelled": [[where(origin), text] for origin, text in catalog.unmodelled],
        "checks": [
            [table, name, column, valid]
            for table, known in checks.by_table.items()
            for name, (column, valid) in known.items()
        ],
    }


def decode(
    data: object, dialect: str, paths: Sequence[str], sizes: Mapping[str, int]
) -> tuple[Catalog, Checks]:
    """The Catalog and checks DATA holds, whose places are in PATHS (each
    with SIZES lines). Raises Invalid for anything `encode` would not
    write."""
    if type(data) is not dict or data.keys() != {
        "tables",
        "indexes",
        "unmodelled",
        "checks",
    }:
        raise Invalid
    read = _Reader(paths, sizes)
    catalog = Catalog(dialect=dialect)
    for row in read.rows(data["tables"], 11):
        name, spelled, origin, comment, complete, parent = row[:6]
        pk, uniques, fks, constraints, columns = row[6:]
        table = Table(
            read.text(name),
            origin=read.origin(origin),
            spelled=read.maybe(spelled),
            comment=read.maybe(comment),
            complete=read.bool(complete),
            parent=read.maybe(parent),
            primary_key=read.names(pk),
            uniques=[read.names(u) for u in read.rows(uniques)],
        )
        for fk in read.rows(fks, 5):
            table.foreign_keys.append(
                ForeignKey(
                    read.names(fk[0]),
                    read.text(fk[1]),
                    read.names(fk[2]),
                    read.maybe(fk[3]),
                    read.origin(fk[4]),
                )
            )
        for cname, kind, cols in read.rows(constraints, 3):
            if kind not in ("pk", "unique"):
                raise Invalid
            table.constraints[read.text(cname)] = (kind, read.names(cols))
        for c in read.rows(columns, 7):
            column = read.text(c[0])
            table.columns[column] = Column(
                column,
                read.text(c[1]),
                read.bool(c[2]),
                read.maybe(c[3]),
                read.origin(c[4]),
                spelled=read.maybe(c[5]),
                comment=read.maybe(c[6]),
            )
        catalog.tables[table.name] = table
    for i in read.rows(data["indexes"], 9):
        catalog.add_index(
            Index(
                read.maybe(i[0]),
                read.text(i[1]),
                read.names(i[2]),
                unique=read.bool(i[3]),
                partial=read.bool(i[4]),
                origin=read.origin(i[5]),
                method=read.text(i[6]),
                predicate=read.maybe(i[7]),
                include=read.names(i[8]),
            )
        )
    for origin, text in read.rows(data["unmodelled"], 2):
        place = read.origin(origin)
        if place is None:
            raise Invalid
        catalog.unmodelled.append((place, read.text(text)))
    checks = Checks()
    for table_name, name, column, valid in read.rows(data["checks"], 4):
        known = checks.by_table.setdefault(read.text(table_name), {})
        known[read.text(name)] = (read.text(column), read.bool(valid))
    return catalog, checks


MAX_ITEMS = 1 << 20  # more rows than any cache entry could hold


def rows(value: object, width: int | None = None) -> list[Any]:
    """VALUE, when it is a list (of lists of WIDTH items, with WIDTH);
    else Invalid. Shared with `memo_records.py`."""
    if type(value) is not list or len(value) > MAX_ITEMS:
        raise Invalid
    if width is not None:
        for row in value:
            if type(row) is not list or len(row) != width:
                raise Invalid
    return value


class _Reader:
    def __init__(self, paths: Sequence[str], sizes: Mapping[str, int]) -> None:
        self.paths = paths
        self.sizes = sizes
        self.origins: dict[tuple[int, int | None, int | None], Origin] = {}
        self.rows = rows

    def text(self, value: object) -> str:
        if type(value) is not str:
            raise Invalid
        return value

    def maybe(self, value: object) -> str | None:
        return None if value is None else self.text(value)

    def bool(self, value: object) -> bool:
        if type(value) is not bool:
            raise Invalid
        return value

    def names(self, value: object) -> tuple[str, ...]:
        for item in self.rows(value):
            if type(item) is not str:
                raise Invalid
        return tuple(value)  # type: ignore[arg-type]

    def origin(self, value: object) -> Origin | None:
        if value is None:
            return None
        if type(value) is not list or len(value) != 3:
            raise Invalid
        index, line, column = value
        if type(index) is not int or not 0 <= index < len(self.paths):
            raise Invalid
        path = self.paths[index]
        if line is not None and (
            type(line) is not int or not 1 <= line <= self.sizes[path]
        ):
            raise Invalid
        if column is not None and (type(column) is not int or column < 1):
            raise Invalid
        key = (index, line, column)
        found = self.origins.get(key)
        if found is None:
            found = self.origins[key] = Origin(path, line, column)
        return found
