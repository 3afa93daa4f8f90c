"""GitHub workflow commands. Annotations carry escaped properties and data;
every other line (the summary, notes) is printed between
`::stop-commands::TOKEN` and `::TOKEN::`, since the runner also obeys
indented and legacy `##[...]` commands found anywhere in a log line."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from dbdesign.findings import Counts, Finding
from dbdesign.report import text
from dbdesign.textio import printable


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(item: Finding) -> str:
    kind = "error" if item.severity == "error" else "warning"
    props = [f"file={escape_property(item.path)}"]
    if item.line is not None:
        props.append(f"line={item.line}")
        if item.column is not None:
            props.append(f"col={item.column}")
    props.append(f"title={escape_property(item.code)}")
    return f"::{kind} {','.join(props)}::{escape_data(item.message)}"


def quoted_block(lines: Sequence[str]) -> list[str]:
    """LINES wrapped so that the runner obeys none of them, whatever they
    hold (`::`, `##[...]`, indented commands)."""
    token = secrets.token_hex(16)
    return [f"::stop-commands::{token}", *lines, f"::{token}::"]


def render(
    findings: Sequence[Finding], summary: Counts, notes: Sequence[str] = ()
) -> str:
    out = [annotation(item) for item in findings]
    out.extend(
        quoted_block(
            [
                *(f"note: {printable(note)}" for note in notes),
                text.summary_line(summary),
            ]
        )
    )
    return "\n".join(out) + "\n"
