"""The job summary of the GitHub Action (GitHub-flavoured Markdown): a
verdict, every finding with a link to its line (GitHub shows only the first
few annotations of a step), checklist progress per phase, blocked tasks,
the migrations the change adds and the ERD as a mermaid block.

Every text that comes from the repository or the event (file names,
messages, task texts, the pull request's title and branch) goes through
`md()`, so it can neither break the table nor inject links, HTML or
formatting. The size stays far below GitHub's 1 MiB limit for a step's
summary: long tables and lists are cut with a count and a pointer to the
full report.

This module renders the verdict, the findings table and the whole; what it
is given is `job_context.py`, a root's part `job_sections.py`, the escaping
`md_text.py`."""

from __future__ import annotations

from collections.abc import Sequence

from dbdesign.findings import Finding
from dbdesign.report import job_sections

# Also what action_report.py uses of the job summary, from where it lives.
from dbdesign.report.job_context import Context as Context
from dbdesign.report.job_context import PullRequest as PullRequest
from dbdesign.report.job_context import Section as Section
from dbdesign.report.job_context import fails as fails
from dbdesign.report.job_context import ordered as ordered
from dbdesign.report.job_sections import MESSAGE_LIMIT
from dbdesign.report.md_text import code, md, prose

MAX_ROWS = 1000  # findings in the table
TABLE_BUDGET = 400_000  # bytes of table rows
# Well under GitHub's 1 MiB for a step's summary, whatever the number of
# roots: a diagram that would pass it is left out.
TOTAL_BUDGET = 800_000


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
            *job_sections.notes(section),
            *job_sections.checklist(section, context),
            *job_sections.migrations(section, context),
        ]
        room = TOTAL_BUDGET - size - sum(len(line.encode("utf-8")) + 1 for line in body)
        body.extend(job_sections.erd(section, room))
        if not body:
            continue
        title = "Project" if len(sections) > 1 else "Design status"
        heading = f"### {title}" + (
            f" {code(section.root)}" if len(sections) > 1 else ""
        )
        out.extend([heading, "", *body])
        size += sum(len(line.encode("utf-8")) + 1 for line in body)
    return "\n".join(out).rstrip("\n") + "\n\n"
