"""Load and validate `.dbdesign.yaml`, `[tool.dbdesign]` in pyproject.toml, or
`--config FILE`, into a frozen Config. Every error names the file, the line
where known, and the key path."""

from __future__ import annotations

import datetime
import os
import posixpath
import re
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from dbdesign import nesting, rules

CHECKLIST = "database-checklist.md"
FRAMEWORK_FILES = ("database-prompt.md", "database-template.md", CHECKLIST)

MAX_CONFIG_BYTES = 1 << 20

NAMING_SCHEMES = (
    "auto",
    "flyway",
    "golang-migrate",
    "diesel",
    "dbmate",
    "goose",
    "prisma",
    "liquibase",
    "sqitch",
    "sequential",
    "timestamp",
)
# The oldest PostgreSQL major version dbdesign reasons about (MG014, MG015).
POSTGRES_VERSIONS = range(9, 100)
# sqlglot's dialect names, listed here so that loading the config never
# imports sqlglot (SPEC 7); a test keeps the list in step with sqlglot.
DIALECTS = frozenset(
    {
        "athena",
        "bigquery",
        "clickhouse",
        "databricks",
        "dax",
        "doris",
        "dremio",
        "drill",
        "druid",
        "duckdb",
        "dune",
        "exasol",
        "fabric",
        "hive",
        "materialize",
        "mysql",
        "oracle",
        "postgres",
        "presto",
        "prql",
        "redshift",
        "risingwave",
        "singlestore",
        "snowflake",
        "solr",
        "spark",
        "spark2",
        "sqlite",
        "starrocks",
        "tableau",
        "teradata",
        "trino",
        "tsql",
    }
)

DEFAULT_ARTIFACT_SECTIONS: dict[str, tuple[str, ...]] = {
    "backup-recovery-plan.md": ("RPO", "RTO"),
    "security-configuration.md": ("access control", "encryption"),
    "performance-optimization.md": ("index",),
    "monitoring-setup.md": ("alert",),
}


REPLAY_MODES = ("off", "auto", "on")


@dataclass(frozen=True)
class Replay:
    """`replay:` (SPEC 8): whether `dbdesign check` runs the real-database
    tier, on which server, and what runs before the first migration."""

    mode: str = "off"
    database_url: str | None = None
    postgres_bin: str | None = None
    setup: tuple[str, ...] = ()


# From which checklist phase AR002 judges an artifact (SPEC 4): the phase
# whose tasks produce it. None: always (the changelog, and documents that only
# the config names). Keys are roles for the four configurable paths, and
# document names.
DEFAULT_ARTIFACT_PHASES: dict[str, int | None] = {
    "schema": 1,
    "erd": 1,
    "migrations": 1,
    "performance-optimization.md": 3,
    "security-configuration.md": 4,
    "backup-recovery-plan.md": 5,
    "monitoring-setup.md": 6,
    "changelog": None,
}
PHASE_COUNT = 8


class ConfigError(Exception):
    """A configuration problem; str() is the one line shown to the user."""


@dataclass(frozen=True)
class Config:
    framework_dir: str = ".claude/database"
    artifacts_dir: str = "."
    # The four paths below are relative to the root when set; unset (None),
    # they are the default name inside artifacts_dir (DEFAULT_PATHS).
    schema: str | None = None
    erd: str | None = None
    migrations_dir: str | None = None
    migrations_baseline: str | None = None
    migration_naming: str = "auto"
    migrations_ignore: tuple[str, ...] = ()  # globs of non-migration files
    require_down: bool = False
    replay: Replay = field(default_factory=Replay)
    integrity_file: str = "auto"
    dialect: str = "postgres"
    changelog: str | None = None
    phase_order: str = "phase0"
    scope: str = "change"  # what a run judges (SPEC 3b): change | all
    baseline_file: str = ".dbdesign-baseline.json"
    sqlfluff: bool = True
    sqlfluff_trust_config: bool = False
    naming_convention: str = "snake_case"
    postgres_version: int = 13  # oldest server the migrations must be safe on
    require_lock_timeout: bool = False  # MG020
    drift_ignore: tuple[str, ...] = ()  # table globs drift, ERD and keys skip
    artifacts: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_ARTIFACT_SECTIONS)
    )
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    artifact_phases: Mapping[str, int | None] = field(default_factory=dict)
    source: str | None = None  # the file it came from, for messages
    # the keys the file set (a default may be overridden by what the
    # project shows, e.g. prisma's provider for the dialect)
    configured: frozenset[str] = frozenset()
    # remarks about how settings were resolved, shown as notes
    notes: tuple[str, ...] = ()

    def phase_of(self, role: str) -> int | None:
        """The checklist phase from which AR002 judges the artifact ROLE
        (`schema`, `erd`, `migrations`, `changelog` or a document's name);
        None: always. `artifact_phases` may name it by role, by the
        config's path for it, or by its default file name."""
        for key in self._names(role):
            if key in self.artifact_phases:
                return self.artifact_phases[key]
        return DEFAULT_ARTIFACT_PHASES.get(role)

    def _names(self, role: str) -> tuple[str, ...]:
        key = _ROLE_KEYS.get(role)
        if key is None:
            return (role,)
        configured = getattr(self, key)
        return (role, DEFAULT_PATHS[key], *([configured] if configured else []))

    def artifact(self, name: str) -> str:
        """The root-relative POSIX path of an artifact named in SPEC 1."""
        return _join(self.artifacts_dir, name)

    @property
    def framework_folder(self) -> str:
        """framework_dir as a clean root-relative path (`.` for the root)."""
        return posixpath.normpath(self.framework_dir)

    @property
    def checklist_path(self) -> str:
        return self.framework_file(CHECKLIST)

    def framework_file(self, name: str) -> str:
        """The root-relative POSIX path of a framework file."""
        return _join(self.framework_dir, name)

    def path_of(self, key: str) -> str:
        """The root-relative path of `schema`, `erd`, `migrations_dir` or
        `changelog`: as configured (relative to the root), else the default
        name inside artifacts_dir."""
        value: str | None = getattr(self, key)
        if value is None:
            return self.artifact(DEFAULT_PATHS[key])
        return posixpath.normpath(value)

    @property
    def schema_path(self) -> str:
        return self.path_of("schema")

    @property
    def erd_path(self) -> str:
        return self.path_of("erd")

    @property
    def migrations_path(self) -> str:
        return self.path_of("migrations_dir")

    @property
    def changelog_path(self) -> str:
        return self.path_of("changelog")


DEFAULT_PATHS = {
    "schema": "database-schema.sql",
    "erd": "entity-relationship-diagram.md",
    "migrations_dir": "migration-scripts",
    "changelog": "CHANGELOG.md",
}
_ROLE_KEYS = {
    "schema": "schema",
    "erd": "erd",
    "migrations": "migrations_dir",
    "changelog": "changelog",
}


def _join(base: str, name: str) -> str:
    # normpath: `./docs/`, `docs//db`, `.` and `a/../b` name files as git
    # and pre-commit do (no `..` can lead out: _expect_relative refuses it).
    return posixpath.normpath(f"{base}/{name}") if base else posixpath.normpath(name)


# -- validation --------------------------------------------------------------

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
_INTERNAL = ("source", "configured", "notes")
KEYS = tuple(f.name for f in fields(Config) if f.name not in _INTERNAL)


def from_mapping(data: object, where: _Where) -> Config:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise where.error((), "expected a mapping of settings at the top")
    values: dict[str, Any] = {}
    for key, value in data.items():
        path = (str(key),)
        if key not in KEYS:
            raise where.error(path, f"unknown key; expected one of: {', '.join(KEYS)}")
        values[key] = _validate(key, value, where)
    if "artifacts" in values:
        merged = dict(DEFAULT_ARTIFACT_SECTIONS)
        merged.update(values["artifacts"])
        values["artifacts"] = merged
    config = Config(**values, source=where.file, configured=frozenset(values))
    _distinct(config, where)
    _check_phase_names(config, where)
    return config


STANDARD_DOCUMENTS = tuple(DEFAULT_ARTIFACT_SECTIONS)


def _distinct(config: Config, where: _Where) -> None:
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


def _check_phase_names(config: Config, where: _Where) -> None:
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


def _validate(key: str, value: object, where: _Where) -> object:
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
    raise AssertionError(key)  # pragma: no cover - KEYS and _validate agree


def _replay(value: object, where: _Where) -> Replay:
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


def _expect_str(value: object, path: tuple[str, ...], where: _Where) -> str:
    if not isinstance(value, str) or not value:
        raise where.error(path, "expected a non-empty string")
    return value


def _expect_relative(text: str, path: tuple[str, ...], where: _Where) -> None:
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
    value: object, path: tuple[str, ...], where: _Where
) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(
        isinstance(item, str) and item for item in value
    ):
        raise where.error(path, "expected a list of strings")
    return tuple(value)


def _expect_codes(
    value: object, path: tuple[str, ...], where: _Where
) -> tuple[str, ...]:
    codes = _expect_strings(value, path, where)
    for code in codes:
        if not rules.is_known_pattern(code):
            raise where.error(
                path, f"unknown rule code or prefix {code!r}; see `dbdesign rules`"
            )
    return codes


# -- files -------------------------------------------------------------------


@dataclass
class _Where:
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


def load(root: Path, explicit: str | None = None) -> Config:
    """The project's Config: `--config` if given, else `.dbdesign.yaml`,
    else `[tool.dbdesign]` in pyproject.toml, else the defaults; then what
    the project shows where the file left a default (`discover`)."""
    from dbdesign.discover import resolved

    config = _load(root, explicit)
    found, notes = resolved(root, config.migrations_path, config.configured)
    if not (found or notes):
        return config
    return replace(
        config,
        migrations_dir=found.get("migrations_dir", config.migrations_dir),
        dialect=found.get("dialect", config.dialect),
        notes=(*config.notes, *notes),
    )


def _load(root: Path, explicit: str | None = None) -> Config:
    if explicit is not None:
        path = Path(explicit)
        if not path.is_absolute() and not os.path.lexists(path):
            path = root / explicit
        _named_inside(root, path, explicit)
        if not os.path.lexists(path):
            raise ConfigError(
                f"{explicit}: config file not found; check the --config path"
            )
        if path.suffix == ".toml":
            loaded = _load_toml(path, explicit, required=True)
        else:
            loaded = _load_yaml(path, explicit)
        return replace(loaded, notes=tuple(_moved_paths(root, loaded)))
    # Whatever stands at a config's name is the config: a folder or a FIFO
    # there is an error, never a silent fall back to the defaults.
    for name in (".dbdesign.yaml", ".dbdesign.yml"):
        if os.path.lexists(root / name):
            _inside(root, name)
            loaded = _load_yaml(root / name, name)
            notes = _moved_paths(root, loaded)
            if _has_tool_table(root / "pyproject.toml"):
                notes.insert(
                    0,
                    f"pyproject.toml's [tool.dbdesign] is ignored: {name} takes "
                    "precedence; move its settings into one place",
                )
            return replace(loaded, notes=tuple(notes))
    pyproject = root / "pyproject.toml"
    if os.path.lexists(pyproject):
        _inside(root, "pyproject.toml")
        loaded = _load_toml(pyproject, "pyproject.toml", required=False)
        return replace(loaded, notes=tuple(_moved_paths(root, loaded)))
    return Config()


def _has_tool_table(pyproject: Path) -> bool:
    from dbdesign.textio import check_inside

    if check_inside(pyproject.parent, pyproject.name):
        return False  # a link out of the root is never read
    try:
        if not pyproject.is_file() or pyproject.stat().st_size > MAX_CONFIG_BYTES:
            return False
        text = pyproject.read_bytes().decode("utf-8", "replace")
    except OSError:
        return False
    return re.search(r"(?m)^\s*\[\s*tool\.dbdesign\s*[\].]", text) is not None


def _moved_paths(root: Path, config: Config) -> list[str]:
    """Paths were once relative to artifacts_dir and are relative to the root
    now: when one names nothing at the root but a file under artifacts_dir,
    say how to write it."""
    base = posixpath.normpath(config.artifacts_dir)
    if base == ".":
        return []
    notes = []
    for key in DEFAULT_PATHS:
        value = getattr(config, key)
        if value is None or (root / value).exists():
            continue
        moved = _join(base, value)
        if (root / moved).exists():
            notes.append(
                f"{config.source}: {key}: {value} is relative to the project root "
                f"and is not there, but {moved} is; write `{key}: {moved}` (paths "
                "in the config are no longer relative to artifacts_dir)"
            )
    return notes


def _inside(root: Path, name: str) -> None:
    """The project's own config is never read through a link out of the
    root: on a pull request from a fork its error messages (which quote
    keys and values) would print a runner's file to the public log."""
    from dbdesign.textio import check_inside

    why = check_inside(root, name)
    if why:
        raise ConfigError(f"{name}: {why}")


def _named_inside(root: Path, path: Path, shown: str) -> None:
    """`--config FILE` may name a file outside the root (a team's shared
    config), but one named inside it must stay inside: a link the
    repository holds must not make us read, and quote in an error, a file
    of the machine that runs us."""
    from dbdesign.textio import leaves

    why = leaves(root, path)
    if why:
        raise ConfigError(
            f"{shown}: the config file {why}, so it is not read; name the "
            "file it points to instead, or replace the link with the file"
        )


def _read(path: Path, shown: str) -> str:
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then
        # says what was opened (no race between a check and the open).
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                what = (
                    "a folder"
                    if stat.S_ISDIR(info.st_mode)
                    else "a FIFO"
                    if stat.S_ISFIFO(info.st_mode)
                    else "not a regular file"
                )
                raise ConfigError(
                    f"{shown}: the config is {what}; replace it with a "
                    "config file or remove it"
                )
            if info.st_size > MAX_CONFIG_BYTES:
                raise ConfigError(
                    f"{shown}: config file is {info.st_size} bytes, over "
                    f"the {MAX_CONFIG_BYTES} byte limit"
                )
            return handle.read(MAX_CONFIG_BYTES + 1).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{shown}: not UTF-8 (byte {exc.start}); save it as UTF-8"
        ) from None
    except FileNotFoundError:
        raise ConfigError(
            f"{shown}: the config is a broken symbolic link; replace it with "
            "a config file or remove it"
        ) from None
    except IsADirectoryError:
        raise ConfigError(
            f"{shown}: the config is a folder; replace it with a config file "
            "or remove it"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read: {exc.strerror}") from None


def _load_yaml(path: Path, shown: str) -> Config:
    import yaml

    text = _read(path, shown)
    try:
        # Refuse aliases at the line of the alias itself (the composed node
        # would only tell where its anchor is), and nesting too deep for
        # the composer's recursion, before composing.
        depth = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                at = f":{mark.line + 1}" if mark is not None else ""
                raise ConfigError(
                    f"{shown}{at}: YAML aliases "
                    "(*name) are not allowed in the config; write the value "
                    "out"
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > nesting.MAX_DEPTH:
                    mark = event.start_mark
                    assert mark is not None  # the pure-Python parser marks all
                    raise _too_deep(shown, mark.line + 1, mark.column + 1)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{shown}{line}: invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{shown}: invalid YAML: {exc}") from None
    lines: dict[tuple[str, ...], int] = {}
    # An empty file (or only comments) composes to no node at all.
    data = None if node is None else _plain(node, (), lines, shown, set())
    return from_mapping(data, _Where(shown, lines))


def _too_deep(shown: str, line: int, column: int) -> ConfigError:
    return ConfigError(
        f"{shown}:{line}: nested more than {nesting.MAX_DEPTH} levels deep "
        f"(column {column}); no dbdesign setting nests more than 3, so "
        "flatten it"
    )


_YAML_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


def _plain(
    node: Any,
    path: tuple[str, ...],
    lines: dict[tuple[str, ...], int],
    shown: str,
    seen: set[int],
) -> object:
    """Turn a composed YAML node into plain data, refusing aliases (the
    'billion laughs') and explicit tags, and noting each key's line."""
    import yaml

    at = f"{shown}:{node.start_mark.line + 1}"
    if id(node) in seen:
        raise ConfigError(
            f"{at}: YAML aliases (*name) are not allowed in "
            "the config; write the value out"
        )
    seen.add(id(node))
    if node.tag == "tag:yaml.org,2002:timestamp" and isinstance(node.value, str):
        dotted = ".".join(path)
        raise ConfigError(
            f"{at}: {dotted + ': ' if dotted else ''}{node.value} reads as a date "
            f"in YAML; quote it: '{node.value}'"
        )
    if node.tag not in _YAML_TAGS:
        raise ConfigError(f"{at}: YAML tag {node.tag!r} is not allowed in the config")
    if isinstance(node, yaml.MappingNode):
        out: dict[object, object] = {}
        for key_node, value_node in node.value:
            key = _plain(key_node, path, lines, shown, seen)
            if isinstance(key, (dict, list)):
                raise ConfigError(f"{at}: a config key must be a plain name")
            sub = (*path, str(key))
            lines[sub] = key_node.start_mark.line + 1
            if key in out:
                raise ConfigError(
                    f"{shown}:{lines[sub]}: {'.'.join(sub)}: duplicate key"
                )
            out[key] = _plain(value_node, sub, lines, shown, seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, path, lines, shown, seen) for item in node.value]
    return yaml.SafeLoader(" ").construct_object(node)


def _load_toml(path: Path, shown: str, required: bool) -> Config:
    text = _read(path, shown)
    if not required and "dbdesign" not in text:
        # Someone else's pyproject.toml: no need to pay for the TOML parser.
        return Config()
    # Imported here: most hooks never read a TOML file (SPEC 7).
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    deep = nesting.toml_too_deep(text)
    if deep is not None:
        raise _too_deep(shown, *deep)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        if "(at line" not in message:  # "(at end of document)"
            message += f" (line {text.count(chr(10)) + 1}, the end of the file)"
        raise ConfigError(f"{shown}: invalid TOML: {message}") from None
    tool = data.get("tool")
    section = tool.get("dbdesign") if isinstance(tool, dict) else None
    if section is None:
        if required:
            raise ConfigError(f"{shown}: no [tool.dbdesign] table")
        return Config()
    return from_mapping(section, _Where(shown, _toml_lines(text)))


def _toml_lines(text: str) -> dict[tuple[str, ...], int]:
    """Best-effort key lines inside [tool.dbdesign] (tomllib keeps none)."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"^\[\s*tool\.dbdesign(?:\.([^\]]+))?\s*\]", stripped)
        if header:
            table = tuple(header[1].strip().strip('"').split(".")) if header[1] else ()
            if table:
                lines.setdefault(table, number)
            continue
        if stripped.startswith("["):
            table = None
            continue
        key = re.match(r'^("[^"]+"|[A-Za-z0-9_.-]+)\s*=', stripped)
        if table is not None and key:
            lines.setdefault((*table, key[1].strip('"')), number)
    return lines
