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
   the state before its up (RP004).

The PostgreSQL replay is `replay/postgres.py` (its phases
`replay/phases.py`), SQLite's `replay/sqlite.py`; this module picks one,
turns "no database" into a note or an error, and caches the Result."""

from __future__ import annotations

import os

from dbdesign.errors import UsageError
from dbdesign.project import Project
from dbdesign.replay.messages import Result
from dbdesign.replay.messages import Unavailable as Unavailable

CACHE_KEY = "replay.result"
ENV_MODE = "DBDESIGN_REPLAY"
POSTGRES_DIALECTS = ("postgres",)


def mode(project: Project) -> str:
    """off | auto | on: the command line's word (the replay hook and
    command imply `on`), else $DBDESIGN_REPLAY (the action's `replay`
    input), else the config's."""
    given = getattr(project.options, "replay", None)
    if given:
        return str(given)
    env = os.environ.get(ENV_MODE, "").strip().lower()
    return env if env in ("off", "auto", "on") else project.config.replay.mode


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
        from dbdesign.replay import postgres

        return postgres.replay(project)
    except Unavailable as exc:
        if wanted == "on":
            raise UsageError(f"replay: {exc}") from None
        project.note(f"replay did not run: {exc}")
        return Result()


def cache_only(project: Project) -> Result | None:
    """The run's replay if one was computed, without computing it."""
    value = project.cache.get(CACHE_KEY)
    return value if isinstance(value, Result) else None
