"""The erDiagram as parsed: entities (with their attributes), relationships
(with the cardinality at each end) and the diagram that holds them, each
with its line in the file; and the markers mermaid writes for each
cardinality. The parser (`dbdesign.erd.parser`) builds them; the ER check
and the renderer read them."""

from __future__ import annotations

from dataclasses import dataclass

from dbdesign.erd.lexer import (
    MD_PARENT,
    ONE_OR_MORE,
    ONLY_ONE,
    ZERO_OR_MORE,
    ZERO_OR_ONE,
)

LEFT = {
    ONLY_ONE: "||",
    ZERO_OR_ONE: "|o",
    ZERO_OR_MORE: "}o",
    ONE_OR_MORE: "}|",
    MD_PARENT: "u",
}
RIGHT = {
    ONLY_ONE: "||",
    ZERO_OR_ONE: "o|",
    ZERO_OR_MORE: "o{",
    ONE_OR_MORE: "|{",
    MD_PARENT: "u",
}


@dataclass(frozen=True)
class Attribute:
    type: str  # as written, e.g. `string`, `numeric(10,2)`, `int?`
    name: str  # as written; a leading `*` marks a primary key
    keys: tuple[str, ...] = ()  # PK, FK, UK in upper case
    comment: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Entity:
    name: str
    line: int  # where it is first mentioned
    alias: str | None = None
    attributes: tuple[Attribute, ...] = ()
    block_line: int | None = None  # the first `{` block, if any


@dataclass(frozen=True)
class Relationship:
    first: str
    second: str
    first_cardinality: str  # at the first entity's end (left marker)
    second_cardinality: str  # at the second entity's end (right marker)
    identifying: bool  # `--` (solid) rather than `..` (dashed)
    label: str
    line: int


@dataclass(frozen=True)
class Diagram:
    line: int  # of the `erDiagram` keyword
    entities: tuple[Entity, ...] = ()
    relationships: tuple[Relationship, ...] = ()
    direction: str | None = None

    def entity(self, name: str) -> Entity | None:
        return next((e for e in self.entities if e.name == name), None)
