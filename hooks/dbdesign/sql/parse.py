"""Parse one SQL file: statements with exact positions, syntax errors with
exact positions, and what each statement the Catalog and the safety rules
need does (`effects.Effects`, plain data: no parse tree outlives this
module).

For the postgres dialect PostgreSQL's own parser (pglast, libpg_query) is the
authority on syntax: a file it accepts has no syntax error, whatever sqlglot
makes of it; and its trees are the only ones read (`pgbuild.py`), so each
statement is parsed once. Every other dialect is checked by sqlglot,
statement by statement, so one bad statement never hides the rest of the
file, and its trees are read by `build.py`. Every parser call is contained
(RecursionError, crashes), and a file's time is bounded."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dbdesign.sql import textual
from dbdesign.sql.effects import Effects
from dbdesign.sql.split import Statement, split
from dbdesign.sql.textual import short
from dbdesign.textio import line_starts

TIME_BUDGET = 30.0  # seconds of sqlglot per file before we stop and say so
MAX_DEPTH = 100  # deeper parenthesis nesting is not given to sqlglot
# sqlglot recurses about 25 frames per parenthesis: room for MAX_DEPTH
RECURSION_LIMIT = 6000
MAX_STATEMENT = 1 << 20  # characters; longer statements are not given to it
POSTGRES_LIKE = frozenset({"postgres"})

# Templating no parser can read: Go templates, Jinja, Flyway placeholders.
_TEMPLATE_OPEN = re.compile(r"\{\{|\{%|\$\{(?=[A-Za-z_])")
_TEMPLATE_CLOSE = {"{{": "}}", "{%": "%}", "${": "}"}
TEMPLATE_SPAN = 400  # a template tag closes within this many characters
# Statements the Catalog and the safety rules look at.
_DDL = re.compile(
    r"(?is)\A(?:create\s+(?:or\s+replace\s+)?(?:(?:global|local)\s+)?"
    r"(?:(?:temp|temporary|unlogged)\s+)?(?:unique\s+)?(?:clustered\s+|"
    r"nonclustered\s+)?(?:table|index)\b"
    r"|alter\s+(?:table|index)\b|drop\s+(?:table|index|schema)\b"
    r"|truncate\b|rename\s+table\b)"
)


@dataclass(frozen=True)
class SyntaxProblem:
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Verdict:
    """What the syntax check said of a file (SQ001, SQ009, notes), without
    its statements: all that a check of one file needs."""

    dialect: str
    errors: list[SyntaxProblem]
    skipped: str | None
    unchecked: list[tuple[int, str]]
    notes: list[str]


@dataclass
class ParsedFile:
    path: str
    dialect: str
    text: str
    statements: list[Statement] = field(default_factory=list)
    errors: list[SyntaxProblem] = field(default_factory=list)
    # why the file was not (fully) checked: templated SQL, a time bound
    skipped: str | None = None
    # statement index -> what it does, for the statements that need it
    effects: dict[int, Effects] = field(default_factory=dict)
    # statements the Catalog would need but sqlglot could not read:
    # (line, short text)
    unreadable: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # statements the syntax check could not judge: (line, why)
    unchecked: list[tuple[int, str]] = field(default_factory=list)
    # False when a time bound cut the reading short: not worth keeping
    cacheable: bool = True
    _starts: list[int] | None = field(default=None, repr=False)

    def verdict(self) -> Verdict:
        return Verdict(
            self.dialect, self.errors, self.skipped, self.unchecked, self.notes
        )

    def position(self, offset: int) -> tuple[int, int]:
        import bisect

        if self._starts is None:
            self._starts = line_starts(self.text)
        starts = self._starts
        index = bisect.bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1


def templated(text: str) -> str | None:
    """The first template tag in TEXT, if any. Each opener looks for its
    closer within TEMPLATE_SPAN characters, so a file full of `{{` stays
    linear."""
    for m in _TEMPLATE_OPEN.finditer(text):
        closer = _TEMPLATE_CLOSE[m[0]]
        end = text.find(closer, m.end(), m.end() + TEMPLATE_SPAN)
        if end < 0:
            continue
        tag = text[m.start() : end + len(closer)]
        inner = text[m.end() : end]
        if m[0] == "${" and not re.fullmatch(r"[A-Za-z_][\w.:-]*", inner):
            continue
        # `'{{1,2},{3,4}}'` is a PostgreSQL array literal, not a template
        if "{" in inner or "}" in inner or not re.search(r"[A-Za-z_.]", inner):
            continue
        return tag[:40]
    return None


def is_ddl(statement: Statement) -> bool:
    return bool(_DDL.match(statement.text))


def parse_file(
    path: str,
    text: str,
    dialect: str = "postgres",
    clock: Callable[[], float] = time.perf_counter,
) -> ParsedFile:
    """Parse TEXT (the content of PATH). Never raises."""
    parsed = ParsedFile(path, dialect, text)
    try:
        parsed.statements = split(text, dialect)
    except RecursionError:  # pragma: no cover - the splitter does not recurse
        parsed.skipped = "it could not be split into statements"
        return parsed
    marker = templated(text)
    if marker is not None:
        parsed.skipped = (
            f"it is templated ({marker!r}); no parser can read "
            "it as it stands, so it was not checked"
        )
    rejected: set[int] | None = None
    if dialect in POSTGRES_LIKE:
        rejected = _check_postgres(parsed) if marker is None else _pglast_set()
    if rejected is not None:
        _pg_effects(parsed, rejected)
    else:
        _trees(parsed, clock)
    _textual(parsed)
    parsed.effects = dict(sorted(parsed.effects.items()))  # statement order
    return parsed


def _pglast_set() -> set[int] | None:
    """An empty set when pglast can be imported, else None."""
    try:
        from pglast import parser  # noqa: F401
    except ImportError:  # pragma: no cover - pglast has no Windows wheels
        return None
    return set()


def _check_postgres(parsed: ParsedFile) -> set[int] | None:
    """PostgreSQL's verdict on the file: the indexes of the statements it
    rejects (each an error); None when pglast is not there."""
    try:
        from pglast import parser as pg
    except ImportError:  # pragma: no cover - pglast has no Windows wheels
        parsed.notes.append(
            "pglast is not installed, so PostgreSQL syntax (SQ001) is not "
            "checked; `pip install pglast` for PostgreSQL's own parser"
        )
        return None
    rejected: set[int] = set()
    try:
        pg.parse_sql_json(parsed.text)
        return rejected  # PostgreSQL accepts the whole file
    except Exception:  # find which statements it rejects
        pass
    for index, statement in enumerate(parsed.statements):
        try:
            pg.parse_sql_json(statement.text)
        except Exception as exc:
            rejected.add(index)
            message, at = _pg_error(exc, len(statement.text))
            offset = statement.start + min(at, len(statement.text))
            line, column = parsed.position(offset)
            parsed.errors.append(SyntaxProblem(line, column, message))
    return rejected


def _pg_effects(parsed: ParsedFile, rejected: set[int]) -> None:
    """PostgreSQL's own trees of the statements the Catalog and the safety
    rules read (one parse each, no sqlglot), as Effects."""
    import json

    from pglast import parser as pg

    from dbdesign.sql import lockfacts, pgbuild

    for index, statement in enumerate(parsed.statements):
        lockable = lockfacts.RELEVANT.match(statement.text) is not None
        wanted = is_ddl(statement)
        if not (wanted or lockable):
            continue
        if parsed.skipped and templated(statement.text):
            continue
        try:
            if index in rejected:
                raise ValueError("rejected")
            tree = json.loads(pg.parse_sql_json(statement.text))
        except Exception:  # a syntax error (SQ001), a crash: no model
            if wanted:
                parsed.unreadable.append((statement.line, short(statement.text)))
            continue
        stmts = tree.get("stmts") if isinstance(tree, dict) else None
        if not isinstance(stmts, list) or len(stmts) != 1:
            continue
        node = stmts[0].get("stmt")
        if isinstance(node, dict) and node:
            parsed.effects[index] = pgbuild.describe(
                node, statement, parsed.position, lockable
            )


def _textual(parsed: ParsedFile) -> None:
    """What no parser read but patterns can: the table a CREATE TABLE
    that could not be read still makes, COMMENT ON."""
    unread = {line for line, _ in parsed.unreadable}
    for index, statement in enumerate(parsed.statements):
        if index in parsed.effects:
            continue
        if statement.line in unread:
            ops = textual.placeholder(parsed.dialect, statement)
        elif statement.text[:7].lower() == "comment":
            ops = textual.comment(parsed.dialect, statement)
        else:
            continue
        if ops:
            parsed.effects[index] = Effects(tuple(ops))


def _pg_error(exc: Exception, length: int) -> tuple[str, int]:
    """PostgreSQL's message and character index (None, "at end of input",
    is the end of the statement)."""
    args: tuple[object, ...] = tuple(getattr(exc, "args", ()))
    message = str(args[0]) if args else str(exc)
    index = args[1] if len(args) > 1 and isinstance(args[1], int) else length
    if "memory exhausted" in message or "stack depth" in message:
        message += " (PostgreSQL cannot parse nesting this deep either)"
    return message, max(index, 0)


def _trees(parsed: ParsedFile, clock: Callable[[], float]) -> None:
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
