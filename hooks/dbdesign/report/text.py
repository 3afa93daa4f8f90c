"""`path:line:col: CODE message`, one a line, then a summary line."""

from __future__ import annotations

from collections.abc import Sequence

from dbdesign.findings import Counts, Finding
from dbdesign.textio import printable

_RED, _YELLOW, _BOLD, _RESET = "\033[31m", "\033[33m", "\033[1m", "\033[0m"


def location(item: Finding) -> str:
    where = printable(item.path)
    if item.line is not None:
        where += f":{item.line}"
        if item.column is not None:
            where += f":{item.column}"
    return where


def line(item: Finding, color: bool = False) -> str:
    """`path:line:col: SEVERITY: CODE message`, GCC's form, which editors
    and CI problem matchers read; the severity word is always there, since
    without colour (under pre-commit, in CI) it is the only signal."""
    severity, code = item.severity, item.code
    if color:
        shade = _RED if item.severity == "error" else _YELLOW
        severity = f"{_BOLD}{shade}{severity}{_RESET}"
        code = f"{_BOLD}{code}{_RESET}"
    fixable = " [*]" if item.fixable else ""
    return f"{location(item)}: {severity}: {code}{fixable} {printable(item.message)}"


def summary_line(summary: Counts) -> str:
    files = _plural(summary.files, "file")
    if not summary.errors and not summary.warnings:
        head = f"All checks passed ({files} checked)"
    else:
        parts = []
        if summary.errors:
            parts.append(_plural(summary.errors, "error"))
        if summary.warnings:
            parts.append(_plural(summary.warnings, "warning"))
        head = f"Found {' and '.join(parts)} ({files} checked)"
    if summary.out_of_scope:
        head += (
            f"; {_plural(summary.out_of_scope, 'finding')} in unchanged code "
            "not shown; --all shows them"
        )
    return head + "."


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def render(
    findings: Sequence[Finding],
    summary: Counts,
    color: bool,
    notes: Sequence[str] = (),
) -> str:
    out = [line(item, color) for item in findings]
    out.extend(f"note: {printable(note)}" for note in notes)
    out.append(summary_line(summary))
    fixable = sum(1 for item in findings if item.fixable)
    if fixable:
        out.append(f"[*] {fixable} fixable with the `--fix` option.")
    return "\n".join(out) + "\n"
