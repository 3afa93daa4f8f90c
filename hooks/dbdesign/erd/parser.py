"""The erDiagram parser: mermaid's jison productions (11.17) over the
lexer's tokens (`dbdesign.erd.lexer`), so that what we accept is what
GitHub draws and what we reject is what GitHub shows as a parse error.
`dbdesign.erd.mermaid.parse` runs it on a block and places what it found
at its lines in the file."""

from __future__ import annotations

from dataclasses import dataclass, field

from dbdesign.erd.lexer import CARDINALITIES, ParseError, Token
from dbdesign.erd.model import Attribute, Relationship

MAX_DEPTH = 50  # nested subgraphs

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


class Parser:
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
