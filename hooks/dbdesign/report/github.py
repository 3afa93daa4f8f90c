"""GitHub workflow commands. Annotations carry escaped properties and data;
every other line (the summary, notes) is printed between
`::stop-commands::TOKEN` and `::TOKEN::`, since the runner also obeys
indented and legacy `##[...]` commands found anywhere in a log line."""

from __future__ import annotations

import contextlib
import io
import secrets
import sys
from collections.abc import Iterator, Sequence

from dbdesign.findings import Counts, Finding
from dbdesign.report import text
from dbdesign.textio import printable


def escape_data(value: str) -> str:
    """VALUE as the runner reads it back; other control characters (ESC,
    BEL, ...) are shown as escapes, as everywhere else."""
    escaped = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(escaped)


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


@contextlib.contextmanager
def fenced_stdout() -> Iterator[None]:
    """What is printed to stdout meanwhile, between `::stop-commands::TOKEN`
    and `::TOKEN::` (nothing when nothing is printed): for the text that
    `status`, `init`, `erd`, `rules` and the text format print under GitHub
    Actions, which holds repository text that no escaping can keep both
    readable and inert (a task's words, a diagram)."""
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            yield
    finally:
        text = buffer.getvalue()
        if text:
            if not text.endswith("\n"):
                text += "\n"
            token = secrets.token_hex(16)
            sys.stdout.write(f"::stop-commands::{token}\n{text}::{token}::\n")


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
