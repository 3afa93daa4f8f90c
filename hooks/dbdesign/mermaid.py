"""Mermaid `erDiagram` parsing, with a file line for every element.

The lexer mirrors the rules of mermaid's own jison grammar (11.17: the same
rules, in the same order, first match wins, case-insensitive), and the parser
its productions, so that what we accept is what GitHub draws and what we
reject is what GitHub shows as a parse error. Rendering a Catalog as a
diagram is in `dbdesign.erd_render`."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dbdesign.textio import split_lines

if TYPE_CHECKING:
    from markdown_it.token import Token as MdToken

ZERO_OR_ONE = "ZERO_OR_ONE"
ONLY_ONE = "ONLY_ONE"
ZERO_OR_MORE = "ZERO_OR_MORE"
ONE_OR_MORE = "ONE_OR_MORE"
MD_PARENT = "MD_PARENT"
CARDINALITIES = (ZERO_OR_ONE, ONLY_ONE, ZERO_OR_MORE, ONE_OR_MORE, MD_PARENT)
# Crow's foot markers as written on the left (first entity) and right side.
LEFT = {ONLY_ONE: "||", ZERO_OR_ONE: "|o", ZERO_OR_MORE: "}o",
        ONE_OR_MORE: "}|", MD_PARENT: "u"}
RIGHT = {ONLY_ONE: "||", ZERO_OR_ONE: "o|", ZERO_OR_MORE: "o{",
         ONE_OR_MORE: "|{", MD_PARENT: "u"}
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


class ParseError(Exception):
    """The diagram does not parse; MESSAGE says what and how to mend it."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


# -- preprocessing, as mermaid does before it parses --------------------------

_FRONTMATTER = re.compile(r"^-{3}\s*[\n\r](.*?)[\n\r]-{3}\s*[\n\r]+", re.DOTALL)
_DIRECTIVE = re.compile(r"%%\{(?:(?!\}%%).)*(?:\}%%)?", re.DOTALL)
_COMMENT = re.compile(r"^[ \t]*%%(?!{)[^\n]+", re.MULTILINE)


def _blank(match: re.Match[str]) -> str:
    """The match with everything but its line breaks turned into spaces, so
    that line numbers survive the removal."""
    return re.sub(r"[^\n]", " ", match.group(0))


def preprocess(source: str) -> str:
    """SOURCE without front matter, `%%{...}%%` directives and `%%` comment
    lines (each blanked, not removed, to keep line numbers)."""
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    text = _FRONTMATTER.sub(_blank, text, count=1)
    text = _DIRECTIVE.sub(_blank, text)
    return _COMMENT.sub(_blank, text)


def is_er_diagram(source: str) -> bool:
    return re.match(r"\s*erDiagram", preprocess(source)) is not None


# mermaid's default maxTextSize, which GitHub keeps: a longer diagram is
# drawn as "Maximum text size in diagram exceeded".
MAX_TEXT = 50_000


def code_length(source: str) -> int:
    """How long mermaid finds SOURCE when it checks maxTextSize: without
    front matter, directives and comment lines."""
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    text = _FRONTMATTER.sub("", text, count=1)
    text = _DIRECTIVE.sub("", text)
    text = re.sub(r"^\s*%%(?!{)[^\n]+\n?", "", text, flags=re.MULTILINE)
    # JavaScript counts UTF-16 code units
    return len(text.lstrip().encode("utf-16-le")) // 2


# -- the lexer ----------------------------------------------------------------

@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    line: int


_I = re.IGNORECASE | re.ASCII
_BLOCK_WORD = r"[*A-Za-z_\u00C0-\uFFFF][A-Za-z0-9\-_\[\]().,\u00C0-\uFFFF*]*"
# (pattern, token kind or None to skip, state change) for each state, in
# mermaid's order. A state change is "push:NAME" or "pop".
_Rule = tuple[re.Pattern[str], str | None, str | None]


def _rules(*specs: tuple[str, str | None, str | None]) -> list[_Rule]:
    return [(re.compile(p, _I), kind, change) for p, kind, change in specs]


_INITIAL = _rules(
    (r"accTitle\s*:\s*", "acc_title", "push:acc_title"),
    (r"accDescr\s*:\s*", "acc_descr", "push:acc_descr"),
    (r"accDescr\s*\{\s*", None, "push:acc_descr_multiline"),
    (r"[ \t\r]+", None, None),
    (r"\n+", "NEWLINE", None),
    (r'"[^"%\r\n\v\x08\\]+"', "ENTITY_NAME", None),
    (r'"[^"]*"', "WORD", None),
    (r"erDiagram\b", "ER_DIAGRAM", None),
    (r"\{", "BLOCK_START", "push:block"),
    (r"#", "BRKT", None),
    (r",", "COMMA", None),
    (r":::", "STYLE_SEPARATOR", None),
    (r":", "COLON", None),
    (r"\[", "SQS", None),
    (r"\]", "SQE", None),
    (r"style\b", "STYLE", "push:style"),
    (r"classDef\b", "CLASSDEF", "push:style"),
    (r"class\b", "CLASS", None),
    (r"subgraph\b", "SUBGRAPH", None),
    (r"end\b\s*", "END", None),
    (r"one or zero\b", ZERO_OR_ONE, None),
    (r"one or more\b", ONE_OR_MORE, None),
    (r"one or many\b", ONE_OR_MORE, None),
    (r"1\+", ONE_OR_MORE, None),
    (r"\|o\b", ZERO_OR_ONE, None),
    (r"zero or one\b", ZERO_OR_ONE, None),
    (r"zero or more\b", ZERO_OR_MORE, None),
    (r"zero or many\b", ZERO_OR_MORE, None),
    (r"0\+", ZERO_OR_MORE, None),
    (r"\}o\b", ZERO_OR_MORE, None),
    (r"many\(0\)", ZERO_OR_MORE, None),
    (r"many\(1\)", ONE_OR_MORE, None),
    (r"many\b", ZERO_OR_MORE, None),
    (r"\}\|", ONE_OR_MORE, None),
    (r"one\b", ONLY_ONE, None),
    (r"only one\b", ONLY_ONE, None),
    (r"[0-9]+\.[0-9]+", "DECIMAL_NUM", None),
    (r"1(?=\s+[A-Za-z_\"'])", ONLY_ONE, None),
    (r"1(?=\s+[0-9])", ONLY_ONE, None),
    (r"1(?=(?:--|\.\.|\.-|-\.))", ONLY_ONE, None),
    (r"1\b", "ENTITY_ONE", None),
    (r"[0-9]+", "NUM", None),
    (r"\|\|", ONLY_ONE, None),
    (r"o\|", ZERO_OR_ONE, None),
    (r"o\{", ZERO_OR_MORE, None),
    (r"\|\{", ONE_OR_MORE, None),
    (r"u(?=[.\-|])", MD_PARENT, None),
    (r"\.\.", "NON_IDENTIFYING", None),
    (r"--", "IDENTIFYING", None),
    (r"to\b", "IDENTIFYING", None),
    (r"optionally to\b", "NON_IDENTIFYING", None),
    (r"\.-", "NON_IDENTIFYING", None),
    (r"-\.", "NON_IDENTIFYING", None),
    (r"(?:[^\x00-\x7F]|\w|-|\*|\.)+", "UNICODE_TEXT", None),
    (r".", "CHAR", None),
)
_STATES: dict[str, list[_Rule]] = {
    "INITIAL": _INITIAL,
    "acc_title": _rules((r"[^\n]*", "acc_title_value", "pop")),
    "acc_descr": _rules((r"[^\n]*", "acc_descr_value", "pop")),
    "acc_descr_multiline": _rules(
        (r"\}", None, "pop"),
        (r"[^}]*", "acc_descr_multiline_value", None)),
    "block": _rules(
        (r"\s+", None, None),
        (r"\b(?:PK|FK|UK)\b", "ATTRIBUTE_KEY", None),
        (r"[^\s~]*~[^\n]*~\S*", "ATTRIBUTE_WORD", None),
        (_BLOCK_WORD, "ATTRIBUTE_WORD", None),
        (r"`", None, "push:block_bq"),
        (r'"[^"]*"', "COMMENT", None),
        (r"\}", "BLOCK_STOP", "pop"),
        (r".", "CHAR", None)),
    "block_bq": _rules(
        (r"[^`]+", "ATTRIBUTE_WORD", None),
        (r"`", None, "pop")),
    "style": _rules(
        (r"\n+", "NEWLINE", "pop"),
        (r"\s+", None, None),
        (r":", "COLON", None),
        (r",", "COMMA", None),
        (r"#", "BRKT", None),
        (r"(?:[^\x00-\x7F]|\w|-|\*)+", "STYLE_TEXT", None),
        (r";", "SEMI", None)),
}
_DIRECTION = re.compile(r"direction\s+(TB|BT|RL|LR)", _I)


def _combined(rules: list[_Rule]) -> re.Pattern[str]:
    """One pattern for a state's rules: Python tries the alternatives in
    order and takes the first that matches, as jison does with its rules;
    the matching group's number is the rule's index + 1."""
    return re.compile("|".join(f"({p.pattern})" for p, _k, _c in rules), _I)


_COMBINED = {state: _combined(rules) for state, rules in _STATES.items()}


class _Directions:
    """Mermaid's `.*direction\\s+TB[^\\n]*` rules, answered without the
    quadratic rescans those patterns would cost on a long line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: dict[str, list[tuple[int, int]]] = {}
        for match in _DIRECTION.finditer(text):
            key = match[1].upper()
            self.found.setdefault(key, []).append((match.start(), match.end()))
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def match(self, pos: int) -> tuple[str, int] | None:
        if not self.found:
            return None
        index = bisect.bisect_left(self.newlines, pos)
        eol = (self.newlines[index] if index < len(self.newlines)
               else len(self.text))
        for key in ("TB", "BT", "RL", "LR"):
            spans = self.found.get(key, [])
            # the last occurrence that starts on this line at or after POS
            index = bisect.bisect_right(spans, (eol, len(self.text) + 1)) - 1
            if index >= 0 and spans[index][0] >= pos:
                end = self.text.find("\n", spans[index][1])
                return key, len(self.text) if end < 0 else end
        return None


def tokenize(text: str) -> Iterator[Token]:
    """Mermaid's tokens for TEXT (already preprocessed); line numbers are
    1-based within TEXT. Raises ParseError on text no rule accepts."""
    states = ["INITIAL"]
    directions = _Directions(text)
    pos, line = 0, 1
    while pos < len(text):
        state = states[-1]
        kind: str | None = None
        end = pos
        if state == "INITIAL":
            found = directions.match(pos)
            if found and not _initial_before_direction(text, pos):
                kind, end = "direction_" + found[0].lower(), found[1]
        if kind is None:
            match = _COMBINED[state].match(text, pos)
            if match is None or match.lastindex is None or (
                    match.end() == pos and _STATES[state][
                        match.lastindex - 1][2] is None):
                near = text[pos:pos + 20].split("\n")[0]
                raise ParseError(f"cannot read `{near}`", line)
            _pattern, kind, change = _STATES[state][match.lastindex - 1]
            end = match.end()
            if change == "pop":
                states.pop()
            elif change:
                states.append(change[5:])
        if kind is not None:
            yield Token(kind, text[pos:end], line)
        line += text.count("\n", pos, end)
        pos = end
    yield Token("EOF", "", line)


def _initial_before_direction(text: str, pos: int) -> bool:
    """Whether one of the accTitle/accDescr rules, which mermaid tries before
    the direction rules, matches at POS."""
    return any(_INITIAL[i][0].match(text, pos) for i in range(3))


# -- the parser ---------------------------------------------------------------

_ENTITY_NAME = {"ENTITY_NAME", "UNICODE_TEXT", "NUM", "DECIMAL_NUM",
                "ENTITY_ONE"}
_ROLE = {"WORD", "ENTITY_NAME", "UNICODE_TEXT"}
_STATEMENT_START = _ENTITY_NAME | {
    "NEWLINE", "EOF", "acc_title", "acc_descr", "acc_descr_multiline_value",
    "direction_tb", "direction_bt", "direction_rl", "direction_lr",
    "CLASSDEF", "CLASS", "STYLE", "SUBGRAPH", "END"}


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
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.entities: dict[str, _Entity] = {}
        self.relationships: list[Relationship] = []
        self.direction: str | None = None

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
        return ParseError(f"expected {expected}{where}, found {_show(token)}",
                          token.line)

    def expect(self, kinds: set[str] | str, expected: str,
               after: str = "") -> Token:
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
                raise ParseError("`end` without a `subgraph`; remove it, or "
                                 "quote an entity named end", self.token.line)
            if kind == "NEWLINE":
                self.take()
                continue
            after = self.statement(depth)
            if self.token.text == "%":
                raise ParseError("a `%%` comment must be on a line of its "
                                 "own; move it", self.token.line)
            if self.token.kind not in _STATEMENT_START:
                if self.token.kind in ("IDENTIFYING", "NON_IDENTIFYING"):
                    raise self.fail("a cardinality such as `||` or `}o` "
                                    f"before {_show(self.token)}")
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
                self.direction = kind[len("direction_"):].upper()
        elif kind in ("CLASSDEF", "STYLE"):
            self.take()
            self.id_list("STYLE_TEXT", f"a name after `{token.text}`")
            self.styles()
            self.expect({"SEMI", "NEWLINE", "EOF"}, "the end of the line",
                        "the style")
        elif kind == "CLASS":
            self.take()
            self.id_list("UNICODE_TEXT", "entity names after `class`")
            self.id_list("UNICODE_TEXT", "class names")
        elif kind == "SUBGRAPH":
            self.subgraph(depth)
        else:
            raise self.fail("an entity name or a statement")
        return f"`{token.text.strip()}`"

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
            raise ParseError(f"subgraphs nested more than {MAX_DEPTH} deep",
                             self.token.line)
        self.take()
        self.expect(_ENTITY_NAME, "a subgraph name", "`subgraph`")
        if self.token.kind == "SQS":
            self.take()
            self.expect(_ENTITY_NAME, "a subgraph title", "`[`")
            while self.token.kind in _ENTITY_NAME:
                self.take()
            self.expect("SQE", "`]`", "the subgraph title")
        self.expect({"NEWLINE", "EOF"}, "the end of the line",
                    "the subgraph name")
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
            raise self.fail("a cardinality such as `||` or `}o`",
                            f"`{first.text}`")
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
                raise ParseError(f"the attribute block of {entity.name} "
                                 f"opened on line {opened.line} is not "
                                 "closed; add `}`", opened.line)
            entity.attributes.append(self.attribute())
        self.take()

    def attribute(self) -> Attribute:
        type_ = self.expect("ATTRIBUTE_WORD", "an attribute type")
        type_text = type_.text
        if type_text.count("(") > type_text.count(")"):
            raise ParseError(f"the type `{type_text}` is cut at a space; "
                             "write it without spaces, as in "
                             "`numeric(10,2)`", type_.line)
        if self.token.kind == "CHAR" and self.token.text == "?":
            type_text += self.take().text
        name = self.expect("ATTRIBUTE_WORD", "an attribute name",
                           f"the type `{type_text}`")
        keys: list[str] = []
        if self.token.kind == "ATTRIBUTE_KEY":
            keys.append(self.take().text.upper())
            while self.token.kind == "CHAR" and self.token.text == ",":
                self.take()
                keys.append(self.expect("ATTRIBUTE_KEY", "PK, FK or UK",
                                        "`,`").text.upper())
        comment = None
        if self.token.kind == "COMMENT":
            comment = self.take().text[1:-1]
        if keys and self.token.kind == "ATTRIBUTE_KEY":
            raise ParseError("separate an attribute's keys with commas, as "
                             "in `PK, FK`", self.token.line)
        if self.token.kind not in ("ATTRIBUTE_WORD", "BLOCK_STOP", "EOF"):
            raise self.fail("PK, FK, UK, a \"comment\" or the next attribute",
                            f"`{name.text}`")
        return Attribute(type_text, name.text, tuple(keys), comment,
                         type_.line)

    def relationship(self, first: Token) -> None:
        left = self.take()
        line = self.expect({"IDENTIFYING", "NON_IDENTIFYING"}, "`--` or `..`",
                           f"`{left.text}`")
        right = self.expect(set(CARDINALITIES),
                            "a cardinality such as `o{` or `||`",
                            f"`{left.text}{line.text}`")
        marker = f"`{left.text}{line.text}{right.text}`"
        second = self.expect(_ENTITY_NAME, "the second entity", marker)
        self.classes()
        self.expect("COLON", "`:` and a label", f"{marker} {second.text}")
        label = self.expect(_ROLE, "a label (use \"\" for none)", "`:`")
        a, b = self.entity(first), self.entity(second)
        self.relationships.append(Relationship(
            a.name, b.name, left.kind, right.kind,
            line.kind == "IDENTIFYING", label.text.replace('"', "")
            if label.kind != "UNICODE_TEXT" else label.text, first.line))


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
        parser = _Parser(tokens[skip:])
        start = parser.expect("ER_DIAGRAM", "`erDiagram` first")
        parser.document()
    except ParseError as exc:
        raise ParseError(exc.message, exc.line + offset) from None
    entities = tuple(
        Entity(e.name, e.line + offset, e.alias, tuple(
            Attribute(a.type, a.name, a.keys, a.comment, a.line + offset)
            for a in e.attributes),
            None if e.block_line is None else e.block_line + offset)
        for e in parser.entities.values())
    relationships = tuple(
        Relationship(r.first, r.second, r.first_cardinality,
                     r.second_cardinality, r.identifying, r.label,
                     r.line + offset)
        for r in parser.relationships)
    return Diagram(start.line + offset, entities, relationships,
                   parser.direction)


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


def markers(text: str, parsed: list[MdToken] | None = None,
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


def marked_span(text: str, parsed: list[MdToken] | None = None,
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
        found.append(Block(begin + 1, begin + 2, token.content, generated,
                           diagram, error))
    return found
