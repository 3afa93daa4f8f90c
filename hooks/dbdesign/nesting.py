"""How deeply a config file nests, found before it is parsed.

PyYAML's composer and tomllib recurse once (or more) per level, so a small
file nested a thousand levels deep ends in a RecursionError, and PyYAML's
scanner spends time quadratic in the depth on a deep flow collection. No
setting of dbdesign nests more than three levels, so the config loader
refuses anything deeper than MAX_DEPTH before it parses: the YAML through
PyYAML's event stream (which holds no recursion and is stopped at the first
level too many), the TOML with the linear scan below."""

from __future__ import annotations

import re

MAX_DEPTH = 20

# What matters to nesting outside strings and comments.
_TOML_SPECIAL = re.compile(r"[\"'#\[\]{}\n]")
_BASIC_END = re.compile(r'\\.|"|\n', re.DOTALL)
_MULTI_BASIC_END = re.compile(r'\\.|"""', re.DOTALL)


def toml_too_deep(text: str, limit: int = MAX_DEPTH) -> tuple[int, int] | None:
    """(line, column), 1-based, of the bracket where TEXT's arrays and
    inline tables (and table headers) open more than LIMIT levels; None
    when they never do. Strings and comments are skipped, each character
    is looked at once; malformed TOML is left for the parser to report."""
    depth = 0
    line = 1
    line_start = 0
    at = 0
    end = len(text)
    while True:
        found = _TOML_SPECIAL.search(text, at)
        if found is None:
            return None
        at = found.start()
        char = text[at]
        if char == "\n":
            line += 1
            line_start = at + 1
            at += 1
        elif char == "#":
            newline = text.find("\n", at)
            at = end if newline < 0 else newline
        elif char in "[{":
            depth += 1
            if depth > limit:
                return line, at - line_start + 1
            at += 1
        elif char in "]}":
            depth = max(0, depth - 1)
            at += 1
        else:
            close = _string_end(text, at, char)
            # Multi-line strings: keep counting lines inside them.
            newlines = text.count("\n", at, close)
            if newlines:
                line += newlines
                line_start = text.rindex("\n", at, close) + 1
            at = close


def _string_end(text: str, start: int, quote: str) -> int:
    """Where the string that opens at START ends (just after its closing
    quote; at the line break or the end of TEXT when it is unterminated)."""
    if text.startswith(quote * 3, start):
        if quote == "'":
            close = text.find("'''", start + 3)
            return len(text) if close < 0 else _extra_quotes(text, close + 3, "'")
        for match in _MULTI_BASIC_END.finditer(text, start + 3):
            if match[0] == '"""':
                return _extra_quotes(text, match.end(), '"')
        return len(text)
    if quote == "'":
        close = min(_find(text, "'", start + 1), _find(text, "\n", start + 1))
        return close + 1 if close < len(text) and text[close] == "'" else close
    for match in _BASIC_END.finditer(text, start + 1):
        if match[0] == '"':
            return match.end()
        if match[0] == "\n":
            return match.start()
    return len(text)


def _find(text: str, what: str, start: int) -> int:
    found = text.find(what, start)
    return len(text) if found < 0 else found


def _extra_quotes(text: str, at: int, quote: str) -> int:
    # `"""a""""` ends with a quote inside the string: up to two more.
    for _ in range(2):
        if text.startswith(quote, at):
            at += 1
    return at
