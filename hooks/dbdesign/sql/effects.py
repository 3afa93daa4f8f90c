"""What one SQL statement does, as plain data: its edits to the Catalog
(`ops`), what the replay records for the safety rules (`Step`), and the
facts those rules judge. Both parsers produce it (sqlglot in
`sql/build.py`, PostgreSQL's own in `sql/pgbuild.py`); replaying it needs
neither, so a migration read once is never parsed again (`sql/memo.py`
keeps it between runs).

An op is a tuple whose first item names it; OPS gives the type of every
other item. Ops never look at the Catalog when they are made: whatever
depends on what exists (IF NOT EXISTS, a LIKE source, an ALTER of a table
never created) is decided here, when they are applied, in order."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from dbdesign.sql.catalog import (
    Catalog,
    Column,
    ForeignKey,
    Index,
    Origin,
    Table,
    normalise_type,
)
from dbdesign.sql.split import Statement

Op = tuple[Any, ...]
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
    """A parsed file, as the replay reads it (`parse.ParsedFile`)."""

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


# -- applying ops ----------------------------------------------------------------


def apply(catalog: Catalog, ops: Iterable[Op], path: str) -> None:
    """Apply one statement's OPS to CATALOG. Never raises on ops that
    `valid_ops` accepts: an op naming what does not exist does nothing."""
    skip = 0
    for op in ops:
        if skip:
            skip -= 1
            continue
        outcome = _APPLY[op[0]](catalog, op, path)
        if outcome is _STOP:
            return
        if isinstance(outcome, int):
            skip = outcome


_STOP = object()


def _origin(path: str, value: Sequence[int] | None) -> Origin:
    if value is None:
        return Origin(path)
    return Origin(path, value[0], value[1])


def _bare(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _table(catalog: Catalog, op: Op, path: str) -> object:
    _, name, spelled, origin, if_not_exists, parent, as_select = op
    if if_not_exists and name in catalog.tables:
        return _STOP
    table = Table(name, origin=_origin(path, origin), spelled=spelled)
    if name in catalog.tables:
        catalog.drop_indexes_of(name)
    catalog.tables[name] = table
    if parent is not None:
        table.parent = parent
        found = catalog.tables.get(parent)
        if found is not None:
            table.columns = dict(found.columns)
    if as_select:
        table.complete = False  # CREATE TABLE ... AS SELECT
        return _STOP
    return None


def _require(catalog: Catalog, op: Op, path: str) -> object:
    return None if op[1] in catalog.tables else _STOP


def _column(catalog: Catalog, op: Op, path: str) -> None:
    _, table_name, name, type_, nullable, default, origin, spelled = op
    table = catalog.tables.get(table_name)
    if table is None:
        return
    table.columns[name] = Column(
        name, type_, nullable, default, _origin(path, origin), spelled=spelled
    )


def _unless_column(catalog: Catalog, op: Op, path: str) -> int:
    table = catalog.tables.get(op[1])
    return op[3] if table is not None and op[2] in table.columns else 0


def _like(catalog: Catalog, op: Op, path: str) -> None:
    table, source = catalog.tables.get(op[1]), catalog.tables.get(op[2])
    if table is None:
        return
    if source is not None:
        table.columns.update(source.columns)
    else:
        table.complete = False


def _inline_pk(catalog: Catalog, op: Op, path: str) -> None:
    table = catalog.tables.get(op[1])
    if table is not None:
        table.primary_key = (op[2],)


def _inline_unique(catalog: Catalog, op: Op, path: str) -> None:
    table = catalog.tables.get(op[1])
    if table is not None and (op[2],) not in table.uniques:
        table.uniques.append((op[2],))


def _pk(catalog: Catalog, op: Op, path: str) -> None:
    table = catalog.tables.get(op[1])
    if table is None:
        return
    cols = tuple(op[2])
    table.primary_key = cols
    for col in cols:
        column = table.columns.get(col)
        if column is not None and column.nullable:
            table.columns[col] = replace(column, nullable=False)
    table.constraints[op[3] or f"{_bare(table.name)}_pkey"] = ("pk", cols)


def _unique(catalog: Catalog, op: Op, path: str) -> None:
    table = catalog.tables.get(op[1])
    cols = tuple(op[2])
    if table is None or not cols:
        return
    if cols not in table.uniques:
        table.uniques.append(cols)
    name = op[3] or "_".join((_bare(table.name), *cols, "key"))
    table.constraints[name] = ("unique", cols)


def _key_using_index(catalog: Catalog, op: Op, path: str) -> None:
    _, table_name, kind, index_name, name = op
    index = next((i for i in catalog.indexes if i.name == index_name), None)
    if index is None or index.table != table_name:
        return
    # The index becomes the constraint's own (as a key declared with its
    # columns has), under the constraint's name.
    catalog.indexes = [i for i in catalog.indexes if i.name != index_name]
    apply_one = _pk if kind == "pk" else _unique
    apply_one(
        catalog, (kind, table_name, list(index.columns), name or index_name), path
    )


def _fk(catalog: Catalog, op: Op, path: str) -> None:
    _, table_name, cols, ref_table, ref_cols, name, origin = op
    table = catalog.tables.get(table_name)
    if table is None:
        return
    if name is None:
        name = "_".join((_bare(table.name), *cols, "fkey"))
    table.foreign_keys = [fk for fk in table.foreign_keys if fk.name != name]
    table.foreign_keys.append(
        ForeignKey(tuple(cols), ref_table, tuple(ref_cols), name, _origin(path, origin))
    )


def _index(catalog: Catalog, op: Op, path: str) -> None:
    _, name, table, cols, unique, partial, origin, method, pred, include, if_not = op
    if name is not None and if_not and catalog.has_index(name):
        return
    if name is not None and catalog.has_index(name):
        catalog.indexes = [i for i in catalog.indexes if i.name != name]
    catalog.add_index(
        Index(
            name,
            table,
            tuple(cols),
            unique=unique,
            partial=partial,
            origin=_origin(path, origin),
            method=method,
            predicate=pred,
            include=tuple(include),
        )
    )


def _alter_column(catalog: Catalog, op: Op, path: str) -> None:
    _, table_name, name, type_, set_default, default, nullable, drop_default = op
    table = catalog.tables.get(table_name)
    column = table.columns.get(name) if table is not None else None
    if table is None or column is None:
        return
    if type_ is not None:
        column = replace(column, type=type_)
    if set_default:
        column = replace(column, default=default)
    if nullable is not None:
        column = replace(column, nullable=nullable)
    elif drop_default:
        column = replace(column, default=None)
    table.columns[name] = column


def _rename_column(catalog: Catalog, op: Op, path: str) -> None:
    table = catalog.tables.get(op[1])
    if table is not None:
        catalog.rename_column(table, op[2], op[3])


def _rename_table(catalog: Catalog, op: Op, path: str) -> None:
    catalog.rename_table(op[1], op[2], op[3])


def _drop_column(catalog: Catalog, op: Op, path: str) -> None:
    table = catalog.tables.get(op[1])
    if table is not None:
        catalog.drop_column(table, op[2])


def _drop_constraint(catalog: Catalog, op: Op, path: str) -> None:
    table = catalog.tables.get(op[1])
    if table is not None:
        catalog.drop_constraint(table, op[2])


def _drop_table_index(catalog: Catalog, op: Op, path: str) -> None:
    table = catalog.tables.get(op[1])
    if table is None:
        return
    name = op[2]
    catalog.indexes = [
        i for i in catalog.indexes if not (i.name == name and i.table == table.name)
    ]
    catalog.drop_constraint(table, name)


def _drop_pk(catalog: Catalog, op: Op, path: str) -> None:
    table = catalog.tables.get(op[1])
    if table is None:
        return
    table.primary_key = ()
    table.constraints = {k: v for k, v in table.constraints.items() if v[0] != "pk"}


def _rename_index(catalog: Catalog, op: Op, path: str) -> None:
    catalog.rename_index(op[1], op[2])


def _drop_table(catalog: Catalog, op: Op, path: str) -> None:
    catalog.drop_table(op[1])


def _drop_index(catalog: Catalog, op: Op, path: str) -> None:
    catalog.indexes = [i for i in catalog.indexes if i.name != op[1]]


def _drop_schema(catalog: Catalog, op: Op, path: str) -> None:
    prefix = f"{op[1]}."
    for name in [n for n in catalog.tables if n.startswith(prefix)]:
        catalog.drop_table(name)


def _attach(catalog: Catalog, op: Op, path: str) -> None:
    child = catalog.tables.get(op[2])
    if child is not None:
        child.parent = op[1]


def _rename_constraint(catalog: Catalog, op: Op, path: str) -> None:
    table = catalog.tables.get(op[1])
    if table is not None:
        catalog.rename_constraint(table, op[2], op[3])


def _identity(catalog: Catalog, op: Op, path: str) -> None:
    _change_column(catalog, op[1], op[2], default="identity", nullable=False)


def _comment_table(catalog: Catalog, op: Op, path: str) -> None:
    table = catalog.tables.get(op[1])
    if table is not None:
        table.comment = op[2]


def _comment_column(catalog: Catalog, op: Op, path: str) -> None:
    _change_column(catalog, op[1], op[2], comment=op[3])


def _change_column(catalog: Catalog, table: str, name: str, **changes: Any) -> None:
    found = catalog.tables.get(table)
    column = found.columns.get(name) if found is not None else None
    if found is not None and column is not None:
        found.columns[name] = replace(column, **changes)


def _placeholder(catalog: Catalog, op: Op, path: str) -> None:
    _, name, spelled, origin = op
    if name not in catalog.tables:
        catalog.tables[name] = Table(
            name, origin=_origin(path, origin), spelled=spelled, complete=False
        )


def _unmodelled(catalog: Catalog, op: Op, path: str) -> None:
    catalog.unmodelled.append((_origin(path, op[1]), op[2]))


_APPLY: dict[str, Callable[[Catalog, Op, str], object]] = {
    "table": _table,
    "require": _require,
    "column": _column,
    "unless_column": _unless_column,
    "like": _like,
    "inline_pk": _inline_pk,
    "inline_unique": _inline_unique,
    "pk": _pk,
    "unique": _unique,
    "key_using_index": _key_using_index,
    "fk": _fk,
    "index": _index,
    "alter_column": _alter_column,
    "rename_column": _rename_column,
    "rename_table": _rename_table,
    "drop_column": _drop_column,
    "drop_constraint": _drop_constraint,
    "drop_table_index": _drop_table_index,
    "drop_pk": _drop_pk,
    "rename_index": _rename_index,
    "drop_table": _drop_table,
    "drop_index": _drop_index,
    "drop_schema": _drop_schema,
    "attach": _attach,
    "rename_constraint": _rename_constraint,
    "identity": _identity,
    "comment_table": _comment_table,
    "comment_column": _comment_column,
    "placeholder": _placeholder,
    "unmodelled": _unmodelled,
}
assert set(_APPLY) == set(OPS)
