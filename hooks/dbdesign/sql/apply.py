"""Ops applied to a Catalog, in order (`effects.replay`): each op kind's
handler (`APPLY`, one per kind of `effects.OPS`). Whatever depends on what
exists (IF NOT EXISTS, a LIKE source, an ALTER of a table never created)
is decided here, when the op is applied; no parser is needed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from dbdesign.sql.catalog import Catalog, Column, ForeignKey, Index, Origin, Table

# An op: a tuple whose first item names it (`effects.OPS` gives the types).
Op = tuple[Any, ...]


def apply(catalog: Catalog, ops: Iterable[Op], path: str) -> None:
    """Apply one statement's OPS to CATALOG. Never raises on ops that
    `valid_ops` accepts: an op naming what does not exist does nothing."""
    skip = 0
    for op in ops:
        if skip:
            skip -= 1
            continue
        outcome = APPLY[op[0]](catalog, op, path)
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


APPLY: dict[str, Callable[[Catalog, Op, str], object]] = {
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
