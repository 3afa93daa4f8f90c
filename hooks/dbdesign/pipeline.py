"""One run, top to bottom: config -> project -> checks -> findings ->
reporters -> exit status. Every entry point (the umbrella `dbdesign check`
and each hook) calls run() with its own checks; `cli.py` only turns argv
into a Request."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

from dbdesign import meter, rules, scope, selection
from dbdesign.errors import UsageError
from dbdesign.findings import Finding, Suppression, apply_suppressions, with_severity
from dbdesign.project import (
    Options,
    Project,
    is_project,
    locate,
    nearest_project,
    projects_below,
    relative,
)
from dbdesign.textio import inert


class Request(NamedTuple):
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
    replay: str | None = None  # "on" from the replay hook and command
    database_url: str | None = None
    write_schema: bool = False


class Outcome(NamedTuple):
    """What a run found: the findings to report (filtered, suppressed,
    with their configured severity) and the files its fixes rewrote."""

    project: Project
    findings: list[Finding]
    fixed: list[str]
    out_of_scope: int = 0  # findings in unchanged code, not reported


def check_module(name: str) -> ModuleType:
    return importlib.import_module(f"dbdesign.checks.{name}")


def run(request: Request, checks: Sequence[str]) -> int:
    """Every project the request names (SPEC 2: one hook entry serves
    every project of a monorepo), checked one by one, reported together."""
    requests, stray = projects(request)
    # A progress line on a terminal, for text reports only (issue 14)
    shown = meter.for_terminal(sys.stderr) if request.format == "text" else meter.NULL
    try:
        outcomes = [collect(one, checks, shown) for one in requests]
    finally:
        shown.close()
    notes = [
        f"{path} is in no dbdesign project (no .dbdesign.yaml, "
        "[tool.dbdesign] or .claude/database/ above it) and was not checked"
        for path in stray
    ]
    return report(request, outcomes, notes)


def projects(request: Request) -> tuple[list[Request], list[str]]:
    """One request per project to check, and the PATHs in none of them.
    --root names the one project. Else each PATH goes to the nearest
    project above it (a PATH that is a project's folder checks that whole
    project); without PATHs, the project the working folder is in, else
    every project git tracks below it, else the git top-level."""
    if request.root is not None:
        return [request], []
    cwd = Path.cwd()
    if not request.paths:
        if nearest_project(cwd) is None:
            below = projects_below(cwd)
            if below:
                return [request._replace(root=str(p)) for p in below], []
        return [request], []
    whole: dict[Path, None] = {}
    grouped: dict[Path, list[str]] = {}
    stray: list[str] = []
    for path in request.paths:
        place = cwd / path
        if place.is_dir() and is_project(place):
            whole[place.absolute()] = None
            continue
        owner = nearest_project(place if place.is_dir() else place.parent)
        if owner is None:
            stray.append(path)
        else:
            grouped.setdefault(owner, []).append(path)
    if not whole and not grouped and not projects_below(cwd):
        return [request], []  # no project anywhere: the git top-level decides
    out = [request._replace(root=str(p), paths=()) for p in whole]
    out += [
        request._replace(root=str(p), paths=tuple(paths))
        for p, paths in grouped.items()
        if p not in whole
    ]
    return out, stray


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
        replay=request.replay,
        database_url=request.database_url,
        write_schema=request.write_schema,
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

    # A stale baseline entry is news only where this run judged its code
    # fully.
    def entry_judged(code: str, path: str) -> bool:
        return (
            code_ran(code)
            and project.wants(path)
            and (scope.is_state(code) or scope.everything(project))
        )

    def reported(found: list[Finding]) -> tuple[list[Finding], int]:
        """Of FOUND, what the run reports (and so what --fix may mend), and
        how many findings are out of scope."""
        # Filter before suppressing (a suppression of a deselected finding
        # is not "used") and after (DB001 itself can be ignored per file).
        found = [item for item in found if keep(item)]
        comments = sql_comments(project)
        found = [
            item
            for item in apply_suppressions(found, project.texts, judged, comments)
            if keep(item)
        ]
        found = [
            with_severity(item, config.severity[item.code])
            if item.code in config.severity
            else item
            for item in found
        ]
        if request.baseline and project.exists(config.baseline_file):
            from dbdesign import baseline

            found = [
                item
                for item in baseline.apply(project, found, entry_judged)
                if keep(item)
            ]
        shown = [f for f in found if scope.in_scope(project, f.code, f.path, f.line)]
        return shown, len(found) - len(shown)

    fixed = []
    if request.fix:
        fixed = _fix(project, modules.values(), lambda found: reported(found)[0])

    found: list[Finding] = []
    for name, module in modules.items():
        progress.phase(f"{name} check")
        found.extend(module.check(project))
    # A check may revise what the others found (replay retires SQ007 and
    # judges the static lock rules by what the server did).
    for module in modules.values():
        revise: Callable[..., list[Finding]] | None = getattr(module, "revise", None)
        if revise is not None:
            found = revise(project, found)
    project.close()
    # Two checks may see the same broken file (framework and checklist both
    # read the checklist): report it once.
    shown, hidden = reported(list(dict.fromkeys(found)))
    return Outcome(project, shown, fixed, hidden)


def sql_comments(project: Project) -> dict[str, list[tuple[int, int]]]:
    """The comments of each SQL file that holds a suppression: only a real
    comment suppresses, never the same text in a string literal."""
    sql = {
        path: text
        for path, text in project.texts.items()
        if path.endswith(".sql") and "dbdesign:" in text
    }
    if not sql:
        return {}
    from dbdesign.sql import split

    return {
        path: split.comments(text, project.config.dialect) for path, text in sql.items()
    }


def _fix(
    project: Project,
    modules: Iterable[ModuleType],
    reported: Callable[[list[Finding]], list[Finding]],
) -> list[str]:
    """Apply the fixes of the findings the run would report, as ruff does:
    never of a rule that is ignored, not selected, ignored for the file or
    suppressed on its line. The files they rewrote."""
    fixed: list[str] = []
    for module in modules:
        fix: Callable[..., list[str]] | None = getattr(module, "fix", None)
        if fix is None:
            continue
        wanted = [
            item for item in reported(list(module.check(project))) if item.fixable
        ]
        if not wanted:
            continue
        try:
            rewritten = fix(project, wanted)
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


def report(
    request: Request, outcomes: Sequence[Outcome], notes: Sequence[str] = ()
) -> int:
    """Render OUTCOMES (one per project) together in the requested format,
    with NOTES of the run's own; the exit status."""
    from dbdesign.report import FORMATS, render

    assert request.format in FORMATS
    found: list[Finding] = []
    fixed: list[str] = []
    notes = list(notes)
    files = hidden = 0
    for outcome in outcomes:
        project = outcome.project
        named, rewritten = from_top(project.root, outcome.findings, outcome.fixed)
        found += named
        fixed += rewritten
        notes += [n for n in project.notes if n not in notes]
        files += project.files_read
        hidden += outcome.out_of_scope
    color = (
        request.output is None
        and sys.stdout.isatty()
        and "NO_COLOR" not in os.environ
        and request.format == "text"
    )
    for path in fixed:
        print(
            f"Fixing {inert(path)}",
            file=sys.stderr if request.format != "text" else sys.stdout,
        )
    quiet = request.quiet and request.format == "text"
    shown = found if not quiet else [f for f in found if fails(f, request.strict)]
    if quiet:
        notes = []
    # Under pre-commit our hooks are `verbose` (so that a warning is seen
    # at `git commit`): a clean run says nothing, to keep the commit short.
    if os.environ.get("PRE_COMMIT") and request.format == "text" and not shown:
        quiet, notes = True, []
    text = render(request.format, shown, files, color, notes, hidden)
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
    return 1 if failed or fixed else 0


def from_top(
    root: Path, findings: Sequence[Finding], fixed: Sequence[str]
) -> tuple[list[Finding], list[str]]:
    """FINDINGS and FIXED paths named from the git top-level, not from ROOT
    (SPEC 3): GitHub places annotations and SARIF results, and editors
    open files, from there. Checks, suppressions and per-file ignores all
    work on root-relative paths; only the output changes."""
    prefix = _top_prefix(root)
    if not prefix:
        return list(findings), list(fixed)
    return (
        [replace(item, path=prefix + item.path) for item in findings],
        [prefix + path for path in fixed],
    )


def _top_prefix(root: Path) -> str:
    """ROOT's place in its git work tree ("" or "db/"). The nearest folder
    up from ROOT that holds `.git` (a folder, or a file in a worktree or a
    submodule) is the top-level, as git finds it: no git process at
    start-up (SPEC 7) unless GIT_DIR or GIT_WORK_TREE move it."""
    if os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE"):
        from dbdesign import change

        where = change.location(root)
        return where[1] if where is not None else ""
    here = root.resolve()
    for folder in (here, *here.parents):
        if os.path.lexists(folder / ".git"):
            inside = here.relative_to(folder).as_posix()
            return "" if inside == "." else inside + "/"
    return ""


def fails(item: Finding, strict: bool) -> bool:
    return item.severity == "error" or strict
