"""A migrations folder scanned: its files listed (links never followed
out of the root), the ones that are not migrations set aside, the rest
classified under the folder's scheme and put in the order they run; and
which forward migrations have no down."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from dbdesign import textio
from dbdesign.naming.detect import detect
from dbdesign.naming.schemes import (
    DBMATE_DOWN,
    DBMATE_UP,
    DOWN,
    EXTENSIONS,
    GOOSE_DOWN,
    GOOSE_GO,
    GOOSE_UP,
    LIQUIBASE,
    METADATA,
    UNDO,
    UNVERSIONED,
    UP,
    Migration,
    classify,
    sort_key,
)

SUM_FILE = "dbdesign.sum"
_DEFAULT_IGNORES = (".gitkeep", ".keep", "readme", "readme.*")
_DEFAULT_IGNORED = re.compile(
    "|".join(fnmatch.translate(pattern) for pattern in _DEFAULT_IGNORES)
)


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
    meta = METADATA.get(scheme or "", ())
    regex = (scheme or "").startswith("regex:")
    extensions = EXTENSIONS.get(scheme or "", (".sql",))
    for name in candidates:
        base = name.rsplit("/", 1)[-1]
        if (
            any(fnmatch.fnmatchcase(n, g) for g in meta for n in (name, base))
            or (not regex and not name.lower().endswith(extensions))
            # goose reads Go files as migrations only by their version
            or (base.endswith(".go") and not GOOSE_GO.fullmatch(base))
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
        DBMATE_UP,
        "has no `-- migrate:up` line, so dbmate cannot run it; add one "
        "above its statements",
    ),
    "goose": (
        GOOSE_UP,
        "has no `-- +goose Up` line, so goose cannot run it; add one above "
        "its statements",
    ),
    "liquibase": (
        LIQUIBASE,
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
    down_marker = {"dbmate": DBMATE_DOWN, "goose": GOOSE_DOWN}.get(scheme)
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
