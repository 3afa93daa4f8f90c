"""The migration tools' own tables, and the tables `drift_ignore` names:
part of the database, not of the design, so drift, the ERD and the key
rules never report on them."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence

from dbdesign.sql.catalog import Catalog, Tables

TABLES = frozenset(
    {
        "flyway_schema_history",
        "schema_migrations",
        "__diesel_schema_migrations",
        "goose_db_version",
        "_prisma_migrations",
        "databasechangelog",
        "databasechangeloglock",
        "atlas_schema_revisions",
    }
)
SCHEMAS = frozenset({"sqitch", "atlas_schema_revisions"})


def ignored(name: str, globs: Sequence[str] = ()) -> bool:
    """Whether the table NAME (as the Catalog keys it) is a tool's
    bookkeeping table or matches a `drift_ignore` glob (against the
    qualified or the bare name)."""
    schema, _, bare = name.rpartition(".")
    if bare.lower() in TABLES or schema.lower() in SCHEMAS:
        return True
    return any(
        fnmatch.fnmatchcase(name, glob) or fnmatch.fnmatchcase(bare, glob)
        for glob in globs
    )


def visible(catalog: Catalog, globs: Sequence[str] = ()) -> Catalog:
    """CATALOG without the ignored tables and their indexes (CATALOG itself
    when there are none)."""
    gone = {name for name in catalog.tables if ignored(name, globs)}
    if not gone:
        return catalog
    return Catalog(
        dialect=catalog.dialect,
        tables=Tables((k, v) for k, v in catalog.tables.items() if k not in gone),
        indexes=[i for i in catalog.indexes if i.table not in gone],
        unmodelled=catalog.unmodelled,
    )
