""" "The change" (SPEC 2): what a commit, a push or a pull request changes,
and the content files had before it, built from what `git.py` (the one
module that runs git) answers."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dbdesign import git
from dbdesign.errors import UsageError

# Re-exported for the callers that ask git about a folder rather than a
# change (project, pipeline); new code imports them from dbdesign.git.
from dbdesign.git import head as head
from dbdesign.git import location as location
from dbdesign.git import toplevel as toplevel
from dbdesign.git import tracked as tracked

# Said once per run when the root is not in a git repository; the checks
# that need the change all use this text, so Project.note shows it once.
NO_GIT_NOTE = (
    "not a git repository: the rules about the change (MG003, "
    "MG004, CH001, CH003) were skipped"
)

_ZEROS = frozenset("0")
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
        out = git.run(
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
        out = git.run(
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
        out = git.run(
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
            for path in (_strip(self.prefix, raw) for raw in git.split_z(out.stdout))
            if path is not None
        ]


def load(root: Path, base: str | None) -> Change | None:
    """The change for a run at ROOT: pull-request mode with BASE, else
    pre-push (pre-commit's PRE_COMMIT_FROM_REF/TO_REF), else the staged
    change. None when ROOT is not in a git work tree."""
    where = git.where(root)
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
    head = git.commit(top, "HEAD")
    old = head or git.empty_tree(top)
    out = _name_status(top, "--cached", old)
    return _build(root, top, prefix, old, "the staged change", out, empty=head is None)


def _against_base(root: Path, top: Path, prefix: str, ref: str) -> Change:
    if ref.startswith("-") or not ref.strip():
        raise UsageError(
            f"--base {ref!r}: not a git revision; give a "
            "branch, tag or commit such as `origin/main`"
        )
    commit = git.commit(top, ref)
    if commit is None:
        raise UsageError(
            f"--base {ref}: no such commit in this clone; {_FETCH_ADVICE}, "
            "or fetch the branch (`git fetch origin "
            f"{ref.removeprefix('origin/')}`)"
        )
    head = git.commit(top, "HEAD")
    if head is None:
        raise UsageError(
            f"--base {ref}: this repository has no commits "
            "yet; commit first, or run without --base to check "
            "the staged change"
        )
    merge_base = git.merge_base(top, commit, head)
    if merge_base is None:
        raise UsageError(
            f"--base {ref}: no common ancestor with HEAD in this clone; {_FETCH_ADVICE}"
        )
    # The merge base against the working tree: committed, staged and unstaged
    # edits, plus files not yet known to git.
    out = _name_status(top, merge_base)
    untracked = git.output(top, "ls-files", "-z", "--others", "--exclude-standard")
    extra = b"".join(b"A\0" + name + b"\0" for name in git.split_raw(untracked))
    return _build(
        root, top, prefix, merge_base, f"the changes since {ref}", out + extra
    )


def _name_status(top: Path, *revs: str) -> bytes:
    """`git diff --name-status` of REVS (with renames), NUL-separated."""
    return git.output(
        top,
        "diff",
        "-z",
        "--name-status",
        "-M",
        "--no-ext-diff",
        "--ignore-submodules",
        *revs,
        "--",
    )


def _push(root: Path, top: Path, prefix: str, from_ref: str, to_ref: str) -> Change:
    to_commit = git.commit(top, to_ref)
    if to_commit is None:
        raise UsageError(f"PRE_COMMIT_TO_REF {to_ref}: no such commit")
    if set(from_ref) <= _ZEROS:
        # A new branch with nothing to compare with: everything is new.
        return _range(root, top, prefix, git.empty_tree(top), to_commit, empty=True)
    from_commit = git.commit(top, from_ref)
    if from_commit is None:
        raise UsageError(
            f"PRE_COMMIT_FROM_REF {from_ref}: no such commit in this clone; "
            f"{_FETCH_ADVICE}"
        )
    old = git.merge_base(top, from_commit, to_commit) or from_commit
    return _range(root, top, prefix, old, to_commit)


def _range(
    root: Path, top: Path, prefix: str, old: str, new: str, empty: bool = False
) -> Change:
    out = _name_status(top, old, new)
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
    fields_ = git.split_z(raw)
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


def _strip(prefix: str, path: str) -> str | None:
    if not prefix:
        return path
    return path[len(prefix) :] if path.startswith(prefix) else None
