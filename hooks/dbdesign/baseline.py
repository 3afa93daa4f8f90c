"""The findings baseline (SPEC 3b): `.dbdesign-baseline.json` lists the
findings a team accepted when it adopted dbdesign, each by code, path and a
fingerprint of the flagged line's text (the message where there is no line),
with a count. A finding that matches an entry is not reported; an entry that
matches nothing any more is DB002, so the file only shrinks. Line numbers
are not part of the match: inserting lines above a finding keeps it matched."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from dbdesign import textio
from dbdesign.errors import UsageError
from dbdesign.findings import Finding, finding
from dbdesign.project import Project

VERSION = 1
MAX_ENTRIES = 1_000_000


@dataclass(frozen=True)
class Entry:
    code: str
    path: str
    fingerprint: str


def fingerprint(item: Finding, texts: Mapping[str, str]) -> str:
    """A hash of the flagged line's text with its whitespace normalised, or
    of the message when the finding has no line (or its file no text)."""
    text = texts.get(item.path)
    source = item.message
    if text is not None and item.line is not None:
        lines = textio.split_lines(text)
        if 0 < item.line <= len(lines):
            source = " ".join(lines[item.line - 1].split())
    digest = hashlib.sha256(f"{item.code}\0{source}".encode("utf-8", "replace"))
    return digest.hexdigest()[:16]


def render(findings: Iterable[Finding], texts: Mapping[str, str]) -> str:
    """The baseline file's text for FINDINGS: sorted, one entry per
    (code, path, fingerprint) with its count, so it diffs well."""
    counts = Counter(
        Entry(f.code, f.path, fingerprint(f, texts))
        for f in findings
        if f.code != "DB002"
    )
    entries = [
        {"code": e.code, "path": e.path, "fingerprint": e.fingerprint, "count": n}
        for e, n in sorted(
            counts.items(), key=lambda kv: (kv[0].path, kv[0].code, kv[0].fingerprint)
        )
    ]
    return json.dumps({"version": VERSION, "findings": entries}, indent=2) + "\n"


def load(project: Project) -> Counter[Entry] | None:
    """The project's baseline, or None when it has none; a UsageError that
    says how to mend a file that is not a baseline."""
    path = project.config.baseline_file
    result = textio.read(project.root, path)
    if isinstance(result, textio.Unreadable):
        if result.missing:
            return None
        raise UsageError(
            f"{path} {result.reason}; run `dbdesign baseline` to rewrite it"
        )
    try:
        data = json.loads(result.text)
    except ValueError as exc:
        raise UsageError(
            f"{path}: not JSON ({exc}); run `dbdesign baseline` to rewrite it"
        ) from None
    return _entries(path, data)


def _entries(path: str, data: object) -> Counter[Entry]:
    def bad(why: str) -> UsageError:
        return UsageError(
            f"{path}: {why}; it is written by `dbdesign baseline`, run it again"
        )

    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise bad(f'expected an object with "version": {VERSION}')
    items = data.get("findings")
    if not isinstance(items, list) or len(items) > MAX_ENTRIES:
        raise bad('expected a "findings" list')
    entries: Counter[Entry] = Counter()
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise bad(f"entry {number} is not an object")
        code, where, mark = item.get("code"), item.get("path"), item.get("fingerprint")
        count = item.get("count", 1)
        if not all(isinstance(v, str) and v for v in (code, where, mark)) or not (
            isinstance(count, int) and not isinstance(count, bool) and count > 0
        ):
            raise bad(f"entry {number} needs code, path, fingerprint and a count >= 1")
        entries[Entry(str(code), str(where), str(mark))] += count
    return entries


def apply(
    project: Project,
    findings: list[Finding],
    judged: Callable[[str, str], bool],
) -> list[Finding]:
    """FINDINGS less those the baseline accepts, plus DB002 for each entry
    that matched nothing although the run judged its code and path
    (JUDGED(code, path)): a fixed finding, to be dropped from the file."""
    entries = load(project)
    if entries is None:
        return findings
    left = Counter(entries)
    kept = []
    for item in findings:
        entry = Entry(item.code, item.path, fingerprint(item, project.texts))
        if left[entry] > 0:
            left[entry] -= 1
        else:
            kept.append(item)
    where = project.config.baseline_file
    for entry, count in sorted(left.items(), key=lambda kv: (kv[0].path, kv[0].code)):
        if count > 0 and judged(entry.code, entry.path):
            kept.append(
                finding(
                    "DB002",
                    where,
                    f"the baseline's {entry.code} in {entry.path} matches no "
                    "finding any more (fixed): run `dbdesign baseline` to drop it",
                )
            )
    return kept
