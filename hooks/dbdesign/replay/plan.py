"""What to run, in which order, and how: the `replay.setup` files, then each
forward migration in the folder's order (sql/run_order.py's list) with its down
or undo, each run as its tool runs it (in one transaction or not: SPEC 4,
MG019), and which migrations are in scope (SPEC 3b) for RP004 and RP005."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dbdesign import naming, scope, textio
from dbdesign.project import Project
from dbdesign.replay.run import NON_TRANSACTIONAL, Script, statements_of
from dbdesign.sql import run_order, tools
from dbdesign.sql.split import Statement

# Sections of one file: dbmate's `-- migrate:up|down`, goose's
# `-- +goose Up|Down` (sql/tools.py blanks the down parts for the up).
_DBMATE = re.compile(r"(?im)^--\s*migrate:(up|down)\b(.*)$")
_GOOSE = re.compile(r"(?im)^--\s*\+goose\s+(up|down)\b(.*)$")


@dataclass(frozen=True)
class Step:
    """One forward migration: its up, its down (None when it has none) and
    whether the run judges it (SPEC 3b)."""

    up: Script | None  # None: the file cannot be read
    down: Script | None
    judged: bool
    path: str
    why_unreadable: str = ""


def setup(project: Project) -> list[Script | textio.Unreadable]:
    """The `replay.setup` files, in the order given, each run in one
    transaction."""
    out: list[Script | textio.Unreadable] = []
    for path in project.config.replay.setup:
        result = project.read(path)
        if isinstance(result, textio.Unreadable):
            out.append(result)
        else:
            out.append(_plain(path, result.text))
    return out


def schema_script(project: Project) -> Script | textio.Unreadable:
    path = project.config.schema_path
    result = project.read(path)
    if isinstance(result, textio.Unreadable):
        return result
    return _plain(path, result.text)


def _plain(path: str, text: str) -> Script:
    """A file no migration tool runs: in one transaction, unless it holds
    a statement PostgreSQL refuses in one."""
    statements = statements_of(text)
    refused = any(NON_TRANSACTIONAL.match(s.text) for s in statements)
    return Script(path, text, not refused, statements)


def steps(project: Project) -> list[Step]:
    """The forward migrations in the order they run."""
    from dbdesign.views import folder_of

    folder = folder_of(project)
    scheme = folder.scheme if folder is not None else None
    by_path: dict[str, naming.Migration] = {}
    downs: dict[object, str] = {}
    if folder is not None and scheme is not None:
        wanted = naming.UNDO if scheme == "flyway" else naming.DOWN
        for item in folder.migrations:
            by_path[folder.relpath(item.name)] = item
            if item.kind == wanted:
                downs[naming.pair_key(scheme, item)] = folder.relpath(item.name)
    out: list[Step] = []
    for migration in run_order.migrations(project):
        if not migration.forward:
            continue
        judged = _judged(project, migration)
        result = project.read(migration.path)
        if isinstance(result, textio.Unreadable):
            out.append(Step(None, None, judged, migration.path, result.reason))
            continue
        text = result.text
        up_text, down_text = _sections(text)
        up = _script(project, scheme, migration.path, text, up_text)
        down: Script | None = None
        if down_text is not None:
            down = _script(project, scheme, migration.path, text, down_text)
        else:
            named = by_path.get(migration.path)
            key = naming.pair_key(scheme or "", named) if named else None
            down_path = downs.get(key) if key is not None else None
            if down_path is not None:
                read = project.read(down_path)
                if not isinstance(read, textio.Unreadable):
                    down = _script(project, scheme, down_path, read.text, read.text)
        out.append(Step(up, down, judged, migration.path))
    return out


def _sections(text: str) -> tuple[str, str | None]:
    """(the up part, the down part or None) of a file with dbmate's or
    goose's section markers; the rest of the file is blanked in the down
    part, so that lines and columns stay the file's. The up part is what
    every other rule reads (sql/tools.forward_text)."""
    up = tools.forward_text(text)
    for marker in (_DBMATE, _GOOSE):
        marks = list(marker.finditer(text))
        if any(m[1].lower() == "down" for m in marks):
            return up, _keep(text, marks, "down")
    return up, None


def _keep(text: str, marks: list[re.Match[str]], which: str) -> str:
    out = [_blank(text[: marks[0].start()])]
    for n, mark in enumerate(marks):
        end = marks[n + 1].start() if n + 1 < len(marks) else len(text)
        chunk = text[mark.start() : end]
        out.append(chunk if mark[1].lower() == which else _blank(chunk))
    return "".join(out)


def _blank(chunk: str) -> str:
    return re.sub(r"[^\r\n]", " ", chunk)


def _script(
    project: Project, scheme: str | None, path: str, whole: str, text: str
) -> Script:
    statements = statements_of(text)
    transaction = _transactional(project, scheme, path, whole, statements)
    return Script(path, text, transaction, statements)


def _transactional(
    project: Project,
    scheme: str | None,
    path: str,
    whole: str,
    statements: tuple[Statement, ...],
) -> bool:
    """Whether the tool runs these STATEMENTS (a file, or a section of the
    file WHOLE) in one transaction: what MG019 says of their first."""
    if not statements:
        return False

    def read(relpath: str) -> str | None:
        result = project.read(relpath)
        return result.text if isinstance(result, textio.Text) else None

    context = tools.Context(scheme, path, whole, read)
    return tools.in_transaction(context, statements, 0) is not None


def _judged(project: Project, migration: run_order.Migration) -> bool:
    """In scope (SPEC 3b: what the change adds, everything with --all) and
    above `migrations_baseline`; repeatable migrations are never judged."""
    if migration.repeatable or not scope.judges_file(project, migration.path):
        return False
    baseline = run_order.baseline_key(project)
    version = migration.version
    return baseline is None or version is None or run_order.trimmed(version) > baseline
