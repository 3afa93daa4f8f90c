"""One replay per run (SPEC 8), its result cached on the Project for the
replay check and for revising the static verdicts:

1. a server: the URL's (a throwaway database on it) or an ephemeral one;
2. the schema file into one throwaway database (RP002), in a thread,
   while the main thread replays the migrations into another: setup files,
   then each migration as its tool runs it, traced when in scope (RP001,
   RP005);
3. both compared through the catalogs (RP003), or the schema file written
   from the migrations' database (--write-schema);
4. the downs of the migrations in scope, newest first, each compared with
   the state before its up (RP004)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

from dbdesign import textio
from dbdesign.errors import UsageError
from dbdesign.findings import Finding, finding
from dbdesign.project import Project
from dbdesign.replay import compare, messages
from dbdesign.replay.messages import Result
from dbdesign.replay.run import Failure, Script, Traced

if TYPE_CHECKING:
    import psycopg

    from dbdesign.replay.introspect import Schema
    from dbdesign.replay.plan import Step
    from dbdesign.replay.server import Target

CACHE_KEY = "replay.result"
ENV_URL = "DBDESIGN_DATABASE_URL"
ENV_MODE = "DBDESIGN_REPLAY"
POSTGRES_DIALECTS = ("postgres",)


class Unavailable(Exception):
    """No database to replay on; str() says why and how to provide one."""


def mode(project: Project) -> str:
    """off | auto | on: the command line's word (the replay hook and
    command imply `on`), else $DBDESIGN_REPLAY (the action's `replay`
    input), else the config's."""
    given = getattr(project.options, "replay", None)
    if given:
        return str(given)
    env = os.environ.get(ENV_MODE, "").strip().lower()
    return env if env in ("off", "auto", "on") else project.config.replay.mode


def database_url(project: Project) -> str | None:
    return (
        getattr(project.options, "database_url", None)
        or os.environ.get(ENV_URL)
        or project.config.replay.database_url
    )


def result(project: Project) -> Result:
    """The run's replay, computed once; Result(ran=False) when replay is
    off or, in `auto` mode, when no server can be had (with a note)."""
    if CACHE_KEY not in project.cache:
        project.cache[CACHE_KEY] = _compute(project)
    value = project.cache[CACHE_KEY]
    assert isinstance(value, Result)
    return value


def _compute(project: Project) -> Result:
    wanted = mode(project)
    if wanted == "off":
        return Result()
    dialect = project.config.dialect
    try:
        if dialect == "sqlite":
            from dbdesign.replay import sqlite

            return sqlite.replay(project)
        if dialect not in POSTGRES_DIALECTS:
            raise Unavailable(
                f"replay runs PostgreSQL and SQLite projects; this one's "
                f"dialect is {dialect}, so its SQL was not run on a database"
            )
        return _replay_postgres(project)
    except Unavailable as exc:
        if wanted == "on":
            raise UsageError(f"replay: {exc}") from None
        project.note(f"replay did not run: {exc}")
        return Result()


# -- PostgreSQL -------------------------------------------------------------------


@contextmanager
def _target(project: Project) -> Iterator[Target]:
    from dbdesign.replay import database, server

    url = database_url(project)
    bindir = server.find_bindir(project.config.replay.postgres_bin, project.root)
    try:
        if url:
            with database.named(url, bindir) as target:
                yield target
            return
        if bindir is None:
            where = project.config.replay.postgres_bin
            found = (
                f"no initdb and pg_ctl in {where}"
                if where
                else ("no PostgreSQL server programs were found")
            )
            raise Unavailable(f"{found}; {server.HOW_TO_PROVIDE}")
        with server.ephemeral(bindir) as target:
            yield target
    except ImportError:
        raise Unavailable(
            "the PostgreSQL driver psycopg is not installed; `pip install "
            "'psycopg[binary]'` (dbdesign's own dependency) and run again"
        ) from None
    except server.NoServer as exc:
        raise Unavailable(str(exc)) from None


def _replay_postgres(project: Project) -> Result:
    import psycopg

    try:
        return _on_postgres(project)
    except psycopg.Error as exc:
        # Not the SQL's fault (that is RP001-RP004): the server or the
        # connection failed under us.
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise Unavailable(
            f"the database server failed during the replay ({first}); run again"
        ) from None


def _on_postgres(project: Project) -> Result:
    from dbdesign.replay import database, plan, server

    steps = plan.steps(project)
    schema_script = plan.schema_script(project)
    write_schema = bool(getattr(project.options, "write_schema", False))
    if write_schema and not steps:
        raise UsageError(
            "--write-schema: there are no migrations to build the schema from "
            f"(in {project.config.migrations_path}); the schema file is left as it was"
        )
    if not steps and isinstance(schema_script, textio.Unreadable):
        return Result()
    out = Result()
    with server.signals_raise(), _target(project) as target, ExitStack() as stack:
        out.server_major = target.major
        out.findings.extend(_version(project, target))
        migrations_db = stack.enter_context(database.throwaway(target, "migrations"))
        schema_side: _SchemaLoad | None = None
        if not write_schema and isinstance(schema_script, Script):
            schema_db = stack.enter_context(database.throwaway(target, "schema"))
            schema_side = _SchemaLoad(project, schema_db, schema_script)
            schema_side.start()
        conn = stack.enter_context(database.connect(migrations_db))
        replayed = _forward(project, conn, steps, out)
        out.ran = True
        if schema_side is not None:
            schema_side.finish()
            out.findings.extend(schema_side.findings)
        if replayed is None:
            return out
        before, final_ok = replayed
        if write_schema and final_ok:
            from dbdesign.replay import dump

            dump.write_schema(project, target, migrations_db)
        elif write_schema:
            project.note(
                f"{project.config.schema_path} was not written: a migration "
                "fails, so the database it describes does not exist"
            )
        elif (
            final_ok
            and steps  # no migrations: nothing to compare the schema with
            and schema_side is not None
            and schema_side.schema is not None
        ):
            out.findings.extend(_drift(project, conn, schema_side.schema))
            out.compared = True
        if final_ok:
            out.findings.extend(_downs(project, conn, steps, before))
    return out


def _version(project: Project, target: Target) -> Iterator[Finding]:
    wanted = project.config.postgres_version
    if target.major and target.major != wanted:
        source = project.config.source
        inside = source is not None and not os.path.isabs(source)
        where = source if inside and source else project.config.schema_path
        yield finding(
            "RP006",
            where,
            f"the replay ran on PostgreSQL {target.major}, but postgres_version "
            f"is {wanted}; replay on a {wanted} server (`replay.postgres_bin` "
            f"or --database-url) or set postgres_version: {target.major}",
        )


class _SchemaLoad(threading.Thread):
    """The schema file into its own database, beside the migrations' replay
    (the server runs both at once)."""

    def __init__(
        self, project: Project, params: dict[str, str], script: Script
    ) -> None:
        super().__init__(name="dbdesign-schema-load", daemon=True)
        self.project = project
        self.params = params
        self.script = script
        self.schema: Schema | None = None
        self.findings: list[Finding] = []
        self.setup = _setup_scripts(project)
        self.error: BaseException | None = None

    def run(self) -> None:
        from dbdesign.replay import database, introspect, run

        try:
            with database.connect(self.params) as conn:
                run.prepare(conn)
                for script in self.setup:
                    if run.execute(conn, script).failure is not None:
                        return  # the migrations' side reports the setup file
                outcome = run.execute(conn, self.script)
                if outcome.failure is not None:
                    self.findings.append(_schema_fails(outcome.failure))
                    return
                self.schema = introspect.read(conn, _ignored(self.project))
        except BaseException as exc:  # handed to the main thread by finish()
            self.error = exc

    def finish(self) -> None:
        self.join()
        if self.error is not None:
            raise self.error


def _setup_scripts(project: Project) -> list[Script]:
    from dbdesign.replay import plan

    return [s for s in plan.setup(project) if isinstance(s, Script)]


def _ignored(project: Project) -> Any:
    from dbdesign.replay import introspect

    return introspect.ignorer(project.config.drift_ignore)


def _forward(
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


def _drift(
    project: Project, conn: psycopg.Connection[Any], schema: Schema
) -> Iterator[Finding]:
    from dbdesign.replay import introspect

    migrated = introspect.read(conn, _ignored(project))
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


def _downs(
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


def cache_only(project: Project) -> Result | None:
    """The run's replay if one was computed, without computing it."""
    value = project.cache.get(CACHE_KEY)
    return value if isinstance(value, Result) else None
