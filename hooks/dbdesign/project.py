"""The project being checked: its root, config and run options, and the files
read during the run (each read once, safely, and remembered for
suppressions). Heavier views (the change, the Catalog) hang off it lazily so
that a hook that needs none of them pays nothing."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from dbdesign import limits, meter, textio
from dbdesign.config import Config, ConfigError
from dbdesign.errors import UsageError

if TYPE_CHECKING:
    from dbdesign.change import Change


class Options(NamedTuple):
    """What the command line asked for, beyond the config."""

    paths: tuple[str, ...] | None = None  # None: the whole project
    base: str | None = None
    fix: bool = False
    no_cache: bool = False
    allow_no_changelog: bool = False
    sqlfluff: bool = True  # False when --select/--ignore leave no sqlfluff code
    all: bool = False  # --all: judge everything, not only the change
    hook: str | None = None  # the hook id running (None: `dbdesign check`)
    replay: str | None = None  # "on" from the replay hook and command
    database_url: str | None = None  # --database-url
    write_schema: bool = False  # `dbdesign replay --write-schema`
    jobs: int | None = None  # sqlfluff workers (None: one per CPU)


class Project:
    def __init__(
        self, root: Path, config: Config, options: Options | None = None
    ) -> None:
        self.root = root
        self.config = config
        self.options = options or Options()
        self.texts: dict[str, str] = {}  # every text read, for suppressions
        self._reads: dict[str, textio.Text | textio.Unreadable] = {}
        self._change: Change | None = None
        self._change_loaded = False
        self.cache: dict[object, Any] = {}  # lazily built shared views
        self.notes: list[str] = list(config.notes)  # one-line remarks for people
        self._closers: list[Callable[[], None]] = []
        # what a long run shows on a terminal (the pipeline sets a real one)
        self.meter: meter.Meter = meter.NULL

    @property
    def files_read(self) -> int:
        return sum(
            1
            for result in self._reads.values()
            if not isinstance(result, textio.Unreadable) or not result.missing
        )

    def on_close(self, closer: Callable[[], None]) -> None:
        """Call CLOSER when the run is over (a cache writing back)."""
        self._closers.append(closer)

    def close(self) -> None:
        """The run is over: let the views that keep something write it."""
        closers, self._closers = self._closers, []
        for closer in closers:
            closer()

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def read(self, relpath: str) -> textio.Text | textio.Unreadable:
        """ROOT/RELPATH as text, read at most once per run."""
        if relpath not in self._reads:
            bound = limits.bound(self.config, relpath)
            result = textio.read(self.root, relpath, bound.bytes, bound.kind)
            self._reads[relpath] = result
            if isinstance(result, textio.Text):
                self.texts[relpath] = result.text
        return self._reads[relpath]

    def forget(self, relpath: str) -> None:
        """Drop a cached read after a fix rewrote the file."""
        self._reads.pop(relpath, None)
        self.texts.pop(relpath, None)

    def exists(self, relpath: str) -> bool:
        return (self.root / relpath).exists() or (self.root / relpath).is_symlink()

    def wants(self, relpath: str) -> bool:
        """Whether a file-level check should look at RELPATH: always, unless
        the run was given PATHs (as pre-commit does) that exclude it."""
        paths = self.options.paths
        return paths is None or relpath in paths

    @property
    def change(self) -> Change | None:
        """What the commit, push or pull request changes; None outside git."""
        if not self._change_loaded:
            from dbdesign import change

            self._change = change.load(self.root, self.options.base)
            self._change_loaded = True
        return self._change


def locate(root_arg: str | None, config_arg: str | None = None) -> tuple[Path, Config]:
    """The project root (given, else the git top-level, else the current
    folder) and its config, or a UsageError that says what to mend: the one
    way every command finds its project."""
    from dbdesign import config as config_mod

    root = Path(root_arg) if root_arg else find_root(Path.cwd())
    if not root.is_dir():
        what = "not a folder" if root.exists() else "no such folder"
        raise UsageError(f"{root}: {what}; pass the project's root folder")
    if not os.access(root, os.R_OK | os.X_OK):
        raise UsageError(f"{root}: cannot be read; check its permissions")
    try:
        return root, config_mod.load(root, config_arg)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def find_root(start: Path) -> Path:
    """The project START is in: the nearest folder up from START (up to the
    git top-level) that is a project, else the git top-level, else START."""
    found = nearest_project(start)
    if found is not None:
        return found
    # pre-commit runs hooks from the top-level: answer that common case
    # without starting git (a few ms a hook, SPEC 7's startup budget).
    if (start / ".git").exists() and not (
        os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE")
    ):
        return start
    from dbdesign import change

    return change.toplevel(start) or start


FRAMEWORK_MARK = Path(".claude", "database")


def is_project(folder: Path) -> bool:
    """Whether FOLDER is a dbdesign project's root: it holds `.dbdesign.yaml`,
    a `[tool.dbdesign]` table in pyproject.toml, or `.claude/database/`."""
    if os.path.lexists(folder / ".dbdesign.yaml") or (folder / FRAMEWORK_MARK).is_dir():
        return True
    pyproject = folder / "pyproject.toml"
    if not pyproject.is_file():
        return False
    try:
        with open(pyproject, "rb") as handle:
            head = handle.read(1 << 20)
    except OSError:
        return False
    return b"[tool.dbdesign" in head


def nearest_project(start: Path) -> Path | None:
    """The nearest project root from START upwards, stopping at the folder
    that holds `.git` (a project never spans repositories)."""
    here = start.absolute()
    for folder in (here, *here.parents):
        if is_project(folder):
            return folder
        if os.path.lexists(folder / ".git"):
            return None
    return None


def projects_below(start: Path) -> list[Path]:
    """The projects whose marker files git tracks below START (a monorepo
    checked from its top-level), nearest first; [] outside git."""
    from dbdesign import change

    roots: set[Path] = set()
    for name in change.tracked(start):
        parts = Path(name).parts
        if parts[-1] in (".dbdesign.yaml", "pyproject.toml"):
            folder = start.joinpath(*parts[:-1])
        elif len(parts) > 2 and tuple(parts[-3:-1]) == FRAMEWORK_MARK.parts:
            folder = start.joinpath(*parts[:-3])
        else:
            continue
        if is_project(folder):
            roots.add(folder)
    return sorted(roots, key=lambda p: (len(p.parts), str(p)))


def relative(root: Path, path: str) -> str:
    """PATH (as given on the command line, relative to the working folder
    or absolute) as a root-relative POSIX path."""
    candidate = Path(path)
    if not candidate.is_absolute():
        candidate = Path.cwd() / candidate
    try:
        rel = candidate.absolute().relative_to(root.absolute())
    except ValueError:
        try:
            rel = candidate.resolve().relative_to(root.resolve())
        except ValueError:
            return Path(path).as_posix()
    return rel.as_posix()
