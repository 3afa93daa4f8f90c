"""The job summary: readable at 0 findings and at 5,000, escaped so that no
repository text becomes markup, and rendered (markdown-it-py to HTML, then
a headless Chromium screenshot where Chromium is installed)."""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from dbdesign.findings import Finding
from dbdesign.report import job_summary as summary
from dbdesign.report import md_text
from dbdesign.report.job_context import Context, PullRequest, Section

REPO_SCHEMA_SHA = "3f2a9c1d5e7b8a0f1e2d3c4b5a69788796a5b4c3"
CONTEXT = Context(
    server="https://github.com",
    repository="octo-org/octo-repo",
    sha=REPO_SCHEMA_SHA,
    pull_request=PullRequest(42, "Add orders", "", "feature/x", "main"),
    base="b" * 40,
)

STATUS = {
    "version": 1,
    "path": ".claude/database/database-checklist.md",
    "phases": [
        {
            "phase": 0,
            "name": "Data Requirements & Analysis",
            "line": 3,
            "counts": {
                "done": 6,
                "in_progress": 0,
                "blocked": 0,
                "todo": 0,
                "malformed": 0,
            },
            "total": 6,
            "percent": 100,
        },
        {
            "phase": 1,
            "name": "Database Design & Modeling",
            "line": 12,
            "counts": {
                "done": 3,
                "in_progress": 2,
                "blocked": 1,
                "todo": 2,
                "malformed": 0,
            },
            "total": 8,
            "percent": 37,
        },
        {
            "phase": 2,
            "name": "Schema Implementation & Migration",
            "line": 23,
            "counts": {
                "done": 0,
                "in_progress": 0,
                "blocked": 0,
                "todo": 5,
                "malformed": 0,
            },
            "total": 5,
            "percent": 0,
        },
    ],
    "overall": {
        "counts": {
            "done": 9,
            "in_progress": 2,
            "blocked": 1,
            "todo": 7,
            "malformed": 0,
        },
        "total": 19,
        "percent": 47,
    },
    "blocked": [
        {
            "phase": 1,
            "line": 19,
            "text": "Review the ERD with the payments team",
            "reason": "waiting for the payments team's sign-off",
        }
    ],
}
ERD = """erDiagram
    customers ||--o{ orders : places
    customers {
        integer id PK
        text email UK
    }
    orders {
        integer id PK
        integer customer_id FK
        numeric total
    }
"""


def finding(
    n: int,
    severity: str = "error",
    path: str = "db/schema.sql",
    message: str = "orders.customer_id has no index; add `CREATE "
    "INDEX ... ON orders (customer_id)`",
) -> Finding:
    return Finding(
        "SQ004" if severity == "error" else "LT01",
        severity,
        "schema",
        path,
        n,
        1,
        message,
    )


def section(**changes: object) -> Section:
    values: dict[str, object] = {
        "root": ".",
        "files": 12,
        "status": STATUS,
        "erd": (ERD, ""),
        "migrations": ("migration-scripts/V7__add_orders.sql",),
    }
    values.update(changes)
    return Section(**values)  # type: ignore[arg-type]


def to_html(markdown: str) -> str:
    body = MarkdownIt("commonmark").enable("table").render(markdown)
    return (
        "<!doctype html><meta charset=utf-8><style>body{font-family:"
        "-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:"
        "14px;max-width:1012px;margin:24px;color:#1f2328}table{border-"
        "collapse:collapse}td,th{border:1px solid #d1d9e0;padding:6px "
        "13px}code{background:#eff1f3;padding:.2em .4em;border-radius:"
        "6px;font-size:85%}pre code{background:none;padding:0}pre{"
        "background:#f6f8fa;padding:16px}a{color:#0969da}</style>" + body
    )


# -- content ------------------------------------------------------------------------


def test_zero_findings_is_short_and_clear() -> None:
    text = summary.render([section()], [], CONTEXT)
    assert text.startswith("## ✅ dbdesign: no findings\n")
    assert "### Findings" not in text
    assert "| 0 Data Requirements &amp; Analysis | `██████████` 100% |" in text
    assert "| 1 Database Design &amp; Modeling | `███░░░░░░░` 37% |" in text
    assert "| **Overall** | `████░░░░░░` 47% | 9 | 2 | 1 | 7 |" in text
    assert (
        "- Phase 1, [line 19](https://github.com/octo-org/octo-repo/blob/"
        f"{REPO_SCHEMA_SHA}/.claude/database/database-checklist.md#L19)"
        ": Review the ERD with the payments team — *because* waiting for "
        "the payments team's sign-off"
    ) in text
    assert "```mermaid\nerDiagram\n" in text
    assert "**Migrations added (1)**" in text
    assert len(text) < 4000


def test_findings_table_links_every_line() -> None:
    findings = [finding(3), finding(9, "warning", "db/a b#c(d).sql")]
    text = summary.render([section()], findings, CONTEXT)
    assert text.startswith("## ❌ dbdesign: 1 error, 1 warning\n")
    assert (
        "| ❌ error | <code>SQ004</code> | [db/schema.sql:3](https://"
        f"github.com/octo-org/octo-repo/blob/{REPO_SCHEMA_SHA}/db/"
        "schema.sql#L3) | orders.customer\\_id has no index; add <code>"
        "CREATE INDEX ... ON orders \\(customer\\_id\\)</code> |"
    ) in text
    assert f"/blob/{REPO_SCHEMA_SHA}/db/a%20b%23c%28d%29.sql#L9)" in text


def test_five_thousand_findings_are_cut_well_under_the_limit() -> None:
    findings = summary.ordered(
        [finding(n, "warning") for n in range(1, 4001)]
        + [finding(n, "error", "db/x.sql", "x" * 1000) for n in range(1, 1001)]
    )
    text = summary.render(
        [section()],
        findings,
        Context(**{**CONTEXT.__dict__, "sarif_path": "dbdesign.sarif"}),
    )
    size = len(text.encode("utf-8"))
    assert size < 600_000  # GitHub takes up to 1 MiB per step
    assert "**Showing" in text and "of 5,000 findings**" in text
    assert "<code>dbdesign.sarif</code>" in text
    rows = [line for line in text.splitlines() if line.startswith("| ❌")]
    assert rows, "errors come first"
    # Every cut message ends with an ellipsis; the table stays a table.
    assert all(line.endswith("… |") for line in rows)
    assert "### Design status" in text  # the rest still follows the table


def test_a_project_that_could_not_be_checked() -> None:
    broken = Section(
        "services/x",
        error="--base abc: no such commit in this "
        "clone; ... actions/checkout with `fetch-depth: 0`",
    )
    text = summary.render([broken, section(root="services/y")], [], CONTEXT)
    assert text.startswith("## ❗ dbdesign: no findings")
    assert "> [!CAUTION]\n> <code>services/x</code> could not be checked" in text
    assert "### Project <code>services/y</code>" in text


def test_missing_pieces_become_notes() -> None:
    text = summary.render(
        [
            section(
                status="no checklist",
                erd=("", "no erd command"),
                migrations="no base commit",
            )
        ],
        [],
        CONTEXT,
    )
    assert "_Checklist progress not shown: no checklist_" in text
    assert "_ERD not shown: no erd command_" in text
    assert "_Migrations added: not known: no base commit_" in text


def test_odd_status_data_does_not_crash() -> None:
    odd = {
        "phases": [None, {"phase": "x"}, {"counts": "y"}],
        "overall": 3,
        "blocked": [1, {"line": "z"}],
    }
    text = summary.render([section(status=odd)], [], CONTEXT)
    assert "| Phase | Progress |" in text


def test_erd_fence_outlasts_backticks_in_the_diagram() -> None:
    diagram = 'erDiagram\n    a {\n        text x "````"\n    }\n'
    text = summary.render([section(erd=(diagram, ""))], [], CONTEXT)
    assert "`````mermaid\n" in text
    tokens = MarkdownIt("commonmark").parse(text)
    fences = [t for t in tokens if t.type == "fence"]
    assert [t.info for t in fences] == ["mermaid"]
    assert fences[0].content == diagram


def test_huge_erd_is_left_out() -> None:
    diagram = "erDiagram\n" + "    t {\n        int c\n    }\n" * 10_000
    text = summary.render([section(erd=(diagram, ""))], [], CONTEXT)
    assert "```mermaid" not in text and "too large" in text


def test_hostile_pull_request_title_and_branch() -> None:
    pull = PullRequest(
        1, "<img src=x onerror=alert(1)> **bold** `c`", "", "a`b<i>", "main"
    )
    text = summary.render([section()], [], Context(pull_request=pull))
    rendered = to_html(text)
    assert "<img" not in rendered and "<strong>bold" not in rendered
    assert "<i>" not in rendered and "<code>c</code>" not in rendered
    assert "<img src=x onerror=alert(1)> **bold** `c`" in html.unescape(rendered)


# -- escaping as a property ---------------------------------------------------------


def _expected(text: str) -> str:
    flat = " ".join(text.split())
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
        for ch in flat
    )


@given(st.text())
def test_md_renders_as_the_literal_text(text: str) -> None:
    rendered = MarkdownIt("commonmark").renderInline(md_text.md(text))
    # No element of any kind: everything is text.
    assert "<" not in rendered.replace("&lt;", "")
    assert html.unescape(rendered) == _expected(text)


@given(st.text(), st.text())
def test_md_keeps_table_cells_apart(left: str, right: str) -> None:
    table = f"| a | b |\n|---|---|\n| {md_text.md(left)} | {md_text.prose(right)} |\n"
    tokens = MarkdownIt("commonmark").enable("table").parse(table)
    cells = [t for t in tokens if t.type == "td_open"]
    assert len(cells) == 2


@given(st.text())
def test_prose_shows_code_spans_as_code(text: str) -> None:
    rendered = MarkdownIt("commonmark").renderInline(md_text.prose(text))
    stripped = rendered.replace("<code>", "").replace("</code>", "")
    assert "<" not in stripped.replace("&lt;", "")


# -- what a person sees -------------------------------------------------------------


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.skipif(
    _chromium() is None, reason="no Chromium here (Debian: apt-get install chromium)"
)
def test_summary_screenshot(tmp_path: Path) -> None:
    findings = summary.ordered(
        [
            finding(12),
            finding(
                40,
                "warning",
                "migration-scripts/V7__add_orders.sql",
                "Expected single whitespace between naked identifier and "
                "start bracket '(' (layout.spacing)",
            ),
            Finding(
                "CL001",
                "error",
                "checklist",
                ".claude/database/database-checklist.md",
                21,
                3,
                "malformed marker `[y]`; use `[ ]`, `[~]`, `[x]` or `[!]`",
            ),
            Finding(
                "MG001",
                "error",
                "migrations",
                "migration-scripts/<b>x</b> | `y`\n::error::z.sql",
                None,
                None,
                "not a migration: name it `V<n>__<name>.sql`",
            ),
        ]
    )
    text = summary.render([section()], findings, CONTEXT)
    page = tmp_path / "summary.html"
    page.write_text(to_html(text), encoding="utf-8")
    shot = tmp_path / "summary.png"
    out = subprocess.run(
        [
            str(_chromium()),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1100,1300",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert shot.stat().st_size > 20_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    keep = os.environ.get("DBDESIGN_SCREENSHOT_DIR")
    if keep:  # for a person to look at
        shutil.copy2(shot, Path(keep) / "summary.png")
        shutil.copy2(page, Path(keep) / "summary.html")
    assert json.dumps(text)  # the summary is plain text, nothing else


def test_many_roots_with_big_diagrams_stay_under_the_limit() -> None:
    diagram = "erDiagram\n" + "    t {\n        int c\n    }\n" * 4_500
    sections = [section(root=f"services/s{n}", erd=(diagram, "")) for n in range(12)]
    findings = [finding(n, "error", "db/x.sql", "x" * 1000) for n in range(1, 5001)]
    text = summary.render(sections, findings, CONTEXT)
    assert len(text.encode("utf-8")) < 900_000
    assert "```mermaid" in text  # the first ones fit
    assert "too large" in text  # the later ones are left out


def test_check_notes_are_shown_escaped() -> None:
    note = "not a git repository: rules skipped <b>|</b>"
    text = summary.render([Section(".", notes=(note,))], [], CONTEXT)
    assert "Note: not a git repository" in text
    assert "<b>" not in text


def test_a_reason_already_in_the_task_is_not_repeated() -> None:
    data = json.loads(json.dumps(STATUS))
    data["blocked"] = [
        {
            "phase": 4,
            "line": 7,
            "text": "Encrypt addresses, blocked by the legal review",
            "reason": "the legal review",
        }
    ]
    text = summary.render([section(status=data)], [], CONTEXT)
    assert "Encrypt addresses, blocked by the legal review\n" in text
    assert "*because*" not in text
