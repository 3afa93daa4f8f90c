"""What a config is: the frozen `Config` (and its `Replay`), the defaults,
the paths it names, and the values the keys may take that other modules
share."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field

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
        return join(self.artifacts_dir, name)

    @property
    def framework_folder(self) -> str:
        """framework_dir as a clean root-relative path (`.` for the root)."""
        return posixpath.normpath(self.framework_dir)

    @property
    def checklist_path(self) -> str:
        return self.framework_file(CHECKLIST)

    def framework_file(self, name: str) -> str:
        """The root-relative POSIX path of a framework file."""
        return join(self.framework_dir, name)

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


def join(base: str, name: str) -> str:
    # normpath: `./docs/`, `docs//db`, `.` and `a/../b` name files as git
    # and pre-commit do (no `..` can lead out: _expect_relative refuses it).
    return posixpath.normpath(f"{base}/{name}") if base else posixpath.normpath(name)
