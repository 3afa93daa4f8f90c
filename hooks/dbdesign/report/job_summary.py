"""The job summary of the GitHub Action (GitHub-flavoured Markdown): a
verdict, every finding with a link to its line (GitHub shows only the first
few annotations of a step), checklist progress per phase, blocked tasks,
the migrations the change adds and the ERD as a mermaid block.

Every text that comes from the repository or the event (file names,
messages, task texts, the pull request's title and branch) goes through
`md()`, so it can neither break the table nor inject links, HTML or
formatting. The size stays far below GitHub's 1 MiB limit for a step's
summary: long tables and lists are cut with a count and a pointer to the
full report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from dbdesign.findings import Finding
from dbdesign.textio import one_line

MAX_ROWS = 1000  # findings in the table
TABLE_BUDGET = 400_000  # bytes of table rows
MAX_ITEMS = 200  # blocked tasks, migrations
ERD_BUDGET = 150_000  # bytes of mermaid source
# Well under GitHub's 1 MiB for a step's summary, whatever the number of
# roots: a diagram that would pass it is left out.
TOTAL_BUDGET = 800_000
MESSAGE_LIMIT = 400  # characters of one message
BAR_WIDTH = 10

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "`": "&#96;"}
# Characters Markdown (with GitHub's math and strikethrough) may read as
# syntax inside a line; a backslash makes each a literal.
_PUNCTUATION = frozenset("\\*_[]()#!|~$")
_STATES = (
    ("done", "Done"),
    ("in_progress", "Doing"),
    ("blocked", "Blocked"),
    ("todo", "To do"),
)


def _escape(flat: str) -> str:
    return "".join(
        _ENTITIES.get(ch) or ("\\" + ch if ch in _PUNCTUATION else ch) for ch in flat
    )


def md(text: str, limit: int | None = None) -> str:
    """TEXT as one line of literal Markdown text: HTML, backticks, table
    pipes, links and emphasis are neutralised."""
    return _escape(one_line(text, limit))


def prose(text: str, limit: int | None = None) -> str:
    """A message as Markdown: its `code` spans shown as code, everything
    else literal (as md())."""
    parts = one_line(text, limit).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: all literal
        return _escape("`".join(parts))
    return "".join(
        f"<code>{_escape(part)}</code>" if n % 2 else _escape(part)
        for n, part in enumerate(parts)
    )


def code(text: str) -> str:
    """TEXT shown as code: a code span cannot hold every character
    safely, so this is `md()` in a <code> element."""
    return f"<code>{md(text)}</code>"


@dataclass(frozen=True)
class PullRequest:
    number: int | None = None
    title: str = ""
    url: str = ""
    head: str = ""
    base: str = ""

    @classmethod
    def of(cls, event: Mapping[str, object]) -> PullRequest | None:
        pull = event.get("pull_request")
        if not isinstance(pull, dict):
            return None

        def text(value: object) -> str:
            return value if isinstance(value, str) else ""

        def ref(side: str) -> str:
            part = pull.get(side)
            return text(part.get("ref")) if isinstance(part, dict) else ""

        number = pull.get("number")
        return cls(
            number if isinstance(number, int) else None,
            text(pull.get("title")),
            text(pull.get("html_url")),
            ref("head"),
            ref("base"),
        )


@dataclass(frozen=True)
class Context:
    server: str = "https://github.com"
    repository: str = ""
    sha: str = ""
    pull_request: PullRequest | None = None
    base: str | None = None
    fail_on: str = "error"
    sarif_path: str | None = None
    allow_no_changelog: bool = False

    def link(self, path: str, line: int | None = None) -> str | None:
        """The URL of PATH (repository-relative) at LINE in the checked
        commit, or None when the run does not know the repository."""
        if not (self.repository and self.sha):
            return None
        url = (
            f"{self.server.rstrip('/')}/{quote(self.repository, safe='/')}"
            f"/blob/{quote(self.sha, safe='')}/{quote(path, safe='/')}"
        )
        return url + (f"#L{line}" if line else "")


@dataclass(frozen=True)
class Section:
    """What the summary shows for one project root. `status`, `erd` and
    `migrations` hold the data, or a string saying why there is none."""

    root: str
    prefix: str = ""
    files: int = 0
    error: str | None = None
    status: Mapping[str, object] | str | None = None
    erd: tuple[str, str] = ("", "")  # (diagram, why there is none)
    migrations: tuple[str, ...] | str | None = None
    notes: tuple[str, ...] = ()  # `dbdesign check`'s notes for people
    out_of_scope: int = 0  # findings in code the change left alone (SPEC 3b)


def fails(errors: int, warnings: int, fail_on: str) -> bool:
    """Whether findings this many fail the step under `fail-on`."""
    if fail_on == "warning":
        return errors + warnings > 0
    return fail_on == "error" and errors > 0


def ordered(findings: Sequence[Finding]) -> list[Finding]:
    """Errors first (GitHub shows the first few annotations, and a cut
    table keeps the errors), then by path and line."""
    return sorted(findings, key=lambda f: (f.severity != "error", *f.sort_key()))


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _where(item: Finding, context: Context) -> str:
    shown = item.path + (f":{item.line}" if item.line else "")
    url = context.link(item.path, item.line)
    return f"[{md(shown)}]({url})" if url else md(shown)


# -- sections ---------------------------------------------------------------------


def _verdict(
    sections: Sequence[Section], findings: Sequence[Finding], context: Context
) -> list[str]:
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    broken = [s for s in sections if s.error is not None]
    failed = fails(errors, warnings, context.fail_on)
    if broken:
        mark = "❗"
    elif failed:
        mark = "❌"
    elif findings:
        mark = "⚠️"
    else:
        mark = "✅"
    counts = (
        f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
        if findings
        else "no findings"
    )
    out = [f"## {mark} dbdesign: {counts}", ""]
    files = sum(s.files for s in sections)
    if len(sections) == 1:
        where = f"project {code(sections[0].root)}"
    else:
        where = f"{len(sections)} projects"
    facts = [f"Checked {where} ({_plural(files, 'file')})"]
    pull = context.pull_request
    if pull is not None:
        name = f"#{pull.number}" if pull.number is not None else "pull request"
        title = md(pull.title, 200)
        facts.append(
            f"pull request {name} {title}".rstrip()
            + (
                f": {code(pull.head)} into {code(pull.base)}"
                if pull.head and pull.base
                else ""
            )
        )
    if context.base:
        facts.append(f"compared with {code(context.base[:12])}")
    hidden = sum(s.out_of_scope for s in sections)
    if hidden:
        facts.append(
            f"{_plural(hidden, 'finding')} in code the change left alone not "
            "shown (input `scope: all` shows them)"
        )
    out.append("; ".join(facts) + ".")
    policy = {
        "error": "fails on errors",
        "warning": "fails on errors and warnings",
        "never": "never fails on findings",
    }
    out.append("")
    out.append(
        f"The step {policy.get(context.fail_on, 'fails on errors')} "
        f"(`fail-on: {md(context.fail_on)}`)"
        + (", and it failed." if failed or broken else ".")
        + (
            " The changelog rules were waived by the pull request's label."
            if context.allow_no_changelog
            else ""
        )
    )
    for section in broken:
        out.append("")
        out.append(
            f"> [!CAUTION]\n> {code(section.root)} could not be "
            f"checked: {md(section.error or '')}"
        )
    out.append("")
    return out


def _table(findings: Sequence[Finding], context: Context) -> list[str]:
    if not findings:
        return []
    out = [
        "### Findings",
        "",
        "| Severity | Code | Where | Message |",
        "|---|---|---|---|",
    ]
    used = 0
    shown = 0
    for item in findings:
        mark = "❌ error" if item.severity == "error" else "⚠️ warning"
        row = (
            f"| {mark} | {code(item.code)} | {_where(item, context)} | "
            f"{prose(item.message, MESSAGE_LIMIT)} |"
        )
        if shown >= MAX_ROWS or used + len(row) > TABLE_BUDGET:
            break
        out.append(row)
        used += len(row) + 1
        shown += 1
    if shown < len(findings):
        where = (
            f"the SARIF file {code(context.sarif_path)}"
            if context.sarif_path
            else "this step's log (one annotation each)"
        )
        out.append("")
        out.append(
            f"**Showing {shown:,} of {len(findings):,} findings**, "
            f"errors first. All of them are in {where}, and "
            "`dbdesign check --format json` lists them locally."
        )
    out.append("")
    return out


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


def _checklist(section: Section, context: Context) -> list[str]:
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


def _migrations(section: Section, context: Context) -> list[str]:
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


def _erd(section: Section, room: int) -> list[str]:
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


def _notes(section: Section) -> list[str]:
    if not section.notes:
        return []
    return [*(f"- Note: {prose(note, MESSAGE_LIMIT)}" for note in section.notes), ""]


def render(
    sections: Sequence[Section], findings: Sequence[Finding], context: Context
) -> str:
    """The job summary. FINDINGS carry repository-relative paths and are
    shown in the order given (see `ordered`)."""
    out = _verdict(sections, findings, context)
    out.extend(_table(findings, context))
    size = sum(len(line.encode("utf-8")) + 1 for line in out)
    for section in sections:
        if section.error is not None:
            continue
        body = [
            *_notes(section),
            *_checklist(section, context),
            *_migrations(section, context),
        ]
        room = TOTAL_BUDGET - size - sum(len(line.encode("utf-8")) + 1 for line in body)
        body.extend(_erd(section, room))
        if not body:
            continue
        title = "Project" if len(sections) > 1 else "Design status"
        heading = f"### {title}" + (
            f" {code(section.root)}" if len(sections) > 1 else ""
        )
        out.extend([heading, "", *body])
        size += sum(len(line.encode("utf-8")) + 1 for line in body)
    return "\n".join(out).rstrip("\n") + "\n\n"
