"""The runner's side of the action's steps: workflow commands (an
annotation with no file), step outputs (`$GITHUB_OUTPUT`) and the event
payload (the base commit, the pull request's labels). Standard library only
at import: the action's first step imports it on the runner's bare Python."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping


def command(kind: str, message: str, title: str = "dbdesign") -> str:
    """An annotation with no file, its title and text escaped."""
    from dbdesign.report.github import escape_data, escape_property

    return f"::{kind} title={escape_property(title)}::{escape_data(message)}"


def output_lines(name: str, value: str) -> str:
    """NAME=VALUE for $GITHUB_OUTPUT; a value with a line break goes in a
    heredoc whose delimiter is random and absent from the value."""
    if "\n" not in value and "\r" not in value:
        return f"{name}={value}\n"
    while True:
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        if delimiter not in value:
            break
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def set_outputs(env: Mapping[str, str], outputs: Mapping[str, str]) -> None:
    path = env.get("GITHUB_OUTPUT")
    if not path:
        return
    with open(path, "a", encoding="utf-8", newline="\n") as out:
        for name, value in outputs.items():
            out.write(output_lines(name, value))


def load_event(env: Mapping[str, str]) -> dict[str, object]:
    """The event payload, or {} when there is none or it is unreadable."""
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _dig(data: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def event_base(event: Mapping[str, object], env: Mapping[str, str]) -> str | None:
    """The commit to compare with: the pull request's base, else (on a push)
    the commit before the push; None when there is neither."""
    base = _dig(event, "pull_request", "base", "sha")
    if isinstance(base, str) and base:
        return base
    before = event.get("before")
    if (
        env.get("GITHUB_EVENT_NAME") == "push"
        and isinstance(before, str)
        and before.strip("0")
    ):
        return before
    return None


def event_labels(event: Mapping[str, object]) -> set[str]:
    labels = _dig(event, "pull_request", "labels")
    if not isinstance(labels, list):
        return set()
    return {
        label["name"]
        for label in labels
        if isinstance(label, dict) and isinstance(label.get("name"), str)
    }
