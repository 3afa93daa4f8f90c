"""`dbdesign status`: checklist progress per phase, overall, and every blocked
task with its reason, as plain text for terminals and CI logs or as JSON."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dbdesign import limits, textio
from dbdesign.errors import UsageError
from dbdesign.markdown import PHASES, Checklist, Task, parse_checklist

if TYPE_CHECKING:
    from pathlib import Path

    from dbdesign.config import Config

# Counted states, in the order they are shown; `malformed` is a marker that
# `dbdesign check` reports (CL001) and whose meaning is not clear.
STATES = ("done", "in_progress", "blocked", "todo", "malformed")
LABELS = {
    "done": "done",
    "in_progress": "doing",
    "blocked": "blocked",
    "todo": "to do",
    "malformed": "malformed",
}
BAR_CELLS = {
    "done": "#",
    "in_progress": "~",
    "blocked": "!",
    "todo": "-",
    "malformed": "?",
}
BAR_WIDTH = 12
LINE_WIDTH = 100  # repository text is cut to fit a CI log's line
_PHASE_PREFIX = re.compile(r"^Phase\s+\d+\s*[:.)\-–—]?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Progress:
    """Counts of each state among some tasks."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def percent(self) -> int:
        """Done over all, rounded down: 100% means every task is done."""
        return self.counts["done"] * 100 // self.total if self.total else 0


@dataclass(frozen=True)
class PhaseStatus:
    phase: int | None  # None: tasks above the first phase heading
    name: str
    line: int | None
    progress: Progress


@dataclass(frozen=True)
class Status:
    path: str
    phases: tuple[PhaseStatus, ...]
    overall: Progress
    blocked: tuple[Task, ...]


def state_of(task: Task) -> str:
    return task.state or "malformed"


def progress(tasks: list[Task]) -> Progress:
    counts = dict.fromkeys(STATES, 0)
    for task in tasks:
        counts[state_of(task)] += 1
    return Progress(counts)


def summarise(path: str, checklist: Checklist) -> Status:
    """Progress per phase (in phase order, each phase once, named by its
    first heading), overall, and the blocked tasks in file order."""
    names: dict[int, tuple[str, int]] = {}
    for heading in checklist.headings:
        if heading.phase is not None and heading.phase not in names:
            name = _PHASE_PREFIX.sub("", heading.text).strip()
            if not name and 0 <= heading.phase < len(PHASES):
                name = PHASES[heading.phase]
            names[heading.phase] = (name, heading.line)
    phases = []
    if any(task.phase is None for task in checklist.tasks):
        loose = [task for task in checklist.tasks if task.phase is None]
        phases.append(
            PhaseStatus(None, "(before the first phase)", None, progress(loose))
        )
    for number in sorted(names):
        name, line = names[number]
        phases.append(
            PhaseStatus(number, name, line, progress(checklist.phase_tasks(number)))
        )
    blocked = tuple(t for t in checklist.tasks if state_of(t) == "blocked")
    return Status(path, tuple(phases), progress(checklist.tasks), blocked)


def bar(counts: dict[str, int], width: int = BAR_WIDTH) -> str:
    """`[####~~!-----]`: one cell character per state, in STATES order;
    cells are shared out by cumulative rounding so the widths always add
    up, and a non-zero count never rounds up to a full bar."""
    total = sum(counts.values())
    if not total:
        return "[" + " " * width + "]"
    cells = []
    before = 0
    done_so_far = 0
    for state in STATES:
        done_so_far += counts[state]
        end = done_so_far * width // total
        if state == "done" and counts[state] < total:
            end = min(end, width - 1)  # not full until everything is done
        end = max(end, before)
        cells.append(BAR_CELLS[state] * (end - before))
        before = end
    return "[" + "".join(cells).ljust(width, "-") + "]"


# -- output -------------------------------------------------------------------


def _clean(text: str, limit: int = 100) -> str:
    """One printable line from repository text: no escape sequences can
    reach the terminal or the CI log."""
    from dbdesign.textio import one_line

    return one_line(text, limit, "...")


def render_text(status: Status) -> str:
    out = [f"Checklist: {_clean(status.path, 200)}", ""]
    if not status.overall.total:
        out.append("No tasks yet: add `- [ ] ...` items under the phase headings.")
        return "\n".join(out) + "\n"
    shown = [s for s in STATES if s != "malformed" or status.overall.counts[s]]
    labels = [
        ("Overall" if p is None else _phase_label(p), p) for p in (*status.phases, None)
    ]
    width = max(len(label) for label, _ in labels)
    heads = " ".join(f"{LABELS[s]:>{max(len(LABELS[s]), 3)}}" for s in shown)
    out.append(f"{'Phase':<{width}}  {'Progress':<{BAR_WIDTH + 8}}  {heads}")
    for label, phase in labels:
        prog = status.overall if phase is None else phase.progress
        if phase is None:
            out.append("")
        counts = " ".join(f"{prog.counts[s]:>{max(len(LABELS[s]), 3)}}" for s in shown)
        out.append(
            f"{label:<{width}}  {bar(prog.counts)}  {prog.percent:>3}%  {counts}"
        )
    overall = status.overall
    out.append("")
    out.append(
        f"{overall.counts['done']} of {overall.total} tasks done "
        f"({overall.percent}%), {overall.counts['in_progress']} in "
        f"progress, {overall.counts['blocked']} blocked."
    )
    if overall.counts["malformed"]:
        out.append(
            f"{overall.counts['malformed']} task(s) have a malformed "
            "marker; `dbdesign check` names them."
        )
    if status.blocked:
        out.append("")
        out.append(f"Blocked ({len(status.blocked)}):")
        for task in status.blocked:
            where = "" if task.phase is None else f" (Phase {task.phase})"
            lead = f"  line {task.line}{where}: "
            out.append(lead + _clean(task.text, LINE_WIDTH - len(lead)))
            reason = task.reason
            out.append(
                "    reason: "
                + (
                    _clean(reason, LINE_WIDTH - 12)
                    if reason
                    else "none given (CL003); say why on the task's line"
                )
            )
    return "\n".join(out) + "\n"


def _phase_label(phase: PhaseStatus) -> str:
    name = _clean(phase.name, 40)
    return name if phase.phase is None else f"{phase.phase} {name}"


def render_json(status: Status) -> str:
    def prog(p: Progress) -> dict[str, object]:
        return {"counts": dict(p.counts), "total": p.total, "percent": p.percent}

    data = {
        "version": 1,
        "path": status.path,
        "phases": [
            {"phase": s.phase, "name": s.name, "line": s.line, **prog(s.progress)}
            for s in status.phases
        ],
        "overall": prog(status.overall),
        "blocked": [
            {"phase": t.phase, "line": t.line, "text": t.text, "reason": t.reason}
            for t in status.blocked
        ],
    }
    return textio.inert_json(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


# -- the command --------------------------------------------------------------


def load(root: Path, config: Config) -> Status:
    """The Status of the project's checklist; a UsageError that says how to
    mend it when the checklist is missing or unreadable."""
    path = config.checklist_path
    bound = limits.bound(config, path)
    result = textio.read(root, path, bound.bytes, bound.kind)
    if isinstance(result, textio.Unreadable):
        if result.missing:
            raise UsageError(f"{path}: no checklist; run `dbdesign init` to create one")
        raise UsageError(f"{path} {result.reason}")
    return summarise(path, parse_checklist(result.text))
