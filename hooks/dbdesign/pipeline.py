"""One run, top to bottom: config -> project -> checks -> findings ->
reporters -> exit status. Every entry point (the umbrella `dbdesign check`
and each hook) calls run() with its own checks; `cli.py` only turns argv
into a Request."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from dbdesign import baseline, meter, rules, scope, selection
from dbdesign.errors import UsageError
from dbdesign.findings import Finding, Suppression, apply_suppressions, with_severity
from dbdesign.project import Options, Project, locate, relative
from dbdesign.textio import printable


@dataclass(frozen=True)
class Request:
    """What the command line asked of a run."""

    root: str | None = None
    config: str | None = None
    select: str | None = None
    ignore: str | None = None
    paths: tuple[str, ...] = ()
    base: str | None = None
    fix: bool = False
    no_cache: bool = False
    allow_no_changelog: bool = False
    all: bool = False  # judge everything, not only the change (SPEC 3b)
    baseline: bool = True  # apply the findings baseline (off to rewrite it)
    hook: str | None = None  # the hook id running, for advice in messages
    jobs: int | None = None  # sqlfluff workers (None: one per CPU)
    format: str = "text"
    output: str | None = None
    strict: bool = False
    quiet: bool = False


@dataclass(frozen=True)
class Outcome:
    """What a run found: the findings to report (filtered, suppressed,
    with their configured severity) and the files its fixes rewrote."""

    project: Project
    findings: list[Finding]
    fixed: list[str]
    out_of_scope: int = 0  # findings in unchanged code, not reported


def check_module(name: str) -> ModuleType:
    return importlib.import_module(f"dbdesign.checks.{name}")


def run(request: Request, checks: Sequence[str]) -> int:
    # A progress line on a terminal, for text reports only (issue 14)
    shown = meter.for_terminal(sys.stderr) if request.format == "text" else meter.NULL
    try:
        outcome = collect(request, checks, shown)
    finally:
        shown.close()
    return report(request, outcome)


def collect(
    request: Request, checks: Sequence[str], progress: meter.Meter = meter.NULL
) -> Outcome:
    """Config, project, checks and findings: everything but the output.
    PROGRESS is told what the run is doing."""
    root, config = locate(request.root, request.config)
    select = selection.split_codes(request.select, "--select")
    ignore = selection.split_codes(request.ignore, "--ignore") + list(config.ignore)
    paths = request.paths
    options = Options(
        paths=tuple(relative(root, p) for p in paths) if paths else None,
        base=request.base,
        fix=request.fix,
        no_cache=request.no_cache,
        allow_no_changelog=request.allow_no_changelog,
        sqlfluff=selection.sqlfluff_wanted(select, ignore),
        all=request.all,
        hook=request.hook,
        jobs=request.jobs,
    )
    project = Project(root, config, options)
    project.meter = progress
    for path in options.paths or ():
        if path.startswith(("/", "../")) or path == "..":
            project.note(
                f"{path} is outside the project root ({root}) and was not checked"
            )
    ran = selection.wanted_checks(checks, select, ignore)
    modules = {name: check_module(name) for name in ran}
    fixed = _fix(project, modules.values()) if request.fix else []

    found: list[Finding] = []
    for name, module in modules.items():
        progress.phase(f"{name} check")
        found.extend(module.check(project))
    project.close()
    # Two checks may see the same broken file (framework and checklist both
    # read the checklist): report it once.
    found = list(dict.fromkeys(found))

    def code_ran(code: str) -> bool:
        rule = rules.get(code)
        owner = rule.check if rule else "schema"
        return owner in ran and selection.enabled(code, select, ignore)

    def judged(code: str, sup: Suppression) -> bool:
        return code_ran(code) and scope.judged_at(
            project, code, sup.path, sup.line, sup.file_wide
        )

    def keep(item: Finding) -> bool:
        return selection.enabled(
            item.code, select, ignore
        ) and not selection.per_file_ignored(item, config.per_file_ignores)

    # Filter before suppressing (a suppression of a deselected finding is
    # not "used") and after (DB001 itself can be ignored per file).
    found = [item for item in found if keep(item)]
    found = [
        item for item in apply_suppressions(found, project.texts, judged) if keep(item)
    ]
    found = [
        with_severity(item, config.severity[item.code])
        if item.code in config.severity
        else item
        for item in found
    ]
    if request.baseline:
        # A stale entry is news only where this run judged its code fully.
        def entry_judged(code: str, path: str) -> bool:
            return (
                code_ran(code)
                and project.wants(path)
                and (scope.is_state(code) or scope.everything(project))
            )

        found = [
            item for item in baseline.apply(project, found, entry_judged) if keep(item)
        ]
    shown = [f for f in found if scope.in_scope(project, f.code, f.path, f.line)]
    return Outcome(project, shown, fixed, len(found) - len(shown))


def _fix(project: Project, modules: Iterable[ModuleType]) -> list[str]:
    fixed: list[str] = []
    for module in modules:
        fix: Callable[..., list[str]] | None = getattr(module, "fix", None)
        if fix is None:
            continue
        try:
            rewritten = fix(project)
        except OSError as exc:
            # A full disk or a read-only folder, not a bug: the atomic
            # write left the old file whole.
            raise UsageError(
                f"--fix: cannot write the fixed file ({exc.strerror});"
                " it is left as it was"
            ) from None
        for path in rewritten:
            fixed.append(path)
            project.forget(path)
    return fixed


def report(request: Request, outcome: Outcome) -> int:
    """Render OUTCOME in the requested format; the exit status."""
    from dbdesign.report import FORMATS, render

    assert request.format in FORMATS
    found, project = outcome.findings, outcome.project
    color = (
        request.output is None
        and sys.stdout.isatty()
        and "NO_COLOR" not in os.environ
        and request.format == "text"
    )
    for path in outcome.fixed:
        print(
            f"Fixing {printable(path)}",
            file=sys.stderr if request.format != "text" else sys.stdout,
        )
    quiet = request.quiet and request.format == "text"
    shown = found if not quiet else [f for f in found if fails(f, request.strict)]
    notes = [] if quiet else project.notes
    # Under pre-commit our hooks are `verbose` (so that a warning is seen
    # at `git commit`): a clean run says nothing, to keep the commit short.
    if os.environ.get("PRE_COMMIT") and request.format == "text" and not shown:
        quiet, notes = True, []
    text = render(
        request.format,
        shown,
        project.files_read,
        color,
        notes,
        outcome.out_of_scope,
    )
    if request.output:
        from dbdesign.textio import write_atomic

        try:
            write_atomic(Path(request.output), text.encode("utf-8"))
        except OSError as exc:
            raise UsageError(
                f"--output {request.output}: cannot write it "
                f"({exc.strerror}); choose another path"
            ) from None
    elif not (quiet and not shown):
        sys.stdout.write(text)
    failed = any(fails(item, request.strict) for item in found)
    return 1 if failed or outcome.fixed else 0


def fails(item: Finding, strict: bool) -> bool:
    return item.severity == "error" or strict
