"""Per-run views that several checks and commands share, built once per
run and kept on the Project: the migrations folder as scanned, the
migrations a change brings, and the parsed checklist. They sit below the
checks so that no check imports another."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbdesign import textio
from dbdesign.project import Project

if TYPE_CHECKING:
    # Imported where used: the checklist hook reads the checklist view and
    # must not pay for the naming schemes' regular expressions (SPEC 7).
    from dbdesign import naming
    from dbdesign.change import Change
    from dbdesign.markdown import Checklist

_CACHE_KEY = "migrations.folder"


def folder_of(project: Project) -> naming.Folder | None:
    """The project's migrations folder, scanned once per run; None when it
    does not exist (AR001 reports that)."""
    if _CACHE_KEY not in project.cache:
        from dbdesign import naming

        config = project.config
        project.cache[_CACHE_KEY] = naming.scan(
            project.root,
            config.migrations_path,
            config.migration_naming,
            config.migrations_ignore,
            lambda path: text_of(project, path),
        )
    folder: naming.Folder | None = project.cache[_CACHE_KEY]
    return folder


def checklist_of(project: Project) -> Checklist | textio.Unreadable | None:
    """The project's checklist, parsed once per run (the checklist check
    reads its markers, the artifacts check which phases have started);
    Unreadable when it cannot be read as text; None when it is missing."""
    path = project.config.checklist_path
    result = project.read(path)
    if isinstance(result, textio.Unreadable):
        return None if result.missing else result
    key = ("checklist", path)
    if key not in project.cache:
        from dbdesign.markdown import parse_checklist  # not for the SQL hooks

        project.cache[key] = parse_checklist(result.text)
    parsed: Checklist = project.cache[key]
    return parsed


def added_migrations(folder: naming.Folder, change: Change) -> list[naming.Migration]:
    """The migrations (every kind) that CHANGE brings into the folder:
    added files, and files moved in from elsewhere."""
    lead = folder.relpath("")
    brought = set(change.added) | {
        new for old, new in change.renamed if not old.startswith(lead)
    }
    return [m for m in folder.migrations if folder.relpath(m.name) in brought]


def text_of(project: Project, relpath: str) -> str | None:
    result = project.read(relpath)
    return result.text if isinstance(result, textio.Text) else None
