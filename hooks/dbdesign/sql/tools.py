"""What the migration tools do with a file: which part of it is the up
migration (dbmate's `-- migrate:down` and goose's `-- +goose Down` sections
are down migrations; Liquibase's `--rollback` lines are comments already),
and whether a statement runs inside a transaction as its tool runs it
(MG019). Reads text only; never parses SQL."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dbdesign.sql.split import Statement

_DBMATE = re.compile(r"(?im)^--\s*migrate:(up|down)\b.*$")
_GOOSE = re.compile(r"(?im)^--\s*\+goose\s+(up|down)\b.*$")
GOOSE_NO_TRANSACTION = re.compile(r"(?im)^--\s*\+goose\s+no\s+transaction\b")
_DBMATE_NO_TRANSACTION = re.compile(
    r"(?im)^--\s*migrate:up\b[^\n]*\btransaction\s*:\s*false\b"
)
LIQUIBASE_HEADER = re.compile(r"(?i)\A\s*--\s*liquibase\s+formatted\s+sql\b")
CHANGESET = re.compile(r"(?im)^--\s*changeset\s+(?P<id>\S+)(?P<attrs>[^\n]*)$")

# Statements PostgreSQL refuses inside a transaction block.
_CONCURRENTLY = re.compile(
    r"(?is)\A(?:create\s+(?:unique\s+)?index\s+concurrently\b"
    r"|drop\s+index\s+concurrently\b"
    r"|reindex\s*(?:\([^)]*\bconcurrently\b[^)]*\)|\w+\s+concurrently\b)"
    r"|alter\s+table\b.*\bdetach\s+partition\b.*\bconcurrently\s*\Z)"
)
# Statements Flyway runs outside a transaction on PostgreSQL.
_FLYWAY_NON_TRANSACTIONAL = re.compile(
    r"(?is)\A(?:vacuum\b|(?:create|drop)\s+(?:database|tablespace)\b"
    r"|alter\s+system\b)"
)
_BEGIN = re.compile(
    r"(?is)\A(?:begin(?:\s+(?:work|transaction|isolation\b.*|read\b.*))?"
    r"|start\s+transaction\b.*)\Z"
)
_END = re.compile(r"(?is)\A(?:commit|end|abort|rollback)(?:\s+(?:work|transaction))?\Z")


def forward_text(text: str) -> str:
    """TEXT with its down sections (dbmate, goose) blanked, line breaks
    kept, so that positions stay exact."""
    for marker in (_DBMATE, _GOOSE):
        marks = list(marker.finditer(text))
        if not any(m[1].lower() == "down" for m in marks):
            continue
        out = [text[: marks[0].start()]]
        for i, mark in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
            chunk = text[mark.start() : end]
            if mark[1].lower() == "down":
                chunk = re.sub(r"[^\r\n]", " ", chunk)
            out.append(chunk)
        text = "".join(out)
    return text


def concurrently(statement: Statement) -> str | None:
    """What STATEMENT does that cannot run in a transaction block."""
    if _CONCURRENTLY.match(statement.text) is None:
        return None
    first = statement.text.split(None, 1)[0].lower()
    return {
        "create": "CREATE INDEX CONCURRENTLY",
        "drop": "DROP INDEX CONCURRENTLY",
        "reindex": "REINDEX CONCURRENTLY",
    }.get(first, "DETACH PARTITION ... CONCURRENTLY")


@dataclass(frozen=True)
class Context:
    """A migration as its tool runs it. SCHEME: the folder's naming scheme;
    TEXT: the file as written; READ: a sibling file's text by path
    (diesel's metadata.toml, Flyway's script configuration)."""

    scheme: str | None
    path: str
    text: str
    read: Callable[[str], str | None]


def in_transaction(
    context: Context, statements: Sequence[Statement], index: int
) -> tuple[str, str] | None:
    """Why statement INDEX runs in a transaction block, and how to take it
    out; None when it does not."""
    explicit = _open_begin(statements, index)
    if explicit is not None:
        return (
            f"the BEGIN at line {explicit} opened a transaction",
            "COMMIT before it, or leave BEGIN out of this migration",
        )
    scheme = context.scheme or ""
    if scheme == "flyway":
        return _flyway(context, statements)
    if scheme in ("golang-migrate", "prisma") and len(statements) > 1:
        tool = "golang-migrate" if scheme == "golang-migrate" else "Prisma"
        extra = (
            " (or add `x-multi-statement=true` to the database URL)"
            if scheme == "golang-migrate"
            else ""
        )
        return (
            f"{tool} sends the file as one multi-statement string, which "
            "PostgreSQL runs as one transaction",
            f"give the statement a migration of its own{extra}",
        )
    if scheme == "diesel":
        folder = context.path.rsplit("/", 1)[0]
        meta = context.read(f"{folder}/metadata.toml") or ""
        if not re.search(r"(?m)^\s*run_in_transaction\s*=\s*false\b", meta):
            return (
                "diesel runs up.sql in a transaction",
                f"add `run_in_transaction = false` to {folder}/metadata.toml "
                "and keep the statement alone in up.sql",
            )
    if scheme == "goose" and not GOOSE_NO_TRANSACTION.search(context.text):
        return (
            "goose runs each migration in a transaction",
            "add `-- +goose NO TRANSACTION` at the top of the file",
        )
    if scheme == "dbmate" and not _DBMATE_NO_TRANSACTION.search(context.text):
        return (
            "dbmate runs each migration in a transaction",
            "write the up marker as `-- migrate:up transaction:false`",
        )
    if scheme == "liquibase":
        header = _changeset_of(context.text, statements[index].start)
        if header is not None and not re.search(
            r"(?i)\brunInTransaction\s*:\s*false\b", header
        ):
            return (
                "Liquibase runs each changeset in a transaction",
                "add `runInTransaction:false` to its `--changeset` line",
            )
    return None


def _open_begin(statements: Sequence[Statement], index: int) -> int | None:
    """The line of a BEGIN before statement INDEX that is still open."""
    opened: int | None = None
    for statement in statements[:index]:
        if _BEGIN.match(statement.text):
            opened = statement.line
        elif _END.match(statement.text):
            opened = None
    return opened


def _flyway(
    context: Context, statements: Sequence[Statement]
) -> tuple[str, str] | None:
    # Flyway runs a migration outside a transaction when every statement
    # in it must be (it detects them on PostgreSQL), when its script
    # configuration says so, or when `mixed` allows mixing.
    if all(
        concurrently(s) or _FLYWAY_NON_TRANSACTIONAL.match(s.text) for s in statements
    ):
        return None
    conf = context.read(f"{context.path}.conf") or ""
    if re.search(r"(?im)^\s*executeInTransaction\s*=\s*false\b", conf):
        return None
    for name in ("flyway.conf", "conf/flyway.conf", "flyway.toml"):
        if re.search(
            r"(?im)^\s*(?:flyway\.)?mixed\s*=\s*true\b", context.read(name) or ""
        ):
            return None
    return (
        "Flyway runs a migration that mixes it with other statements in a transaction",
        "give the statement a migration of its own, or set "
        f"`executeInTransaction=false` in {context.path.rsplit('/', 1)[-1]}.conf",
    )


def _changeset_of(text: str, offset: int) -> str | None:
    """The `--changeset` line whose changeset holds OFFSET."""
    header = None
    for m in CHANGESET.finditer(text):
        if m.start() > offset:
            break
        header = m[0]
    return header
