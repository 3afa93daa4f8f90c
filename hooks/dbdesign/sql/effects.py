"""What one SQL statement does, as plain data: its edits to the Catalog
(`ops`), what the replay records for the safety rules (`Step`), and the
facts those rules judge. Both parsers produce it (sqlglot in
`sql/build.py`, PostgreSQL's own in `sql/pgbuild.py`); replaying it needs
neither, so a migration read once is never parsed again (`sql/memo.py`
keeps it between runs).

An op is a tuple whose first item names it; OPS gives the type of every
other item. Ops never look at the Catalog when they are made: whatever
depends on what exists (IF NOT EXISTS, a LIKE source, an ALTER of a table
never created) is decided when they are applied, in order (`apply.py`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from dbdesign.sql.apply import APPLY, apply
from dbdesign.sql.apply import Op as Op
from dbdesign.sql.catalog import Catalog, Column, Origin
from dbdesign.sql.normalise import normalise_type
from dbdesign.sql.split import Statement

Fact = tuple[Any, ...]

# Item types: s text, s? text or None, b bool, b? bool or None, i a small
# count, o an origin ([line, column] or None), l a list of texts.
OPS: dict[str, tuple[object, ...]] = {
    # name, spelled, origin, IF NOT EXISTS, PARTITION OF parent, AS SELECT
    "table": ("s", "s", "o", "b", "s?", "b"),
    # an ALTER TABLE of a table the Catalog lacks changes nothing
    "require": ("s",),
    # table, name, type, nullable, default, origin, spelled
    "column": ("s", "s", "s", "b", "s?", "o", "s"),
    # ADD COLUMN IF NOT EXISTS: when the table has the column, skip the
    # next N ops (the column and its inline keys)
    "unless_column": ("s", "s", "i"),
    "like": ("s", "s"),  # table, source
    "inline_pk": ("s", "s"),  # table, column
    "inline_unique": ("s", "s"),
    "pk": ("s", "l", "s?"),  # table, columns, constraint name
    "unique": ("s", "l", "s?"),
    # table, "pk" | "unique", index, constraint name (ADD ... USING INDEX)
    "key_using_index": ("s", "s", "s", "s?"),
    # table, columns, referenced table, referenced columns, name, origin
    "fk": ("s", "l", "s", "l", "s?", "o"),
    # name, table, columns, unique, partial, origin, method, predicate,
    # include, IF NOT EXISTS
    "index": ("s?", "s", "l", "b", "b", "o", "s", "s?", "l", "b"),
    # table, column, new type, SET DEFAULT given, default, nullable, DROP DEFAULT
    "alter_column": ("s", "s", "s?", "b", "s?", "b?", "b"),
    "rename_column": ("s", "s", "s"),  # table, old, new
    "rename_table": ("s", "s", "s"),  # old, new, spelled
    "drop_column": ("s", "s"),
    "drop_constraint": ("s", "s"),
    "drop_table_index": ("s", "s"),  # MySQL: ALTER TABLE t DROP INDEX i
    "drop_pk": ("s",),
    "rename_index": ("s", "s"),
    "drop_table": ("s",),
    "drop_index": ("s",),
    "drop_schema": ("s",),
    "attach": ("s?", "s"),  # parent (None: DETACH), child
    "rename_constraint": ("s", "s", "s"),
    "identity": ("s", "s"),  # table, column
    "comment_table": ("s", "s?"),
    "comment_column": ("s", "s", "s?"),
    "placeholder": ("s", "s", "o"),  # a CREATE TABLE no parser could read
    "unmodelled": ("o", "s"),
}

# The facts MG010-MG013 judge, one per statement; an item that is a mapping
# is a list of the facts it describes (`alter` carries its actions).
ACTIONS: dict[str, tuple[object, ...]] = {
    "drop_column": ("s",),
    # column, NOT NULL without a default, IF NOT EXISTS
    "add_column": ("s", "b", "b"),
    "type": ("s", "s", "b"),  # column, new type, USING
    "modify": ("s", "s?", "s"),  # column, renamed from, new type ("" none)
    "rename_column": ("s", "s"),
    "rename_table": ("s",),
}
SAFETY: dict[str, tuple[object, ...]] = {
    "drop_schema": (),
    "drop_tables": ("l",),
    "truncate": ("l",),
    "create_index": ("s", "b", "b"),  # table, unique, CONCURRENTLY
    "alter": ("s", ACTIONS),  # table, actions
    "rename_tables": ("s",),  # MySQL's RENAME TABLE old TO new
}

assert set(APPLY) == set(OPS)


@dataclass(frozen=True)
class Effects:
    """One statement: its Catalog ops; whether it is a CREATE, the table an
    ALTER TABLE changes, what a DROP TABLE / INDEX drops (kind, names, IF
    EXISTS): what the replay's Step needs; and the facts of the safety
    rules (`safety`: MG010-MG013, `locks`: MG014-MG020, see `locks.py`)."""

    ops: tuple[Op, ...] = ()
    create: bool = False
    alter: str | None = None
    drop: tuple[str, tuple[str, ...], bool] | None = None
    safety: Fact | None = None
    locks: Fact | None = None


@dataclass(frozen=True)
class Step:
    """What the safety rules (MG010-MG020) need to know of one statement
    of a replay, recorded while the one replay runs: the tables it created,
    the columns of the table an ALTER TABLE changes as they were just
    before it (None when the table is unknown), the table of each index a
    DROP INDEX drops (None when unknown), and the targets of a DROP ... IF
    EXISTS that the replay knows do not exist (every earlier DDL statement
    was understood and none made them)."""

    created: frozenset[str] = frozenset()
    columns: Mapping[str, Column] | None = None
    index_tables: Mapping[str, str | None] | None = None
    absent: frozenset[str] = frozenset()


_NOTHING_KNOWN = Step()


class Replayable(Protocol):
    """A parsed file, as the replay reads it (`parsed_file.ParsedFile`)."""

    @property
    def path(self) -> str: ...
    @property
    def statements(self) -> list[Statement]: ...
    @property
    def effects(self) -> dict[int, Effects]: ...
    @property
    def unreadable(self) -> list[tuple[int, str]]: ...


def replay(
    catalog: Catalog, parsed: Replayable, steps: dict[int, Step] | None = None
) -> None:
    """Apply PARSED's statements to CATALOG in order; with STEPS, record
    each statement's Step under its index."""
    path = parsed.path
    for line, text in parsed.unreadable:
        catalog.unmodelled.append((Origin(path, line), text))
    for index, effects in parsed.effects.items():  # in statement order
        if steps is None:
            apply(catalog, effects.ops, path)
            continue
        columns = None
        if effects.alter is not None:
            columns = _altered_columns(catalog, effects.alter)
        index_tables: dict[str, str | None] | None = None
        absent: frozenset[str] = frozenset()
        if effects.drop is not None:
            index_tables, absent = _dropped(catalog, effects.drop)
        catalog.tables.open_journal()
        try:
            apply(catalog, effects.ops, path)
        finally:
            created = catalog.tables.close_journal()
        # Only CREATE TABLE makes a new table: a renamed one keeps its rows
        # (the rules must still see `ALTER TABLE a RENAME TO b` then `ALTER
        # TABLE b DROP COLUMN c` as touching data).
        if not effects.create:
            created = frozenset()
        if created or columns is not None or effects.drop is not None:
            steps[index] = Step(created, columns, index_tables, absent)
        else:
            steps[index] = _NOTHING_KNOWN


def _altered_columns(catalog: Catalog, table: str | None) -> dict[str, Column] | None:
    found = catalog.tables.get(table) if table is not None else None
    # Columns are frozen: a shallow copy keeps the state before the ALTER
    return None if found is None else dict(found.columns)


def _dropped(
    catalog: Catalog, drop: tuple[str, tuple[str, ...], bool] | None
) -> tuple[dict[str, str | None] | None, frozenset[str]]:
    """For a DROP INDEX: each index's table; for a DROP TABLE or INDEX ...
    IF EXISTS: the targets the replay knows are not there."""
    if drop is None:
        return None, frozenset()
    kind, names, exists = drop
    tables: dict[str, str | None] | None = None
    if kind == "INDEX":
        by_name = {i.name: i.table for i in catalog.indexes if i.name}
        tables = {name: by_name.get(name) for name in names}
    absent: frozenset[str] = frozenset()
    # Only a replay that understood every earlier DDL statement can say an
    # object is not there.
    if exists and not catalog.unmodelled:
        there: Mapping[str, object] = (
            catalog.tables if kind == "TABLE" else (tables or {})
        )
        absent = frozenset(name for name in names if there.get(name) is None)
    return tables, absent


def column_ops(
    table: str,
    column: tuple[str, str, bool, str | None, tuple[int, int], str],
    keys: Sequence[Op],
    if_not_exists: bool = False,
) -> list[Op]:
    """The ops of a column definition: COLUMN (name, type as written,
    nullable, default, origin, spelled) then its inline KEYS; with
    IF_NOT_EXISTS (`ADD COLUMN IF NOT EXISTS`) none of them when the column
    is there."""
    name, raw_type, nullable, default, origin, spelled = column
    type_ = normalise_type(raw_type) if raw_type else ""
    op = ("column", table, name, type_, nullable, default, origin, spelled)
    if not if_not_exists:
        return [op, *keys]
    return [("unless_column", table, name, len(keys) + 1), op, *keys]
