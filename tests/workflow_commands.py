"""A model of the GitHub Actions runner's command parser, to check what
dbdesign prints: the runner reads stdout and stderr line by line and obeys
`::name k=v,...::data` (after any leading whitespace) and the legacy
`##[name k=v;...]data` anywhere in a line, except between
`::stop-commands::TOKEN` and a line that is the command TOKEN.

After actions/runner's src/Runner.Common/ActionCommand.cs (TryParseV2,
TryParse) and src/Runner.Worker/ActionCommandManager.cs
(TryProcessCommand). Stricter than the runner where in doubt: any command
name counts (the runner obeys only registered ones, a list that grows), and
any Unicode space before `::` is skipped."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# The runner's StreamReader.ReadLine splits on these only.
_LINES = re.compile(r"\r\n|\r|\n")
ANNOTATIONS = frozenset({"error", "warning", "notice"})
ANNOTATION_KEYS = frozenset({"file", "line", "col", "endline", "endcolumn", "title"})
TITLE = re.compile(r"[A-Z]{2,4}\d{0,3}|dbdesign")  # our codes, sqlfluff's (PRS, LT01)


@dataclass(frozen=True)
class Command:
    name: str
    properties: dict[str, str] = field(hash=False)
    data: str
    line: str
    legacy: bool


def _unescape(value: str, pairs: tuple[tuple[str, str], ...]) -> str:
    for code, char in pairs:
        value = value.replace(code, char)
    return value


_DATA = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))
_PROPERTY = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))
_LEGACY = (("%3B", ";"), ("%0D", "\r"), ("%0A", "\n"), ("%5D", "]"), ("%25", "%"))


def parse_line(line: str) -> Command | None:
    """The command LINE is to the runner, or None."""
    text = line.lstrip()  # str.isspace() is a superset of .NET's
    if text.startswith("::"):
        end = text.find("::", 2)
        if end >= 0:
            info = text[2:end]
            name, _, props = info.partition(" ")
            properties = {}
            for pair in props.strip().split(","):
                key, sep, value = pair.partition("=")
                if sep and key and value:
                    properties[key] = _unescape(value, _PROPERTY)
            data = _unescape(text[end + 2 :], _DATA)
            return Command(name, properties, data, line, legacy=False)
    start = line.find("##[")
    if start >= 0:
        end = line.find("]", start)
        if end >= 0:
            info = line[start + 3 : end]
            name, _, props = info.partition(" ")
            properties = {}
            for pair in props.split(";"):
                key, sep, value = pair.partition("=")
                if sep and key and value:
                    properties[key] = _unescape(value, _LEGACY)
            data = _unescape(line[end + 1 :], _LEGACY)
            return Command(name, properties, data, line, legacy=True)
    return None


def obeyed(stream: str) -> list[Command]:
    """Every command the runner would act on in STREAM (stop-commands and
    its resume excluded), as if the stream started unstopped."""
    out: list[Command] = []
    token: str | None = None
    for line in _LINES.split(stream):
        command = parse_line(line)
        if command is None:
            continue
        if token is not None:
            if command.name.casefold() == token.casefold():
                token = None
            continue
        if command.name.casefold() == "stop-commands":
            token = command.data
            assert token, f"stop-commands without a token: {line!r}"
            continue
        out.append(command)
    assert token is None, "a stop-commands block never ends"
    return out


def is_ours(command: Command) -> bool:
    """An annotation as report/github.py and action_workflow.py write them: at the
    start of the line, known properties only, a rule code or `dbdesign`
    for its title."""
    return (
        not command.legacy
        and command.line.startswith("::")
        and command.name in ANNOTATIONS
        and {key.lower() for key in command.properties} <= ANNOTATION_KEYS
        and TITLE.fullmatch(command.properties.get("title", "")) is not None
    )


def controls(stream: str) -> list[str]:
    """Control characters (ESC, BEL, C1, ...) in STREAM other than tab and
    line breaks: none may reach a terminal or a log."""
    return [
        repr(ch)
        for ch in stream
        if ch not in "\t\r\n" and unicodedata.category(ch) in ("Cc", "Cf")
    ]


def assert_inert(stdout: str, stderr: str, where: str = "") -> None:
    """Nothing but our own annotations is obeyed, on either stream, and no
    control character is printed."""
    for name, stream in (("stdout", stdout), ("stderr", stderr)):
        foreign = [c.line for c in obeyed(stream) if not is_ours(c)]
        assert foreign == [], f"{where} {name} obeys {foreign!r}"
        assert controls(stream) == [], f"{where} {name} has {controls(stream)}"
