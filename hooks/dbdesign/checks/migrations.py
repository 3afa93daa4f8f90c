"""MG001-MG007: migration naming, duplicate versions, ordering against what
already existed, immutability, gaps, down migrations, and the integrity
file. Reads file names and bytes only; never parses SQL. MG002 and MG005
(a folder's numbering) are decided in `numbering.py`, MG007 in
`integrity.py`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from dbdesign import integrity, naming, numbering, textio
from dbdesign.change import NO_GIT_NOTE, Change
from dbdesign.findings import Finding, finding, with_severity
from dbdesign.naming.schemes import label, renamed
from dbdesign.project import Project
from dbdesign.views import added_migrations, folder_of, text_of


def check(project: Project) -> Iterator[Finding]:
    where = project.config.migrations_path
    outside = textio.check_inside(project.root, where)
    if outside is not None:
        yield finding("MG001", where, f"the migrations folder {outside}")
        return
    folder = folder_of(project)
    if folder is None:
        return
    versioned = folder.scheme not in naming.UNVERSIONED
    found = [
        *_unnamed(folder),
        *_orphans(folder),
        *(numbering.duplicates(project, folder) if versioned else ()),
        *numbering.gaps(folder),
        *_missing_downs(project, folder),
        *integrity.verify(project, folder),
    ]
    change = project.change
    if change is None:
        project.note(NO_GIT_NOTE)
    else:
        if versioned:
            found.extend(_out_of_order(project, folder, change))
        found.extend(_rewritten(project, folder, change))
    # Read the files with findings so that their suppression comments count.
    for path in sorted({item.path for item in found}):
        if (project.root / path).is_file():
            project.read(path)
    yield from found


# -- MG001 ---------------------------------------------------------------------


def _unnamed(folder: naming.Folder) -> Iterator[Finding]:
    for name, why in folder.unnamed:
        base = name.rsplit("/", 1)[-1]
        # Reasons that name their own remedy (a link loop, a sub-folder)
        # keep it alone: one fix per message.
        mend = (
            ""
            if "; " in why
            else (
                "; rename it, or list it under `migrations_ignore` in the config "
                "if it is not a migration"
            )
        )
        yield finding("MG001", folder.relpath(name), f"{base} {why}{mend}")


def _orphans(folder: naming.Folder) -> Iterator[Finding]:
    """Down, undo and diesel metadata files whose up migration is missing."""
    scheme = folder.scheme or ""
    ups = {naming.pair_key(scheme, m) for m in folder.forward}
    for migration in folder.migrations:
        if (
            migration.kind in (naming.DOWN, naming.UNDO, naming.META)
            and naming.pair_key(scheme, migration) not in ups
        ):
            base = migration.name.rsplit("/", 1)[-1]
            what = (
                "diesel migration folder has no up.sql"
                if scheme == "diesel"
                else f"{migration.kind} migration has no up migration of version "
                f"{migration.version}"
            )
            yield finding(
                "MG001",
                folder.relpath(migration.name),
                f"{base}: its {what}; add the up migration or remove this file",
            )


# -- MG003 ---------------------------------------------------------------------


def _as_migration(
    folder: naming.Folder, path: str, ignore: tuple[str, ...]
) -> naming.Migration | None:
    """PATH (root-relative, of any commit) as one of FOLDER's migrations by
    its name; None when it is outside the folder, ignored or no migration."""
    lead = folder.relpath("")
    if folder.scheme is None or not path.startswith(lead):
        return None
    name = path[len(lead) :]
    if naming.is_ignored(name, ignore):
        return None
    result = naming.classify(folder.scheme, name)
    return result if isinstance(result, naming.Migration) else None


def _out_of_order(
    project: Project, folder: naming.Folder, change: Change
) -> Iterator[Finding]:
    new = [m for m in added_migrations(folder, change) if m.forward]
    if not new:
        return
    ignore = project.config.migrations_ignore
    before = [
        m
        for m in (
            _as_migration(folder, path, ignore)
            for path in change.old_paths(folder.path)
        )
        if m is not None and m.forward
    ]
    if not before:
        return
    newest_before = max(before, key=naming.sort_key)
    assert newest_before.version is not None
    free = numbering.next_free(folder)
    for migration in new:
        assert migration.version is not None
        if migration.version > newest_before.version:
            continue
        yield finding(
            "MG003",
            folder.relpath(migration.name),
            f"{label(migration)} (version {migration.version}) is not newer "
            f"than {label(newest_before)} (version "
            f"{newest_before.version}), which already exists: databases "
            f"already migrated would never run it; give it the next free "
            f"version, {free} ({renamed(migration, free)})",
        )


# -- MG004 ---------------------------------------------------------------------


def _rewritten(
    project: Project, folder: naming.Folder, change: Change
) -> Iterator[Finding]:
    lead = folder.relpath("")
    ignore = project.config.migrations_ignore

    def old_migration(path: str) -> naming.Migration | None:
        # Repeatable migrations are meant to be edited: they run again
        # whenever their content changes.
        migration = _as_migration(folder, path, ignore)
        if migration is None or migration.kind == naming.REPEATABLE:
            return None
        return migration

    restore = f"`git checkout {change.base[:12]} -- <path>`"
    for path in sorted(change.modified):
        migration = old_migration(path)
        if migration is None:
            continue
        old, new = _short(change.old_content(path)), _short(_bytes(project, path))
        what = "edited" if old != new else "changed (its file mode)"
        yield finding(
            "MG004",
            path,
            f"{label(migration)} was {what} by {change.description}, but it "
            f"already existed (content {old} -> {new}): databases that ran it "
            f"never see the change; restore it ({restore.replace('<path>', path)}) "
            "and put the change in a new migration",
        )
    for path in sorted(change.deleted):
        migration = old_migration(path)
        if migration is None:
            continue
        old = _short(change.old_content(path))
        yield finding(
            "MG004",
            path,
            f"{label(migration)} was deleted by {change.description}, but it "
            f"already existed (content {old} -> deleted): databases that ran "
            f"it keep its effects; restore it "
            f"({restore.replace('<path>', path)}) and undo it in a new "
            "migration if needed",
        )
    for old_path, new_path in change.renamed:
        migration = old_migration(old_path)
        if migration is None:
            continue
        old = _short(change.old_content(old_path))
        new = _short(_bytes(project, new_path))
        at = new_path if new_path.startswith(lead) else old_path
        yield finding(
            "MG004",
            at,
            f"{label(migration)} was renamed to {new_path} by "
            f"{change.description}, but it already existed (content {old} -> "
            f"{new}): migration tools track it by its name and would run it "
            f"again; rename it back to {old_path}",
        )


def _bytes(project: Project, path: str) -> bytes | None:
    if textio.check_inside(project.root, path):
        return None
    try:
        return (project.root / path).read_bytes()
    except OSError:
        return None


def _short(data: bytes | None) -> str:
    if data is None:
        return "unknown"
    return "sha256:" + hashlib.sha256(data).hexdigest()[:12]


# -- MG006 ---------------------------------------------------------------------


def _missing_downs(project: Project, folder: naming.Folder) -> Iterator[Finding]:
    required = project.config.require_down
    if folder.scheme is None:
        return
    missing = naming.without_down(folder, lambda p: text_of(project, p))
    if missing is None:
        return
    has_any = len(missing) < len(folder.forward)
    # Without require_down, a folder that has no downs at all follows an
    # up-only convention; a missing one among others is an oversight.
    if not (required or has_any):
        return
    for migration in missing:
        item = finding(
            "MG006",
            folder.relpath(migration.name),
            f"{label(migration)} has no "
            f"{_down_name(folder.scheme, migration)}; add it so "
            "that a bad deploy can be rolled back",
        )
        yield with_severity(item, "error") if required else item


def _down_name(scheme: str, migration: naming.Migration) -> str:
    assert migration.version is not None
    if scheme == "flyway":
        return f"undo migration (U{migration.version.raw}__{migration.description}.sql)"
    if scheme == "golang-migrate":
        return f"down migration ({migration.unit}.down.sql)"
    if scheme == "diesel":
        return "down.sql beside its up.sql"
    if scheme == "dbmate":
        return "`-- migrate:down` section"
    return "down migration"
