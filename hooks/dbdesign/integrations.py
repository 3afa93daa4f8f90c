"""What `dbdesign init --pre-commit --github --claude` adds (SPEC 9): the
pre-commit config, the GitHub workflow, the Claude Code slash command, and
the Claude Code hook merged into `.claude/settings.json`. New files are
created without ever replacing one; where a file exists, the snippet to add
is printed instead, except settings.json, which is merged key by key."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dbdesign import starter, textio
from dbdesign.config import Config
from dbdesign.hooks import HOOKS
from dbdesign.naming import SHAPES
from dbdesign.scaffold import DOCUMENTS, create_new

PRE_COMMIT = ".pre-commit-config.yaml"
WORKFLOW = ".github/workflows/dbdesign.yml"
CLAUDE_COMMAND = ".claude/commands/database.md"
CLAUDE_SETTINGS = ".claude/settings.json"
REPO_URL = "https://github.com/dbdesign/dbdesign"
# A placeholder that cannot be mistaken for a release (and that YAML reads
# as a string, unlike forty zeros): pre-commit fails on it until it is
# replaced, which the comment above it says how to do.
REV_PLACEHOLDER = "PIN-A-COMMIT-SHA"
HOOK_COMMAND = "dbdesign claude-hook"
HOOK_MATCHER = "Write|Edit|MultiEdit"
FLAGS = ("pre-commit", "github", "claude")
FIX_HINT = "        # args: [--fix]   # rewrite `[X]` as `[x]` and `[]` as `[ ]`\n"


@dataclass(frozen=True)
class Result:
    """What happened to one file: ACTION is created, updated, kept,
    skipped or failed; SNIPPET is what to add by hand, if anything."""

    path: str
    action: str
    reason: str = ""
    snippet: str = ""


class SettingsError(Exception):
    """settings.json cannot be merged safely; str() says why."""


# -- pre-commit -----------------------------------------------------------------


# Replay starts a database: on `git push`, not on every commit (SPEC 8).
REPLAY_STAGE = (
    "        stages: [pre-push]   # `pre-commit install --hook-type pre-push`\n"
)


def pre_commit_repo() -> str:
    """dbdesign's entry for a `.pre-commit-config.yaml`'s `repos:` list,
    every hook of HOOKS, with the rev to pin explained."""
    hooks = "".join(
        f"      - id: {hook.id}\n"
        + (FIX_HINT if hook.id == "dbdesign-checklist" else "")
        + (REPLAY_STAGE if hook.id == "dbdesign-replay" else "")
        for hook in HOOKS
    )
    return (
        f"  - repo: {REPO_URL}\n"
        "    # Pin a commit SHA, not a tag (a tag can be moved): replace the\n"
        "    # placeholder with `pre-commit autoupdate --freeze --repo "
        f"{REPO_URL}`.\n"
        f"    rev: {REV_PLACEHOLDER}\n"
        "    hooks:\n"
        f"{hooks}"
    )


def pre_commit_config() -> str:
    return (
        "# pre-commit hooks: `pre-commit install` runs them on every `git commit`.\n"
        "# dbdesign keeps the Database Design Framework's files honest.\n"
        "repos:\n" + pre_commit_repo()
    )


# -- Claude Code ----------------------------------------------------------------


def claude_command(config: Config) -> str:
    """The framework's slash command (`/database`) in this project's words:
    its paths, dialect and migration naming."""
    scheme = config.migration_naming
    if scheme in SHAPES:
        naming = f"{scheme}'s naming, `{SHAPES[scheme]}`"
    elif scheme == "auto":
        naming = "the naming its files use (dbdesign detects the scheme)"
    else:
        naming = f"the pattern `{scheme}` in dbdesign's config"
    documents = ", ".join(
        f"`{config.artifact(doc)}`"
        for doc in dict.fromkeys([*DOCUMENTS, *config.artifacts])
    )
    template = starter.bundled("claude/database.md").decode("utf-8")
    return string.Template(template).safe_substitute(
        framework=config.framework_folder,
        schema=config.schema_path,
        dialect=config.dialect,
        erd=config.erd_path,
        migrations=config.migrations_path,
        naming=naming,
        documents=documents,
        changelog=config.changelog_path,
    )


def hook_entry() -> dict[str, object]:
    return {
        "matcher": HOOK_MATCHER,
        "hooks": [{"type": "command", "command": HOOK_COMMAND}],
    }


def merged_settings(text: str | None) -> str | None:
    """settings.json's TEXT (None: no file) with dbdesign's PostToolUse hook
    added and every other key as it was; None when it is registered
    already. SettingsError when the file is not a JSON object of the shape
    Claude Code reads: then nothing is written."""
    if text is None or not text.strip():
        data: dict[str, object] = {}
        indent: str | int = 2
    else:
        data = _parse(text)
        indent = _indent_of(text)
    hooks = data.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise SettingsError("its `hooks` is not an object")
    post = hooks.setdefault("PostToolUse", [])
    if not isinstance(post, list):
        raise SettingsError("its `hooks.PostToolUse` is not a list")
    if any(_runs_our_hook(entry) for entry in post):
        return None
    post.append(hook_entry())
    return json.dumps(data, indent=indent, ensure_ascii=False) + "\n"


def _parse(text: str) -> dict[str, object]:
    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        seen: dict[str, object] = {}
        for key, value in items:
            if key in seen:
                # json.loads would keep the last one only: a rewrite would
                # silently drop the other.
                raise SettingsError(f"key `{key}` appears twice in one object")
            seen[key] = value
        return seen

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise SettingsError(
            f"it is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise SettingsError("it nests too deeply to be read") from None
    if not isinstance(data, dict):
        raise SettingsError("it is not a JSON object")
    return data


def _indent_of(text: str) -> str | int:
    """The indentation the file uses (its first indented key), so that a
    merge changes as few lines as it can; two spaces for a one-line file."""
    match = re.search(r'^([ \t]+)"', text, re.MULTILINE)
    if match is None:
        return 2
    unit = match[1]
    return len(unit) if set(unit) == {" "} else unit


def _runs_our_hook(entry: object) -> bool:
    if not isinstance(entry, dict):
        return False
    hooks = entry.get("hooks")
    return isinstance(hooks, list) and any(
        isinstance(hook, dict)
        and isinstance(hook.get("command"), str)
        and "claude-hook" in hook["command"]
        and "dbdesign" in hook["command"]
        for hook in hooks
    )


# -- writing --------------------------------------------------------------------


def add(root: Path, config: Config, flags: set[str], dry_run: bool) -> list[Result]:
    """Write what FLAGS (a subset of FLAGS) ask for under ROOT."""
    results: list[Result] = []
    if "pre-commit" in flags:
        results.append(
            _new_file(
                root,
                PRE_COMMIT,
                pre_commit_config().encode("utf-8"),
                dry_run,
                "add dbdesign to its `repos:` list",
                pre_commit_repo(),
                lambda text: "dbdesign-" in text and "id:" in text,
            )
        )
    if "github" in flags:
        results.append(
            _new_file(
                root,
                WORKFLOW,
                starter.bundled("github/dbdesign.yml"),
                dry_run,
                "compare it with dbdesign's example workflow",
                f"{REPO_URL}/blob/main/examples/workflows/dbdesign.yml\n",
                None,
            )
        )
    if "claude" in flags:
        results.append(
            _new_file(
                root,
                CLAUDE_COMMAND,
                claude_command(config).encode("utf-8"),
                dry_run,
                "the `/database` command is yours as it stands",
                "",
                None,
            )
        )
        results.append(_settings(root, dry_run))
    return results


def _new_file(
    root: Path,
    relpath: str,
    data: bytes,
    dry_run: bool,
    advice: str,
    snippet: str,
    has_it: Callable[[str], bool] | None,
) -> Result:
    outside = textio.check_inside(root, relpath)
    if outside:
        return Result(relpath, "skipped", f"{relpath} {outside}")
    target = root / relpath
    if target.exists() or target.is_symlink():
        return _kept(root, relpath, advice, snippet, has_it)
    if dry_run:
        return Result(relpath, "created")
    try:
        created = create_new(root, relpath, data)
    except OSError as exc:
        return Result(relpath, "failed", exc.strerror or str(exc))
    if not created:
        return _kept(root, relpath, advice, snippet, has_it)
    return Result(relpath, "created")


def _kept(
    root: Path,
    relpath: str,
    advice: str,
    snippet: str,
    has_it: Callable[[str], bool] | None,
) -> Result:
    if has_it is not None:
        got = textio.read(root, relpath)
        if isinstance(got, textio.Text) and has_it(got.text):
            return Result(relpath, "kept", "already exists and lists dbdesign")
    return Result(relpath, "kept", f"already exists; {advice}", snippet)


def _settings(root: Path, dry_run: bool) -> Result:
    relpath = CLAUDE_SETTINGS
    outside = textio.check_inside(root, relpath)
    if outside:
        return Result(relpath, "skipped", f"{relpath} {outside}")
    by_hand = json.dumps({"hooks": {"PostToolUse": [hook_entry()]}}, indent=2)
    got = textio.read(root, relpath)
    if isinstance(got, textio.Unreadable) and not got.missing:
        return Result(
            relpath, "skipped", f"{got.reason}; add the hook by hand", by_hand + "\n"
        )
    text = got.text if isinstance(got, textio.Text) else None
    try:
        merged = merged_settings(text)
    except SettingsError as exc:
        return Result(
            relpath,
            "skipped",
            f"left as it is: {exc}; mend it, or add the hook by hand",
            by_hand + "\n",
        )
    if merged is None:
        return Result(relpath, "kept", "the dbdesign claude-hook is registered")
    action = "created" if text is None else "updated"
    if dry_run:
        return Result(relpath, action)
    data = textio.encode(merged, isinstance(got, textio.Text) and got.bom)
    try:
        if text is None:
            if not create_new(root, relpath, data):
                return Result(relpath, "failed", "it appeared meanwhile; run again")
        else:
            target = root / relpath
            if target.is_symlink():
                target = target.resolve()  # inside the root: checked above
            textio.write_atomic(target, data)
    except OSError as exc:
        return Result(relpath, "failed", exc.strerror or str(exc))
    reason = "" if text is None else f"a PostToolUse hook for {HOOK_MATCHER} added"
    return Result(relpath, action, reason)
