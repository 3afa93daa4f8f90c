"""The action's inputs, read from the INPUT_* variables that action.yml sets
with `env:`. Standard library only: the action's first step imports it on
the runner's bare Python."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

FAIL_ON = ("error", "warning", "never")
SCOPES = ("change", "all")
REPLAY = ("off", "auto", "on")
_TRUE = ("true", "yes", "1", "on")
_FALSE = ("false", "no", "0", "off", "")  # "" (unset): the default


class InputError(Exception):
    """An input the action cannot use; str() says which and how to mend it."""


@dataclass(frozen=True)
class Inputs:
    roots: tuple[str, ...]
    config: str | None
    base: str | None
    select: str | None
    fail_on: str
    sarif: str | None
    summary: bool
    allow_label: str | None
    scope: str = "change"
    replay: str = "auto"  # off | auto | on (SPEC 8)
    database_url: str | None = None


def read_inputs(env: Mapping[str, str]) -> Inputs:
    def get(name: str) -> str:
        return env.get(f"INPUT_{name}", "").strip()

    roots = tuple(
        dict.fromkeys(line.strip() for line in get("ROOT").splitlines() if line.strip())
    )
    fail_on = get("FAIL_ON").lower() or "error"
    if fail_on not in FAIL_ON:
        raise InputError(f"fail-on: {fail_on!r} is not one of {', '.join(FAIL_ON)}")
    scope = get("SCOPE").lower() or "change"
    if scope not in SCOPES:
        raise InputError(f"scope: {scope!r} is not one of {', '.join(SCOPES)}")
    summary = get("SUMMARY").lower()
    if summary not in _TRUE + _FALSE:
        raise InputError(f"summary: {summary!r} is not true or false")
    replay = get("REPLAY").lower() or "auto"
    if replay not in REPLAY:
        raise InputError(f"replay: {replay!r} is not one of {', '.join(REPLAY)}")
    # Codes may be given one a line as well as comma-separated.
    select = ",".join(
        part.strip()
        for part in get("SELECT").replace("\n", ",").split(",")
        if part.strip()
    )
    return Inputs(
        roots=roots or (".",),
        config=get("CONFIG") or None,
        base=get("BASE") or None,
        select=select or None,
        fail_on=fail_on,
        sarif=get("SARIF") or None,
        summary=summary not in _FALSE[:-1],
        allow_label=get("ALLOW_NO_CHANGELOG_LABEL") or None,
        scope=scope,
        replay=replay,
        database_url=get("DATABASE_URL") or None,
    )
