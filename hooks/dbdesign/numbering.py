"""MG002 and MG005 for the migrations check: versions in a folder's
numbering, duplicated (each blamed migration is told its own next free
version) or skipped (a gap in a sequential folder); and the next free
version, which MG003 suggests too."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator

from dbdesign import naming
from dbdesign.findings import Finding, finding
from dbdesign.naming.schemes import label, renamed
from dbdesign.project import Project

# -- MG002 ---------------------------------------------------------------------


def duplicates(project: Project, folder: naming.Folder) -> Iterator[Finding]:
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
    newest = newest_version(folder)
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
                f"{label(migration)} has version {version}, as "
                f"{label(keep)} does; give it the next free version, "
                f"{free} ({renamed(migration, free)})",
            )


def newest_version(folder: naming.Folder) -> naming.Version:
    newest = folder.forward[-1].version
    assert newest is not None
    return newest


def next_free(folder: naming.Folder) -> str:
    # The last migration in run order, as written (its padding is the one
    # people see last).
    return naming.next_version(folder.scheme, newest_version(folder))


# -- MG005 ---------------------------------------------------------------------


def gaps(folder: naming.Folder) -> Iterator[Finding]:
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
    holes = sum(d > 1 for d in steps)
    if folder.scheme != "sequential" and holes > max(1, len(steps) // 10):
        return  # numbered in strides (harbor's 0010, 0015, ...), not by -seq
    for low, high in itertools.pairwise(numbers):
        if high - low > 1:
            missing = f"{low + 1}" if high - low == 2 else f"{low + 1} to {high - 1}"
            yield finding(
                "MG005",
                folder.relpath(seen[high].name),
                f"{label(seen[high])} follows {label(seen[low])}: version "
                f"{missing} is missing; renumber it, or commit the missing "
                "migration if it was lost",
            )
