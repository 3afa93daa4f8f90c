"""Mermaid `erDiagram` parsing, with a file line for every element, and
the erDiagram blocks of a Markdown file.

The lexer (`dbdesign.erd.lexer`) mirrors the rules of mermaid's own jison
grammar (11.17) and the parser here its productions, so that what we accept
is what GitHub draws and what we reject is what GitHub shows as a parse
error. Rendering a Catalog as a diagram is in `dbdesign.erd.render`."""

from __future__ import annotations

from dataclasses import dataclass, field
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
from dbdesign.textio import split_lines

if TYPE_CHECKING:
    from markdown_it.token import Token as MdToken

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
MAX_DEPTH = 50  # nested subgraphs


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


# -- the parser ---------------------------------------------------------------

_ENTITY_NAME = {"ENTITY_NAME", "UNICODE_TEXT", "NUM", "DECIMAL_NUM", "ENTITY_ONE"}
_ROLE = {"WORD", "ENTITY_NAME", "UNICODE_TEXT"}
_STATEMENT_START = _ENTITY_NAME | {
    "NEWLINE",
    "EOF",
    "acc_title",
    "acc_descr",
    "acc_descr_multiline_value",
    "direction_tb",
    "direction_bt",
    "direction_rl",
    "direction_lr",
    "CLASSDEF",
    "CLASS",
    "STYLE",
    "SUBGRAPH",
    "END",
}


def _show(token: Token) -> str:
    if token.kind == "EOF":
        return "the end of the diagram"
    if token.kind == "NEWLINE":
        return "the end of the line"
    return f"`{token.text.strip()}`"


@dataclass
class _Entity:
    name: str
    line: int
    alias: str | None = None
    attributes: list[Attribute] = field(default_factory=list)
    block_line: int | None = None


class _Parser:
    def __init__(self, tokens: list[Token], lines: list[str] | None = None) -> None:
        self.tokens = tokens
        self.lines = lines or []  # the source, for messages
        self.pos = 0
        self.entities: dict[str, _Entity] = {}
        self.relationships: list[Relationship] = []
        self.direction: str | None = None
        self.label: Token | None = None  # the last unquoted relationship label

    @property
    def token(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        self.pos = min(self.pos + 1, len(self.tokens) - 1)
        return token

    def fail(self, expected: str, after: str = "") -> ParseError:
        token = self.token
        where = f" after {after}" if after else ""
        return ParseError(
            f"expected {expected}{where}, found {_show(token)}", token.line
        )

    def expect(self, kinds: set[str] | str, expected: str, after: str = "") -> Token:
        kinds = {kinds} if isinstance(kinds, str) else kinds
        if self.token.kind not in kinds:
            raise self.fail(expected, after)
        return self.take()

    def entity(self, name: Token, alias: str | None = None) -> _Entity:
        text = name.text
        if name.kind == "ENTITY_NAME":
            text = text.replace('"', "")
        known = self.entities.get(text)
        if known is None:
            known = self.entities[text] = _Entity(text, name.line, alias)
        elif alias and not known.alias:
            known.alias = alias
        return known

    def document(self, depth: int = 0) -> None:
        while True:
            kind = self.token.kind
            if kind == "EOF":
                if depth:
                    raise self.fail("`end` to close the subgraph")
                return
            if kind == "END":
                if depth:
                    self.take()
                    return
                raise ParseError(
                    "`end` without a `subgraph`; remove it, or "
                    "quote an entity named end",
                    self.token.line,
                )
            if kind == "NEWLINE":
                self.take()
                continue
            self.label = None
            after = self.statement(depth)
            if self.token.text == "%":
                raise ParseError(
                    "a `%%` comment must be on a line of its own; move it",
                    self.token.line,
                )
            if self.token.kind not in _STATEMENT_START:
                label = self.label
                if (
                    label is not None
                    and self.token.line == label.line
                    and self.token.kind != "CHAR"  # `;` and the like: no label
                ):
                    raise self.unquoted_label(label.line)
                if self.token.kind in ("IDENTIFYING", "NON_IDENTIFYING"):
                    raise self.fail(
                        "a cardinality such as `||` or `}o` "
                        f"before {_show(self.token)}"
                    )
                raise self.fail("a new line", after)

    def statement(self, depth: int) -> str:
        """Parse one statement; return what it was, for messages."""
        token = self.token
        kind = token.kind
        if kind in _ENTITY_NAME:
            return self.entity_statement()
        elif kind in ("acc_title", "acc_descr"):
            self.take()
            self.take()  # the lexer always yields the value next
        elif kind == "acc_descr_multiline_value":
            self.take()
        elif kind.startswith("direction_"):
            self.take()
            if depth == 0:
                self.direction = kind[len("direction_") :].upper()
        elif kind in ("CLASSDEF", "STYLE"):
            self.take()
            self.id_list("STYLE_TEXT", f"a name after `{token.text}`")
            self.styles()
            self.expect({"SEMI", "NEWLINE", "EOF"}, "the end of the line", "the style")
        elif kind == "CLASS":
            self.take()
            self.id_list("UNICODE_TEXT", "entity names after `class`")
            self.id_list("UNICODE_TEXT", "class names")
        elif kind == "SUBGRAPH":
            self.subgraph(depth)
        else:
            raise self.fail("an entity name or a statement")
        return f"`{token.text.strip()}`"

    def unquoted_label(self, line: int) -> ParseError:
        """A label of several words (or with a keyword such as `to` in it)
        written without quotes: mermaid reads a word as the label and
        stumbles on the rest of the line."""
        source = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        text = " ".join(source.split(":", 1)[-1].split())[:80]
        return ParseError(
            f"the relationship label `{text}` is not one plain word; quote it: "
            f'`: "{text}"`',
            line,
        )

    def id_list(self, kind: str, expected: str) -> None:
        self.expect(kind, expected)
        while self.token.kind == "COMMA":
            self.take()
            self.expect(kind, expected)

    def styles(self) -> None:
        parts = {"STYLE_TEXT", "NUM", "COLON", "BRKT"}
        self.expect(parts, "a style such as `fill:#f9f`")
        while True:
            while self.token.kind in parts:
                self.take()
            if self.token.kind != "COMMA":
                return
            self.take()
            self.expect(parts, "a style after `,`")

    def subgraph(self, depth: int) -> None:
        if depth >= MAX_DEPTH:
            raise ParseError(
                f"subgraphs nested more than {MAX_DEPTH} deep; nest fewer",
                self.token.line,
            )
        self.take()
        self.expect(_ENTITY_NAME, "a subgraph name", "`subgraph`")
        if self.token.kind == "SQS":
            self.take()
            self.expect(_ENTITY_NAME, "a subgraph title", "`[`")
            while self.token.kind in _ENTITY_NAME:
                self.take()
            self.expect("SQE", "`]`", "the subgraph title")
        self.expect({"NEWLINE", "EOF"}, "the end of the line", "the subgraph name")
        self.document(depth + 1)

    def classes(self) -> None:
        if self.token.kind == "STYLE_SEPARATOR":
            self.take()
            self.id_list("UNICODE_TEXT", "a class name")

    def entity_statement(self) -> str:
        first = self.take()
        if self.token.kind == "SQS":
            self.take()
            alias = self.expect(_ENTITY_NAME, "an alias", "`[`")
            self.expect("SQE", "`]`", "the alias")
            entity = self.entity(first, alias.text.replace('"', ""))
            self.classes()
            self.block(entity)
            return f"the entity {entity.name}"
        self.classes()
        if self.token.kind in CARDINALITIES:
            self.relationship(first)
            return "the relationship label"
        entity = self.entity(first)
        if self.token.kind in ("IDENTIFYING", "NON_IDENTIFYING"):
            raise self.fail("a cardinality such as `||` or `}o`", f"`{first.text}`")
        self.block(entity)
        return f"the entity {entity.name}"

    def block(self, entity: _Entity) -> None:
        if self.token.kind != "BLOCK_START":
            return
        opened = self.take()
        if entity.block_line is None:
            entity.block_line = opened.line
        while self.token.kind != "BLOCK_STOP":
            if self.token.kind == "EOF":
                raise ParseError(
                    f"the attribute block of {entity.name} "
                    f"opened on line {opened.line} is not "
                    "closed; add `}`",
                    opened.line,
                )
            entity.attributes.append(self.attribute())
        self.take()

    def attribute(self) -> Attribute:
        type_ = self.expect("ATTRIBUTE_WORD", "an attribute type")
        type_text = type_.text
        if type_text.count("(") > type_text.count(")"):
            raise ParseError(
                f"the type `{type_text}` is cut at a space; "
                "write it without spaces, as in "
                "`numeric(10,2)`",
                type_.line,
            )
        if self.token.kind == "CHAR" and self.token.text == "?":
            type_text += self.take().text
        name = self.expect(
            "ATTRIBUTE_WORD", "an attribute name", f"the type `{type_text}`"
        )
        keys: list[str] = []
        if self.token.kind == "ATTRIBUTE_KEY":
            keys.append(self.take().text.upper())
            while self.token.kind == "CHAR" and self.token.text == ",":
                self.take()
                keys.append(
                    self.expect("ATTRIBUTE_KEY", "PK, FK or UK", "`,`").text.upper()
                )
        comment = None
        if self.token.kind == "COMMENT":
            comment = self.take().text[1:-1]
        if keys and self.token.kind == "ATTRIBUTE_KEY":
            raise ParseError(
                "separate an attribute's keys with commas, as in `PK, FK`",
                self.token.line,
            )
        if self.token.kind not in ("ATTRIBUTE_WORD", "BLOCK_STOP", "EOF"):
            raise self.fail(
                'PK, FK, UK, a "comment" or the next attribute', f"`{name.text}`"
            )
        return Attribute(type_text, name.text, tuple(keys), comment, type_.line)

    def relationship(self, first: Token) -> None:
        left = self.take()
        line = self.expect(
            {"IDENTIFYING", "NON_IDENTIFYING"}, "`--` or `..`", f"`{left.text}`"
        )
        right = self.expect(
            set(CARDINALITIES),
            "a cardinality such as `o{` or `||`",
            f"`{left.text}{line.text}`",
        )
        marker = f"`{left.text}{line.text}{right.text}`"
        second = self.expect(_ENTITY_NAME, "the second entity", marker)
        self.classes()
        self.expect("COLON", "`:` and a label", f"{marker} {second.text}")
        colon = self.tokens[self.pos - 1]
        if (
            self.token.kind not in _ROLE
            and self.token.kind not in ("NEWLINE", "EOF", "CHAR")
            and self.token.line == colon.line
        ):
            # `: one-time`, `: to-do list`: a keyword where a word was meant.
            raise self.unquoted_label(colon.line)
        label = self.expect(_ROLE, 'a label (use "" for none)', "`:`")
        self.label = label if label.kind == "UNICODE_TEXT" else None
        a, b = self.entity(first), self.entity(second)
        self.relationships.append(
            Relationship(
                a.name,
                b.name,
                left.kind,
                right.kind,
                line.kind == "IDENTIFYING",
                label.text.replace('"', "")
                if label.kind != "UNICODE_TEXT"
                else label.text,
                first.line,
            )
        )


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
        parser = _Parser(tokens[skip:], split_lines(text))
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
