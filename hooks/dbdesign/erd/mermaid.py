"""Mermaid `erDiagram` parsing, with a file line for every element, and
the erDiagram blocks of a Markdown file.

The lexer (`dbdesign.erd.lexer`) mirrors the rules of mermaid's own jison
grammar (11.17) and the parser (`dbdesign.erd.parser`) its productions, so
that what we accept is what GitHub draws and what we reject is what GitHub
shows as a parse error; what they build is `dbdesign.erd.model`, whose names
(and the lexer's) this module re-exports as the one public path. Rendering
a Catalog as a diagram is in `dbdesign.erd.render`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dbdesign.erd.lexer import CARDINALITIES as CARDINALITIES
from dbdesign.erd.lexer import MAX_TEXT as MAX_TEXT
from dbdesign.erd.lexer import MD_PARENT as MD_PARENT
from dbdesign.erd.lexer import ONE_OR_MORE as ONE_OR_MORE
from dbdesign.erd.lexer import ONLY_ONE as ONLY_ONE
from dbdesign.erd.lexer import ZERO_OR_MORE as ZERO_OR_MORE
from dbdesign.erd.lexer import ZERO_OR_ONE as ZERO_OR_ONE
from dbdesign.erd.lexer import ParseError as ParseError
from dbdesign.erd.lexer import Token as Token
from dbdesign.erd.lexer import code_length as code_length
from dbdesign.erd.lexer import is_er_diagram as is_er_diagram
from dbdesign.erd.lexer import preprocess as preprocess
from dbdesign.erd.lexer import tokenize as tokenize
from dbdesign.erd.model import LEFT as LEFT
from dbdesign.erd.model import RIGHT as RIGHT
from dbdesign.erd.model import Attribute as Attribute
from dbdesign.erd.model import Diagram as Diagram
from dbdesign.erd.model import Entity as Entity
from dbdesign.erd.model import Relationship as Relationship
from dbdesign.erd.parser import MAX_DEPTH as MAX_DEPTH
from dbdesign.erd.parser import Parser
from dbdesign.textio import split_lines

if TYPE_CHECKING:
    from markdown_it.token import Token as MdToken


def parse(source: str, first_line: int = 1) -> Diagram:
    """The erDiagram in SOURCE (a mermaid block's content, whose first line
    is FIRST_LINE of its file); raises ParseError with a file line."""
    offset = first_line - 1
    text = preprocess(source)
    try:
        tokens = list(tokenize(text))
        skip = 0
        while tokens[skip].kind == "NEWLINE":
            skip += 1
        parser = Parser(tokens[skip:], split_lines(text))
        start = parser.expect("ER_DIAGRAM", "`erDiagram` first")
        parser.document()
    except ParseError as exc:
        raise ParseError(exc.message, exc.line + offset) from None
    entities = tuple(
        Entity(
            e.name,
            e.line + offset,
            e.alias,
            tuple(
                Attribute(a.type, a.name, a.keys, a.comment, a.line + offset)
                for a in e.attributes
            ),
            None if e.block_line is None else e.block_line + offset,
        )
        for e in parser.entities.values()
    )
    relationships = tuple(
        Relationship(
            r.first,
            r.second,
            r.first_cardinality,
            r.second_cardinality,
            r.identifying,
            r.label,
            r.line + offset,
        )
        for r in parser.relationships
    )
    return Diagram(start.line + offset, entities, relationships, parser.direction)


# -- finding diagrams in Markdown ---------------------------------------------

START_MARKER = "<!-- dbdesign:erd:start -->"
END_MARKER = "<!-- dbdesign:erd:end -->"


@dataclass(frozen=True)
class Block:
    """A ```mermaid fence holding an erDiagram."""

    line: int  # of the opening fence
    first_line: int  # of the content's first line
    source: str
    generated: bool  # between the dbdesign markers
    diagram: Diagram | None
    error: ParseError | None


def markers(
    text: str,
    parsed: list[MdToken] | None = None,
) -> tuple[list[int], list[int]]:
    """0-based indexes of the lines that are a start or an end marker (HTML
    comments on their own line; not text inside a code block)."""
    from dbdesign.markdown import tokens

    lines = split_lines(text)
    starts, ends = [], []
    for token in tokens(text) if parsed is None else parsed:
        if token.type != "html_block" or not token.map:
            continue
        for index in range(token.map[0], min(token.map[1], len(lines))):
            stripped = lines[index].strip()
            if stripped == START_MARKER:
                starts.append(index)
            elif stripped == END_MARKER:
                ends.append(index)
    return starts, ends


def marked_span(
    text: str,
    parsed: list[MdToken] | None = None,
) -> tuple[int, int] | None:
    """(start, end) line indexes of the first start marker and the first
    end marker after it, or None."""
    starts, ends = markers(text, parsed)
    for start in starts:
        end = next((e for e in ends if e > start), None)
        if end is not None:
            return start, end
    return None


def blocks(text: str) -> list[Block]:
    """Every ```mermaid fence of the Markdown TEXT that holds an erDiagram,
    parsed (or with its ParseError)."""
    from dbdesign.markdown import tokens

    parsed = tokens(text)
    span = marked_span(text, parsed)
    found = []
    for token in parsed:
        if token.type != "fence" or not token.map:
            continue
        info = token.info.split()
        if not info or info[0] != "mermaid":
            continue
        if not is_er_diagram(token.content):
            continue
        begin = token.map[0]
        generated = span is not None and span[0] < begin < span[1]
        try:
            diagram: Diagram | None = parse(token.content, begin + 2)
            error = None
        except ParseError as exc:
            diagram, error = None, exc
        found.append(
            Block(begin + 1, begin + 2, token.content, generated, diagram, error)
        )
    return found
