"""`dbdesign replay --write-schema`: the schema file written from the
database the migrations built, by pg_dump from the same PostgreSQL
installation (one at least as new as the server), atomically."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from dbdesign import textio
from dbdesign.project import Project
from dbdesign.replay.binaries import tool_major
from dbdesign.replay.server import Target
from dbdesign.sql import bookkeeping

# psql meta-commands: `\restrict <random key>` (pg_dump 15.14 and later)
# would change the file on every dump.
_META = re.compile(r"(?m)^\\(?:restrict|unrestrict)\b.*\n?")


class CannotDump(Exception):
    """str() says why and what to do."""


def pg_dump(target: Target) -> Path:
    """A pg_dump whose major version is at least the server's."""
    candidates: list[Path] = []
    if target.bindir is not None:
        candidates.append(target.bindir / "pg_dump")
    found = shutil.which("pg_dump")
    if found:
        candidates.append(Path(found))
    candidates.extend(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump")))
    for candidate in candidates:
        if not os.access(candidate, os.X_OK):
            continue
        major = tool_major(candidate)
        if major is not None and major >= target.major:
            return candidate
    raise CannotDump(
        f"no pg_dump of PostgreSQL {target.major} or later was found; install "
        "PostgreSQL's client programs or set `replay.postgres_bin`"
    )


def _environment(params: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """A conninfo string without the password, and the environment that
    carries it (a command line is visible to every user of the machine)."""
    from psycopg import conninfo

    env = {k: v for k, v in os.environ.items() if not k.startswith("PG") or k == "PGTZ"}
    shown = {k: v for k, v in params.items() if k != "password"}
    if "password" in params:
        env["PGPASSWORD"] = params["password"]
    return conninfo.make_conninfo(**shown), env


def dump(project: Project, target: Target, params: Mapping[str, str]) -> str:
    """The schema of PARAMS's database as pg_dump writes it, without the
    bookkeeping tables, `drift_ignore` tables, owners and grants."""
    program = pg_dump(target)
    dsn, env = _environment(params)
    args = [
        str(program),
        "--schema-only",
        "--no-owner",
        "--no-privileges",
        "--no-tablespaces",
        f"--dbname={dsn}",
    ]
    for table in sorted(bookkeeping.TABLES):
        args.append(f"--exclude-table=*.{table}")
    for schema in sorted(bookkeeping.SCHEMAS):
        args.append(f"--exclude-schema={schema}")
    for glob in project.config.drift_ignore:
        args.append(f"--exclude-table={glob if '.' in glob else '*.' + glob}")
    try:
        out = subprocess.run(
            args,
            capture_output=True,
            text=True,
            errors="replace",
            env=env,
            timeout=600,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise CannotDump(f"{program} could not run ({exc})") from None
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["no message"])[-1]
        raise CannotDump(f"pg_dump failed ({last})")
    return _META.sub("", out.stdout)


def write_schema(project: Project, target: Target, params: Mapping[str, str]) -> None:
    """Write the schema file from PARAMS's database, keeping the file's
    BOM and line endings; a note says it was written."""
    from dbdesign.errors import UsageError

    try:
        text = dump(project, target, params)
    except CannotDump as exc:
        raise UsageError(f"--write-schema: {exc}") from None
    write(project, text)


def write(project: Project, text: str) -> None:
    from dbdesign.errors import UsageError

    relpath = project.config.schema_path
    old = project.read(relpath)
    bom = isinstance(old, textio.Text) and old.bom
    if isinstance(old, textio.Text) and "\r\n" in old.text:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    outside = textio.check_inside(project.root, relpath)
    if outside:
        raise UsageError(f"--write-schema: {relpath} {outside}")
    try:
        textio.write_atomic(project.root / relpath, textio.encode(text, bom))
    except OSError as exc:
        raise UsageError(
            f"--write-schema: cannot write {relpath} ({exc.strerror}); it is "
            "left as it was"
        ) from None
    project.forget(relpath)
    project.note(f"wrote {relpath} from the database the migrations build")
