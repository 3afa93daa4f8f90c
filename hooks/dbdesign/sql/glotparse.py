"""sqlglot's reading of one file (`parse.py` gives it every statement of
the dialects PostgreSQL's parser does not read, and the DDL it cannot):
each statement contained (its depth, its size, RecursionError, crashes),
the file's time bounded, positions exact; the trees read into Effects by
`build.py`, and sqlglot's errors as SQ001's."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from dbdesign.sql.parsed_file import (
    POSTGRES_LIKE,
    ParsedFile,
    SyntaxProblem,
    is_ddl,
    templated,
)
from dbdesign.sql.split import Statement
from dbdesign.sql.textual import short

TIME_BUDGET = 30.0  # seconds of sqlglot per file before we stop and say so
MAX_DEPTH = 100  # deeper parenthesis nesting is not given to sqlglot
# sqlglot recurses about 25 frames per parenthesis: room for MAX_DEPTH
RECURSION_LIMIT = 6000
MAX_STATEMENT = 1 << 20  # characters; longer statements are not given to it


def glot_trees(parsed: ParsedFile, clock: Callable[[], float]) -> None:
    """sqlglot trees: for every statement in other dialects (which is also
    their syntax check), and for the DDL statements in postgres."""
    import logging

    import sqlglot
    from sqlglot.errors import ParseError, TokenError

    from dbdesign.sql.build import describe

    logging.getLogger("sqlglot").setLevel(logging.CRITICAL)
    check_syntax = parsed.dialect not in POSTGRES_LIKE and not parsed.skipped
    started = clock()
    for index, statement in enumerate(parsed.statements):
        wanted = is_ddl(statement)
        if not (wanted or check_syntax):
            continue
        if parsed.skipped and templated(statement.text):
            continue
        if clock() - started > TIME_BUDGET:
            parsed.skipped = (
                f"reading it took over {TIME_BUDGET:.0f} s; statements from "
                f"line {statement.line} on were not checked"
            )
            parsed.cacheable = False
            return
        if statement.depth > MAX_DEPTH or len(statement.text) > MAX_STATEMENT:
            what = (
                f"it is nested {statement.depth} parentheses deep"
                if statement.depth > MAX_DEPTH
                else "it is over 1 MB long"
            )
            _not_read(parsed, statement, what, check_syntax, wanted)
            continue
        if statement.unterminated and check_syntax:
            parsed.errors.append(
                SyntaxProblem(
                    statement.line,
                    statement.column,
                    f"unterminated {statement.unterminated}; close it",
                )
            )
            continue
        source = _prepare(statement.text) if wanted else statement.text
        try:
            trees = _deep(sqlglot.parse, source, read=parsed.dialect)
        except (ParseError, TokenError) as exc:
            if wanted and not check_syntax:
                try:
                    tree = _drop_many(source, parsed.dialect)
                except Exception:  # the fallback is best effort
                    tree = None
                if tree is not None:
                    parsed.effects[index] = describe(tree, statement, parsed.dialect)
                    continue
            if check_syntax:
                parsed.errors.append(_sqlglot_error(parsed, statement, exc))
            elif wanted:
                parsed.unreadable.append((statement.line, short(statement.text)))
            continue
        except RecursionError:
            _not_read(
                parsed,
                statement,
                "it is nested too deeply for the SQL parser",
                check_syntax,
                wanted,
            )
            continue
        except Exception as exc:  # a parser crash, contained
            _not_read(
                parsed,
                statement,
                f"the SQL parser failed on it ({type(exc).__name__})",
                check_syntax,
                wanted,
            )
            continue
        if check_syntax:
            comma = _TRAILING_COMMA.search(_code_only(statement.text))
            if comma is not None:
                offset = statement.start + comma.start()
                line, column = parsed.position(offset)
                parsed.errors.append(
                    SyntaxProblem(
                        line,
                        column,
                        "a comma before `)` ends an empty list item; remove the comma",
                    )
                )
        trees = [tree for tree in trees if tree is not None]
        if wanted and len(trees) == 1:
            parsed.effects[index] = describe(trees[0], statement, parsed.dialect)


def _not_read(
    parsed: ParsedFile, statement: Statement, why: str, check_syntax: bool, wanted: bool
) -> None:
    if check_syntax:
        parsed.unchecked.append((statement.line, why))
    if wanted:
        parsed.unreadable.append((statement.line, short(statement.text)))


def _deep(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """FUNCTION(*ARGS, **KWARGS) with room for MAX_DEPTH of nesting."""
    import sys

    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, RECURSION_LIMIT))
    try:
        return function(*args, **kwargs)
    finally:
        sys.setrecursionlimit(old)


def _prepare(text: str) -> str:
    """Same-length rewrites of PostgreSQL forms sqlglot does not read
    (pg_dump's `CREATE INDEX ... ON ONLY t`, PostgreSQL 18's virtual
    generated columns), so that positions stay exact."""
    text = re.sub(
        r"(?i)(\bON\s+)(ONLY)(\s)", lambda m: m[1] + "    " + m[3], text, count=1
    )
    text = re.sub(r"(?i)(\)\s*)VIRTUAL\b", lambda m: m[1] + "STORED ", text)
    text = re.sub(
        r"(?i)\bbit\s+varying\b", lambda m: "varbit" + " " * (len(m[0]) - 6), text
    )
    # PostgreSQL 18 dumps NOT NULL as named table constraints
    return _NAMED_NOT_NULL.sub(lambda m: _blank(m[0]), text)


_NAMED_NOT_NULL = re.compile(
    r'(?i),\s*CONSTRAINT\s+(?:"[^"]+"|\w+)\s+NOT\s+NULL\s+(?:"[^"]+"|\w+)'
    r"(?:\s+NO\s+INHERIT)?(?=\s*[,)])"
)
_DROP_MANY = re.compile(
    r"(?is)\A(drop\s+)(index|table)(\s+concurrently)?(\s+if\s+exists)?"
    r"(\s+[^;]+?,[^;]+?)(\s+(?:cascade|restrict))?\s*\Z"
)


# sqlglot accepts `(a int,)`, which no database does
_TRAILING_COMMA = re.compile(r",(?=\s*\))")
_NOT_CODE = re.compile(
    r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|--[^\n]*|/\*.*?\*/|#[^\n]*", re.S
)


def _code_only(text: str) -> str:
    """TEXT with strings and quoted names as `x...x` and comments as blanks
    (same length)."""
    return _NOT_CODE.sub(lambda m: (" " if m[0][0] in "-/#" else "x") * len(m[0]), text)


def _blank(text: str) -> str:
    return re.sub(r"[^\r\n]", " ", text)


def _drop_many(text: str, dialect: str) -> Any:
    """`DROP INDEX a, b` (which sqlglot does not read) as one Drop tree."""
    import sqlglot

    m = _DROP_MANY.match(text)
    if m is None:
        return None
    source = m[1] + "TABLE" + (m[4] or "") + m[5] + (m[6] or "")
    tree = sqlglot.parse_one(source, read=dialect)
    tree.set("kind", m[2].upper())
    if m[3]:
        tree.set("concurrently", True)
    return tree


def _sqlglot_error(
    parsed: ParsedFile, statement: Statement, exc: Exception
) -> SyntaxProblem:
    errors = getattr(exc, "errors", None) or []
    line, column = statement.line, statement.column
    message = str(exc).split("\n", 1)[0]
    if errors:
        first = errors[0]
        message = str(first.get("description") or message)
        rel_line = first.get("line")
        rel_col = first.get("col")
        if isinstance(rel_line, int) and isinstance(rel_col, int):
            if rel_line <= 1:
                line, column = statement.line, statement.column + rel_col - 1
            else:
                line, column = statement.line + rel_line - 1, rel_col
            column = max(column, 1)
    message = re.sub(r"\x1b\[[0-9;]*m", "", message)
    message = message.split(". Line ", 1)[0]
    return SyntaxProblem(line, column, message)
