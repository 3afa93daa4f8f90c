"""The one module that runs git: always with `-z` output, literal
pathspecs, `--` before paths, no shell, English messages and bare
repositories refused, so any file name works; every other module gets
plain data (`change.py` builds "the change" from it)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from dbdesign.errors import UsageError

_UPS = re.compile(r"(?:\.\./)*")


def run(
    cwd: Path, *args: str, check: bool = True, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    cmd = [
        *GIT,
        "--no-optional-locks",
        "--literal-pathspecs",
        "-c",
        "core.quotepath=off",
        *args,
    ]
    try:
        out = subprocess.run(
            cmd, cwd=cwd, capture_output=True, check=False, input=stdin, env=_env()
        )
    except OSError as exc:
        raise UsageError(
            f"cannot run git ({exc.strerror}); install git or run outside a repository"
        ) from None
    if check and out.returncode != 0:
        message = os.fsdecode(out.stderr).strip().splitlines()
        raise UsageError(
            f"git {args[0]} failed: {message[-1] if message else out.returncode}"
        )
    return out


# Every git we run: a folder of the repository that holds HEAD, objects/
# and refs/ (which a pull request can add) is a bare repository to git's
# discovery, and its `config` (core.worktree, core.fsmonitor) would then
# be obeyed from a run whose root is that folder, and the change rules
# skipped as "not a git repository". Explicit: git refuses it instead.
GIT = ("git", "-c", "safe.bareRepository=explicit")


def _env() -> dict[str, str]:
    # git's words in English whatever the user's locale: `where` tells "not
    # a git repository" from other failures by them.
    return {**os.environ, "LC_ALL": "C"}


def output(cwd: Path, *args: str) -> bytes:
    return run(cwd, *args).stdout


def where(root: Path) -> tuple[Path, str] | None:
    """(work tree top-level, ROOT's prefix in it), or None outside git."""
    # `--show-cdup` is only `../` steps, so the answer reads the same
    # whatever the folders' names hold (a newline in `--show-toplevel` or
    # `--show-prefix` would split a line-based answer in the wrong place).
    try:
        out = subprocess.run(
            [*GIT, "rev-parse", "--is-inside-work-tree", "--show-cdup"],
            cwd=root,
            capture_output=True,
            check=False,
            env=_env(),
        )
    except OSError:
        return None  # no git at all: nothing can be compared
    if out.returncode != 0:
        error = os.fsdecode(out.stderr)
        if "not a git repository" in error.lower():
            return None
        lines = error.strip().splitlines()
        if "safe.bareRepository" in error:
            raise UsageError(
                f"{root} looks like a bare git repository (it holds HEAD, "
                "objects/ and refs/), which git will not use; remove those "
                "from the project folder"
            )
        raise UsageError(
            f"git cannot read the repository at {root}: "
            f"{lines[-1] if lines else 'unknown error'}"
        )
    inside, _, cdup = os.fsdecode(out.stdout).partition("\n")
    if inside != "true":
        return None  # inside .git, or a bare repository
    cdup = cdup.removesuffix("\n")
    here = root.resolve()
    if not _UPS.fullmatch(cdup):  # pragma: no cover - git always answers ../
        top = toplevel(root)
        if top is None:
            return None
        rel = here.relative_to(top.resolve()).as_posix()
        return top, "" if rel == "." else rel + "/"
    ups = cdup.count("../")
    if not ups:
        return here, ""
    return here.parents[ups - 1], "".join(f"{p}/" for p in here.parts[-ups:])


def location(root: Path) -> tuple[Path, str] | None:
    """(work tree top-level, ROOT's prefix in it such as "" or "db/"), or
    None when ROOT is not in a readable git work tree."""
    try:
        return where(root)
    except UsageError:
        return None


def toplevel(start: Path) -> Path | None:
    """The work tree's top-level as git names it from START (GIT_DIR and
    GIT_WORK_TREE included), or None outside git."""
    try:
        out = subprocess.run(
            [*GIT, "rev-parse", "--show-toplevel"],
            cwd=start,
            capture_output=True,
            check=False,
            env=_env(),
        )
    except OSError:
        return None
    top = os.fsdecode(out.stdout).removesuffix("\n")
    return Path(top) if out.returncode == 0 and top else None


def tracked(start: Path) -> list[str]:
    """The files git tracks below START, relative to it; [] outside git."""
    try:
        out = subprocess.run(
            [*GIT, "ls-files", "-z", "--", "."],
            cwd=start,
            capture_output=True,
            check=False,
            env=_env(),
        )
    except OSError:
        return []
    return split_z(out.stdout) if out.returncode == 0 else []


def head(root: Path) -> str | None:
    """The commit HEAD names, or None (no commits, or not in git)."""
    place = location(root)
    return commit(place[0], "HEAD") if place is not None else None


def commit(top: Path, ref: str) -> str | None:
    out = run(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if out.returncode != 0:
        return None
    return out.stdout.decode("ascii", "replace").strip() or None


def merge_base(top: Path, a: str, b: str) -> str | None:
    out = run(top, "merge-base", a, b, check=False)
    if out.returncode != 0:
        return None
    return out.stdout.decode("ascii", "replace").strip() or None


def empty_tree(top: Path) -> str:
    # Asked of git rather than hard-coded: SHA-256 repositories differ.
    out = run(top, "hash-object", "-t", "tree", "--stdin", stdin=b"")
    return out.stdout.decode("ascii").strip()


def split_raw(data: bytes) -> list[bytes]:
    return [part for part in data.split(b"\0") if part]


def split_z(data: bytes) -> list[str]:
    # Names are bytes to git; undecodable ones keep their bytes as
    # surrogates, as os.fsdecode does, so that they still round-trip.
    return [os.fsdecode(part) for part in split_raw(data)]
