"""`dbdesign init [ROOT]`: scaffold whatever of the framework and its
artifacts is missing, and say what was created and what was kept."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dbdesign.project import locate
from dbdesign.scaffold import (
    BUNDLED,
    GENERATED,
    Outcome,
    Source,
    choose_source,
    scaffold,
    shown,
)
from dbdesign.textio import inert, printable


def main(args: argparse.Namespace) -> int:
    root, config = locate(args.root)
    source = choose_source(args.templates, Path.home())
    outcomes = scaffold(root, config, source, args.dry_run)
    _report(source, outcomes, args.dry_run)
    failed = [o for o in outcomes if o.action == "failed"]
    for outcome in failed:
        print(
            "dbdesign: error: "
            + inert(f"cannot create {outcome.item.target}: {outcome.reason}"),
            file=sys.stderr,
        )
    return 2 if failed else 0


def _report(source: Source, outcomes: list[Outcome], dry_run: bool) -> None:
    if source.folder is None:
        print("Templates: bundled with dbdesign")
    else:
        print(
            f"Templates: {printable(str(source.folder))} ({source.label}); "
            "files it lacks come from the bundled templates"
        )
    verbs = {
        "created": "would create" if dry_run else "created",
        "kept": "kept",
        "skipped": "skipped",
        "failed": "failed",
    }
    width = max(len(verb) for verb in verbs.values())
    for outcome in outcomes:
        line = f"{verbs[outcome.action]:<{width}}  {printable(shown(outcome))}"
        if outcome.action == "created" and outcome.origin == GENERATED:
            line += "  (skeleton for the config's `artifacts:` sections)"
        elif outcome.action == "created" and source.folder is not None:
            line += (
                "  (bundled template)"
                if outcome.origin == BUNDLED
                else "  (team template)"
            )
        elif outcome.reason:
            line += f"  ({printable(outcome.reason)})"
        print(line)
    counts = {action: sum(o.action == action for o in outcomes) for action in verbs}
    created = counts["created"]
    summary = (
        f"{created} {'would be ' if dry_run else ''}created, {counts['kept']} kept"
    )
    if counts["skipped"]:
        summary += f", {counts['skipped']} skipped"
    if counts["failed"]:
        summary += f", {counts['failed']} failed"
    if dry_run:
        print(f"{summary}; dry run, nothing was written.")
    elif created:
        print(
            f"{summary}. Fill in the new files, then run `dbdesign check`; "
            "`dbdesign status` shows the checklist's progress."
        )
    else:
        print(f"{summary}.")
