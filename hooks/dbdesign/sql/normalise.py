"""Names, types and defaults in one spelling, so that the Catalog's lookups
and comparisons never care how a file wrote them: quoting, case, the default
schema, type aliases (`int4` is `integer`), a default's casts and
parentheses."""

from __future__ import annotations

import re

_TYPE_ALIASES = {
    "int": "integer",
    "int4": "integer",
    "integer": "integer",
    "serial": "integer",
    "serial4": "integer",
    "mediumint": "integer",
    "int8": "bigint",
    "bigserial": "bigint",
    "serial8": "bigint",
    "int2": "smallint",
    "smallserial": "smallint",
    "serial2": "smallint",
    "bool": "boolean",
    "float8": "double precision",
    "double": "double precision",
    "float": "double precision",
    "float4": "real",
    "decimal": "numeric",
    "dec": "numeric",
    "varchar": "character varying",
    "char": "character",
    "bpchar": "character",
    "nvarchar": "character varying",
    "timestamp with time zone": "timestamptz",
    "timestamp without time zone": "timestamp",
    "time with time zone": "timetz",
    "time without time zone": "time",
    "datetime": "datetime",
    "uint": "integer unsigned",
    "varbit": "bit varying",
    "ubigint": "bigint unsigned",
    "usmallint": "smallint unsigned",
    "utinyint": "tinyint unsigned",
    "umediumint": "integer unsigned",
}
_INT_TYPES = {"integer", "bigint", "smallint", "tinyint"}
_SERIAL = {"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"}
_DEFAULT_SCHEMAS = {"public", "pg_catalog", "dbo", "main"}


def normalise_type(raw: str) -> str:
    """A column type in one spelling: `int`, `INT4` and `integer` are
    `integer`; `timestamp with time zone` is `timestamptz`; MySQL's display
    widths (`int(11)`) are dropped; arrays keep their `[]`."""
    text = re.sub(r"\s+", " ", raw.strip().lower().replace('"', ""))
    text = re.sub(r"\s*([(),])\s*", r"\1", text)
    text = re.sub(r"^(?:pg_catalog|public)\.", "", text)
    suffix = ""
    while text.startswith("array<") and text.endswith(">"):
        text, suffix = text[6:-1], suffix + "[]"
    while text.endswith("[]"):
        text, suffix = text[:-2].rstrip(), suffix + "[]"
    array = re.match(r"^(.*?)\s*array$", text)
    if array:
        text, suffix = array[1], suffix + "[]"
    m = re.match(r"^([a-z_][a-z0-9_ ]*?)(\(.*\))?( unsigned)?$", text)
    if not m:
        return text + suffix
    base, params, unsigned = m[1], m[2] or "", m[3] or ""
    base = _TYPE_ALIASES.get(base, base)
    if base.split(" ")[0] in _INT_TYPES:
        params = ""
    return base + params + unsigned + suffix


def is_serial(raw: str) -> bool:
    return raw.strip().lower().replace('"', "") in _SERIAL


_NOW = re.compile(
    r"^(?:now\(\)|current_timestamp(?:\(\))?"
    r"|transaction_timestamp\(\))$"
)


def normalise_default(raw: str | None) -> str | None:
    """A default's SQL in one spelling: lower case outside strings, outer
    parentheses and casts dropped, any `nextval(...)` as `nextval()`,
    `now()` for `CURRENT_TIMESTAMP`; NULL is no default."""
    if raw is None:
        return None
    text = raw.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    parts = re.split(r"('(?:[^']|'')*')", text)
    text = "".join(
        part if part.startswith("'") else re.sub(r"\s+", " ", part.lower())
        for part in parts
    )
    text = re.sub(r"::[a-z_ .]+(?:\([0-9, ]*\))?(?:\[\])*", "", text)
    if text.startswith("nextval("):
        return "nextval()"
    if _NOW.match(text):
        return "now()"
    if text == "null":
        return None
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def normalise_name(name: str, quoted: bool = False, dialect: str = "postgres") -> str:
    """An identifier as the database resolves it: unquoted names fold to
    lower case (postgres folds them; mysql, sqlite and tsql compare them
    without case); quoted names keep their case where it matters."""
    if not quoted or dialect not in (
        "postgres",
        "redshift",
        "materialize",
        "risingwave",
        "snowflake",
        "oracle",
        "duckdb",
    ):
        return name.lower()
    return name


def qualified(schema: str | None, name: str) -> str:
    """NAME, prefixed with SCHEMA unless it is the default schema, so that
    `public.users` and `users` are the same table."""
    if not schema or schema.lower() in _DEFAULT_SCHEMAS:
        return name
    return f"{schema}.{name}"
