"""`dbdesign baseline [ROOT]`: write the findings baseline (SPEC 3b), every
finding of a run that judges everything, so that a project whose state
rules fail today can adopt dbdesign and be held to "no new findings"."""

from __future__ import annotations

import argparse

from dbdesign import baseline, textio
from dbdesign.errors import UsageError
from dbdesign.hooks import CHECKS
from dbdesign.pipeline import Request, collect


def main(args: argparse.Namespace) -> int:
    request = Request(root=args.root, config=args.config, all=True, baseline=False)
    outcome = collect(request, CHECKS)
    project = outcome.project
    target = project.config.baseline_file
    outside = textio.check_inside(project.root, target)
    if outside is not None:
        raise UsageError(f"{target}: the baseline file {outside}")
    text = baseline.render(outcome.findings, project.texts)
    try:
        textio.write_atomic(
            project.root / target, text.encode("utf-8"), root=project.root
        )
    except OSError as exc:
        raise UsageError(
            f"{target}: cannot write it ({exc.strerror}); check the folder's "
            "permissions or set `baseline_file`"
        ) from None
    count = len([f for f in outcome.findings if f.code != "DB002"])
    print(
        f"wrote {textio.printable(target)} ({count} findings accepted); commit it, "
        "and run `dbdesign baseline` again when you fix some of them"
    )
    return 0
