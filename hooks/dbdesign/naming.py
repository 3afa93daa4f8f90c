"""Migration naming schemes (SPEC 4), their detection per folder, and
version ordering: versions compare as numbers, segment by segment, so that
`1.10` > `1.9`, and leading zeros (and trailing zero segments, as Flyway
does: `1.0` is `1`) do not count."""

from __future__ import annotations

import datetime
import fnmatch
import functools
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from dbdesign import textio
from dbdesign.config import NAMING_SCHEMES

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

SUM_FILE = "dbdesign.sum"
_DEFAULT_IGNORES = (".gitkeep", ".keep", "readme", "readme.*")

_FLYWAY = re.compile(r"(?P<kind>[VUB])(?P<version>\d+(?:[._]\d+)*)__(?P<desc>.+)\.sql")
_FLYWAY_R = re.compile(r"R__(?P<desc>.+)\.sql")
_GOLANG = re.compile(r"(?P<version>\d+)_(?P<desc>.+)\.(?P<dir>up|down)\.sql")
_DIESEL_DIR = re.compile(r"(?P<version>\d(?:[\d-]*\d)?)_(?P<desc>[^/]+)")
_DIESEL_FILES = {"up.sql": UP, "down.sql": DOWN, "metadata.toml": META}
_PLAIN = re.compile(r"(?P<version>\d+)_(?P<desc>.+)\.sql")
_GOOSE_GO = re.compile(r"(?P<version>\d+)_(?P<desc>.+)\.go")
_PRISMA_DIR = re.compile(r"(?P<version>\d+)_(?P<desc>[^/]+)")
_SQITCH = re.compile(r"(?P<dir>deploy|revert)/(?P<change>.+)\.sql")
_GOOSE_UP = re.compile(r"^--\s*\+goose\s+up\b", re.MULTILINE | re.IGNORECASE)
_GOOSE_DOWN = re.compile(r"^--\s*\+goose\s+down\b", re.MULTILINE | re.IGNORECASE)
_LIQUIBASE = re.compile(r"\A(?:\ufeff)?\s*--\s*liquibase\s+formatted\s+sql\b", re.I)
# What each scheme's tool reads: other files in the folder (a runbook, a
# Makefile) are left alone, as the tool leaves them.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "diesel": (".sql", ".toml"),
    "goose": (".sql", ".go"),
}
# Files a scheme's tool reads that are not migrations (a lock file, a plan,
# a changelog that includes the SQL files, scripts that only verify).
_METADATA: dict[str, tuple[str, ...]] = {
    "prisma": ("migration_lock.toml",),
    "sqitch": ("sqitch.plan", "sqitch.conf", "verify/*"),
    "liquibase": ("*.xml", "*.yaml", "*.yml", "*.json"),
}
_DBMATE_UP = re.compile(r"^--\s*migrate:up\b", re.MULTILINE)
_DBMATE_DOWN = re.compile(r"^--\s*migrate:down\b", re.MULTILINE)
_DOWN_WORDS = ("down", "undo", "rollback", "revert")
_TIMESTAMP_DIGITS = 10  # a unix time or a date-time, never a counter


@functools.total_ordering
@dataclass(frozen=True, eq=False)
class Version:
    """A migration version as written (RAW) and as compared (KEY: its
    digit runs as numbers, trailing zero segments dropped)."""

    raw: str
    key: tuple[int, ...]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __lt__(self, other: Version) -> bool:
        return self.key < other.key

    def __str__(self) -> str:
        return self.raw


def parse_version(raw: str) -> Version | None:
    """RAW's numeric segments (any non-digits separate them); None when RAW
    has no digit."""
    segments = [int(run) for run in re.findall(r"\d+", raw)]
    if not segments:
        return None
    while segments and segments[-1] == 0:
        segments.pop()
    return Version(raw, tuple(segments))


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


@dataclass(frozen=True)
class Folder:
    """A scanned migrations folder (PATH is root-relative)."""

    path: str
    scheme: str | None  # None: no scheme fits any file
    configured: bool  # the scheme came from config, not detection
    migrations: tuple[Migration, ...]  # in the order they run
    unnamed: tuple[tuple[str, str], ...]  # (name, why) for MG001
    ignored: tuple[str, ...]

    def relpath(self, name: str) -> str:
        """The root-relative path of NAME inside the folder."""
        return join(self.path, name)

    @property
    def forward(self) -> list[Migration]:
        return [m for m in self.migrations if m.forward]


def join(folder: str, name: str) -> str:
    folder = folder.strip("/")
    return name if folder in ("", ".") else f"{folder}/{name}"


def sort_key(migration: Migration) -> tuple[int, tuple[int, ...], str]:
    if migration.version is None:
        return (1, (), migration.name)
    return (0, migration.version.key, migration.name)


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
        match = _GOOSE_GO.fullmatch(base)
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


# -- detection -------------------------------------------------------------------


def detect(names: Iterable[str], read: Callable[[str], str | None]) -> str | None:
    """The scheme that names the most of NAMES (the files of one folder),
    preferring the more specific on a tie; None when none names any. READ
    gives a file's text (by name) for content markers."""
    names = list(names)
    tool = _detect_tool(names, read)
    if tool is not None:
        return tool
    counts = dict.fromkeys(("diesel", "golang-migrate", "flyway", "sequential"), 0)
    for name in names:
        for scheme in _plausible(name):
            if isinstance(classify(scheme, name), Migration):
                counts[scheme] += 1
    best: str | None = None
    best_count = 0
    for scheme, count in counts.items():  # the more specific first on a tie
        if count > best_count:
            best, best_count = scheme, count
    if best != "sequential":
        return best
    plain = sorted(
        (
            m
            for m in (classify("sequential", n) for n in names)
            if isinstance(m, Migration)
        ),
        key=sort_key,
    )
    # dbmate's and goose's markers open every file; looking at the first
    # and the last is enough to tell, and keeps detection cheap.
    for name in dict.fromkeys((plain[0].name, plain[-1].name)):
        text = read(name)
        if text is not None and _DBMATE_UP.search(text):
            return "dbmate"
        if text is not None and _GOOSE_UP.search(text):
            return "goose"
    if all(len(m.name.split("_", 1)[0]) >= _TIMESTAMP_DIGITS for m in plain):
        return "timestamp"
    return "sequential"


def _detect_tool(names: list[str], read: Callable[[str], str | None]) -> str | None:
    """sqitch (a plan), prisma (its lock file or folders), Liquibase (the
    formatted SQL header)."""
    if "sqitch.plan" in names:
        return "sqitch"
    prisma = sum(
        1
        for n in names
        if n.endswith("/migration.sql") and isinstance(classify("prisma", n), Migration)
    )
    if "migration_lock.toml" in names or prisma * 2 > len(names):
        return "prisma"
    sql = sorted(n for n in names if n.lower().endswith(".sql"))
    for name in dict.fromkeys(sql[:1] + sql[-1:]):
        text = read(name)
        if text is not None and _LIQUIBASE.match(text):
            return "liquibase"
    return None


_DEFAULT_IGNORED = re.compile(
    "|".join(fnmatch.translate(pattern) for pattern in _DEFAULT_IGNORES)
)


def _plausible(name: str) -> list[str]:
    """The schemes that could name NAME at all (a cheap first look, so that
    detection classifies each name once or twice, not four times)."""
    nested = "/" in name
    base = name.rsplit("/", 1)[-1]
    out = ["diesel"] if nested else []
    first = base[:1]
    if first in ("V", "U", "B", "R"):
        out.append("flyway")
    elif first.isdigit() and not nested:
        if base.endswith((".up.sql", ".down.sql")):
            out.append("golang-migrate")
        out.append("sequential")
    return out


def is_ignored(name: str, globs: Iterable[str]) -> bool:
    """Whether NAME (inside the migrations folder) is not a migration by
    default (READMEs, .gitkeep, the sum file, a temporary file of our own
    atomic writer) or by a configured glob,
    matched against the whole name or its last part."""
    base = name.rsplit("/", 1)[-1]
    if (
        name == SUM_FILE
        or _DEFAULT_IGNORED.match(base.lower())
        or textio.is_temporary(base)
    ):
        return True
    return any(
        fnmatch.fnmatchcase(name, glob) or fnmatch.fnmatchcase(base, glob)
        for glob in globs
    )


# -- scanning a folder -------------------------------------------------------------


def list_files(root: Path, folder: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The files under ROOT/FOLDER (names relative to it, sorted), and the
    entries that are not followed (links out of the root, links to folders,
    sockets) with the reason. Links are never followed into folders."""
    base = root / folder if folder not in ("", ".") else root
    files: list[str] = []
    odd: list[tuple[str, str]] = []
    stack = [""]
    while stack:
        prefix = stack.pop()
        try:
            entries = list(os.scandir(base / prefix if prefix else base))
        except OSError as exc:
            odd.append((prefix or ".", f"cannot be listed ({exc.strerror})"))
            continue
        for entry in entries:
            name = f"{prefix}/{entry.name}" if prefix else entry.name
            try:
                if entry.is_symlink():
                    why = textio.check_inside(root, join(folder, name))
                    if why:
                        odd.append((name, why))
                    elif entry.is_dir():
                        odd.append(
                            (
                                name,
                                "is a symbolic link to a folder, which is not followed",
                            )
                        )
                    elif entry.is_file():
                        files.append(name)
                    else:
                        odd.append((name, "is a broken symbolic link"))
                elif entry.is_dir(follow_symlinks=False):
                    stack.append(name)
                elif entry.is_file(follow_symlinks=False):  # no stat call
                    files.append(name)
                else:
                    odd.append((name, "is not a regular file"))
            except OSError as exc:
                odd.append((name, f"cannot be read ({exc.strerror})"))
    files.sort()
    return files, odd


def scan(
    root: Path,
    folder: str,
    setting: str,
    ignore: Iterable[str],
    read: Callable[[str], str | None],
) -> Folder | None:
    """ROOT/FOLDER as migrations under SETTING (`auto`, a scheme, or
    `regex:<pattern>`); None when the folder does not exist. READ gives a
    file's text by its root-relative path, or None when it is unreadable."""
    path = root / folder
    if textio.check_inside(root, folder) is not None or not path.is_dir():
        return None
    globs = tuple(ignore)
    names, odd = list_files(root, folder)
    ignored: list[str] = []
    candidates: list[str] = []
    for name in names:
        (ignored if is_ignored(name, globs) else candidates).append(name)

    def read_name(name: str) -> str | None:
        return read(join(folder, name))

    configured = setting != "auto"
    scheme = setting if configured else detect(candidates, read_name)
    migrations: list[Migration] = []
    unnamed: list[tuple[str, str]] = [
        item for item in odd if not is_ignored(item[0], globs)
    ]
    meta = _METADATA.get(scheme or "", ())
    regex = (scheme or "").startswith("regex:")
    extensions = EXTENSIONS.get(scheme or "", (".sql",))
    for name in candidates:
        base = name.rsplit("/", 1)[-1]
        if (
            any(fnmatch.fnmatchcase(n, g) for g in meta for n in (name, base))
            or (not regex and not name.lower().endswith(extensions))
            # goose reads Go files as migrations only by their version
            or (base.endswith(".go") and not _GOOSE_GO.fullmatch(base))
        ):
            ignored.append(name)  # not a migration for this scheme's tool
            continue
        if scheme is None:
            unnamed.append(
                (
                    name,
                    "follows none of the naming schemes dbdesign "
                    "knows; rename it, or set `migration_naming` "
                    "(e.g. `regex:...`)",
                )
            )
            continue
        result = classify(scheme, name)
        if isinstance(result, str):
            unnamed.append((name, result))
            continue
        missing = _missing_marker(scheme, result, read_name)
        if missing is not None:
            unnamed.append((name, missing))
            continue
        migrations.append(result)
    if scheme in UNVERSIONED:
        migrations = _in_tool_order(scheme, candidates, migrations, unnamed, read_name)
        unnamed.sort()
        return Folder(
            folder,
            scheme,
            configured,
            tuple(migrations),
            tuple(unnamed),
            tuple(ignored),
        )
    migrations.sort(key=sort_key)
    unnamed.sort()
    return Folder(
        folder, scheme, configured, tuple(migrations), tuple(unnamed), tuple(ignored)
    )


_MARKERS = {
    "dbmate": (
        _DBMATE_UP,
        "has no `-- migrate:up` line, so dbmate cannot run it; add one "
        "above its statements",
    ),
    "goose": (
        _GOOSE_UP,
        "has no `-- +goose Up` line, so goose cannot run it; add one above "
        "its statements",
    ),
    "liquibase": (
        _LIQUIBASE,
        "does not start with `--liquibase formatted sql`, so Liquibase "
        "does not read it as a changelog; add that line first",
    ),
}


def _missing_marker(
    scheme: str, migration: Migration, read: Callable[[str], str | None]
) -> str | None:
    """Why an SQL file SCHEME's tool reads by its content cannot run."""
    marker = _MARKERS.get(scheme)
    if marker is None or not migration.name.lower().endswith(".sql"):
        return None
    text = read(migration.name)
    if text is None or marker[0].search(text):
        return None
    return marker[1]


def _in_tool_order(
    scheme: str,
    names: list[str],
    migrations: list[Migration],
    unnamed: list[tuple[str, str]],
    read: Callable[[str], str | None],
) -> list[Migration]:
    """MIGRATIONS in the order sqitch's plan or Liquibase's changelogs run
    them; sqitch scripts the plan does not list, and changes it lists with
    no deploy script, go to UNNAMED."""
    from dbdesign import plans

    if scheme == "sqitch":
        stems = plans.sqitch_plan(read("sqitch.plan") or "")
        order = {stem: i for i, stem in enumerate(stems)}
        out = []
        for m in migrations:
            if m.description in order:
                out.append(m)
            else:
                unnamed.append(
                    (
                        m.name,
                        f"is not in sqitch.plan, so sqitch never runs it; "
                        f"add `{m.description}` to the plan (`sqitch add`) or "
                        "remove the file",
                    )
                )
        deployed = {m.description for m in out if m.kind == UP}
        for stem in stems:
            if stem not in deployed:
                unnamed.append(
                    (
                        "sqitch.plan",
                        f"lists change {stem}, but deploy/{stem}.sql is "
                        "missing; add it, or remove the change from the plan",
                    )
                )
        return sorted(out, key=lambda m: (order[m.description], m.kind != UP))
    # Liquibase: the order a changelog includes them in, then by path, as
    # `includeAll` runs them
    listed: dict[str, int] = {}
    changelogs = (".xml", ".yaml", ".yml", ".json", ".sql")
    for name in (n for n in names if n.lower().endswith(changelogs)):
        for file in plans.liquibase_includes(read(name) or ""):
            listed.setdefault(file.rsplit("/", 1)[-1], len(listed))
    return sorted(
        migrations,
        key=lambda m: (listed.get(m.name.rsplit("/", 1)[-1], len(listed)), m.name),
    )


def without_down(
    folder: Folder, read: Callable[[str], str | None]
) -> list[Migration] | None:
    """The forward migrations that have no down/undo, or None when the
    folder has no downs at all and its scheme cannot say (sequential,
    timestamp, a regex without a `direction` group)."""
    scheme = folder.scheme or ""
    forward = folder.forward
    down_marker = {"dbmate": _DBMATE_DOWN, "goose": _GOOSE_DOWN}.get(scheme)
    if down_marker is not None:
        missing = []
        for migration in forward:
            if not migration.name.lower().endswith(".sql"):
                continue  # a goose Go migration has its down in code
            text = read(folder.relpath(migration.name))
            if text is not None and not down_marker.search(text):
                missing.append(migration)
        return missing
    wanted = UNDO if scheme == "flyway" else DOWN
    downs = {pair_key(scheme, m) for m in folder.migrations if m.kind == wanted}
    # prisma has no down migrations; Liquibase's rollbacks are comments
    if scheme in ("sequential", "timestamp", "", "prisma", "liquibase") or (
        scheme.startswith("regex:") and not downs
    ):
        return None
    return [m for m in forward if pair_key(scheme, m) not in downs]


def pair_key(scheme: str, migration: Migration) -> object:
    # A diesel down lives in its migration's folder, a sqitch revert has its
    # change's name; the other schemes pair an up and its down (or undo) by
    # version.
    if scheme in ("diesel", "sqitch"):
        return migration.unit
    return migration.version


# -- suggesting a version ------------------------------------------------------------


def next_version(
    scheme: str | None, newest: Version, now: datetime.datetime | None = None
) -> str:
    """The next free version after NEWEST, written the folder's way: the
    first number plus one (zero padding kept), or for dated versions the
    current time (NOW) in the same shape, or one second after NEWEST."""
    raw = newest.raw
    shape = _dated_shape(raw)
    if shape is not None or scheme in ("diesel", "timestamp"):
        if shape is not None:
            moment = now or datetime.datetime.now(datetime.timezone.utc)
            stamped = moment.strftime(shape) + raw[len(moment.strftime(shape)) :]
            version = parse_version(stamped)
            if version is not None and version > newest:
                return stamped
        return _later_timestamp(raw)
    match = re.match(r"\d+", raw)
    if match is None:  # pragma: no cover - versions always have digits
        return raw
    return str(int(match[0]) + 1).zfill(len(match[0]))


_DATED = (
    # diesel's folders, with or without its `-0000` suffix
    (re.compile(r"(19|20)\d\d-\d\d-\d\d-\d{6}(-\d{4})?"), "%Y-%m-%d-%H%M%S"),
    # Rails, dbmate, goose: YYYYMMDDHHMMSS
    (re.compile(r"(19|20)\d{12}"), "%Y%m%d%H%M%S"),
)


def _dated_shape(raw: str) -> str | None:
    """The strftime format RAW is written in, when it is a date-time."""
    for pattern, shape in _DATED:
        if pattern.fullmatch(raw):
            return shape
    return None


def _later_timestamp(raw: str) -> str:
    """RAW's last digit run plus one second's worth: keeps the shape and
    is always later; people usually take the current time instead."""
    runs = list(re.finditer(r"\d+", raw))
    if not runs:  # pragma: no cover
        return raw
    last = runs[-1]
    if len(runs) > 1 and int(last[0]) == 0 and len(last[0]) == 4:
        # diesel's `-0000` suffix: bump the time before it
        last = runs[-2]
    bumped = str(int(last[0]) + 1).zfill(len(last[0]))
    return raw[: last.start()] + bumped + raw[last.end() :]
