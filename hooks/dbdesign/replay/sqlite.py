"""SQLite projects replay into in-memory databases through Python's sqlite3,
the real engine: the migrations into one (RP001), the schema file into
another (RP002), compared through sqlite_master and the table pragmas
(RP003), and the downs of the migrations in scope (RP004). SQLite has one
lock for the whole database, so there are no table locks to observe
(RP005), and no server version to compare (RP006)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbdesign import textio
from dbdesign.errors import UsageError
from dbdesign.findings import Finding, finding
from dbdesign.project import Project
from dbdesign.replay import compare, messages
from dbdesign.replay.introspect import Item, Schema, ignorer
from dbdesign.replay.messages import Result
from dbdesign.replay.run import Failure, Script
from dbdesign.sql.split import split

if TYPE_CHECKING:
    from dbdesign.replay.plan import Step

_CHECK = re.compile(r"(?i)\bcheck\s*\(")


def _connect() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def execute(conn: sqlite3.Connection, script: Script) -> Failure | None:
    statements = split(script.text, "sqlite")
    own = any(
        re.match(r"(?i)\s*(begin|commit|end|rollback)\b", s.text) for s in statements
    )
    wrap = script.transaction and not own
    current = None
    try:
        if wrap:
            conn.execute("BEGIN")
        for current in statements:
            conn.execute(current.text)
        if conn.in_transaction:
            conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        line, column = (current.line, current.column) if current else (1, 1)
        name = getattr(exc, "sqlite_errorname", "") or type(exc).__name__
        return Failure(script.path, line, column, str(exc), name)
    return None


def read(conn: sqlite3.Connection, project: Project) -> Schema:
    """The schema of CONN, object by object."""
    ignored = ignorer(project.config.drift_ignore)
    out: Schema = {}
    rows = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master "
        "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
    ).fetchall()
    for kind, name, table, sql in rows:
        if ignored(table):
            continue
        if kind == "table":
            out[("table", name)] = Item(name, _table(conn, name, sql or ""))
            for _cid, col, ctype, notnull, default, pk, hidden in conn.execute(
                "SELECT * FROM pragma_table_xinfo(?)", (name,)
            ):
                text = " ".join(
                    part
                    for part in (
                        ctype or "(no type)",
                        "NOT NULL" if notnull else "",
                        f"DEFAULT {default}" if default is not None else "",
                        f"PRIMARY KEY ({pk})" if pk else "",
                        "GENERATED" if hidden in (2, 3) else "",
                    )
                    if part
                )
                out[("column", f"{name}.{col}")] = Item(name, text)
            for fk in _foreign_keys(conn, name):
                out[("constraint", f"{name}.{fk}")] = Item(name, fk)
        elif sql:
            out[(kind, name)] = Item(table, _normal(sql))
    return out


def _table(conn: sqlite3.Connection, name: str, sql: str) -> str:
    parts = ["table"]
    if re.search(r"(?i)\)\s*without\s+rowid", sql):
        parts.append("without rowid")
    if re.search(r"(?i)\)\s*(?:without\s+rowid\s*,\s*)?strict\b", sql):
        parts.append("strict")
    checks = sorted(_normal(c) for c in _checks(sql))
    uniques = sorted(
        "UNIQUE ("
        + ", ".join(
            str(r[2])
            for r in conn.execute("SELECT * FROM pragma_index_info(?)", (idx,))
        )
        + ")"
        for _, idx, unique, origin, _partial in conn.execute(
            "SELECT * FROM pragma_index_list(?)", (name,)
        )
        if unique and origin == "u"
    )
    return " ".join(parts + uniques + checks)


def _checks(sql: str) -> Iterator[str]:
    """The CHECK (...) clauses of a CREATE TABLE, parentheses balanced."""
    for m in _CHECK.finditer(sql):
        depth, i = 0, m.end() - 1
        while i < len(sql):
            if sql[i] == "(":
                depth += 1
            elif sql[i] == ")":
                depth -= 1
                if depth == 0:
                    yield sql[m.start() : i + 1]
                    break
            i += 1


def _foreign_keys(conn: sqlite3.Connection, table: str) -> list[str]:
    groups: dict[int, list[tuple[str, str, str, str, str]]] = {}
    for row in conn.execute("SELECT * FROM pragma_foreign_key_list(?)", (table,)):
        fid, _seq, ref, col, refcol, on_update, on_delete, _match = row
        groups.setdefault(fid, []).append(
            (ref, col, refcol or "", on_update, on_delete)
        )
    out = []
    for items in groups.values():
        ref = items[0][0]
        cols = ", ".join(i[1] for i in items)
        refs = ", ".join(i[2] for i in items if i[2])
        out.append(
            f"FOREIGN KEY ({cols}) REFERENCES {ref}"
            + (f" ({refs})" if refs else "")
            + f" ON UPDATE {items[0][3]} ON DELETE {items[0][4]}"
        )
    return sorted(out)


def _normal(sql: str) -> str:
    text = " ".join(sql.split())
    text = re.sub(r"\s*([(),])\s*", r"\1", text)
    return re.sub(r"(?i)\bif not exists\s+", "", text)


def replay(project: Project) -> Result:
    from dbdesign.replay import plan

    out = messages.Result(ran=True)
    steps = plan.steps(project)
    setup = plan.setup(project)
    for item in setup:
        if isinstance(item, textio.Unreadable):
            out.findings.append(
                finding("RP001", item.path, f"the replay.setup file {item.reason}")
            )
            return out
    scripts = [s for s in setup if isinstance(s, Script)]
    migrated = _connect()
    for script in scripts:
        failure = execute(migrated, script)
        if failure is not None:
            out.findings.append(_fails("RP001", failure, "replay.setup file"))
            return out
    before: dict[str, Schema] = {}
    complete = True
    for n, step in enumerate(steps):
        if step.up is None:
            out.findings.append(
                finding("RP001", step.path, f"the migration {step.why_unreadable}")
            )
            complete = False
            break
        if step.judged and step.down is not None:
            before[step.path] = read(migrated, project)
        failure = execute(migrated, step.up)
        if failure is not None:
            out.findings.append(_fails("RP001", failure, "migration"))
            messages.stopped(project, step.path, len(steps) - n - 1)
            complete = False
            break
    schema_script = plan.schema_script(project)
    if getattr(project.options, "write_schema", False):
        if not steps:
            raise UsageError(
                "--write-schema: there are no migrations to build the schema "
                "from; the schema file is left as it was"
            )
        if complete:
            from dbdesign.replay import dump

            dump.write(project, schema_text(migrated))
        else:
            project.note(
                f"{project.config.schema_path} was not written: a migration fails"
            )
    elif complete and steps and isinstance(schema_script, Script):
        built = _connect()
        for script in scripts:
            execute(built, script)
        failure = execute(built, schema_script)
        if failure is not None:
            out.findings.append(_fails("RP002", failure, "schema file"))
        else:
            path = project.config.schema_path
            for diff in compare.diff(read(migrated, project), read(built, project)):
                out.findings.append(finding("RP003", path, messages.drift(diff, path)))
            out.compared = True
    if complete:
        out.findings.extend(_downs(project, migrated, steps, before))
    return out


def _downs(
    project: Project,
    conn: sqlite3.Connection,
    steps: list[Step],
    before: dict[str, Schema],
) -> Iterator[Finding]:
    for step in reversed(steps):
        if not step.judged or step.down is None or step.path not in before:
            return
        failure = execute(conn, step.down)
        if failure is not None:
            yield _fails("RP004", failure, f"down migration of {step.path}")
            return
        for item in compare.diff(before[step.path], read(conn, project)):
            yield finding("RP004", step.down.path, messages.down(step.path, item))


def _fails(code: str, failure: Failure, what: str) -> Finding:
    return failure.finding(
        code,
        f"the {what} fails on SQLite: {failure.message} ({failure.sqlstate}); "
        "correct the statement",
    )


def schema_text(conn: sqlite3.Connection) -> str:
    """SQLite's own schema: each object's CREATE statement as it keeps it."""
    rows = conn.execute(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
        "AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
    ).fetchall()
    return "".join(f"{row[0]};\n\n" for row in rows).rstrip("\n") + "\n"
