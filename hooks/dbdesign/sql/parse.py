"""Parse one SQL file: statements with exact positions, syntax errors with
exact positions, and what each statement the Catalog and the safety rules
need does (`effects.Effects`, plain data: no parse tree outlives this
module), as a `parsed_file.ParsedFile`.

For the postgres dialect PostgreSQL's own parser (pglast, libpg_query) is the
authority on syntax: a file it accepts has no syntax error, whatever sqlglot
makes of it; and its trees are the only ones read (`pgbuild.py`), so each
statement is parsed once. Every other dialect is checked by sqlglot
(`glotparse.py`), statement by statement, so one bad statement never hides
the rest of the file, and its trees are read by `build.py`. Every parser
call is contained (RecursionError, crashes), and a file's time is bounded."""

from __future__ import annotations

import time
from collections.abc import Callable

from dbdesign.sql import textual
from dbdesign.sql.effects import Effects
from dbdesign.sql.glotparse import glot_trees
from dbdesign.sql.parsed_file import (
    POSTGRES_LIKE,
    ParsedFile,
    SyntaxProblem,
    is_ddl,
    templated,
)
from dbdesign.sql.split import split
from dbdesign.sql.textual import short


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
        glot_trees(parsed, clock)
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
