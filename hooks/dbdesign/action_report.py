"""The action's report step: run `dbdesign check --format json` once per
root (`action_run.py`), then turn the findings into annotations, the job
summary, SARIF and outputs, and fail per `fail-on`. Nothing read from the
repository or the event is printed outside an escaped annotation or a
`::stop-commands::` block. Standard library only at import (dbdesign's
reporters are imported where used)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from dbdesign.action_inputs import InputError, read_inputs
from dbdesign.action_workflow import (
    command,
    event_base,
    event_labels,
    load_event,
    set_outputs,
)


def report(env: Mapping[str, str]) -> int:
    from dbdesign import textio
    from dbdesign.findings import Counts
    from dbdesign.report import github, job_summary, json_format, sarif

    try:
        inputs = read_inputs(env)
    except InputError as exc:
        print(command("error", str(exc)))
        return 2
    event = load_event(env)
    base = inputs.base or event_base(event, env)
    allow = inputs.allow_label is not None and inputs.allow_label in event_labels(event)
    workspace = Path(env.get("GITHUB_WORKSPACE") or os.getcwd())
    sarif_path = None
    if inputs.sarif:
        sarif_path = (workspace / inputs.sarif).absolute()
        if not _stays_inside(sarif_path, workspace):
            print(
                command(
                    "error",
                    f"sarif: {inputs.sarif} leads out of the "
                    "workspace through a symbolic link; choose a path "
                    "that no link takes out of it",
                )
            )
            return 2

    if inputs.config is not None:
        try:
            inputs = replace(inputs, config=vetted_config(inputs.config, workspace))
        except InputError as exc:
            print(command("error", str(exc)))
            return 2

    from dbdesign import action_run

    results = [
        action_run.run_root(
            root, workspace, inputs, base, allow, want_extras=inputs.summary
        )
        for root in inputs.roots
    ]
    findings = job_summary.ordered([f for r in results for f in r.findings])
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors

    for item in findings:
        print(github.annotation(item))
    broken = [r for r in results if r.error is not None]
    for result in broken:
        print(
            command("error", f"dbdesign could not check {result.root}: {result.error}")
        )
    log: list[str] = []
    for result in results:
        log.extend(f"{result.root}: {line}" for line in result.log)
    log.append(verdict_line(errors, warnings, inputs.fail_on, broken != []))
    print("\n".join(github.quoted_block(log)))

    outputs = {"errors": str(errors), "warnings": str(warnings), "sarif-file": ""}
    if sarif_path is not None:
        # Atomic; a link inside the workspace is written through, as every
        # writer of dbdesign does (_stays_inside refused one that leaves).
        # (A path the workflow names outside the workspace is its own.)
        textio.write_atomic(sarif_path, sarif.render(findings).encode(), root=workspace)
        outputs["sarif-file"] = str(sarif_path)
    temp = Path(env.get("RUNNER_TEMP") or workspace)
    json_path = temp / f"dbdesign-{secrets.token_hex(4)}.json"
    json_path.write_text(
        json_format.render(
            findings,
            Counts(errors, warnings, sum(r.files for r in results)),
            [note for r in results for note in r.section.notes],
        ),
        encoding="utf-8",
    )
    outputs["json-file"] = str(json_path)

    step_summary = env.get("GITHUB_STEP_SUMMARY")
    if inputs.summary and step_summary:
        context = job_summary.Context(
            server=env.get("GITHUB_SERVER_URL", "https://github.com"),
            repository=env.get("GITHUB_REPOSITORY", ""),
            sha=results[0].sha
            if results and results[0].sha
            else env.get("GITHUB_SHA", ""),
            pull_request=job_summary.PullRequest.of(event),
            base=base,
            fail_on=inputs.fail_on,
            sarif_path=inputs.sarif,
            allow_no_changelog=allow,
        )
        text = job_summary.render([r.section for r in results], findings, context)
        with open(step_summary, "a", encoding="utf-8", newline="\n") as out:
            out.write(text)
    set_outputs(env, outputs)

    if broken:
        return 2
    return 1 if job_summary.fails(errors, warnings, inputs.fail_on) else 0


def vetted_config(config: str, workspace: Path) -> str:
    """The `config` input as the check is to be given it: a file in the
    workspace by its real path there (relative), one named outside it as it
    is. A path in the workspace that a link (which a pull request may add)
    takes out of it is an InputError: the error would quote the file it
    reaches in the public log."""
    from dbdesign import textio

    path = workspace / config
    why = textio.leaves(workspace, path, "the workspace")
    if why:
        raise InputError(
            f"config: {config} {why}, so it is not read; commit the config "
            "file itself, or name a file outside the workspace directly"
        )
    real, top = path.resolve(), workspace.resolve()
    return real.relative_to(top).as_posix() if real.is_relative_to(top) else config


def _stays_inside(path: Path, workspace: Path) -> bool:
    """False when PATH is in the workspace by name but a link on the way
    (which a pull request may add) takes it elsewhere; a path the workflow
    names outside the workspace (`${{ runner.temp }}/...`) is its own."""
    from dbdesign import textio

    return textio.leaves(workspace, path, "the workspace") is None


def verdict_line(errors: int, warnings: int, fail_on: str, broken: bool) -> str:
    from dbdesign.report.job_summary import fails

    found = (
        f"{errors} error{'s' * (errors != 1)}, "
        f"{warnings} warning{'s' * (warnings != 1)}"
    )
    if broken:
        return f"dbdesign: {found}; failing: a project could not be checked"
    return f"dbdesign: {found} (fail-on: {fail_on}): " + (
        "failing" if fails(errors, warnings, fail_on) else "passing"
    )
