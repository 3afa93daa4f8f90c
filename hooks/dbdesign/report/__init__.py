"""Reporters: each turns findings into the text of one output format."""

from __future__ import annotations

from collections.abc import Sequence

from dbdesign.findings import Counts, Finding

FORMATS = ("text", "json", "github", "sarif")


def render(
    fmt: str,
    findings: Sequence[Finding],
    files: int,
    color: bool = False,
    notes: Sequence[str] = (),
    out_of_scope: int = 0,
) -> str:
    """FINDINGS, sorted, in format FMT; NOTES are one-line remarks for
    people (not in `sarif`); OUT_OF_SCOPE counts the findings in unchanged
    code that the run left out (SPEC 3b)."""
    ordered = sorted(findings, key=Finding.sort_key)
    summary = Counts.of(ordered, files, out_of_scope)
    if fmt == "json":
        from dbdesign.report import json_format

        return json_format.render(ordered, summary, notes)
    if fmt == "github":
        from dbdesign.report import github

        return github.render(ordered, summary, notes)
    if fmt == "sarif":
        from dbdesign.report import sarif

        return sarif.render(ordered)
    from dbdesign.report import text

    return text.render(ordered, summary, color, notes)
