"""One key's value checked and converted (`validate`), and `Where`: the file
and key lines a `ConfigError` names."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from dbdesign import rules
from dbdesign.config.model import (
    DIALECTS,
    NAMING_SCHEMES,
    PHASE_COUNT,
    POSTGRES_VERSIONS,
    REPLAY_MODES,
    ConfigError,
    Replay,
)

_STR_KEYS = (
    "framework_dir",
    "artifacts_dir",
    "schema",
    "erd",
    "migrations_dir",
    "changelog",
    "naming_convention",
    "baseline_file",
)
_BOOL_KEYS = (
    "require_down",
    "sqlfluff",
    "sqlfluff_trust_config",
    "require_lock_timeout",
)
_CHOICES: dict[str, tuple[str, ...]] = {
    "integrity_file": ("auto", "required", "off"),
    "phase_order": ("phase0", "strict", "off"),
    "scope": ("change", "all"),
}
NAMING_CONVENTIONS = (
    "snake_case",
    "camelCase",
    "PascalCase",
    "UPPER_SNAKE_CASE",
    "off",
)
_OFF_KEYS = ("integrity_file", "phase_order", "naming_convention")


def validate(key: str, value: object, where: Where) -> object:
    # Only a config file gives values; its parser has loaded datetime already.
    import datetime

    path = (key,)
    if isinstance(value, (datetime.date, datetime.time)):  # TOML reads them
        raise where.error(path, f'{value} reads as a date; quote it: "{value}"')
    # YAML 1.1 reads a bare `off` as false: take it as the word written.
    if value is False and key in _OFF_KEYS:
        value = "off"
    if key in _STR_KEYS:
        text = _expect_str(value, path, where)
        if key == "naming_convention" and text not in NAMING_CONVENTIONS:
            raise where.error(path, "expected one of: " + ", ".join(NAMING_CONVENTIONS))
        if key != "naming_convention":
            _expect_relative(text, path, where)
        return text
    if key in _BOOL_KEYS:
        if not isinstance(value, bool):
            raise where.error(path, "expected true or false")
        return value
    if key in _CHOICES:
        text = _expect_str(value, path, where)
        if text not in _CHOICES[key]:
            raise where.error(path, "expected one of: " + ", ".join(_CHOICES[key]))
        return text
    if key == "migrations_baseline":
        if value is None:
            return None
        if isinstance(value, float):
            raise where.error(
                path,
                f"{value} reads as a number, which drops trailing zeros (1.10 "
                "is 1.1); quote the version as the file name writes it, e.g. '1.10'",
            )
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise where.error(path, "expected a version such as 42 or '1.7'")
        text = str(value)
        if not re.search(r"\d", text):
            raise where.error(
                path,
                f"{text!r} is not a version: the baseline is a fixed point in the "
                "history, not one that follows new migrations; set it to the "
                "version of the newest migration to waive (e.g. '42')",
            )
        return text
    if key == "migration_naming":
        text = _expect_str(value, path, where)
        if text.startswith("regex:"):
            try:
                pattern = re.compile(text[len("regex:") :])
            except re.error as exc:
                raise where.error(path, f"invalid regular expression: {exc}") from None
            if "version" not in pattern.groupindex:
                raise where.error(
                    path, "the regex needs a named group `(?P<version>...)`"
                )
            return text
        if text not in NAMING_SCHEMES:
            raise where.error(
                path,
                "expected one of: " + ", ".join(NAMING_SCHEMES) + ", regex:<pattern>",
            )
        return text
    if key == "dialect":
        text = _expect_str(value, path, where).lower()
        if text not in DIALECTS:
            raise where.error(
                path, "unknown dialect; expected one of: " + ", ".join(sorted(DIALECTS))
            )
        return text
    if key == "ignore":
        return _expect_codes(value, path, where)
    if key in ("migrations_ignore", "drift_ignore"):
        return _expect_strings(value, path, where)
    if key == "postgres_version":
        # `15.4` or `9.6` name a release: its first number is what counts
        shown = str(value).strip() if isinstance(value, (str, float)) else ""
        if re.fullmatch(r"\d+(\.\d+)?", shown):
            value = int(shown.split(".")[0])
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value not in POSTGRES_VERSIONS
        ):
            raise where.error(
                path, "expected a PostgreSQL major version such as 13 or 16"
            )
        return value
    if key == "replay":
        return _replay(value, where)
    if key == "severity":
        if not isinstance(value, dict):
            raise where.error(path, "expected a mapping of code: error|warning")
        out: dict[str, str] = {}
        for code, level in value.items():
            sub = (key, str(code))
            _expect_codes([code], sub, where)
            if level not in (rules.ERROR, rules.WARNING):
                raise where.error(sub, "expected error or warning")
            out[str(code)] = str(level)
        return out
    if key == "per_file_ignores":
        if not isinstance(value, dict):
            raise where.error(path, "expected a mapping of glob: [codes]")
        return {
            _expect_str(glob, (key, str(glob)), where): _expect_codes(
                codes, (key, str(glob)), where
            )
            for glob, codes in value.items()
        }
    if key == "artifact_phases":
        if not isinstance(value, dict):
            raise where.error(path, "expected a mapping of artifact: phase")
        phases: dict[str, int | None] = {}
        for name, phase in value.items():
            sub = (key, str(name))
            if phase == "always":
                phases[str(name)] = None
            elif (
                isinstance(phase, int)
                and not isinstance(phase, bool)
                and 0 <= phase < PHASE_COUNT
            ):
                phases[str(name)] = phase
            else:
                raise where.error(
                    sub, f"expected a phase number 0 to {PHASE_COUNT - 1}, or always"
                )
        return phases
    if key == "artifacts":
        if not isinstance(value, dict):
            raise where.error(path, "expected a mapping of file: [sections]")
        sections: dict[str, tuple[str, ...]] = {}
        for name, wanted in value.items():
            sub = (key, str(name))
            if not isinstance(name, str) or not name or "\0" in name:
                raise where.error(sub, "expected a file name")
            _expect_relative(name, sub, where)
            sections[name] = _expect_strings(wanted, sub, where)
        return sections
    raise AssertionError(key)  # pragma: no cover - KEYS and validate agree


def _replay(value: object, where: Where) -> Replay:
    if value is None:
        return Replay()
    if not isinstance(value, dict):
        raise where.error(
            ("replay",), "expected a mapping of mode, database_url, postgres_bin, setup"
        )
    keys = tuple(f.name for f in fields(Replay))
    out: dict[str, Any] = {}
    for key, item in value.items():
        path = ("replay", str(key))
        if key not in keys:
            raise where.error(path, f"unknown key; expected one of: {', '.join(keys)}")
        if key == "mode":
            # YAML 1.1 reads bare `off` and `on` as booleans.
            text = "off" if item is False else "on" if item is True else item
            if text not in REPLAY_MODES:
                raise where.error(path, "expected one of: " + ", ".join(REPLAY_MODES))
            out[key] = text
        elif key in ("database_url", "postgres_bin"):
            out[key] = None if item is None else _expect_str(item, path, where)
        else:
            out[key] = _expect_strings(item, path, where)
            for name in out[key]:
                _expect_relative(name, path, where)
    return Replay(**out)


def _expect_str(value: object, path: tuple[str, ...], where: Where) -> str:
    if not isinstance(value, str) or not value:
        raise where.error(path, "expected a non-empty string")
    return value


def _expect_relative(text: str, path: tuple[str, ...], where: Where) -> None:
    if "\0" in text:
        raise where.error(path, "a path cannot contain a NUL character")
    normal = posixpath.normpath(text)
    if (
        Path(text).is_absolute()
        or normal == ".."
        or normal.startswith("../")
        or "\\" in text
    ):
        raise where.error(
            path,
            "expected a path inside the project root, with / separators "
            "(paths in the config are relative to the root)",
        )


def _expect_strings(
    value: object, path: tuple[str, ...], where: Where
) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(
        isinstance(item, str) and item for item in value
    ):
        raise where.error(path, "expected a list of strings")
    return tuple(value)


def _expect_codes(
    value: object, path: tuple[str, ...], where: Where
) -> tuple[str, ...]:
    codes = _expect_strings(value, path, where)
    for code in codes:
        if not rules.is_known_pattern(code):
            raise where.error(
                path, f"unknown rule code or prefix {code!r}; see `dbdesign rules`"
            )
    return codes


@dataclass
class Where:
    """Where the settings came from, to turn a key path into a line."""

    file: str
    lines: Mapping[tuple[str, ...], int] = field(default_factory=dict)

    def error(self, path: tuple[str, ...], message: str) -> ConfigError:
        line = None
        for n in range(len(path), 0, -1):
            line = self.lines.get(path[:n])
            if line is not None:
                break
        at = f"{self.file}:{line}" if line else self.file
        key = ".".join(path)
        return ConfigError(f"{at}: {key + ': ' if key else ''}{message}")
