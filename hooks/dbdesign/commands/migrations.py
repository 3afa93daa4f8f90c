"""`dbdesign migrations hash [ROOT]`: write the migration integrity file
(MG007) for the migrations as they are on disk."""

from __future__ import annotations

import argparse

from dbdesign import naming, textio
from dbdesign.errors import UsageError
from dbdesign.project import Project, locate
from dbdesign.sumfile import compute, render
from dbdesign.views import folder_of


def main(args: argparse.Namespace) -> int:
    root, config = locate(args.root, args.config)
    project = Project(root, config)
    outside = textio.check_inside(root, config.migrations_path)
    if outside is not None:
        raise UsageError(f"{config.migrations_path}: the migrations folder {outside}")
    folder = folder_of(project)
    if folder is None:
        raise UsageError(
            f"{config.migrations_path}: no migrations folder; "
            "create it or set `migrations_dir` in the config"
        )
    entries, unreadable = compute(root, folder)
    if unreadable:
        raise UsageError(
            f"{folder.relpath(unreadable[0])}: cannot be read; "
            "fix its permissions and run again"
        )
    target = folder.relpath(naming.SUM_FILE)
    try:
        textio.write_atomic(
            root / target,
            render(entries).encode("utf-8", "surrogateescape"),
            root=root,
        )
    except textio.LeavesRoot as exc:
        raise UsageError(f"{target}: {exc.strerror}") from None
    print(f"wrote {textio.printable(target)} ({len(entries)} migration files)")
    for name, why in folder.unnamed:
        where = textio.printable(folder.relpath(name))
        print(f"note: {where} is not listed: it {textio.printable(why)}")
    return 0
