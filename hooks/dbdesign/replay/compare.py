"""Two introspected schemas compared object by object (RP003 between the
migrations and the schema file, RP004 between before an up migration and
after its down): one Difference per object that is missing on one side or
defined differently, with both definitions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dbdesign.replay.introspect import Item, Schema

# Kinds whose objects are named by the database when the SQL does not name
# them: the same object may carry another name on the other side.
_RENAMEABLE = ("constraint", "index", "trigger", "policy", "sequence")
_INDEX_NAME = re.compile(r"(?i)^(CREATE (?:UNIQUE )?INDEX )\S+( ON )")


@dataclass(frozen=True)
class Difference:
    kind: str
    name: str
    left: str | None  # its definition on the left (None: absent there)
    right: str | None
    right_name: str | None = None  # set when only the name differs


def normalised(definition: str) -> str:
    return " ".join(definition.split()).rstrip(";")


def _unnamed(kind: str, definition: str) -> str:
    text = normalised(definition)
    return _INDEX_NAME.sub(r"\1\2", text) if kind == "index" else text


def diff(left: Schema, right: Schema) -> list[Difference]:
    """What differs between LEFT and RIGHT. The parts of a table that one
    side lacks altogether (its columns, constraints, ...) are not repeated:
    the table's own difference says it."""
    tables_left = {name for kind, name in left if kind == "table"}
    tables_right = {name for kind, name in right if kind == "table"}
    lone = tables_left ^ tables_right

    def shown(kind: str, item: Item) -> bool:
        return kind == "table" or item.owner not in lone

    only_left = {k: v for k, v in left.items() if k not in right and shown(k[0], v)}
    only_right = {k: v for k, v in right.items() if k not in left and shown(k[0], v)}
    out: list[Difference] = []
    for key in sorted(set(left) & set(right)):
        a, b = left[key], right[key]
        if normalised(a.definition) != normalised(b.definition):
            out.append(Difference(key[0], key[1], a.definition, b.definition))
    # The same object under two names (a constraint the database named).
    for key, item in sorted(only_left.items()):
        kind = key[0]
        if kind not in _RENAMEABLE:
            continue
        for other, candidate in sorted(only_right.items()):
            if (
                other[0] == kind
                and candidate.owner == item.owner
                and _unnamed(kind, candidate.definition)
                == _unnamed(kind, item.definition)
            ):
                out.append(
                    Difference(kind, key[1], item.definition, item.definition, other[1])
                )
                del only_right[other]
                break
        else:
            out.append(Difference(kind, key[1], item.definition, None))
            continue
    for key, item in sorted(only_left.items()):
        if key[0] not in _RENAMEABLE:
            out.append(Difference(key[0], key[1], item.definition, None))
    for key, item in sorted(only_right.items()):
        out.append(Difference(key[0], key[1], None, item.definition))
    order = {k: n for n, k in enumerate(("schema", "extension", "type", "table"))}
    out.sort(key=lambda d: (order.get(d.kind, 9), d.name, d.kind))
    return out


def short(definition: str, limit: int = 240) -> str:
    """DEFINITION on one line, cut at LIMIT characters."""
    text = normalised(definition)
    return text if len(text) <= limit else text[: limit - 1] + "…"
