"""CL001-CL005: checklist marker syntax, phase headings and phase order, with
a fix for the markers whose meaning is unambiguous."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from dbdesign import textio
from dbdesign.config import CHECKLIST
from dbdesign.findings import Finding, finding
from dbdesign.markdown import PHASES, Checklist, Task
from dbdesign.project import Project
from dbdesign.views import checklist_of

NAME = CHECKLIST


def checklist_path(project: Project) -> str:
    return project.config.framework_file(NAME)


def load(project: Project) -> tuple[str, Checklist | textio.Unreadable | None]:
    """The parsed checklist; Unreadable when it cannot be read as text;
    None when it is missing (the framework check reports that)."""
    return checklist_path(project), checklist_of(project)


def check(project: Project) -> Iterator[Finding]:
    path = checklist_path(project)
    if not project.wants(path):
        return
    path, parsed = load(project)
    if parsed is None:
        return
    if isinstance(parsed, textio.Unreadable):
        yield finding("FW003", path, f"framework file {NAME} {parsed.reason}")
        return
    if parsed.cut is not None:
        from dbdesign.markdown import MAX_NESTING

        project.note(
            f"{path}: lists or quotes nest more than {MAX_NESTING} "
            f"levels deep at line {parsed.cut}; what follows was not "
            "checked, flatten the nesting"
        )
    yield from malformed_markers(path, parsed)
    yield from phase_headings(path, parsed)
    yield from blocked_without_reason(path, parsed)
    yield from phase_order(path, parsed, project.config.phase_order)
    yield from empty_phases(path, parsed)


def _marker(task: Task) -> str:
    return f"[{task.marker}]"


def malformed_markers(path: str, checklist: Checklist) -> Iterator[Finding]:
    """CL001: only `[ ]`, `[~]`, `[x]` and `[!]` are markers."""
    for task in checklist.tasks:
        if task.valid:
            continue
        fixed = task.fixed_marker
        mend = (
            f"use `[{fixed}]` (fixable with --fix)"
            if fixed is not None
            else "use `[ ]`, `[~]`, `[x]` or `[!]`"
        )
        yield finding(
            "CL001",
            path,
            f"malformed marker `{_marker(task)}`; {mend}",
            task.line,
            task.column,
            fixable=fixed is not None,
        )


def phase_headings(path: str, checklist: Checklist) -> Iterator[Finding]:
    """CL002: `Phase 0` to `Phase 7`, each once, in order."""
    if not checklist.headings:
        yield finding(
            "CL002",
            path,
            "no phase headings; add `## Phase 0: "
            f"{PHASES[0]}` through `## Phase 7: {PHASES[7]}`",
            1,
        )
        return
    seen: dict[int, int] = {}
    highest = -1
    for heading in checklist.headings:
        number = heading.phase
        assert number is not None
        if number >= len(PHASES):
            yield finding(
                "CL002",
                path,
                f"unknown phase {number}; the framework's phases are 0 to 7",
                heading.line,
                1,
            )
        elif number in seen:
            yield finding(
                "CL002",
                path,
                f"Phase {number} appears twice (first at line "
                f"{seen[number]}); merge the two sections",
                heading.line,
                1,
            )
        elif number < highest:
            yield finding(
                "CL002",
                path,
                f"Phase {number} comes after Phase {highest}; move "
                "it so that phases run from 0 to 7",
                heading.line,
                1,
            )
        seen.setdefault(number, heading.line)
        highest = max(highest, number)
    for number, title in enumerate(PHASES):
        if number not in seen:
            after = [
                h
                for h in checklist.headings
                if h.phase is not None and h.phase < number
            ]
            line = after[-1].line if after else 1
            yield finding(
                "CL002",
                path,
                f"Phase {number} is missing; add a `## Phase "
                f"{number}: {title}` section with its tasks",
                line,
                1,
            )


def blocked_without_reason(path: str, checklist: Checklist) -> Iterator[Finding]:
    """CL003: a `[!]` task says why it is blocked."""
    for task in checklist.tasks:
        if task.state == "blocked" and task.reason is None:
            yield finding(
                "CL003",
                path,
                "blocked task gives no reason; add `blocked by "
                "...`, `waiting for ...`, `because ...` or "
                "`reason: ...` to it or in a nested item",
                task.line,
                task.column,
            )


def phase_order(path: str, checklist: Checklist, mode: str) -> Iterator[Finding]:
    """CL004: Phase 0 first; with `strict`, every phase after the ones
    before it."""
    if mode == "off":
        return
    # A `[!]` task that says why it is blocked is accounted for: waiting on
    # legal must not freeze the whole project.
    phase0_open = checklist.holding_back(0)
    started = [
        t for t in checklist.tasks if t.state in ("done", "in_progress") and t.phase
    ]
    for task in started:
        assert task.phase is not None
        if phase0_open:
            yield finding(
                "CL004",
                path,
                f"Phase {task.phase} task is `{_marker(task)}` while "
                f"Phase 0 has {len(phase0_open)} unfinished "
                f"task(s) (first at line {phase0_open[0].line}); "
                "finish Phase 0 first (a task that must wait: `[!]` "
                "with its reason) or set this task back to `[ ]`",
                task.line,
                task.column,
            )
            continue
        if mode != "strict":
            continue
        earlier = next(
            (
                t
                for t in checklist.tasks
                if t.phase is not None
                and t.phase < task.phase
                and t.state in ("todo", "in_progress")
            ),
            None,
        )
        if earlier is not None:
            yield finding(
                "CL004",
                path,
                f"Phase {task.phase} task is `{_marker(task)}` while "
                f"Phase {earlier.phase} has a task not finished (`"
                f"{_marker(earlier)}` at line {earlier.line}); phase_order is "
                "strict: finish it first or set this task back to `[ ]`",
                task.line,
                task.column,
            )


def empty_phases(path: str, checklist: Checklist) -> Iterator[Finding]:
    """CL005: every phase lists its tasks."""
    with_tasks = {task.phase for task in checklist.tasks}
    reported: set[int] = set()
    for heading in checklist.headings:
        number = heading.phase
        if number is None or number in with_tasks or number in reported:
            continue
        reported.add(number)
        yield finding(
            "CL005",
            path,
            f"Phase {number} has no tasks; list what it takes as `- [ ] ...` items",
            heading.line,
            1,
        )


def fix(project: Project, findings: Sequence[Finding]) -> list[str]:
    """Rewrite `[X]` as `[x]` and `[]`, `[  ]` as `[ ]` where FINDINGS (the
    CL001 the run reports) say so, touching only those bytes; BOM, encoding
    and every line ending stay as they were."""
    path = checklist_path(project)
    if not project.wants(path):
        return []
    path, parsed = load(project)
    result = project.read(path)
    if not isinstance(parsed, Checklist) or not isinstance(result, textio.Text):
        return []
    wanted = {
        (f.line, f.column) for f in findings if f.code == "CL001" and f.path == path
    }
    text = result.text
    starts = textio.line_starts(text)
    edits = []
    for task in parsed.tasks:
        fixed = task.fixed_marker
        if task.valid or fixed is None or (task.line, task.column) not in wanted:
            continue
        offset = starts[task.line - 1] + task.column - 1
        old = _marker(task)
        if text[offset : offset + len(old)] == old:
            edits.append((offset, old, f"[{fixed}]"))
    if not edits:
        return []
    # One pass over the text: splicing each edit into a new copy of the
    # whole text made N edits cost N copies.
    pieces: list[str] = []
    done = 0
    for offset, old, new in sorted(edits):
        pieces += (text[done:offset], new)
        done = offset + len(old)
    pieces.append(text[done:])
    text = "".join(pieces)
    textio.write_atomic(
        project.root / path, textio.encode(text, result.bom), root=project.root
    )
    project.cache.pop(("checklist", path), None)
    return [path]
