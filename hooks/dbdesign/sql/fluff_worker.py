"""The sqlfluff side of `sql/lint.py`. It runs in a worker process that the
parent can kill when a file takes too long, so it is the only module that
imports sqlfluff. It loads the repository's sqlfluff config without letting
it run code from the repository, lints one file at a time and sends back
plain lists (`fluff_items.py`) that the parent caches and turns into
findings."""

from __future__ import annotations

import gc
import json
import logging
import os
from typing import Any, BinaryIO

from dbdesign.sql.fluff_items import FAILS, classify, note, short

# Config keys that make sqlfluff import Python (library_path) or read Jinja
# files (macros, includes) from the repository.
CODE_KEYS = (
    "library_path",
    "load_macros_from_path",
    "loader_search_path",
    "exclude_macros_from_path",
)
# Templaters that read nothing but the SQL file and the config's values.
SAFE_TEMPLATERS = ("raw", "jinja", "placeholder")
# sqlfluff stops at 100,000 parse nodes; a pg_dump of a few hundred
# kilobytes needs more. The time bound is the real guard against runaway
# input, so this one only caps memory.
MAX_PARSE_NODES = 2_000_000

# A result is a dict: "items" is a list of
#   ["v", code, line, column, description, fixable, rule name]  (sqlfluff)
#   ["n", "SQ009", line, column, message, False, ""]             (not checked)
# and "ignored" the config settings dropped because they would run code. A
# task with "fix" set gets "fixed" instead of items: the text with
# sqlfluff's fixes applied, or None when there is nothing (safe) to change.
Result = dict[str, Any]


def main() -> None:
    """A worker process's entry point (`fluff_pool` starts it): tasks
    arrive as JSON lines on stdin, answers leave as JSON lines on stdout.
    Both are kept aside and the standard streams replaced by the null
    device: sqlfluff logs warnings that quote the SQL, and repository text
    must reach people only through a reporter that escapes it (SPEC 3, the
    github format)."""
    logging.disable(logging.CRITICAL)
    tasks = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    serve(tasks, answers)


def serve(tasks: BinaryIO, answers: BinaryIO) -> None:
    """Worker main loop: import sqlfluff once, then lint each task read
    from TASKS until its end, answering on ANSWERS."""

    def send(message: list[Any]) -> None:
        answers.write(json.dumps(message).encode("ascii") + b"\n")
        answers.flush()

    try:
        import sqlfluff.core  # noqa: F401 - pay the import before the clock
    except Exception as exc:  # sqlfluff missing or broken: tell the parent
        send(["fatal", f"{type(exc).__name__}: {exc}"])
        return
    _thread_lock_for_tqdm()
    # sqlfluff's parser allocates millions of short-lived objects; with
    # CPython's default thresholds the cycle collector rescans them (and
    # sqlfluff's own grammar, frozen here) thousands of times per file.
    # Fewer, larger collections lint some 10-15% faster.
    gc.freeze()
    gc.set_threshold(200_000, 50, 100)
    send(["ready"])
    linters: dict[str, Any] = {}
    for line in tasks:
        task_id, task = json.loads(line)
        try:
            result = lint_task(task, linters)
        except Exception as exc:  # a sqlfluff crash is one file's finding
            result = {
                "items": [
                    note(
                        1,
                        "sqlfluff failed on this file "
                        f"({type(exc).__name__}: {short(exc)}), "
                        "so its sqlfluff rules were not checked; "
                        "run `sqlfluff lint` on it to see why",
                    )
                ],
                "ignored": [],
            }
        send(["done", task_id, result])


def _thread_lock_for_tqdm() -> None:
    """sqlfluff's parser builds a (disabled) tqdm progress bar, and tqdm's
    default lock is a named semaphore: a worker killed at its time bound
    would leak it, and Python would warn about it on the user's terminal.
    A worker has one thread, so a thread lock does."""
    try:
        import threading

        from tqdm import tqdm  # type: ignore[import-untyped,unused-ignore]
    except ImportError:  # pragma: no cover - sqlfluff without tqdm
        return
    tqdm.set_lock(threading.RLock())


def lint_task(task: dict[str, Any], linters: dict[str, Any]) -> Result:
    """Lint TASK's text with the repository's config, made safe."""
    from sqlfluff.core import FluffConfig, Linter
    from sqlfluff.core.config.file import load_config_file_as_dict
    from sqlfluff.core.helpers.dict import nested_combine

    trust: bool = task["trust"]
    configs: dict[str, Any] = {"core": {"dialect": task["dialect"]}}
    configs = nested_combine(configs, task.get("defaults") or {})
    for path, shown in task["config_files"]:
        try:
            loaded = load_config_file_as_dict(path)
        except Exception as exc:
            return {
                "items": [
                    note(
                        1,
                        f"sqlfluff's config {shown} cannot be "
                        f"read ({short(exc)}), so sqlfluff's rules "
                        f"were not checked; fix {shown}",
                    )
                ],
                "ignored": [],
            }
        configs = nested_combine(configs, loaded)
    ignored = [] if trust else sanitise(configs)
    if task.get("rules"):
        # A fix runs only the rules whose findings the run reports.
        configs["core"]["rules"] = ",".join(task["rules"])
    _bound(configs["core"])
    key = json.dumps(configs, sort_keys=True, default=str)
    linter = linters.get(key)
    if linter is None:
        try:
            linter = Linter(
                config=FluffConfig(configs=configs, ignore_local_config=True)
            )
        except Exception as exc:  # sqlfluff raises KeyError, ValueError...
            why = short(exc)
            if isinstance(exc, KeyError):
                why = f"unknown dialect {configs['core'].get('dialect')!r}"
            where = ", ".join(shown for _, shown in task["config_files"])
            return {
                "items": [
                    note(
                        1,
                        f"sqlfluff rejects its config "
                        f"({why}), so its rules were not checked; "
                        f"fix {where or 'the sqlfluff settings'}",
                    )
                ],
                "ignored": ignored,
            }
        linters[key] = linter
    text: str = task["text"]
    fname: str = task["fname"]
    config = linter.config.copy()
    # `-- sqlfluff:...` lines in the file may set anything a config file
    # can, library_path included: apply them, then make them safe again.
    try:
        config.process_raw_file_for_config(text, fname)
    except Exception as exc:
        why = short(str(exc).replace(fname, task["path"]))
        return {
            "items": [
                note(
                    1,
                    f"an inline `-- sqlfluff:` setting is "
                    f"invalid ({why}), so sqlfluff's rules "
                    "were not checked; fix the setting",
                )
            ],
            "ignored": ignored,
        }
    if not trust:
        ignored += _sanitise_live(config)
    for key_path, value in (
        (("core", "max_parse_nodes"), _nodes(config.get("max_parse_nodes"))),
        (("core", "large_file_skip_byte_limit"), 0),
        (("core", "large_file_skip_char_limit"), 0),
    ):
        config.set_value(key_path, value)
    fix = bool(task.get("fix"))
    try:
        rendered = linter.render_string(text, fname, config, "utf-8")
        parsed = Linter.parse_rendered(rendered)
        linted = Linter.lint_parsed(
            parsed, linter.get_rulepack(config=config), fix=fix, encoding="utf-8"
        )
        violations = linted.get_violations(filter_warning=False)
        if fix:
            # Only a file sqlfluff could render and parse whole is rewritten:
            # a fix around an unparsable part could change what it means.
            fixed, complete = linted.fix_string()
    except Exception as exc:  # sqlfluff's own assertions, on odd templates
        return {
            "items": [
                note(
                    1,
                    f"sqlfluff failed on this file ({short(exc)}), so its "
                    "rules were not checked; simplify the templating or "
                    "report it to sqlfluff",
                )
            ],
            "ignored": ignored,
        }
    if fix:
        unparsable = any(v.rule_code() in FAILS for v in violations)
        usable = complete and not unparsable and bool(rendered.templated_variants)
        return {
            "items": [],
            "ignored": sorted(set(ignored)),
            "fixed": fixed if usable and fixed != text else None,
        }
    items = classify(
        text,
        bool(rendered.templated_variants),
        violations,
        str(config.get("templater_obj").name),
    )
    return {
        "items": items,
        "ignored": sorted(set(ignored)),
        "dialect": str(config.get("dialect")),
    }


def sanitise(configs: dict[str, Any]) -> list[str]:
    """Drop the settings that would run or read code from the repository;
    return what was dropped, as `section:key` names for a note."""
    dropped: list[str] = []
    core = configs.setdefault("core", {})
    if core.pop("library_path", None) is not None:
        dropped.append("library_path")
    templater = core.get("templater")
    if templater is not None and str(templater) not in SAFE_TEMPLATERS:
        # dbt and plugin templaters run the project's code; Jinja with
        # dbt's builtins reads most dbt models well enough to lint them.
        core["templater"] = "raw" if templater == "python" else "jinja"
        dropped.append(f"templater = {templater}")
    sections = configs.get("templater")
    if isinstance(sections, dict):
        for name, section in sections.items():
            if not isinstance(section, dict):
                continue
            for key in CODE_KEYS:
                if section.pop(key, None) is not None:
                    dropped.append(f"templater:{name}:{key}")
    return dropped


def _sanitise_live(config: Any) -> list[str]:
    dropped: list[str] = []
    if config.get("library_path"):
        config.set_value(("core", "library_path"), "None")
        dropped.append("library_path")
    sections = config.get_section("templater") or {}
    for name, section in sections.items():
        if not isinstance(section, dict):
            continue
        for key in CODE_KEYS:
            if section.get(key):
                config.set_value(("templater", name, key), "None")
                dropped.append(f"templater:{name}:{key}")
    return dropped


def _bound(core: dict[str, Any]) -> None:
    core["max_parse_nodes"] = _nodes(core.get("max_parse_nodes"))
    core["large_file_skip_byte_limit"] = 0
    core["large_file_skip_char_limit"] = 0


def _nodes(configured: object) -> int:
    # A repository may raise the bound, never remove or lower it below ours:
    # memory is the one resource the time bound does not cover.
    value = configured if isinstance(configured, int) else 0
    return max(value, MAX_PARSE_NODES)
