"""The settings as a whole: the known keys, each value validated, and the
checks across keys (one role per file, `artifact_phases` names)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from dbdesign.config.model import (
    DEFAULT_ARTIFACT_PHASES,
    DEFAULT_ARTIFACT_SECTIONS,
    FRAMEWORK_FILES,
    Config,
)
from dbdesign.config.values import Where, validate

_INTERNAL = ("source", "configured", "notes")
KEYS = tuple(f.name for f in fields(Config) if f.name not in _INTERNAL)


def from_mapping(data: object, where: Where) -> Config:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise where.error((), "expected a mapping of settings at the top")
    values: dict[str, Any] = {}
    for key, value in data.items():
        path = (str(key),)
        if key not in KEYS:
            raise where.error(path, f"unknown key; expected one of: {', '.join(KEYS)}")
        values[key] = validate(key, value, where)
    if "artifacts" in values:
        merged = dict(DEFAULT_ARTIFACT_SECTIONS)
        merged.update(values["artifacts"])
        values["artifacts"] = merged
    config = Config(**values, source=where.file, configured=frozenset(values))
    _distinct(config, where)
    _check_phase_names(config, where)
    return config


STANDARD_DOCUMENTS = tuple(DEFAULT_ARTIFACT_SECTIONS)


def _distinct(config: Config, where: Where) -> None:
    """Each file has one role: an `erd:` that names the schema file would
    have `--fix` append Markdown to the SQL."""
    roles: list[tuple[str, str, str]] = [
        ("framework_dir", config.framework_file(name), f"the framework file {name}")
        for name in FRAMEWORK_FILES
    ]
    roles += [
        ("artifacts_dir", config.artifact(name), f"the document {name}")
        for name in STANDARD_DOCUMENTS
    ]
    # Keys that name one file come last: they take the blame.
    roles += [
        ("schema", config.schema_path, "the schema"),
        ("erd", config.erd_path, "the ERD"),
        ("changelog", config.changelog_path, "the changelog"),
        ("migrations_dir", config.migrations_path, "the migrations folder"),
    ]
    taken: dict[str, tuple[str, str]] = {}
    for key, path, role in roles:
        if path not in taken:
            taken[path] = (key, role)
            continue
        other_key, other_role = taken[path]
        if other_key == key:
            continue
        # Blame the key the file sets (a default is nobody's choice).
        if (key,) not in where.lines and (other_key,) in where.lines:
            key, role, other_key, other_role = other_key, other_role, key, role
        raise where.error(
            (key,),
            f"{path} is {role} here but also {other_role} (`{other_key}`); "
            "give each its own file",
        )


def _check_phase_names(config: Config, where: Where) -> None:
    """`artifact_phases` names artifacts the project has: a typo would
    silently leave the default in force."""
    known = {
        name
        for role in (*DEFAULT_ARTIFACT_PHASES, *config.artifacts)
        for name in config._names(role)
    }
    for name in config.artifact_phases:
        if name not in known:
            raise where.error(
                ("artifact_phases", name),
                "not an artifact of this project; expected one of: "
                + ", ".join(sorted(known)),
            )
