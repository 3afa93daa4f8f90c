"""The project's SQL migration files in the order they run (`Migration`,
`migrations`): the migrations check's scan where a naming scheme fits,
else every .sql file in the folder in a numeric-aware order; and
`migrations_baseline` as a version (`baseline_key`, `trimmed`)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from dbdesign import textio
from dbdesign.errors import UsageError
from dbdesign.project import Project


@dataclass(frozen=True)
class Migration:
    path: str  # root-relative
    forward: bool  # False for down / undo migrations
    repeatable: bool = False  # flyway R__ files
    version: tuple[int, ...] | None = None  # numeric segments, for baselines


def migrations(project: Project) -> list[Migration]:
    """The SQL migration files, in the order they run (repeatable flyway
    migrations last). The schema file is never one, even when it sits in
    the migrations folder."""
    key = "sql.migrations"
    if key not in project.cache:
        project.cache[key] = [
            m for m in _migrations(project) if m.path != project.config.schema_path
        ]
    value = project.cache[key]
    assert isinstance(value, list)
    return value


def _migrations(project: Project) -> list[Migration]:
    folder = project.config.migrations_path.rstrip("/")
    if textio.check_inside(project.root, folder) is not None:
        return []
    scanned = _scanned(project, folder)
    if scanned is not None:
        return scanned
    base = project.root / folder
    if not base.is_dir():
        return []
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.lower().endswith(".sql"):
                rel = os.path.relpath(os.path.join(dirpath, name), project.root)
                found.append(rel.replace(os.sep, "/"))
    found.sort(key=lambda p: _version_key(folder, p))
    return [_classify(folder, path) for path in found]


def _scanned(project: Project, folder: str) -> list[Migration] | None:
    """The migrations in the order the migrations check runs them (one scan
    per run, honouring `migrations_ignore`); None when no naming scheme
    fits, and then every .sql file counts, in a numeric-aware order."""
    from dbdesign import naming
    from dbdesign.views import folder_of

    scanned = folder_of(project)
    if scanned is None or scanned.scheme is None:
        return None
    return [
        Migration(
            scanned.relpath(item.name),
            forward=item.forward,
            repeatable=item.kind == naming.REPEATABLE,
            version=item.version.key if item.version else None,
        )
        for item in scanned.migrations
        if item.name.lower().endswith(".sql")
    ]


def _version_key(folder: str, path: str) -> tuple[int, list[tuple[int, object]]]:
    rel = path[len(folder) + 1 :] if path.startswith(folder + "/") else path
    name = rel.rsplit("/", 1)[-1]
    repeatable = 1 if re.match(r"(?i)^R__", name) else 0
    segments: list[tuple[int, object]] = []
    for part in re.findall(r"\d+|[^\d]+", rel):
        segments.append((0, int(part)) if part.isdigit() else (1, part))
    return repeatable, segments


def _classify(folder: str, path: str) -> Migration:
    rel = path[len(folder) + 1 :] if path.startswith(folder + "/") else path
    name = rel.rsplit("/", 1)[-1].lower()
    backward = (
        name.endswith(".down.sql")
        or name == "down.sql"
        or bool(re.match(r"^u\d", name))
        or name.endswith("_down.sql")
    )
    unit = rel.split("/", 1)[0] if "/" in rel else name
    digits = tuple(int(d) for d in re.findall(r"\d+", unit.split("__")[0]))
    return Migration(
        path,
        forward=not backward,
        repeatable=bool(re.match(r"^r__", name)),
        version=digits or None,
    )


def baseline_key(project: Project) -> tuple[int, ...] | None:
    """`migrations_baseline` as numeric segments (trailing zeros dropped,
    as versions compare). It must name a migration: a baseline above the
    newest would silently waive every new one (UsageError, exit 2)."""
    raw = project.config.migrations_baseline
    if raw is None:
        return None
    key = trimmed(tuple(int(d) for d in re.findall(r"\d+", raw)))
    versioned = [m for m in migrations(project) if m.version is not None]
    if any(trimmed(m.version or ()) == key for m in versioned):
        return key
    where = f"{project.config.source or 'the config'}: migrations_baseline"
    if not versioned:
        raise UsageError(
            f"{where}: {raw!r} names no migration, and "
            f"{project.config.migrations_path} has none yet; remove the setting"
        )
    newest = max(versioned, key=lambda m: trimmed(m.version or ()))
    raise UsageError(
        f"{where}: {raw!r} names no migration; the newest is "
        f"{newest.path.rsplit('/', 1)[-1]}: set the version of an existing "
        "migration, quoted as its file name writes it"
    )


def trimmed(version: tuple[int, ...]) -> tuple[int, ...]:
    """VERSION without trailing zeros: 2.0 is 2."""
    end = len(version)
    while end and version[end - 1] == 0:
        end -= 1
    return version[:end]
