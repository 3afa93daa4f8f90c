"""What `dbdesign init` writes that depends on the configured dialect: the
schema skeleton's example, one bundled template per dialect in a table, so
that a new dialect is one entry (the migrations README follows the naming
scheme through templates/naming/, in scaffold.py)."""

from __future__ import annotations

from importlib import resources

# The schema skeleton's example in each dialect's idiom; other dialects get
# the portable one.
SCHEMA_TEMPLATES: dict[str, str] = {
    "postgres": "database-schema.sql",
    "sqlite": "schema/sqlite.sql",
    "mysql": "schema/mysql.sql",
    "tsql": "schema/tsql.sql",
}
PORTABLE_SCHEMA = "schema/portable.sql"


def schema_template(dialect: str) -> str:
    """The bundled template (a path under templates/) for DIALECT."""
    return SCHEMA_TEMPLATES.get(dialect, PORTABLE_SCHEMA)


def bundled(name: str) -> bytes:
    """A bundled template's bytes (NAME is a path under templates/)."""
    ref = resources.files("dbdesign").joinpath("templates", *name.split("/"))
    return ref.read_bytes()
