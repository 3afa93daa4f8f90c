"""Mermaid's erDiagram lexer: the preprocessing mermaid applies to a
diagram's text, and its jison lexer's rules (11.17), in the same order and
with the same states, first match wins, case-insensitive."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

# Token kinds that are cardinalities, named as mermaid names them.
ZERO_OR_ONE = "ZERO_OR_ONE"
ONLY_ONE = "ONLY_ONE"
ZERO_OR_MORE = "ZERO_OR_MORE"
ONE_OR_MORE = "ONE_OR_MORE"
MD_PARENT = "MD_PARENT"
CARDINALITIES = (ZERO_OR_ONE, ONLY_ONE, ZERO_OR_MORE, ONE_OR_MORE, MD_PARENT)


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
        (r"\}", None, "pop"), (r"[^}]*", "acc_descr_multiline_value", None)
    ),
    "block": _rules(
        (r"\s+", None, None),
        (r"\b(?:PK|FK|UK)\b", "ATTRIBUTE_KEY", None),
        (r"[^\s~]*~[^\n]*~\S*", "ATTRIBUTE_WORD", None),
        (_BLOCK_WORD, "ATTRIBUTE_WORD", None),
        (r"`", None, "push:block_bq"),
        (r'"[^"]*"', "COMMENT", None),
        (r"\}", "BLOCK_STOP", "pop"),
        (r".", "CHAR", None),
    ),
    "block_bq": _rules((r"[^`]+", "ATTRIBUTE_WORD", None), (r"`", None, "pop")),
    "style": _rules(
        (r"\n+", "NEWLINE", "pop"),
        (r"\s+", None, None),
        (r":", "COLON", None),
        (r",", "COMMA", None),
        (r"#", "BRKT", None),
        (r"(?:[^\x00-\x7F]|\w|-|\*)+", "STYLE_TEXT", None),
        (r";", "SEMI", None),
    ),
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
        eol = self.newlines[index] if index < len(self.newlines) else len(self.text)
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
            if (
                match is None
                or match.lastindex is None
                or (
                    match.end() == pos
                    and _STATES[state][match.lastindex - 1][2] is None
                )
            ):
                near = text[pos : pos + 20].split("\n")[0]
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
