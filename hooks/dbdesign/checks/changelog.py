"""CH001-CH003: a change to the schema or the migrations is recorded in the
changelog, the changelog follows Keep a Changelog, and each migration the
change adds is named in the lines it adds to the changelog.

`--allow-no-changelog` (a pull request's label, in the action) skips CH001
and CH003 for one run; nothing else does."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator

from dbdesign import markdown, naming, textio
from dbdesign.change import NO_GIT_NOTE, Change
from dbdesign.findings import Finding, finding
from dbdesign.project import Project
from dbdesign.views import added_migrations, folder_of

TYPES = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")
_SECTION = re.compile(
    r"^\[?(?P<name>unreleased|v?\d+(?:\.\d+)*(?:[-+][0-9A-Za-z.+-]*)?)\]?"
    r"(?:\s*[-–—]\s*(?P<date>\d{4}-\d{2}-\d{2}))?"
    r"(?:\s*\[yanked\])?\s*$",
    re.IGNORECASE,
)
_SHOWN = 3  # paths named in CH001's message
_KEEP = frozenset("#`~<")  # first characters of lines that matter to headings


def check(project: Project) -> Iterator[Finding]:
    path = project.config.changelog_path
    result = project.read(path)
    text = result.text if isinstance(result, textio.Text) else None
    if isinstance(result, textio.Unreadable) and not result.missing:
        yield finding("CH002", path, f"the changelog {result.reason}")
    heads = headings(text) if text is not None else []
    if text is not None:
        yield from keep_a_changelog(path, text, heads)
    change = project.change
    if change is None:
        project.note(NO_GIT_NOTE)
        return
    if project.options.allow_no_changelog:
        return
    yield from _not_updated(project, change)
    if path in change.written() and text is not None:
        yield from _unnamed_migrations(project, change, text, heads)


# -- CH001 ---------------------------------------------------------------------


def database_paths(project: Project, change: Change) -> list[str]:
    """The paths of the change that are the schema or migrations."""
    config = project.config
    lead = naming.join(config.migrations_path, "")
    found = []
    for path in sorted(change.touched()):
        migration = path.startswith(lead) and not naming.is_ignored(
            path[len(lead) :], config.migrations_ignore
        )
        if migration or path == config.schema_path:
            found.append(path)
    return found


def _not_updated(project: Project, change: Change) -> Iterator[Finding]:
    path = project.config.changelog_path
    if path in change.written():
        return
    touched = database_paths(project, change)
    if not touched:
        return
    shown = ", ".join(touched[:_SHOWN])
    more = f" and {len(touched) - _SHOWN} more" if len(touched) > _SHOWN else ""
    yield finding(
        "CH001",
        path,
        f"{change.description} touches {shown}{more} but not {path}; add a "
        f"line about it under `## [Unreleased]`, or {_waiver(project)} if it "
        "needs none",
    )


def _waiver(project: Project) -> str:
    """How to waive CH001 where the user is: under pre-commit a flag
    cannot be passed to `git commit`, so the way out is SKIP."""
    if os.environ.get("PRE_COMMIT"):
        hook = project.options.hook or "dbdesign-changelog"
        return f"commit with `SKIP={hook} git commit`"
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return (
            "add the pull-request label named by the action's "
            "`allow-no-changelog-label`"
        )
    return "pass `--allow-no-changelog`"


# -- CH002 ---------------------------------------------------------------------


def headings(text: str) -> list[markdown.Heading]:
    """TEXT's headings, with their lines. Only lines that can open or
    close a heading, a fence or an HTML block are given to the parser; the
    rest (a long changelog's thousands of list items) become blank lines,
    which keeps line numbers and makes parsing ten times faster."""
    kept = []
    for line in textio.split_lines(text):
        lead = line.lstrip()[:1]
        kept.append(line if lead in _KEEP or "-->" in line else "")
    return markdown.headings("\n".join(kept))


def keep_a_changelog(
    path: str,
    text: str,
    heads: list[markdown.Heading] | None = None,
) -> Iterator[Finding]:
    """Keep a Changelog's layout: `## [Unreleased]` or a dated version
    first, every `##` a version with an ISO date (newest first), and `###`
    change types from the standard six."""
    how = "see https://keepachangelog.com/en/1.1.0/"
    if heads is None:
        heads = headings(text)
    sections = [h for h in heads if h.level == 2]
    if not sections:
        yield finding(
            "CH002",
            path,
            "the changelog has no `## [Unreleased]` or "
            f"`## [1.0.0] - YYYY-MM-DD` section; add one ({how})",
            1,
        )
        return
    last_date: str | None = None
    in_version = False
    for index, head in enumerate(sections):
        match = _SECTION.match(head.text)
        if match is None:
            yield finding(
                "CH002",
                path,
                f"section `## {head.text}` is not `## [Unreleased]` or "
                f"`## [<version>] - YYYY-MM-DD`; rename it ({how})",
                head.line,
            )
            continue
        if match["name"].lower() == "unreleased":
            if index:
                yield finding(
                    "CH002",
                    path,
                    "`## [Unreleased]` must be the first section, "
                    "above the released versions; move it up",
                    head.line,
                )
            continue
        date = match["date"]
        if date is None:
            yield finding(
                "CH002",
                path,
                f"version section `## {head.text}` has no release "
                "date; write it as `## [<version>] - YYYY-MM-DD`",
                head.line,
            )
            continue
        if last_date is not None and date > last_date:
            yield finding(
                "CH002",
                path,
                f"version section `## {head.text}` is dated after "
                "the section above it; keep the newest first",
                head.line,
            )
        last_date = date
    for head in heads:
        if head.level == 2:
            in_version = _SECTION.match(head.text) is not None
        elif head.level == 3 and in_version and head.text.strip() not in TYPES:
            yield finding(
                "CH002",
                path,
                f"`### {head.text}` is not a Keep a Changelog change "
                f"type; use one of {', '.join(TYPES)}",
                head.line,
            )


# -- CH003 ---------------------------------------------------------------------


def added_lines(old: str | None, new: str) -> list[str]:
    """The lines of NEW that OLD did not have (as a multiset, so moving a
    line is not adding it)."""
    if old is None:
        return textio.split_lines(new)
    have = Counter(textio.split_lines(old))
    out = []
    for line in textio.split_lines(new):
        if have[line]:
            have[line] -= 1
        else:
            out.append(line)
    return out


def names_for(migration: naming.Migration) -> list[str]:
    """The ways a changelog line may name MIGRATION."""
    parts = migration.name.split("/")
    base = parts[-1]
    names = {base, migration.name}
    if len(parts) > 1:
        names.add(parts[-2])  # diesel's folder
    for suffix in (".up.sql", ".down.sql", ".sql"):
        if base.endswith(suffix):
            names.add(base[: -len(suffix)])  # golang-migrate's `0001_init`
            break
    return sorted(names)


_NAME_BEFORE = re.compile(r"[\w.-]")
_NAME_AFTER = re.compile(r"[\w-]")
_VERSION_BEFORE = re.compile(r"[\w.]")
_VERSION_AFTER = re.compile(r"[A-Za-z0-9]|\.\d")
_OCCURRENCES = 10_000


def _named(migration: naming.Migration, added: str) -> bool:
    # A name stands alone too: `1_init` is not named by `11_init`.
    if any(
        _stands_alone(added, name, _NAME_BEFORE, _NAME_AFTER)
        for name in names_for(migration)
    ):
        return True
    if migration.version is None:
        return False
    versions = {
        migration.version.raw,
        ".".join(str(n) for n in migration.version.key) or "0",
    }
    # A version stands alone: `8`, `V8`, `v8` but not `18`, `8.1` or `8b`.
    return any(
        _stands_alone(added, v, _VERSION_BEFORE, _VERSION_AFTER, "Vv") for v in versions
    )


def _stands_alone(
    text: str,
    word: str,
    before: re.Pattern[str],
    after: re.Pattern[str],
    prefixes: str = "",
) -> bool:
    """Whether WORD occurs in TEXT (after one of PREFIXES, or none) with
    neither BEFORE just before it nor AFTER just after it. str.find jumps
    from one occurrence to the next: a regex with a look-behind would try
    every position of a changelog of megabytes, once per migration. After
    _OCCURRENCES occurrences that do not stand alone (`2` in a changelog
    of digits) it gives up and says yes: a warning missed, not a hang."""
    if not word:
        return False
    at = text.find(word)
    for _ in range(_OCCURRENCES):
        if at < 0:
            return False
        start = at - 1 if at and text[at - 1] in prefixes else at
        end = at + len(word)
        if (start == 0 or not before.match(text, start - 1, start)) and not after.match(
            text, end
        ):
            return True
        at = text.find(word, at + 1)
    return True


def _unnamed_migrations(
    project: Project, change: Change, text: str, heads: list[markdown.Heading]
) -> Iterator[Finding]:
    folder = folder_of(project)
    if folder is None:
        return
    new = [
        m
        for m in added_migrations(folder, change)
        if m.forward or m.kind == naming.REPEATABLE
    ]
    if not new:
        return
    path = project.config.changelog_path
    old_bytes = change.old_content(path)
    old = None
    if old_bytes is not None:
        old = old_bytes.decode("utf-8", "replace").removeprefix(textio.BOM)
    added = "\n".join(added_lines(old, text))
    unreleased = next(
        (
            h.line
            for h in heads
            if h.level == 2 and h.text.strip("[] ").lower() == "unreleased"
        ),
        None,
    )
    seen: set[str] = set()
    for migration in new:
        label = (
            migration.name.split("/")[0]
            if folder.scheme == "diesel"
            else migration.name
        )
        if label in seen or _named(migration, added):
            continue
        seen.add(label)
        version = (
            f" or its version {migration.version}"
            if migration.version is not None
            else ""
        )
        yield finding(
            "CH003",
            path,
            f"migration {label}, added by {change.description}, is not named "
            f"in the lines it adds to {path}; name it (its file name{version}) "
            f"in the entry that describes it",
            unreleased,
        )
