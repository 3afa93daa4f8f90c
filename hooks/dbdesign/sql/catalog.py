"""The Catalog: the one semantic model of a schema (tables, columns, keys,
indexes), shared by the schema rules, drift, the ERD and migration safety.

Names are stored normalised (see `sql/normalise.py`), so lookups never care
about quoting, case or the default schema. Every element remembers where it
was defined (path, line) for messages."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Origin:
    path: str
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # normalised, e.g. "integer", "numeric(10,2)", "timestamptz"
    nullable: bool = True
    default: str | None = None  # normalised SQL text of the default
    origin: Origin | None = field(default=None, compare=False)
    spelled: str | None = field(default=None, compare=False)  # as written
    comment: str | None = field(default=None, compare=False)  # COMMENT ON


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]  # empty: the referenced table's primary key
    name: str | None = None
    origin: Origin | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Index:
    name: str | None
    table: str
    columns: tuple[str, ...]  # expressions appear as their SQL text
    unique: bool = False
    partial: bool = False  # has a WHERE clause
    origin: Origin | None = field(default=None, compare=False)
    method: str = "btree"  # USING ...; lower case
    predicate: str | None = field(default=None, compare=False)  # WHERE ...
    include: tuple[str, ...] = ()  # INCLUDE (...): carried, not searched


@dataclass
class Table:
    name: str  # normalised, schema-qualified only outside the default schema
    columns: dict[str, Column] = field(default_factory=dict)
    primary_key: tuple[str, ...] = ()
    uniques: list[tuple[str, ...]] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    parent: str | None = None  # set for a partition of a partitioned table
    origin: Origin | None = None
    spelled: str | None = None  # the name as written, for naming rules
    comment: str | None = None  # COMMENT ON TABLE
    # False when the columns are unknown (CREATE TABLE ... AS SELECT)
    complete: bool = True
    # Named PRIMARY KEY / UNIQUE constraints: name -> ("pk" | "unique", cols)
    constraints: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)

    def key_of_partition(self, catalog: Catalog) -> tuple[str, ...]:
        """The primary key, or the nearest partitioned parent's: a
        partition of a parent with a primary key has one."""
        seen: set[str] = set()
        table: Table | None = self
        while table is not None and table.name not in seen:
            if table.primary_key:
                return table.primary_key
            seen.add(table.name)
            table = catalog.tables.get(table.parent) if table.parent else None
        return ()


class Tables(dict[str, Table]):
    """The Catalog's tables by name. While a journal is open it notes, for
    each name set or removed, whether the name was there before its first
    change: what one statement created is then known in the time of its
    own changes, not by copying every name before each statement (which
    made replaying N statements take N squared steps)."""

    _journal: dict[str, bool] | None = None  # name -> there before

    def __setitem__(self, name: str, table: Table) -> None:
        self._note(name)
        super().__setitem__(name, table)

    def __delitem__(self, name: str) -> None:
        self._note(name)
        super().__delitem__(name)

    def pop(self, name: str, *default: Any) -> Any:
        self._note(name)
        return super().pop(name, *default)

    def _note(self, name: str) -> None:
        if self._journal is not None and name not in self._journal:
            self._journal[name] = name in self

    def open_journal(self) -> None:
        self._journal = {}

    def close_journal(self) -> frozenset[str]:
        """The names added since open_journal() that were not there
        before it and are there now."""
        journal, self._journal = self._journal or {}, None
        return frozenset(
            name for name, before in journal.items() if not before and name in self
        )


@dataclass
class Catalog:
    dialect: str = "postgres"
    tables: Tables = field(default_factory=Tables)
    indexes: list[Index] = field(default_factory=list)
    # Statements the database accepts but the Catalog does not model, as
    # (origin, short description), reported once per file as a note.
    unmodelled: list[tuple[Origin, str]] = field(default_factory=list)
    # lookups by table and by name, rebuilt when `indexes` is replaced or
    # grows (it is only ever replaced or appended to), so that large schemas
    # stay linear. The view holds the list it was built from: compared by
    # `is`, as an id() could be reused by a later list once the old one dies
    _view: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.tables, Tables):
            self.tables = Tables(self.tables)

    def indexes_on(self, table: str) -> list[Index]:
        return list(self._index_view()["by_table"].get(table, ()))

    def has_index(self, name: str) -> bool:
        return name in self._index_view()["names"]

    def add_index(self, index: Index) -> None:
        view = self._index_view()
        self.indexes.append(index)
        view["by_table"].setdefault(index.table, []).append(index)
        view["names"].add(index.name)
        view["key"] = (self.indexes, len(self.indexes))

    # -- edits, as DDL makes them --------------------------------------------

    def drop_table(self, name: str) -> None:
        """Drop a table, its indexes and the foreign keys to it (CASCADE;
        without it the database refuses, and then nothing happened)."""
        if self.tables.pop(name, None) is None:
            return
        self.drop_indexes_of(name)
        for other in self.tables.values():
            other.foreign_keys = [
                fk for fk in other.foreign_keys if fk.ref_table != name
            ]

    def rename_index(self, old: str, new: str) -> None:
        """An index, or the UNIQUE / PRIMARY KEY constraint behind it."""
        self.indexes = [
            replace(i, name=new) if i.name == old else i for i in self.indexes
        ]
        for table in self.tables.values():
            if old in table.constraints:
                table.constraints[new] = table.constraints.pop(old)

    def drop_indexes_of(self, table: str) -> None:
        self.indexes = [i for i in self.indexes if i.table != table]

    def drop_column(self, table: Table, name: str) -> None:
        """Drop a column with the keys and indexes that use it."""
        table.columns.pop(name, None)
        if name in table.primary_key:
            table.primary_key = ()
        table.uniques = [u for u in table.uniques if name not in u]
        table.foreign_keys = [fk for fk in table.foreign_keys if name not in fk.columns]
        table.constraints = {
            k: v for k, v in table.constraints.items() if name not in v[1]
        }
        self.indexes = [
            i for i in self.indexes if not (i.table == table.name and name in i.columns)
        ]

    def drop_constraint(self, table: Table, name: str) -> None:
        table.foreign_keys = [fk for fk in table.foreign_keys if fk.name != name]
        kind_cols = table.constraints.pop(name, None)
        if kind_cols is None:
            return
        kind, cols = kind_cols
        if kind == "pk" and table.primary_key == cols:
            table.primary_key = ()
        elif kind == "unique" and cols in table.uniques:
            table.uniques.remove(cols)

    def rename_constraint(self, table: Table, old: str, new: str) -> None:
        table.foreign_keys = [
            replace(fk, name=new) if fk.name == old else fk for fk in table.foreign_keys
        ]
        if old in table.constraints:
            table.constraints[new] = table.constraints.pop(old)

    def rename_column(self, table: Table, old: str, new: str) -> None:
        """Rename a column everywhere it is used, in order."""
        if old not in table.columns or old == new:
            return
        table.columns = {
            (new if key == old else key): (
                replace(col, name=new, spelled=new) if key == old else col
            )
            for key, col in table.columns.items()
        }

        def swap(cols: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(new if c == old else c for c in cols)

        table.primary_key = swap(table.primary_key)
        table.uniques = [swap(u) for u in table.uniques]
        table.constraints = {
            k: (v[0], swap(v[1])) for k, v in table.constraints.items()
        }
        # Only what uses the column is rebuilt: a long replay renames often.
        if any(old in fk.columns for fk in table.foreign_keys):
            table.foreign_keys = [
                replace(fk, columns=swap(fk.columns)) for fk in table.foreign_keys
            ]
        for other in self.tables.values():
            if any(
                fk.ref_table == table.name and old in fk.ref_columns
                for fk in other.foreign_keys
            ):
                other.foreign_keys = [
                    replace(fk, ref_columns=swap(fk.ref_columns))
                    if fk.ref_table == table.name
                    else fk
                    for fk in other.foreign_keys
                ]
        if any(
            old in i.columns for i in self._index_view()["by_table"].get(table.name, ())
        ):
            self.indexes = [
                replace(i, columns=swap(i.columns)) if i.table == table.name else i
                for i in self.indexes
            ]

    def rename_table(self, old: str, new: str, spelled: str) -> None:
        """Rename a table, and what refers to it."""
        table = self.tables.pop(old, None)
        if table is None:
            return
        table.name = new
        table.spelled = spelled
        self.tables[new] = table
        for other in self.tables.values():
            other.foreign_keys = [
                replace(fk, ref_table=new) if fk.ref_table == old else fk
                for fk in other.foreign_keys
            ]
            if other.parent == old:
                other.parent = new
        self.indexes = [
            replace(i, table=new) if i.table == old else i for i in self.indexes
        ]

    def _index_view(self) -> dict[str, Any]:
        key = self._view.get("key")
        if key is None or key[0] is not self.indexes or key[1] != len(self.indexes):
            by_table: dict[str, list[Index]] = {}
            for index in self.indexes:
                by_table.setdefault(index.table, []).append(index)
            self._view = {
                "key": (self.indexes, len(self.indexes)),
                "by_table": by_table,
                "names": {index.name for index in self.indexes},
            }
        return self._view
