"""`dbdesign erd [ROOT] [--write]`: print the erDiagram generated from the
schema, or write it into the ERD between the dbdesign:erd markers."""

from __future__ import annotations

import argparse
import sys

from dbdesign.erd.document import CannotWrite, generated, warn_if_incomplete, write
from dbdesign.errors import UsageError
from dbdesign.project import Project, locate
from dbdesign.textio import inert, printable


def main(args: argparse.Namespace) -> int:
    root, config = locate(args.root, args.config)
    project = Project(root, config)
    warn_if_incomplete(project)
    try:
        if not args.write:
            sys.stdout.write(generated(project))
            return 0
        changed = write(project)
    except CannotWrite as exc:
        raise UsageError(str(exc)) from None
    path = config.erd_path
    shown = printable(path)
    print(f"Wrote {shown}" if changed else f"{shown} is up to date")
    for note in project.notes:
        print(f"dbdesign: note: {inert(note)}", file=sys.stderr)
    return 0
