"""SQ007's words: one difference between the migrations' replay and the
schema file (`diff.py`), said as what is wrong and how to mend it."""

from __future__ import annotations

from dbdesign.sql.diff import ABSENT, Difference


def describe(item: Difference, schema_path: str) -> str:
    """What ITEM means, naming SCHEMA_PATH."""
    if item.what == "table":
        if item.migrations == ABSENT:
            message = (
                f"table {item.table} is in {schema_path} but no "
                "migration creates it; add a migration that does, "
                "or remove it from the schema file"
            )
        else:
            message = (
                f"table {item.table} is created by the migrations "
                f"but missing from {schema_path}; add it there, "
                "or a migration that drops it"
            )
    elif item.what == "column" and item.migrations == ABSENT:
        message = (
            f"column {item.subject} ({item.schema}) is in "
            f"{schema_path} but no migration adds it; add a "
            "migration, or remove it from the schema file"
        )
    elif item.what == "column":
        message = (
            f"column {item.subject} ({item.migrations}) is added "
            f"by the migrations but missing from {schema_path}; "
            "add it there, or a migration that drops it"
        )
    else:
        message = (
            f"{item.what} of {item.subject} differs: "
            f"{_side(item.schema)} in {schema_path}, "
            f"{_side(item.migrations)} after the migrations; add a "
            "migration or correct the schema file"
        )
    return message


def _side(text: str) -> str:
    return "none" if text == "absent" else f"`{text}`"
