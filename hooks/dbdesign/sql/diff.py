"""Differences between two Catalogs (what replaying the migrations built,
and what the schema file says), one per table, column, type, nullability,
default, key and index, for SQ007. Index and constraint names are not
compared: tools name them differently and nothing depends on them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from dbdesign.sql.catalog import Catalog, Index, Origin, Table


@dataclass(frozen=True)
class Difference:
    table: str
    column: str | None
    what: str  # table, column, type, nullability, default, primary key, ...
    schema: str  # the schema file's side ("absent" when it lacks it)
    migrations: str  # the migrations' side
    origin: Origin | None  # where to point: the schema file, else a migration

    @property
    def subject(self) -> str:
        return f"{self.table}.{self.column}" if self.column else self.table


ABSENT = "absent"


def diff(migrations: Catalog, schema: Catalog) -> list[Difference]:
    """Every difference between MIGRATIONS and SCHEMA."""
    out: list[Difference] = []
    for name, table in schema.tables.items():
        other = migrations.tables.get(name)
        if other is None:
            out.append(Difference(name, None, "table", "defined", ABSENT, table.origin))
    for name, other in migrations.tables.items():
        if name not in schema.tables:
            out.append(Difference(name, None, "table", ABSENT, "created", other.origin))
    for name, table in schema.tables.items():
        other = migrations.tables.get(name)
        if other is not None and table.complete and other.complete:
            out.extend(_table(table, other, schema, migrations))
    return out


def _table(
    schema_t: Table, mig_t: Table, schema: Catalog, migrations: Catalog
) -> list[Difference]:
    out: list[Difference] = []
    name = schema_t.name
    for col_name, col in schema_t.columns.items():
        other = mig_t.columns.get(col_name)
        if other is None:
            out.append(
                Difference(
                    name,
                    col_name,
                    "column",
                    col.type,
                    ABSENT,
                    col.origin or schema_t.origin,
                )
            )
            continue
        where = col.origin or schema_t.origin
        if col.type != other.type:
            out.append(Difference(name, col_name, "type", col.type, other.type, where))
        if col.nullable != other.nullable:
            out.append(
                Difference(
                    name,
                    col_name,
                    "nullability",
                    "NULL" if col.nullable else "NOT NULL",
                    "NULL" if other.nullable else "NOT NULL",
                    where,
                )
            )
        if col.default != other.default:
            out.append(
                Difference(
                    name,
                    col_name,
                    "default",
                    _show(col.default),
                    _show(other.default),
                    where,
                )
            )
    for col_name, other in mig_t.columns.items():
        if col_name not in schema_t.columns:
            out.append(
                Difference(
                    name, col_name, "column", ABSENT, other.type, schema_t.origin
                )
            )
    if schema_t.primary_key != mig_t.primary_key:
        out.append(
            Difference(
                name,
                None,
                "primary key",
                _cols(schema_t.primary_key) or ABSENT,
                _cols(mig_t.primary_key) or ABSENT,
                schema_t.origin,
            )
        )
    if (schema_t.parent or None) != (mig_t.parent or None):
        out.append(
            Difference(
                name,
                None,
                "partition of",
                schema_t.parent or ABSENT,
                mig_t.parent or ABSENT,
                schema_t.origin,
            )
        )
    out.extend(
        _keyed(
            name,
            "unique key",
            _uniques(schema_t, schema),
            _uniques(mig_t, migrations),
            schema_t.origin,
        )
    )
    out.extend(
        _keyed(
            name,
            "foreign key",
            _fks(schema_t, schema),
            _fks(mig_t, migrations),
            schema_t.origin,
        )
    )
    out.extend(
        _keyed(
            name,
            "index",
            _indexes(name, schema),
            _indexes(name, migrations),
            schema_t.origin,
            _index_origins(name, schema),
        )
    )
    return out


def _keyed(
    table: str,
    what: str,
    schema_side: Counter[str],
    mig_side: Counter[str],
    origin: Origin | None,
    origins: dict[str, Origin] | None = None,
) -> list[Difference]:
    out = []
    for key in sorted((schema_side - mig_side).elements()):
        where = (origins or {}).get(key, origin)
        out.append(Difference(table, None, what, key, ABSENT, where))
    for key in sorted((mig_side - schema_side).elements()):
        out.append(Difference(table, None, what, ABSENT, key, origin))
    return out


def _uniques(table: Table, catalog: Catalog) -> Counter[str]:
    keys = {_cols(u) for u in table.uniques}
    keys |= {
        _cols(i.columns)
        for i in catalog.indexes_on(table.name)
        if i.unique and not i.partial
    }
    return Counter(keys)


def _fks(table: Table, catalog: Catalog) -> Counter[str]:
    out: Counter[str] = Counter()
    for fk in table.foreign_keys:
        ref_cols = fk.ref_columns
        if not ref_cols:
            ref = catalog.tables.get(fk.ref_table)
            ref_cols = ref.primary_key if ref is not None else ()
        out[f"{_cols(fk.columns)} -> {fk.ref_table}{_cols(ref_cols)}"] += 1
    return out


def _index_key(index: Index) -> str:
    using = f" USING {index.method}" if index.method != "btree" else ""
    where = " WHERE ..." if index.partial else ""
    return f"{_cols(index.columns)}{using}{where}"


def _indexes(table: str, catalog: Catalog) -> Counter[str]:
    return Counter(
        _index_key(i) for i in catalog.indexes_on(table) if not i.unique or i.partial
    )


def _index_origins(table: str, catalog: Catalog) -> dict[str, Origin]:
    return {
        _index_key(i): i.origin
        for i in catalog.indexes_on(table)
        if i.origin is not None
    }


def _cols(cols: tuple[str, ...]) -> str:
    return "(" + ", ".join(cols) + ")" if cols else ""


def _show(default: str | None) -> str:
    return "no default" if default is None else f"DEFAULT {default}"
