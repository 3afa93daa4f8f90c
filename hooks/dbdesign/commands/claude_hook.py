"""`dbdesign claude-hook`: Claude Code's PostToolUse hook (SPEC 9).

Claude Code runs it after each Write, Edit or MultiEdit with the hook's JSON
on stdin (`hook_event_name`, `tool_name`, `tool_input.file_path`, `cwd`,
`tool_response`). When the edited file is part of the framework, the checks
that file concerns run on the project; the errors the edit introduced (the
file as it was before is in `tool_response.originalFile`, or follows from
the edit's old and new strings) are answered the way Claude Code feeds back
to the model: exit 0 with `{"decision": "block", "reason": ...}` on stdout.
Anything else is silent with exit 0, and fast. Our own trouble (input that
is not the hook's JSON, a bug) is exit 1 with one line on stderr: Claude
Code shows it to the user and carries on, so a broken hook never stops the
agent."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from dbdesign import rules, textio
from dbdesign.config import FRAMEWORK_FILES, Config, ConfigError
from dbdesign.errors import UsageError
from dbdesign.findings import Finding
from dbdesign.project import Options, Project, find_root

EDIT_TOOLS = ("Write", "Edit", "MultiEdit")
CONFIG_FILES = (".dbdesign.yaml", ".dbdesign.yml", "pyproject.toml")
MAX_INPUT = 64 << 20  # a Write of a large file carries its content
MAX_SHOWN = 20
# Every family of ours: sqlfluff's codes are warnings and slow, so they run
# only where the config makes one an error.
OUR_FAMILIES = tuple(sorted(rules.FAMILIES))


def main(args: argparse.Namespace | None = None) -> int:
    if sys.stdin is None or sys.stdin.isatty():
        print(
            "dbdesign claude-hook: reads Claude Code's PostToolUse hook input on "
            "stdin; `dbdesign init --claude` registers it in .claude/settings.json",
            file=sys.stderr,
        )
        return 1
    try:
        raw = sys.stdin.buffer.read(MAX_INPUT + 1)
        event = _event(raw)
        if event is None:
            return 0
        answer = respond(event)
    except _BadInput as exc:
        print(f"dbdesign claude-hook: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # never block the agent on our own bug
        if os.environ.get("DBDESIGN_DEBUG"):
            raise
        print(
            f"dbdesign claude-hook: internal error ({type(exc).__name__}: "
            f"{textio.printable(str(exc))}); the edit was not checked. Please "
            "report it at https://github.com/dbdesign/dbdesign/issues",
            file=sys.stderr,
        )
        return 1
    if answer is not None:
        sys.stdout.write(json.dumps({"decision": "block", "reason": answer}) + "\n")
    return 0


class _BadInput(Exception):
    pass


def _event(raw: bytes) -> dict[str, Any] | None:
    """The hook's input; None when it is not an edit this hook handles."""
    if len(raw) > MAX_INPUT:
        raise _BadInput(f"the hook's input is over {MAX_INPUT} bytes; not checked")
    try:
        event = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _BadInput(
            f"the hook's input is not JSON ({exc}); Claude Code sends it on "
            "stdin, so run this command only as a PostToolUse hook"
        ) from None
    if not isinstance(event, dict):
        raise _BadInput("the hook's input is not a JSON object")
    if event.get("hook_event_name", "PostToolUse") != "PostToolUse":
        return None
    tool_input = event.get("tool_input")
    if event.get("tool_name") not in EDIT_TOOLS or not isinstance(tool_input, dict):
        return None
    if not isinstance(tool_input.get("file_path"), str):
        return None
    return event


def respond(event: dict[str, Any]) -> str | None:
    """What to tell the model about EVENT's edit: the errors it introduced,
    one a line with how to mend them; None to stay silent."""
    tool_input: dict[str, Any] = event["tool_input"]
    cwd = event.get("cwd") or os.environ.get("CLAUDE_PROJECT_DIR") or os.getcwd()
    start = Path(str(cwd))
    if not start.is_dir():
        return None
    edited = Path(tool_input["file_path"])
    if not edited.is_absolute():
        edited = start / edited
    root = find_root(start)
    try:
        relpath = edited.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return None  # outside the project
    if relpath in CONFIG_FILES:
        return _config_answer(root, relpath)
    from dbdesign import config as config_mod

    try:
        config = config_mod.load(root)
    except ConfigError as exc:
        raise _BadInput(f"{exc}; the edit was not checked") from None
    concerned = concerns(config, relpath)
    if concerned is None:
        return None
    checks, whole = concerned
    try:
        after = _after(root, config, relpath, checks)
    except UsageError as exc:
        raise _BadInput(f"{exc}; the edit was not checked") from None
    errors = [f for f in after if f.severity == "error"]
    if not errors:
        return None
    before = before_text(event, edited)
    if whole and not isinstance(before, _Unknown):
        old = _findings(_Before(root, config, relpath, before), checks)
        new = introduced(errors, old)
    else:
        # Without the file as it was (or for a migration, whose folder is
        # listed from disk), what the edit broke is in the file itself.
        new = [f for f in errors if f.path == relpath]
    return answer(relpath, new) if new else None


def concerns(config: Config, relpath: str) -> tuple[tuple[str, ...], bool] | None:
    """The checks an edit of RELPATH concerns, and whether the project as
    it was can be rebuilt by replacing that one file; None when the file
    is no part of the framework."""
    documents = {config.artifact(name) for name in _documents(config)}
    framework = {config.framework_file(name) for name in FRAMEWORK_FILES}
    if relpath == config.checklist_path:
        return ("checklist", "artifacts"), True
    if relpath in framework:
        return ("framework",), True
    if relpath == config.schema_path:
        return ("schema", "erd", "artifacts"), True
    if relpath == config.erd_path:
        return ("erd", "artifacts"), True
    if relpath == config.changelog_path:
        return ("changelog", "artifacts"), True
    if relpath in documents:
        return ("artifacts",), True
    if relpath.startswith(config.migrations_path.rstrip("/") + "/"):
        return ("migrations", "safety", "schema"), False
    return None


def _documents(config: Config) -> list[str]:
    from dbdesign.checks.artifacts import DOCUMENTS

    return list(dict.fromkeys([*DOCUMENTS, *config.artifacts]))


def _after(
    root: Path, config: Config, relpath: str, checks: Sequence[str]
) -> list[Finding]:
    """The project as it is now, through the pipeline, with our rules (and
    any sqlfluff code the config makes an error)."""
    from dbdesign import pipeline

    foreign = [
        code
        for code, level in config.severity.items()
        if level == "error" and code[:2] not in rules.FAMILIES
    ]
    # The agent's edits are not staged: the change is the working tree
    # against HEAD, so that editing a committed migration is MG004 and the
    # schema lines it wrote are in scope (SPEC 3b).
    base = None
    if "migrations" in checks or "schema" in checks:
        from dbdesign import git

        base = "HEAD" if git.head(root) else None
    request = pipeline.Request(
        root=str(root),
        select=",".join((*OUR_FAMILIES, *foreign)),
        paths=(str(root / relpath),),
        base=base,
    )
    return pipeline.collect(request, checks).findings


class _Unknown:
    pass


_UNKNOWN = _Unknown()


def before_text(event: dict[str, Any], edited: Path) -> str | _Unknown | None:
    """The edited file's text before the edit: None when it did not exist,
    _UNKNOWN when the input does not tell."""
    response = event.get("tool_response")
    if isinstance(response, dict):
        original = response.get("originalFile")
        if isinstance(original, str):
            return original
        if response.get("type") == "create":
            return None
    tool_input: dict[str, Any] = event["tool_input"]
    tool = event.get("tool_name")
    if tool == "Write":
        return _UNKNOWN
    result = textio.read(edited.parent, edited.name)
    if not isinstance(result, textio.Text):
        return _UNKNOWN
    text = result.text
    edits = tool_input.get("edits") if tool == "MultiEdit" else [tool_input]
    if not isinstance(edits, list):
        return _UNKNOWN
    # Undo the edits, last first.
    for edit in reversed(edits):
        if not isinstance(edit, dict):
            return _UNKNOWN
        old, new = edit.get("old_string"), edit.get("new_string")
        if not isinstance(old, str) or not isinstance(new, str) or new not in text:
            return _UNKNOWN
        if not new:
            return _UNKNOWN  # a deletion: where it was is not recorded
        count = -1 if edit.get("replace_all") else 1
        text = text.replace(new, old, count)
    return text


class _Before(Project):
    """The project as it was before the edit: RELPATH reads as BEFORE
    (None: it did not exist), every other file as it is."""

    def __init__(
        self, root: Path, config: Config, relpath: str, before: str | None
    ) -> None:
        super().__init__(root, config, Options(paths=(relpath,)))
        self.before_path = relpath
        self.before = before

    def read(self, relpath: str) -> textio.Text | textio.Unreadable:
        if relpath != self.before_path:
            return super().read(relpath)
        if self.before is None:
            return textio.Unreadable(relpath, "is missing", missing=True)
        return textio.Text(relpath, self.before, False)

    def exists(self, relpath: str) -> bool:
        if relpath == self.before_path:
            return self.before is not None
        return super().exists(relpath)


def _findings(project: Project, checks: Iterable[str]) -> list[Finding]:
    from dbdesign import pipeline

    found: list[Finding] = []
    for name in checks:
        found.extend(pipeline.check_module(name).check(project))
    return found


_NUMBER = re.compile(r"\d+")


def _key(item: Finding) -> tuple[str, str, str]:
    # Line numbers move when the edit adds or removes lines above.
    return (item.code, item.path, _NUMBER.sub("#", item.message))


def introduced(after: Sequence[Finding], before: Sequence[Finding]) -> list[Finding]:
    """The findings of AFTER that BEFORE did not have (as many of each kind
    as were added)."""
    left = Counter(_key(item) for item in before)
    new = []
    for item in after:
        key = _key(item)
        if left[key]:
            left[key] -= 1
        else:
            new.append(item)
    return new


def answer(relpath: str, found: Sequence[Finding]) -> str:
    """The reason Claude Code feeds back to the model."""
    lines = [
        f"dbdesign: this edit of {relpath} broke the database design "
        f"({len(found)} error{'s' if len(found) != 1 else ''}):"
    ]
    for item in sorted(found, key=Finding.sort_key)[:MAX_SHOWN]:
        where = ":".join(str(n) for n in (item.line, item.column) if n)
        at = f"{item.path}:{where}" if where else item.path
        # One finding, one line, whatever the file names and text hold.
        lines.append(textio.printable(f"{at}: error: {item.code} {item.message}"))
    if len(found) > MAX_SHOWN:
        lines.append(f"... and {len(found) - MAX_SHOWN} more (`dbdesign check`)")
    lines.append("Mend them now; `dbdesign rules CODE` explains a rule.")
    return "\n".join(lines)


def _config_answer(root: Path, relpath: str) -> str | None:
    """An edit of the config: it must still load."""
    from dbdesign import config as config_mod

    try:
        config_mod.load(root)
    except ConfigError as exc:
        return (
            f"dbdesign: this edit of {relpath} broke dbdesign's config: {exc}. "
            "Mend it now; every dbdesign check stops until it loads."
        )
    return None
