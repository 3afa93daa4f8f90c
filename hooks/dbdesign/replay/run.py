"""Running one SQL file on a PostgreSQL session, statement by statement (so
that a failure has its file and line), in a transaction or not as the
file's migration tool would run it."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dbdesign.findings import Finding, finding
from dbdesign.sql.split import Statement, split
from dbdesign.textio import line_starts

if TYPE_CHECKING:
    import psycopg

    from dbdesign.replay.locks import Observation, Tracer

# A statement that PostgreSQL refuses inside a transaction block.
NON_TRANSACTIONAL = re.compile(
    r"(?is)^\s*(?:(?:create|drop)\s+(?:unique\s+)?index\s+concurrently\b"
    r"|reindex\b.*\bconcurrently\b|vacuum\b|alter\s+system\b"
    r"|(?:create|drop)\s+database\b|create\s+tablespace\b)"
)
# The file's own transaction control (then the tool's wrapping is moot).
_OWN_TRANSACTION = re.compile(
    r"(?is)^\s*(?:begin|start\s+transaction|commit|end|rollback)\b\s*"
    r"(?:work|transaction)?\s*(?:isolation\b.*|read\b.*)?$"
)
_COPY_STDIN = re.compile(r"(?is)^\s*copy\b.*\bfrom\s+stdin\b")
_TRUNCATE = re.compile(r"(?is)^\s*truncate\b")
STATEMENT_TIMEOUT = "300s"  # no statement of a migration runs longer here
ACTIVE_SQL_TRANSACTION = "25001"  # "cannot run inside a transaction block"


@dataclass(frozen=True)
class Script:
    """A file to run: TEXT is the SQL that its tool runs (other sections of
    the file blanked, so that positions are the file's)."""

    path: str
    text: str
    transaction: bool  # the tool runs it in one transaction
    statements: tuple[Statement, ...] | None = None  # split already

    def split(self) -> tuple[Statement, ...]:
        if self.statements is not None:
            return self.statements
        return statements_of(self.text)


@dataclass(frozen=True)
class Failure:
    path: str
    line: int
    column: int
    message: str  # the server's, first line
    sqlstate: str
    detail: str = ""

    @property
    def said(self) -> str:
        """What the engine said: `message (SQLSTATE 42703) (detail)`."""
        state = f" (SQLSTATE {self.sqlstate})" if self.sqlstate else ""
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.message}{state}{detail}"

    def finding(self, code: str, message: str) -> Finding:
        """A CODE finding at the failing statement."""
        return finding(code, self.path, message, self.line, self.column)


@dataclass(frozen=True)
class Traced:
    """What one statement did to the tables that existed before."""

    path: str
    line: int
    column: int
    text: str
    seen: tuple[Observation, ...]


@dataclass
class Outcome:
    failure: Failure | None = None
    traced: list[Traced] = field(default_factory=list)
    statements: int = 0


def prepare(conn: psycopg.Connection[Any]) -> None:
    """Settings for a replay session: bounded statements, plain output."""
    conn.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT}'")
    conn.execute("SET client_min_messages = warning")


def execute(
    conn: psycopg.Connection[Any],
    script: Script,
    tracer: Tracer | None = None,
) -> Outcome:
    """Run SCRIPT on CONN (an autocommit session). With a TRACER, each
    statement's locks, scans and rewrites are observed before its
    transaction ends (a statement run outside one gets its own, unless
    PostgreSQL refuses it in a transaction block)."""
    import psycopg

    statements = script.split()
    own = any(_OWN_TRANSACTION.match(s.text) for s in statements)
    wrap = script.transaction and not own
    # Untraced, a file goes in one round trip and one transaction: what its
    # tool does, or, for a file its tool runs statement by statement,
    # the same end state when it succeeds (when it fails the replay stops,
    # after running it again one statement at a time to say where).
    if (
        tracer is None
        and not own
        and len(statements) > 1
        and not any(_COPY_STDIN.match(s.text) for s in statements)
        and (wrap or not any(NON_TRANSACTIONAL.match(s.text) for s in statements))
        and _in_one_go(conn, statements)
    ):
        return Outcome(statements=len(statements))
    # Traced, outside a transaction, or failed in one go: one statement at
    # a time (a failure then has its own statement's position).
    outcome = Outcome()
    current: Statement | None = None
    try:
        if wrap:
            conn.execute("BEGIN")
        if tracer is not None:
            tracer.new_transaction(conn)
        for current in statements:
            outcome.statements += 1
            alone = tracer is not None and not wrap and not _in_transaction(conn)
            if alone and _OWN_TRANSACTION.match(current.text):
                # The file's own BEGIN: what follows runs in its transaction.
                _run(conn, script.text, current)
                _observe(conn, script, current, tracer, outcome)
                continue
            if alone and not NON_TRANSACTIONAL.match(current.text):
                assert tracer is not None
                conn.execute("BEGIN")
                tracer.new_transaction(conn)
                try:
                    _run(conn, script.text, current)
                except psycopg.Error as exc:
                    conn.execute("ROLLBACK")
                    if exc.sqlstate != ACTIVE_SQL_TRANSACTION:
                        raise
                    _run(conn, script.text, current)
                else:
                    _observe(conn, script, current, tracer, outcome)
                    conn.execute("COMMIT")
                continue
            if alone:  # outside any transaction: nothing to observe after it
                _run(conn, script.text, current)
                continue
            _run(conn, script.text, current)
            if tracer is not None:
                _observe(conn, script, current, tracer, outcome)
        if wrap or _in_transaction(conn):
            conn.execute("COMMIT")
    except psycopg.Error as exc:
        outcome.failure = _failure(script, current, exc)
        _rollback(conn)
    return outcome


def statements_of(text: str) -> tuple[Statement, ...]:
    return tuple(split(text, "postgres"))


def _in_one_go(conn: psycopg.Connection[Any], statements: Sequence[Statement]) -> bool:
    """Run STATEMENTS as one transaction in one simple query (one round
    trip, as golang-migrate sends a file); False, rolled back, when it
    fails. A statement may end in a line comment: the separator starts
    on a line of its own."""
    import psycopg

    body = "\n;\n".join(s.text for s in statements)
    try:
        conn.execute(f"BEGIN;\n{body}\n;\nCOMMIT")
    except psycopg.Error:
        _rollback(conn)
        return False
    return True


def _observe(
    conn: psycopg.Connection[Any],
    script: Script,
    statement: Statement,
    tracer: Tracer | None,
    outcome: Outcome,
) -> None:
    if tracer is None:
        return
    if _OWN_TRANSACTION.match(statement.text):
        tracer.new_transaction(conn)
        return
    seen = tracer.observe(conn, truncate=bool(_TRUNCATE.match(statement.text)))
    # Kept when nothing was seen too: "traced, and harmless" withdraws a
    # static verdict, where "not traced" leaves it as it is.
    outcome.traced.append(
        Traced(
            script.path, statement.line, statement.column, statement.text, tuple(seen)
        )
    )


def _in_transaction(conn: psycopg.Connection[Any]) -> bool:
    from psycopg.pq import TransactionStatus

    return conn.info.transaction_status != TransactionStatus.IDLE


def _rollback(conn: psycopg.Connection[Any]) -> None:
    import psycopg

    try:
        if not conn.closed and _in_transaction(conn):
            conn.execute("ROLLBACK")
    except psycopg.Error:
        pass


def _run(conn: psycopg.Connection[Any], text: str, statement: Statement) -> None:
    if _COPY_STDIN.match(statement.text):
        data = _copy_data(text, statement)
        with conn.cursor() as cursor, cursor.copy(statement.text) as copy:
            copy.write(data)
        return
    # No parameters: psycopg sends the text as it is (no % placeholders).
    conn.execute(statement.text)


def _copy_data(text: str, statement: Statement) -> str:
    """The rows after `COPY ... FROM stdin;` up to the `\\.` line."""
    end = text.find(";", statement.start + len(statement.text))
    start = text.find("\n", end) + 1 if end >= 0 else len(text)
    m = re.compile(r"(?m)^\\\.[ \t]*\r?$").search(text, start)
    stop = m.start() if m else len(text)
    return text[start:stop]


def _failure(script: Script, statement: Statement | None, exc: Any) -> Failure:
    diag = exc.diag
    first = (diag.message_primary or str(exc) or type(exc).__name__).strip()
    detail = " ".join(
        part.strip() for part in (diag.message_detail, diag.message_hint) if part
    )
    if statement is None:
        return Failure(script.path, 1, 1, first, exc.sqlstate or "", detail)
    line, column = statement.line, statement.column
    position = diag.statement_position
    if position and str(position).isdigit():
        offset = statement.start + int(position) - 1
        line, column = _position(script.text, offset)
    return Failure(script.path, line, column, first, exc.sqlstate or "", detail)


def _position(text: str, offset: int) -> tuple[int, int]:
    starts = line_starts(text)
    index = bisect.bisect_right(starts, offset) - 1
    return index + 1, offset - starts[index] + 1
