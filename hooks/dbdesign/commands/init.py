"""`dbdesign init [ROOT] [--pre-commit] [--github] [--claude]`: scaffold
whatever of the framework and its artifacts is missing, add the pre-commit
config, the workflow and the Claude Code command and hook when asked, and
say what was created, updated and kept."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dbdesign import integrations
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

VERBS = ("created", "updated", "kept", "skipped", "failed")


def main(args: argparse.Namespace) -> int:
    root, config = locate(args.root)
    source = choose_source(args.templates, Path.home())
    dry_run: bool = args.dry_run
    outcomes = scaffold(root, config, source, dry_run)
    flags = {
        flag
        for flag in integrations.FLAGS
        if getattr(args, flag.replace("-", "_"), False)
    }
    added = integrations.add(root, config, flags, dry_run)
    _report(source, outcomes, added, dry_run)
    failed = [(o.item.target, o.reason) for o in outcomes if o.action == "failed"]
    failed += [(r.path, r.reason) for r in added if r.action == "failed"]
    for path, reason in failed:
        print(
            "dbdesign: error: " + inert(f"cannot create {path}: {reason}"),
            file=sys.stderr,
        )
    return 2 if failed else 0


def _report(
    source: Source,
    outcomes: list[Outcome],
    added: list[integrations.Result],
    dry_run: bool,
) -> None:
    if source.folder is None:
        print("Templates: bundled with dbdesign")
    else:
        print(
            f"Templates: {printable(str(source.folder))} ({source.label}); "
            "files it lacks come from the bundled templates"
        )
    verbs = {verb: verb for verb in VERBS}
    if dry_run:
        verbs.update(created="would create", updated="would update")
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
    for result in added:
        line = f"{verbs[result.action]:<{width}}  {result.path}"
        print(line + (f"  ({printable(result.reason)})" if result.reason else ""))
        if result.snippet:
            # As it is to be pasted: the pre-commit entry already has the
            # indentation of a `repos:` item.
            print(result.snippet, end="")
    actions = [o.action for o in outcomes] + [r.action for r in added]
    counts = {verb: actions.count(verb) for verb in VERBS}
    summary = f"{counts['created']} {'would be ' if dry_run else ''}created"
    if counts["updated"]:
        summary += f", {counts['updated']} {'would be ' if dry_run else ''}updated"
    summary += f", {counts['kept']} kept"
    for verb in ("skipped", "failed"):
        if counts[verb]:
            summary += f", {counts[verb]} {verb}"
    if dry_run:
        print(f"{summary}; dry run, nothing was written.")
        return
    if counts["created"] or counts["updated"]:
        print(
            f"{summary}. Fill in the new files, then run `dbdesign check`; "
            "`dbdesign status` shows the checklist's progress."
        )
    else:
        print(f"{summary}.")
    _next_steps(added)


def _next_steps(added: list[integrations.Result]) -> None:
    done = {r.path for r in added if r.action in ("created", "updated")}
    if integrations.PRE_COMMIT in done:
        print(
            f"Next: pin `rev:` in {integrations.PRE_COMMIT} (`pre-commit "
            f"autoupdate --freeze --repo {integrations.REPO_URL}`), then "
            "`pre-commit install`."
        )
    if integrations.WORKFLOW in done:
        print(
            f"Next: replace the zero commit SHA of `uses: dbdesign/dbdesign@` in "
            f"{integrations.WORKFLOW} with a release's SHA."
        )
    if integrations.CLAUDE_SETTINGS in done:
        print(
            "Claude Code: `/database <task>` works through the framework, and "
            "after each edit of a design file `dbdesign claude-hook` tells the "
            "agent what broke (it needs `dbdesign` on Claude Code's PATH)."
        )
