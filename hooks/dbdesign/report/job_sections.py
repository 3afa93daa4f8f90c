"""The job summary's part for one project root: its notes, checklist
progress per phase and blocked tasks, the migrations the change adds, and
the ERD as a mermaid block (left out when it would not fit)."""

from __future__ import annotations

from collections.abc import Mapping

from dbdesign.report.job_context import Context, Section
from dbdesign.report.md_text import md, prose

MAX_ITEMS = 200  # blocked tasks, migrations
ERD_BUDGET = 150_000  # bytes of mermaid source
MESSAGE_LIMIT = 400  # characters of one message
BAR_WIDTH = 10

_STATES = (
    ("done", "Done"),
    ("in_progress", "Doing"),
    ("blocked", "Blocked"),
    ("todo", "To do"),
)


def _bar(done: int, total: int) -> str:
    if not total:
        return "░" * BAR_WIDTH
    cells = done * BAR_WIDTH // total
    if done < total:
        cells = min(cells, BAR_WIDTH - 1)
    return "█" * cells + "░" * (BAR_WIDTH - cells)


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _progress_row(label: str, data: Mapping[str, object]) -> str:
    counts = data.get("counts")
    counts = counts if isinstance(counts, dict) else {}
    total = _int(data.get("total")) or sum(_int(v) for v in counts.values())
    done = _int(counts.get("done"))
    percent = done * 100 // total if total else 0
    cells = " | ".join(str(_int(counts.get(key))) for key, _ in _STATES)
    return f"| {label} | `{_bar(done, total)}` {percent}% | {cells} |"


def checklist(section: Section, context: Context) -> list[str]:
    status = section.status
    if status is None:
        return []
    if isinstance(status, str):
        return [f"_Checklist progress not shown: {md(status)}_", ""]
    phases = status.get("phases")
    phases = phases if isinstance(phases, list) else []
    out = [
        "| Phase | Progress | " + " | ".join(n for _, n in _STATES) + " |",
        "|---|---|" + "---:|" * len(_STATES),
    ]
    for phase in phases:
        if not isinstance(phase, dict):
            continue
        number = phase.get("phase")
        name = phase.get("name")
        label = md(str(name) if name is not None else "", 80)
        if isinstance(number, int):
            label = f"{number} {label}"
        out.append(_progress_row(label, phase))
    overall = status.get("overall")
    if isinstance(overall, dict):
        out.append(_progress_row("**Overall**", overall))
    out.append("")
    blocked = status.get("blocked")
    blocked = (
        [b for b in blocked if isinstance(b, dict)] if isinstance(blocked, list) else []
    )
    if blocked:
        path = status.get("path")
        path = section.prefix + path if isinstance(path, str) else None
        out.append(f"**Blocked tasks ({len(blocked):,})**")
        out.append("")
        for task in blocked[:MAX_ITEMS]:
            line = task.get("line")
            line = line if isinstance(line, int) else None
            where = f"line {line}" if line else "a task"
            url = context.link(path, line) if path else None
            if url:
                where = f"[{where}]({url})"
            phase = task.get("phase")
            if isinstance(phase, int):
                where = f"Phase {phase}, {where}"
            text = task.get("text")
            text = text if isinstance(text, str) else ""
            reason = task.get("reason")
            if not isinstance(reason, str) or not reason:
                why = " — *no reason given*"
            elif reason in text:  # "… blocked by legal": said already
                why = ""
            else:
                why = f" — *because* {md(reason, 200)}"
            out.append(f"- {where}: {md(text, 200)}{why}")
        if len(blocked) > MAX_ITEMS:
            out.append(
                f"- … and {len(blocked) - MAX_ITEMS:,} more "
                "(`dbdesign status` lists them)"
            )
        out.append("")
    return out


def migrations(section: Section, context: Context) -> list[str]:
    added = section.migrations
    if added is None:
        return []
    if isinstance(added, str):
        return [f"_Migrations added: not known: {md(added)}_", ""]
    if not added:
        return ["No migrations added.", ""]
    out = [f"**Migrations added ({len(added):,})**", ""]
    for path in added[:MAX_ITEMS]:
        url = context.link(path)
        out.append(f"- [{md(path)}]({url})" if url else f"- {md(path)}")
    if len(added) > MAX_ITEMS:
        out.append(f"- … and {len(added) - MAX_ITEMS:,} more")
    out.append("")
    return out


def _fence(text: str) -> str:
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def erd(section: Section, room: int) -> list[str]:
    """The ERD block, if the diagram fits in ROOM bytes."""
    diagram, why = section.erd
    if not diagram:
        return [f"_ERD not shown: {md(why)}_", ""] if why else []
    if len(diagram.encode("utf-8")) > min(ERD_BUDGET, room):
        return [
            "_ERD not shown: the diagram is too large for a job summary; "
            "`dbdesign erd` prints it._",
            "",
        ]
    fence = _fence(diagram)
    # The block sits between HTML tags, so blank lines around it matter.
    return [
        "<details open><summary>Entity relationship diagram (from "
        "<code>dbdesign erd</code>)</summary>",
        "",
        f"{fence}mermaid",
        diagram.rstrip("\n"),
        fence,
        "",
        "</details>",
        "",
    ]


def notes(section: Section) -> list[str]:
    if not section.notes:
        return []
    return [*(f"- Note: {prose(note, MESSAGE_LIMIT)}" for note in section.notes), ""]
