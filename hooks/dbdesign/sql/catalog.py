"""The Catalog: the one semantic model of a schema (tables, columns, keys,
indexes), shared by the schema rules, drift, the ERD and migration safety.

Names are stored normalised (see `normalise_name`), so lookups never care
about quoting, case or the default schema. Every element remembers where it
was defined (path, line) for messages."""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass
class Table:
    name: str  # normalised, schema-qualified only outside the default schema
    columns: dict[str, Column] = field(default_factory=dict)
    primary_key: tuple[str, ...] = ()
    uniques: list[tuple[str, ...]] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    parent: str | None = None  # set for a partition of a partitioned table
    origin: Origin | None = None


@dataclass
class Catalog:
    dialect: str = "postgres"
    tables: dict[str, Table] = field(default_factory=dict)
    indexes: list[Index] = field(default_factory=list)
    # Statements the database accepts but the Catalog does not model, as
    # (origin, short description), reported once per file as a note.
    unmodelled: list[tuple[Origin, str]] = field(default_factory=list)

    def table(self, name: str) -> Table | None:
        return self.tables.get(name)

    def indexes_on(self, table: str) -> list[Index]:
        return [index for index in self.indexes if index.table == table]
