"""Text from the repository or the event as literal Markdown for the job
summary: `md()` neutralises HTML, backticks, table pipes, links and
emphasis; `prose()` keeps a message's `code` spans as code; `code()` shows
text as code."""

from __future__ import annotations

from dbdesign.textio import one_line

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "`": "&#96;"}
# Characters Markdown (with GitHub's math and strikethrough) may read as
# syntax inside a line; a backslash makes each a literal.
_PUNCTUATION = frozenset("\\*_[]()#!|~$")


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
