""" "The change" (SPEC 2): what a commit, a push or a pull request changes,
and the content files had before it. The one module that runs git: always
with `-z` output, literal pathspecs, `--` before paths and no shell, so any
file name works; every other module gets plain data."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dbdesign.errors import UsageError

# Said once per run when the root is not in a git repository; the checks
# that need the change all use this text, so Project.note shows it once.
NO_GIT_NOTE = (
    "not a git repository: the rules about the change (MG003, "
    "MG004, CH001, CH003) were skipped"
)

_ZEROS = frozenset("0")
_UPS = re.compile(r"(?:\.\./)*")
_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_FETCH_ADVICE = (
    "in a shallow clone fetch the history it needs (in GitHub "
    "Actions: actions/checkout with `fetch-depth: 0`, or `git "
    "fetch --unshallow`)"
)


@dataclass(frozen=True)
class Change:
    """The paths a change adds, modifies, deletes and renames, relative to
    the project root (POSIX), measured from the commit BASE (or the empty
    tree). Paths outside the root are left out."""

    root: Path
    base: str  # a commit id, or the empty tree's id
    description: str  # for messages: "the staged change", ...
    added: frozenset[str] = frozenset()
    modified: frozenset[str] = frozenset()
    deleted: frozenset[str] = frozenset()
    renamed: tuple[tuple[str, str], ...] = ()  # (old, new)
    top: Path = field(default=Path("."))  # the git top-level (worktree)
    prefix: str = ""  # the root's path inside the repository, "" or "a/b/"
    empty_base: bool = False  # BASE is the empty tree: a first commit

    def touches(self, path: str) -> bool:
        """Whether the change adds, edits, deletes or renames PATH (either
        side of a rename)."""
        return (
            path in self.added
            or path in self.modified
            or path in self.deleted
            or any(path in pair for pair in self.renamed)
        )

    def touched(self) -> frozenset[str]:
        """Every path the change touches, both sides of renames."""
        out = set(self.added) | self.modified | self.deleted
        for old, new in self.renamed:
            out.update((old, new))
        return frozenset(out)

    def written(self) -> frozenset[str]:
        """The paths whose new content the change brings: added, modified
        and the new side of renames."""
        return frozenset(self.added | self.modified | {new for _, new in self.renamed})

    def old_content(self, path: str) -> bytes | None:
        """PATH's content in the base, or None when it did not exist there
        (or the base is the empty tree)."""
        if self.empty_base:
            return None
        out = _run(
            self.top,
            "cat-file",
            "blob",
            f"{self.base}:{self.prefix}{path}",
            check=False,
        )
        return out.stdout if out.returncode == 0 else None

    def changed_lines(self, path: str) -> frozenset[int] | None:
        """The line numbers of PATH's current content (the working tree)
        that the change added or modified, from `git diff -U0` against the
        base; None when the base has no PATH (every line is new)."""
        if not self.old_paths_of([path]):
            return None
        out = _run(
            self.top,
            "diff",
            "-U0",
            "--no-color",
            "--no-ext-diff",
            "--no-renames",
            self.base,
            "--",
            f"{self.prefix}{path}",
            check=False,
        )
        lines: set[int] = set()
        for raw in out.stdout.split(b"\n"):
            match = _HUNK.match(raw)
            if match:
                first = int(match[1])
                lines.update(range(first, first + int(match[2] or b"1")))
        return frozenset(lines)

    def old_paths_of(self, paths: list[str]) -> list[str]:
        """Those of PATHS (root-relative) that exist in the base."""
        if not paths:
            return []
        return self._ls_tree(f"{self.prefix}{path}" for path in paths)

    def old_paths(self, folder: str) -> list[str]:
        """Every file under FOLDER (root-relative) in the base."""
        # git refuses an empty pathspec; "." is the whole tree.
        return self._ls_tree([f"{self.prefix}{folder.strip('/')}" or "."], "-r")

    def _ls_tree(self, specs: Iterable[str], *flags: str) -> list[str]:
        if self.empty_base:
            return []
        out = _run(
            self.top,
            "ls-tree",
            *flags,
            "-z",
            "--name-only",
            "--full-tree",
            self.base,
            "--",
            *specs,
            check=False,
        )
        if out.returncode != 0:
            return []
        return [
            path
            for path in (_strip(self.prefix, raw) for raw in _split_z(out.stdout))
            if path is not None
        ]


def load(root: Path, base: str | None) -> Change | None:
    """The change for a run at ROOT: pull-request mode with BASE, else
    pre-push (pre-commit's PRE_COMMIT_FROM_REF/TO_REF), else the staged
    change. None when ROOT is not in a git work tree."""
    where = _where(root)
    if where is None:
        return None
    top, prefix = where
    if base is not None:
        return _against_base(root, top, prefix, base)
    # pre-commit sets these for pre-push, and for `pre-commit run
    # --from-ref X --to-ref Y` (a CI job that checks a range).
    from_ref = os.environ.get("PRE_COMMIT_FROM_REF")
    to_ref = os.environ.get("PRE_COMMIT_TO_REF")
    if from_ref and to_ref:
        return _push(root, top, prefix, from_ref, to_ref)
    return _staged(root, top, prefix)


# -- the three modes -----------------------------------------------------------


def _staged(root: Path, top: Path, prefix: str) -> Change:
    # A merge in progress compares with HEAD, its first parent; a repository
    # with no commits yet (the first commit) with the empty tree.
    head = _commit(top, "HEAD")
    old = head or _empty_tree(top)
    out = _git(
        top,
        "diff",
        "--cached",
        "-z",
        "--name-status",
        "-M",
        "--no-ext-diff",
        "--ignore-submodules",
        old,
        "--",
    )
    return _build(root, top, prefix, old, "the staged change", out, empty=head is None)


def _against_base(root: Path, top: Path, prefix: str, ref: str) -> Change:
    if ref.startswith("-") or not ref.strip():
        raise UsageError(
            f"--base {ref!r}: not a git revision; give a "
            "branch, tag or commit such as `origin/main`"
        )
    commit = _commit(top, ref)
    if commit is None:
        raise UsageError(
            f"--base {ref}: no such commit in this clone; {_FETCH_ADVICE}, "
            "or fetch the branch (`git fetch origin "
            f"{ref.removeprefix('origin/')}`)"
        )
    head = _commit(top, "HEAD")
    if head is None:
        raise UsageError(
            f"--base {ref}: this repository has no commits "
            "yet; commit first, or run without --base to check "
            "the staged change"
        )
    merge_base = _merge_base(top, commit, head)
    if merge_base is None:
        raise UsageError(
            f"--base {ref}: no common ancestor with HEAD in this clone; {_FETCH_ADVICE}"
        )
    # The merge base against the working tree: committed, staged and unstaged
    # edits, plus files not yet known to git.
    out = _git(
        top,
        "diff",
        "-z",
        "--name-status",
        "-M",
        "--no-ext-diff",
        "--ignore-submodules",
        merge_base,
        "--",
    )
    untracked = _git(top, "ls-files", "-z", "--others", "--exclude-standard")
    extra = b"".join(b"A\0" + name + b"\0" for name in _split_raw(untracked))
    return _build(
        root, top, prefix, merge_base, f"the changes since {ref}", out + extra
    )


def _push(root: Path, top: Path, prefix: str, from_ref: str, to_ref: str) -> Change:
    to_commit = _commit(top, to_ref)
    if to_commit is None:
        raise UsageError(f"PRE_COMMIT_TO_REF {to_ref}: no such commit")
    if set(from_ref) <= _ZEROS:
        # A new branch with nothing to compare with: everything is new.
        return _range(root, top, prefix, _empty_tree(top), to_commit, empty=True)
    from_commit = _commit(top, from_ref)
    if from_commit is None:
        raise UsageError(
            f"PRE_COMMIT_FROM_REF {from_ref}: no such commit in this clone; "
            f"{_FETCH_ADVICE}"
        )
    old = _merge_base(top, from_commit, to_commit) or from_commit
    return _range(root, top, prefix, old, to_commit)


def _range(
    root: Path, top: Path, prefix: str, old: str, new: str, empty: bool = False
) -> Change:
    out = _git(
        top,
        "diff",
        "-z",
        "--name-status",
        "-M",
        "--no-ext-diff",
        "--ignore-submodules",
        old,
        new,
        "--",
    )
    return _build(root, top, prefix, old, "the pushed commits", out, empty=empty)


# -- parsing -------------------------------------------------------------------


def _build(
    root: Path,
    top: Path,
    prefix: str,
    base: str,
    description: str,
    raw: bytes,
    empty: bool = False,
) -> Change:
    added: set[str] = set()
    modified: set[str] = set()
    deleted: set[str] = set()
    renamed: list[tuple[str, str]] = []
    fields_ = _split_z(raw)
    i = 0
    while i < len(fields_):
        status = fields_[i]
        kind = status[:1]
        if kind in ("R", "C"):
            old, new = fields_[i + 1], fields_[i + 2]
            i += 3
        else:
            old = new = fields_[i + 1]
            i += 2
        old_rel, new_rel = _strip(prefix, old), _strip(prefix, new)
        if kind == "R":
            if old_rel is not None and new_rel is not None:
                renamed.append((old_rel, new_rel))
            elif new_rel is not None:
                added.add(new_rel)
            elif old_rel is not None:
                deleted.add(old_rel)
        elif kind in ("A", "C"):
            if new_rel is not None:
                added.add(new_rel)
        elif kind == "D":
            if old_rel is not None:
                deleted.add(old_rel)
        elif new_rel is not None:  # M, T (type change), U (unmerged)
            modified.add(new_rel)
    return Change(
        root=root,
        base=base,
        description=description,
        added=frozenset(added),
        modified=frozenset(modified),
        deleted=frozenset(deleted),
        renamed=tuple(sorted(renamed)),
        top=top,
        prefix=prefix,
        empty_base=empty,
    )


def _split_raw(data: bytes) -> list[bytes]:
    return [part for part in data.split(b"\0") if part]


def _split_z(data: bytes) -> list[str]:
    # Names are bytes to git; undecodable ones keep their bytes as
    # surrogates, as os.fsdecode does, so that they still round-trip.
    return [os.fsdecode(part) for part in _split_raw(data)]


def _strip(prefix: str, path: str) -> str | None:
    if not prefix:
        return path
    return path[len(prefix) :] if path.startswith(prefix) else None


# -- git -----------------------------------------------------------------------


def _run(
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
    # git's words in English whatever the user's locale: _where tells "not
    # a git repository" from other failures by them.
    return {**os.environ, "LC_ALL": "C"}


def _git(cwd: Path, *args: str) -> bytes:
    return _run(cwd, *args).stdout


def _where(root: Path) -> tuple[Path, str] | None:
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
        return _where(root)
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
    return _split_z(out.stdout) if out.returncode == 0 else []


def head(root: Path) -> str | None:
    """The commit HEAD names, or None (no commits, or not in git)."""
    where = location(root)
    return _commit(where[0], "HEAD") if where is not None else None


def _commit(top: Path, ref: str) -> str | None:
    out = _run(
        top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False
    )
    if out.returncode != 0:
        return None
    return out.stdout.decode("ascii", "replace").strip() or None


def _merge_base(top: Path, a: str, b: str) -> str | None:
    out = _run(top, "merge-base", a, b, check=False)
    if out.returncode != 0:
        return None
    return out.stdout.decode("ascii", "replace").strip() or None


def _empty_tree(top: Path) -> str:
    # Asked of git rather than hard-coded: SHA-256 repositories differ.
    out = _run(top, "hash-object", "-t", "tree", "--stdin", stdin=b"")
    return out.stdout.decode("ascii").strip()
