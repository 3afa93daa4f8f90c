"""Column types as an ERD writes them against the schema's: a type's base
name in one spelling (`base_type`), and whether what the ERD wrote stands
for the schema's type (`type_matches`), the loose words hand-drawn ERDs use
(`string`, `int`, `number`) included. The ER check (ER005) asks; the
comparison is by base name, never by length or precision.

The synonyms differ from `sql.catalog`'s type aliases on purpose: those
spell a type exactly for schema drift (`float` is `double precision`, `uint`
keeps `unsigned`), these fold what diagrams write loosely (`varchar2`,
`nchar`, signedness dropped, `float` left to the generic words)."""

from __future__ import annotations

import re

_SYNONYMS = {
    "int": "integer",
    "int4": "integer",
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
    "float4": "real",
    "decimal": "numeric",
    "dec": "numeric",
    "varchar": "character varying",
    "nvarchar": "character varying",
    "varchar2": "character varying",
    "nvarchar2": "character varying",
    "char": "character",
    "bpchar": "character",
    "nchar": "character",
    "timestamp with time zone": "timestamptz",
    "timestamp without time zone": "timestamp",
    "time with time zone": "timetz",
    "time without time zone": "time",
}
_TEXTS = {
    "character varying",
    "character",
    "text",
    "citext",
    "tinytext",
    "mediumtext",
    "longtext",
    "clob",
    "ntext",
    "string",
}
_INTS = {"integer", "bigint", "smallint", "tinyint"}
_FLOATS = {"real", "double precision"}
# The loose words hand-drawn ERDs use, and the types each stands for.
_GENERIC = {
    "string": _TEXTS,
    "int": _INTS,
    "float": _FLOATS | {"float"},
    "number": _INTS | _FLOATS | {"numeric"},
    "datetime": {"timestamp", "timestamptz", "datetime"},
}


def base_type(text: str) -> str:
    """A type's base name in one spelling: no length, precision or
    parameters, `_` for spaces (`timestamp_with_time_zone`), synonyms
    folded (`int4` is `integer`); arrays keep `[]`."""
    text = text.strip().lower().rstrip("?")
    text = re.sub(r"~.*~", "", text)
    arrays = "[]" * len(re.findall(r"\[\s*\d*\s*\]", text))
    text = re.sub(r"\[\s*\d*\s*\]", "", text)
    text = re.sub(r"\([^)]*\)?", " ", text)
    text = re.sub(r"^(?:pg_catalog|public)[._]", "", text)
    text = " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())
    text = re.sub(r" (?:unsigned|signed)$", "", text)
    return _SYNONYMS.get(text, text) + arrays


def type_matches(written: str, column_type: str) -> bool:
    erd, schema = base_type(written), base_type(column_type)
    if not schema or erd == schema:
        return True
    raw = " ".join(re.sub(r"[^a-z0-9]+", " ", written.lower()).split())
    generic = _GENERIC.get(raw) or _GENERIC.get(erd)
    return generic is not None and schema in generic
