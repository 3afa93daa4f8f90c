"""Checklist and section parsing on markdown-it-py tokens (with line maps).

markdown-it decides what is a list item, so lines inside code fences,
indented code and HTML comments are never tasks, and nested lists are."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from dbdesign.textio import split_lines

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

# The four markers of the framework, by what they mean.
STATES = {" ": "todo", "~": "in_progress", "x": "done", "!": "blocked"}
PHASES = (
    "Data Requirements & Analysis",
    "Database Design & Modeling",
    "Schema Implementation & Migration",
    "Performance Optimization & Indexing",
    "Security & Access Control",
    "Backup & Recovery Planning",
    "Monitoring & Maintenance",
    "Scaling & Evolution Planning",
)

_PHASE = re.compile(r"^Phase\s+(\d+)\b", re.IGNORECASE)
# A bracket group at the start of a list item that is meant as a marker: at
# most three characters with at most one that is not a space, and not a link
# (`[text](url)`, `[text][ref]`). `[1]` and `[TBD]` are text, not markers.
_MARKER = re.compile(r"^\[(?P<inner>[^\[\]\n]{0,3})\](?=\s|$)")
_REASON = re.compile(
    r"(?:^|[^\w])(?P<key>blocked\s*:|blocked\s+by\b|waiting\s+for\b|"
    r"because\b|reason\s*:)\s*(?P<reason>.*)",
    re.IGNORECASE | re.DOTALL,
)


class Heading(NamedTuple):
    line: int
    level: int
    text: str
    phase: int | None  # N for a `Phase N` heading


@dataclass
class Task:
    line: int
    column: int  # of the `[`
    marker: str  # what is between the brackets, as written
    text: str  # the item's text after the marker (all its lines)
    phase: int | None  # None before the first phase heading
    depth: int  # 0 for a top-level list item
    children: list[str] = field(default_factory=list)  # nested items' text

    @property
    def valid(self) -> bool:
        return self.marker in STATES

    @property
    def fixed_marker(self) -> str | None:
        """The marker a safe fix writes, or None if none is unambiguous."""
        if self.marker == "X":
            return "x"
        if self.marker != " " and not self.marker.strip():
            return " "
        return None

    @property
    def state(self) -> str | None:
        """todo, in_progress, done or blocked; malformed markers count as
        what their fix would make them, else None."""
        marker = self.marker if self.valid else self.fixed_marker
        return STATES.get(marker) if marker is not None else None

    @property
    def reason(self) -> str | None:
        """Why a blocked task is blocked: from its own text, else from a
        nested list item."""
        for text in (self.text, *self.children):
            match = _REASON.search(text)
            if match:
                reason = " ".join(match["reason"].split()).strip(" .-—–:")
                return reason or match["key"].strip()
        return None


@dataclass
class Checklist:
    headings: list[Heading]  # the `Phase N` headings, in file order
    tasks: list[Task]
    cut: int | None = None  # see `cut_at`

    def phase_tasks(self, phase: int) -> list[Task]:
        return [task for task in self.tasks if task.phase == phase]

    def phase_state(self, phase: int) -> str:
        """`complete` when every task of PHASE is `[x]`; `started` when
        one is `[x]` or `[~]`; else `not started` (no tasks, or none
        begun)."""
        states = [task.state for task in self.phase_tasks(phase)]
        if states and all(state == "done" for state in states):
            return "complete"
        if any(state in ("done", "in_progress") for state in states):
            return "started"
        return "not started"

    def holding_back(self, phase: int) -> list[Task]:
        """PHASE's tasks that are still open: `[ ]`, `[~]`, a malformed
        marker, or `[!]` without a reason. A blocked task that says why is
        accounted for and holds nothing back."""
        return [
            task
            for task in self.phase_tasks(phase)
            if task.state != "done"
            and not (task.state == "blocked" and task.reason is not None)
        ]


def phase_title(number: int) -> str:
    """`Phase 5 (Backup & Recovery Planning)`, for messages."""
    if 0 <= number < len(PHASES):
        return f"Phase {number} ({PHASES[number]})"
    return f"Phase {number}"


MAX_NESTING = 50  # commonmark's 20 cut a checklist nested nine levels deep


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # commonmark: no linkify or typographer surprises; HTML blocks (and so
    # comments) are recognised and skipped.
    # We read each inline token's source text (`content`), never its
    # children: skipping inline parsing saves a quarter of the time on a
    # long checklist.
    # markdown-it stops at MAX_NESTING levels of lists and quotes (bounding
    # its recursion) and drops the rest of the file; `cut_at` reports that.
    return MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).disable("inline")


def cut_at(parsed: list[Token]) -> int | None:
    """The line where markdown-it reached its nesting bound, after which it
    may have dropped the rest of the file; None when it did not."""
    for token in parsed:
        if token.level >= MAX_NESTING - 1 and token.map:
            return token.map[0] + 1
    return None


def tokens(text: str) -> list[Token]:
    return _parser().parse(text)


def headings(text: str, parsed: list[Token] | None = None) -> list[Heading]:
    parsed = tokens(text) if parsed is None else parsed
    found = []
    for index, token in enumerate(parsed):
        if token.type == "heading_open" and token.map:
            content = parsed[index + 1].content.strip()
            match = _PHASE.match(content)
            found.append(
                Heading(
                    token.map[0] + 1,
                    int(token.tag[1:]),
                    content,
                    int(match[1]) if match else None,
                )
            )
    return found


def parse_checklist(text: str) -> Checklist:
    parsed = tokens(text)
    lines = split_lines(text)
    phase_headings: list[Heading] = []
    tasks: list[Task] = []
    phase: int | None = None
    phase_level = 0
    # Open list items, innermost last: the task each one is, if any.
    open_items: list[Task | None] = []
    pending_item = False  # a list_item_open whose first paragraph is next
    heading_at = {h.line: h for h in headings(text, parsed)}
    for token in parsed:
        if pending_item and token.type not in ("paragraph_open", "inline"):
            # An item that opens with a code block, a heading or a nested
            # list is not a task.
            pending_item = False
        if token.type == "heading_open" and token.map:
            heading = heading_at[token.map[0] + 1]
            if heading.phase is not None:
                phase_headings.append(heading)
                phase, phase_level = heading.phase, heading.level
            elif phase is not None and heading.level <= phase_level:
                phase = None  # an appendix after the last phase
        elif token.type == "list_item_open":
            open_items.append(None)
            pending_item = True
        elif token.type == "list_item_close":
            open_items.pop()
            pending_item = False
        elif token.type == "inline" and open_items:
            if pending_item:
                pending_item = False
                task = _task(token, lines, phase, len(open_items) - 1)
                if task is not None:
                    open_items[-1] = task
                    tasks.append(task)
                    continue
            # Text under a task (a nested item, a second paragraph) may
            # give a blocked task's reason.
            owner = next((t for t in reversed(open_items) if t is not None), None)
            if owner is not None:
                owner.children.append(token.content)
    return Checklist(phase_headings, tasks, cut_at(parsed))


def _task(token: Token, lines: list[str], phase: int | None, depth: int) -> Task | None:
    match = _MARKER.match(token.content)
    if match is None or token.map is None:
        return None
    inner = match["inner"]
    if inner not in STATES and (len(inner.strip()) > 1 or inner.strip().isdigit()):
        return None
    line = token.map[0]
    source = lines[line] if line < len(lines) else ""
    first = token.content.split("\n", 1)[0]
    column = source.find(first)
    if column < 0:
        column = source.find("[")
    return Task(
        line + 1, column + 1, inner, token.content[match.end() :].strip(), phase, depth
    )
