"""MG001-MG007: migration naming, duplicate versions, ordering against what
already existed, immutability, gaps, down migrations, and the integrity
file. Reads file names and bytes only; never parses SQL."""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from collections.abc import Iterator

from dbdesign import naming, sumfile, textio
from dbdesign.change import NO_GIT_NOTE, Change
from dbdesign.findings import Finding, finding, with_severity
from dbdesign.project import Project
from dbdesign.views import added_migrations, folder_of, text_of

_LIST_AT_MOST = 10  # unlisted migrations named one by one in MG007


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
        *(_duplicates(project, folder) if versioned else ()),
        *_gaps(folder),
        *_missing_downs(project, folder),
        *_integrity(project, folder),
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


# -- MG002 ---------------------------------------------------------------------


def _duplicates(project: Project, folder: naming.Folder) -> Iterator[Finding]:
    by_version: dict[naming.Version, list[naming.Migration]] = defaultdict(list)
    for migration in folder.forward:
        assert migration.version is not None
        by_version[migration.version].append(migration)
    dupes = {v: ms for v, ms in by_version.items() if len(ms) > 1}
    if not dupes:
        return
    change = project.change
    # What existed at the base keeps its version; the rest is new, tracked
    # by git or not yet (a file not `git add`-ed is new too).
    committed = (
        {
            name
            for path in change.old_paths(folder.path)
            if (name := path[len(folder.relpath("")) :])
        }
        if change is not None
        else None
    )
    newest = _newest(folder)
    for version, group in sorted(dupes.items()):
        new = (
            [m for m in group if m.name not in committed]
            if committed is not None
            else []
        )
        # Blame the new ones when some migration of the version is older;
        # else every one after the first.
        blamed = new if new and len(new) < len(group) else group[1:]
        keep = next(m for m in group if m not in blamed)
        for migration in blamed:
            # each one blamed is told its own free version
            free = naming.next_version(folder.scheme, newest)
            newest = naming.parse_version(free) or newest
            yield finding(
                "MG002",
                folder.relpath(migration.name),
                f"{_label(migration)} has version {version}, as "
                f"{_label(keep)} does; give it the next free version, "
                f"{free} ({_renamed(migration, free)})",
            )


def _newest(folder: naming.Folder) -> naming.Version:
    newest = folder.forward[-1].version
    assert newest is not None
    return newest


def _next_free(folder: naming.Folder) -> str:
    # The last migration in run order, as written (its padding is the one
    # people see last).
    return naming.next_version(folder.scheme, _newest(folder))


def _label(migration: naming.Migration) -> str:
    """How people call a migration: its file name, or its diesel folder."""
    parts = migration.name.split("/")
    if (
        migration.kind != naming.REPEATABLE
        and len(parts) == 2
        and parts[1] in ("up.sql", "down.sql", "metadata.toml")
    ):
        return parts[0]
    return parts[-1]


def _renamed(migration: naming.Migration, version: str) -> str:
    assert migration.version is not None
    label = _label(migration)
    return label.replace(migration.version.raw, version, 1)


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
    free = _next_free(folder)
    for migration in new:
        assert migration.version is not None
        if migration.version > newest_before.version:
            continue
        yield finding(
            "MG003",
            folder.relpath(migration.name),
            f"{_label(migration)} (version {migration.version}) is not newer "
            f"than {_label(newest_before)} (version "
            f"{newest_before.version}), which already exists: databases "
            f"already migrated would never run it; give it the next free "
            f"version, {free} ({_renamed(migration, free)})",
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
            f"{_label(migration)} was {what} by {change.description}, but it "
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
            f"{_label(migration)} was deleted by {change.description}, but it "
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
            f"{_label(migration)} was renamed to {new_path} by "
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


# -- MG005 ---------------------------------------------------------------------


def _gaps(folder: naming.Folder) -> Iterator[Finding]:
    # golang-migrate's and goose's `-seq` numbering is sequential too; a
    # folder of timestamps is not
    if folder.scheme not in ("sequential", "golang-migrate", "goose"):
        return
    if folder.scheme != "sequential" and any(
        len(m.version.raw) >= 10 for m in folder.forward if m.version is not None
    ):
        return
    seen: dict[int, naming.Migration] = {}
    for migration in folder.forward:
        assert migration.version is not None
        number = migration.version.key[0] if migration.version.key else 0
        seen.setdefault(number, migration)
    numbers = sorted(seen)
    steps = [high - low for low, high in itertools.pairwise(numbers)]
    gaps = sum(d > 1 for d in steps)
    if folder.scheme != "sequential" and gaps > max(1, len(steps) // 10):
        return  # numbered in strides (harbor's 0010, 0015, ...), not by -seq
    for low, high in itertools.pairwise(numbers):
        if high - low > 1:
            missing = f"{low + 1}" if high - low == 2 else f"{low + 1} to {high - 1}"
            yield finding(
                "MG005",
                folder.relpath(seen[high].name),
                f"{_label(seen[high])} follows {_label(seen[low])}: version "
                f"{missing} is missing; renumber it, or commit the missing "
                "migration if it was lost",
            )


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
            f"{_label(migration)} has no "
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


# -- MG007 ---------------------------------------------------------------------


def _integrity(project: Project, folder: naming.Folder) -> Iterator[Finding]:
    mode = project.config.integrity_file
    if mode == "off":
        return
    path = folder.relpath(naming.SUM_FILE)
    hint = "run `dbdesign migrations hash` to rewrite it"
    result = project.read(path)
    if isinstance(result, textio.Unreadable):
        if not result.missing:
            yield finding("MG007", path, f"{naming.SUM_FILE} {result.reason}")
        elif mode == "required":
            yield finding(
                "MG007",
                path,
                f"{naming.SUM_FILE} is missing but `integrity_file: "
                "required`; run `dbdesign migrations hash` to write "
                "it and commit it",
            )
        return
    try:
        recorded = sumfile.parse(result.text)
    except sumfile.SumError as exc:
        yield finding("MG007", path, f"{naming.SUM_FILE} {exc}", exc.line)
        return
    if sumfile.total_of(sumfile.body(recorded.entries)) != recorded.total:
        yield finding(
            "MG007",
            path,
            f"{naming.SUM_FILE}: the hash of the list does not match "
            f"its lines (edited by hand, or merged); {hint}",
            1,
        )
    actual, unreadable = sumfile.compute(project.root, folder)
    now = {entry.name: entry.digest for entry in actual}
    listed = set()
    for name in unreadable:
        yield finding(
            "MG007",
            folder.relpath(name),
            f"{name} cannot be read, so its hash cannot be checked; "
            "fix its permissions",
        )
    for entry in recorded.entries:
        listed.add(entry.name)
        if entry.name in unreadable:
            continue
        if entry.name not in now:
            yield finding(
                "MG007",
                path,
                f"{naming.SUM_FILE} lists {entry.name}, which is no "
                f"longer a migration in the folder; restore it, or "
                f"{hint}",
                entry.line,
            )
        elif now[entry.name] != entry.digest:
            yield finding(
                "MG007",
                path,
                f"{entry.name} has changed since {naming.SUM_FILE} "
                f"was written ({entry.digest} -> {now[entry.name]}); "
                f"restore it, or if the change is intended, {hint}",
                entry.line,
            )
    unlisted = [entry.name for entry in actual if entry.name not in listed]
    for name in unlisted[:_LIST_AT_MOST]:
        yield finding(
            "MG007", path, f"{name} is not listed in {naming.SUM_FILE}; {hint}"
        )
    if len(unlisted) > _LIST_AT_MOST:
        yield finding(
            "MG007",
            path,
            f"{len(unlisted) - _LIST_AT_MOST} more migrations are "
            f"not listed in {naming.SUM_FILE}; {hint}",
        )
