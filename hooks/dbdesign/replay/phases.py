"""The phases of a PostgreSQL replay on the migrations' session, each
with the findings it yields: forward (the setup files, then every
migration as its tool runs it, traced when in scope: RP001, RP005), the
drift of the migrations' database from the schema file's (RP003), and the
downs of the migrations in scope, newest first (RP004)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from dbdesign import textio
from dbdesign.findings import Finding, finding
from dbdesign.project import Project
from dbdesign.replay import compare, messages
from dbdesign.replay.messages import Result
from dbdesign.replay.run import Failure, Traced

if TYPE_CHECKING:
    import psycopg

    from dbdesign.replay.introspect import Schema
    from dbdesign.replay.plan import Step


def ignored(project: Project) -> Any:
    from dbdesign.replay import introspect

    return introspect.ignorer(project.config.drift_ignore)


def forward(
    project: Project,
    conn: psycopg.Connection[Any],
    steps: list[Step],
    out: Result,
) -> tuple[dict[str, Schema], bool] | None:
    """Setup, bookkeeping, then every migration; None when the setup
    fails. Returns the schema before each judged migration that has a
    down, and whether every migration ran."""
    from dbdesign.replay import history, introspect, plan, run
    from dbdesign.replay.locks import Tracer

    run.prepare(conn)
    for item in plan.setup(project):
        if isinstance(item, textio.Unreadable):
            out.findings.append(
                finding(
                    "RP001",
                    item.path,
                    f"the replay.setup file {item.reason}; correct "
                    "`replay.setup` or the file",
                )
            )
            return None
        outcome = run.execute(conn, item)
        if outcome.failure is not None:
            out.findings.append(_fails(outcome.failure, "replay.setup file"))
            project.note(f"replay stopped at the setup file {item.path}")
            return None
    scheme = _scheme(project)
    history.create(conn, scheme)
    ignored = introspect.ignorer(project.config.drift_ignore)
    before: dict[str, Schema] = {}
    for n, step in enumerate(steps):
        if step.up is None:
            out.findings.append(
                finding(
                    "RP001",
                    step.path,
                    f"the migration {step.why_unreadable}, so it cannot run; "
                    "save it as UTF-8 text",
                )
            )
            messages.stopped(project, step.path, len(steps) - n - 1)
            return before, False
        if step.judged and step.down is not None:
            before[step.path] = introspect.read(conn, ignored)
        tracer = Tracer(conn) if step.judged else None
        outcome = run.execute(conn, step.up, tracer)
        for traced in outcome.traced:
            out.traced[(traced.path, traced.line)] = traced
        if outcome.failure is not None:
            out.findings.append(_fails(outcome.failure, "migration"))
            messages.stopped(project, step.path, len(steps) - n - 1)
            return before, False
        if step.judged:
            out.findings.extend(_observed(outcome.traced, out.server_major))
    return before, True


def _scheme(project: Project) -> str | None:
    from dbdesign.views import folder_of

    folder = folder_of(project)
    return folder.scheme if folder is not None else None


def _fails(failure: Failure, what: str) -> Finding:
    return failure.finding(
        "RP001",
        f"the {what} fails on PostgreSQL: {failure.said}; correct the "
        "statement, or list what it needs (a role, an extension) in a "
        "`replay.setup` file",
    )


def _schema_fails(failure: Failure) -> Finding:
    return failure.finding(
        "RP002",
        f"the schema file fails to load on an empty database: {failure.said}; "
        "correct it (objects must come after what they depend on)",
    )


def _observed(traced: list[Traced], major: int | None) -> Iterator[Finding]:
    """RP005, one per statement that did heavy work on an existing table."""
    from dbdesign.replay.locks import describe

    version = f"PostgreSQL {major}" if major else "PostgreSQL"
    for item in traced:
        heavy = [seen for seen in item.seen if seen.heavy]
        if not heavy:
            continue
        what = "; ".join(describe(seen) for seen in heavy)
        yield finding(
            "RP005",
            item.path,
            f"on {version} this statement {what}, for a time that grows "
            "with the table; use a form that does not (CONCURRENTLY, NOT "
            "VALID then VALIDATE, a nullable column and a batched backfill), "
            "or run it when the table can wait",
            item.line,
            item.column,
        )


def drift(
    project: Project, conn: psycopg.Connection[Any], schema: Schema
) -> Iterator[Finding]:
    from dbdesign.replay import introspect

    migrated = introspect.read(conn, ignored(project))
    path = project.config.schema_path
    text = project.texts.get(path, "")
    for item in compare.diff(migrated, schema):
        line = _line_of(text, item.right_name or item.name)
        yield finding("RP003", path, messages.drift(item, path), line)


def _line_of(text: str, name: str) -> int | None:
    """The first line of TEXT that names NAME's last part (else, for a
    part of a table, the table), for a finding to point at; None when
    neither is there."""
    import re

    parts = name.split("(", 1)[0].split(".")
    for word in (parts[-1], *reversed(parts[:-1])):
        if not word:
            continue
        m = re.search(rf'(?i)(?<![\w$"]){re.escape(word)}(?![\w$])', text)
        if m is not None:
            return text.count("\n", 0, m.start()) + 1
    return None


def downs(
    project: Project,
    conn: psycopg.Connection[Any],
    steps: list[Step],
    before: dict[str, Schema],
) -> Iterator[Finding]:
    """RP004: the downs of the judged migrations, newest first (a down
    undoes the state its up made, so the newer ones go first); the run
    stops at the first migration that is not judged or has no down."""
    from dbdesign.replay import introspect, run

    ignored = introspect.ignorer(project.config.drift_ignore)
    for step in reversed(steps):
        if not step.judged or step.down is None or step.path not in before:
            return
        outcome = run.execute(conn, step.down)
        if outcome.failure is not None:
            failure = outcome.failure
            yield failure.finding(
                "RP004",
                f"the down migration of {step.path} fails on PostgreSQL after "
                f"its up: {failure.said}; correct it so that it undoes the up",
            )
            return
        after = introspect.read(conn, ignored)
        for item in compare.diff(before[step.path], after):
            yield finding(
                "RP004",
                step.down.path,
                messages.down(step.path, item),
                _line_of(step.down.text, item.name) if item.left else None,
            )
