"""The migration naming schemes (SPEC 4): what each expects, the kinds of
migration file, and one file's name classified as a migration of a scheme
(a `migration_naming` regex included, matched within a time bound)."""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass

from dbdesign.config import NAMING_SCHEMES
from dbdesign.naming.versions import Version, parse_version

SCHEMES = NAMING_SCHEMES[1:]  # all but "auto"
# Schemes whose files carry no version: they run in the order a changelog
# or a plan gives (MG002, MG003 and MG005 do not apply).
UNVERSIONED = ("liquibase", "sqitch")

# What each scheme expects, for messages.
SHAPES = {
    "flyway": "V<version>__<description>.sql (U<version>__ for undo, "
    "R__<description>.sql for repeatable)",
    "golang-migrate": "<version>_<description>.up.sql and .down.sql",
    "diesel": "<YYYY-MM-DD-HHMMSS>_<description>/up.sql and down.sql",
    "dbmate": "<version>_<description>.sql with `-- migrate:up` and `-- migrate:down`",
    "goose": "<version>_<description>.sql with `-- +goose Up` and `-- +goose Down`",
    "prisma": "<timestamp>_<description>/migration.sql",
    "liquibase": "<name>.sql starting with `--liquibase formatted sql`",
    "sqitch": "deploy/<change>.sql and revert/<change>.sql, listed in sqitch.plan",
    "sequential": "<number>_<description>.sql",
    "timestamp": "<timestamp>_<description>.sql",
}

# Kinds of migration file. FORWARD kinds are the ones that move a database
# to a new version; the others are undo/down scripts and helpers.
UP, DOWN, UNDO, REPEATABLE, BASELINE, META = (
    "up",
    "down",
    "undo",
    "repeatable",
    "baseline",
    "meta",
)
FORWARD = (UP,)

_FLYWAY = re.compile(r"(?P<kind>[VUB])(?P<version>\d+(?:[._]\d+)*)__(?P<desc>.+)\.sql")
_FLYWAY_R = re.compile(r"R__(?P<desc>.+)\.sql")
_GOLANG = re.compile(r"(?P<version>\d+)_(?P<desc>.+)\.(?P<dir>up|down)\.sql")
_DIESEL_DIR = re.compile(r"(?P<version>\d(?:[\d-]*\d)?)_(?P<desc>[^/]+)")
_DIESEL_FILES = {"up.sql": UP, "down.sql": DOWN, "metadata.toml": META}
_PLAIN = re.compile(r"(?P<version>\d+)_(?P<desc>.+)\.sql")
GOOSE_GO = re.compile(r"(?P<version>\d+)_(?P<desc>.+)\.go")
_PRISMA_DIR = re.compile(r"(?P<version>\d+)_(?P<desc>[^/]+)")
_SQITCH = re.compile(r"(?P<dir>deploy|revert)/(?P<change>.+)\.sql")
GOOSE_UP = re.compile(r"^--\s*\+goose\s+up\b", re.MULTILINE | re.IGNORECASE)
GOOSE_DOWN = re.compile(r"^--\s*\+goose\s+down\b", re.MULTILINE | re.IGNORECASE)
LIQUIBASE = re.compile(r"\A(?:\ufeff)?\s*--\s*liquibase\s+formatted\s+sql\b", re.I)
# What each scheme's tool reads: other files in the folder (a runbook, a
# Makefile) are left alone, as the tool leaves them.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "diesel": (".sql", ".toml"),
    "goose": (".sql", ".go"),
}
# Files a scheme's tool reads that are not migrations (a lock file, a plan,
# a changelog that includes the SQL files, scripts that only verify).
METADATA: dict[str, tuple[str, ...]] = {
    "prisma": ("migration_lock.toml",),
    "sqitch": ("sqitch.plan", "sqitch.conf", "verify/*"),
    "liquibase": ("*.xml", "*.yaml", "*.yml", "*.json"),
}
DBMATE_UP = re.compile(r"^--\s*migrate:up\b", re.MULTILINE)
DBMATE_DOWN = re.compile(r"^--\s*migrate:down\b", re.MULTILINE)
_DOWN_WORDS = ("down", "undo", "rollback", "revert")


@dataclass(frozen=True)
class Migration:
    """One file of a migration. NAME is its path inside the folder, UNIT
    the migration it belongs to (an up and its down share one)."""

    name: str
    version: Version | None
    description: str
    kind: str
    unit: str

    @property
    def forward(self) -> bool:
        return self.kind in FORWARD


def sort_key(migration: Migration) -> tuple[int, tuple[int, ...], str]:
    if migration.version is None:
        return (1, (), migration.name)
    return (0, migration.version.key, migration.name)


def label(migration: Migration) -> str:
    """How people call a migration: its file name, or its diesel folder."""
    parts = migration.name.split("/")
    if (
        migration.kind != REPEATABLE
        and len(parts) == 2
        and parts[1] in ("up.sql", "down.sql", "metadata.toml")
    ):
        return parts[0]
    return parts[-1]


def renamed(migration: Migration, version: str) -> str:
    """label() with its version written as VERSION."""
    assert migration.version is not None
    return label(migration).replace(migration.version.raw, version, 1)


# -- classifying one file --------------------------------------------------------


@functools.lru_cache(maxsize=1 << 16)
def classify(scheme: str, name: str) -> Migration | str:
    """NAME (a POSIX path inside the folder) as a migration of SCHEME, or
    why it is not one. Content markers (dbmate) are checked by scan()."""
    base = name.rsplit("/", 1)[-1]
    nested = "/" in name
    if scheme.startswith("regex:"):
        return _classify_regex(scheme[len("regex:") :], name)
    if scheme == "flyway":
        # Flyway scans sub-folders of a location too.
        match = _FLYWAY.fullmatch(base)
        if match:
            kind = {"V": UP, "U": UNDO, "B": BASELINE}[match["kind"]]
            version = parse_version(match["version"])
            assert version is not None
            return Migration(
                name, version, match["desc"], kind, f"{match['kind']}:{version.key}"
            )
        match = _FLYWAY_R.fullmatch(base)
        if match:
            return Migration(name, None, match["desc"], REPEATABLE, name)
        return f"does not follow the folder's naming scheme ({SHAPES[scheme]})"
    if scheme in ("prisma", "liquibase", "sqitch"):
        return _classify_tool(scheme, name)
    if scheme == "diesel":
        parts = name.split("/")
        if len(parts) != 2 or not _DIESEL_DIR.fullmatch(parts[0]):
            return (
                "is not inside a migration folder named "
                "<YYYY-MM-DD-HHMMSS>_<description>/ (diesel)"
            )
        if parts[1] not in _DIESEL_FILES:
            return (
                "is not a diesel migration file (a migration folder "
                "holds up.sql, down.sql and optionally metadata.toml)"
            )
        match = _DIESEL_DIR.fullmatch(parts[0])
        assert match is not None
        version = parse_version(match["version"])
        assert version is not None
        return Migration(
            name, version, match["desc"], _DIESEL_FILES[parts[1]], parts[0]
        )
    if nested:
        return (
            f"is in a sub-folder, which {scheme} does not read; move it "
            "up into the migrations folder"
        )
    if scheme == "golang-migrate":
        match = _GOLANG.fullmatch(base)
        if not match:
            return f"does not follow the folder's naming scheme ({SHAPES[scheme]})"
        version = parse_version(match["version"])
        assert version is not None
        return Migration(
            name,
            version,
            match["desc"],
            UP if match["dir"] == "up" else DOWN,
            f"{match['version']}_{match['desc']}",
        )
    if scheme == "goose" and base.endswith(".go"):
        match = GOOSE_GO.fullmatch(base)
        if not match:
            return f"does not follow the folder's naming scheme ({SHAPES[scheme]})"
        version = parse_version(match["version"])
        assert version is not None
        return Migration(name, version, match["desc"], UP, name)
    if scheme in ("dbmate", "goose", "sequential", "timestamp"):
        match = _PLAIN.fullmatch(base)
        if not match:
            return f"does not follow the folder's naming scheme ({SHAPES[scheme]})"
        version = parse_version(match["version"])
        assert version is not None
        return Migration(name, version, match["desc"], UP, name)
    raise ValueError(f"unknown naming scheme {scheme!r}")


def _classify_tool(scheme: str, name: str) -> Migration | str:
    """prisma's folders, Liquibase's changelogs, sqitch's scripts."""
    if scheme == "prisma":
        parts = name.split("/")
        match = _PRISMA_DIR.fullmatch(parts[0]) if len(parts) == 2 else None
        if match is None or parts[1] != "migration.sql":
            return f"is not a prisma migration ({SHAPES[scheme]})"
        version = parse_version(match["version"])
        assert version is not None
        return Migration(name, version, match["desc"], UP, parts[0])
    if scheme == "liquibase":
        if not name.lower().endswith(".sql"):
            return f"is not a Liquibase formatted SQL changelog ({SHAPES[scheme]})"
        base = name.rsplit("/", 1)[-1]
        return Migration(name, None, base[:-4], UP, name)
    match = _SQITCH.fullmatch(name)
    if match is None:
        return (
            "is not a sqitch script (deploy/<change>.sql, "
            "revert/<change>.sql or verify/<change>.sql)"
        )
    change = match["change"]
    kind = UP if match["dir"] == "deploy" else DOWN
    return Migration(name, None, change, kind, change)


# A migration_naming regex comes from the repository: a pattern such as
# `(a+)+` backtracks for ever on a name that almost matches. Matching it is
# bounded in time, in total per pattern and run.
REGEX_BUDGET = 2.0  # seconds
_regex_spent: dict[str, float] = {}


def _classify_regex(pattern: str, name: str) -> Migration | str:
    from dbdesign import timebound

    spent = _regex_spent.get(pattern, 0.0)
    started = time.perf_counter()
    try:
        with timebound.bounded(REGEX_BUDGET - spent):
            match = re.fullmatch(pattern, name)
    except timebound.Timeout:
        from dbdesign.errors import UsageError

        raise UsageError(
            f"migration_naming: the regex took over {REGEX_BUDGET:g} s to match "
            f"the migration file names (at {name!r}), the bound for a pattern "
            "from the repository; it backtracks catastrophically, so rewrite "
            "it without nested repeats such as `(a+)+`"
        ) from None
    finally:
        _regex_spent[pattern] = spent + time.perf_counter() - started
    if match is None:
        return f"does not match the configured migration_naming regex {pattern!r}"
    groups = match.groupdict()
    version = parse_version(groups.get("version") or "")
    if version is None:
        return "matches the migration_naming regex but its version has no digits"
    direction = (groups.get("direction") or "").lower()
    kind = DOWN if direction in _DOWN_WORDS else UP
    description = groups.get("description") or ""
    unit = f"{version.key}:{description}"
    return Migration(name, version, description, kind, unit)
