"""The PostgreSQL replay (SPEC 8, steps 1-4 of `dbdesign.replay.engine`):
the server (the URL's, or an ephemeral one), the schema file loaded in a
thread beside the migrations' replay, and the phases in order on the
migrations' session (`dbdesign.replay.phases`), or the schema file written
from the migrations' database (--write-schema)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING

from dbdesign import textio
from dbdesign.errors import UsageError
from dbdesign.findings import Finding, finding
from dbdesign.project import Project
from dbdesign.replay.messages import Result, Unavailable
from dbdesign.replay.phases import downs, drift, forward, ignored
from dbdesign.replay.run import Failure, Script

if TYPE_CHECKING:
    from dbdesign.replay.introspect import Schema
    from dbdesign.replay.server import Target

ENV_URL = "DBDESIGN_DATABASE_URL"


def database_url(project: Project) -> str | None:
    return (
        getattr(project.options, "database_url", None)
        or os.environ.get(ENV_URL)
        or project.config.replay.database_url
    )


@contextmanager
def _target(project: Project) -> Iterator[Target]:
    from dbdesign.replay import binaries, database, server

    url = database_url(project)
    bindir = binaries.find_bindir(project.config.replay.postgres_bin, project.root)
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


def replay(project: Project) -> Result:
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
        replayed = forward(project, conn, steps, out)
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
            out.findings.extend(drift(project, conn, schema_side.schema))
            out.compared = True
        if final_ok:
            out.findings.extend(downs(project, conn, steps, before))
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
                self.schema = introspect.read(conn, ignored(self.project))
        except BaseException as exc:  # handed to the main thread by finish()
            self.error = exc

    def finish(self) -> None:
        self.join()
        if self.error is not None:
            raise self.error


def _setup_scripts(project: Project) -> list[Script]:
    from dbdesign.replay import plan

    return [s for s in plan.setup(project) if isinstance(s, Script)]


def _schema_fails(failure: Failure) -> Finding:
    return failure.finding(
        "RP002",
        f"the schema file fails to load on an empty database: {failure.said}; "
        "correct it (objects must come after what they depend on)",
    )
