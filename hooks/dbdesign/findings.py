"""Findings, and the suppression comments that silence them (with DB001 for
suppressions that are bare, unknown or unused, as ruff's RUF100)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from dbdesign import rules
from dbdesign.textio import line_starts


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    check: str
    path: str
    line: int | None
    column: int | None
    message: str
    fixable: bool = False

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line or 0, self.column or 0, self.code)

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "check": self.check,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "fixable": self.fixable,
        }


def finding(
    code: str,
    path: str,
    message: str,
    line: int | None = None,
    column: int | None = None,
    fixable: bool | None = None,
) -> Finding:
    """A finding of one of our registered rules, with its defaults; FIXABLE
    narrows a fixable rule to the findings its fix really mends."""
    rule = rules.BY_CODE[code]
    return Finding(
        code,
        rule.severity,
        rule.check,
        path,
        line,
        column,
        message,
        rule.fixable if fixable is None else fixable,
    )


def external(
    code: str,
    check: str,
    path: str,
    message: str,
    line: int | None = None,
    column: int | None = None,
    severity: str = rules.WARNING,
    fixable: bool = False,
) -> Finding:
    """A finding whose code is not ours (sqlfluff's LT01, CP01, ...)."""
    return Finding(code, severity, check, path, line, column, message, fixable)


# -- suppressions ------------------------------------------------------------

# `-- dbdesign: ignore[A,B]`, `<!-- dbdesign: ignore[A] -->`, `ignore-file[...]`
_SUPPRESSION = re.compile(
    r"(?P<lead>--|<!--)\s*dbdesign:\s*(?P<kind>ignore-file|ignore)"
    r"(?:\[(?P<codes>[^\]\n]*)\])?"
)


class Suppression(NamedTuple):
    path: str
    line: int
    column: int
    file_wide: bool
    codes: tuple[str, ...]  # empty for a bare `ignore`
    misplaced: bool = False  # an `ignore-file` below the first comment block


def parse_suppressions(
    path: str, text: str, comments: Sequence[tuple[int, int]] | None = None
) -> list[Suppression]:
    """Every suppression comment in TEXT. A file-wide one counts only in the
    file's first comment block (the leading lines that are comments or
    blank), so that a stray `ignore-file` deep in a file cannot hide it;
    a stray one is returned as `misplaced`, to be reported as DB001.
    COMMENTS, where given (SQL), are the (start, end) offsets of the real
    comments: a suppression's text in a string literal is no suppression."""
    found: list[Suppression] = []
    if "dbdesign:" not in text:
        return found
    starts = line_starts(text) if comments is not None else []
    in_header = True
    in_html_comment = False
    in_block_comment = False  # SQL's /* ... */, e.g. a licence header
    for number, line in enumerate(_lines(text), start=1):
        stripped = line.strip()
        if in_header:
            is_comment = (
                not stripped
                or stripped.startswith("--")
                or stripped.startswith(("<!--", "/*"))
                or in_html_comment
                or in_block_comment
            )
            if "<!--" in stripped and "-->" not in stripped:
                in_html_comment = True
            elif "-->" in stripped:
                in_html_comment = False
            if stripped.startswith("/*") and "*/" not in stripped[2:]:
                in_block_comment = True
            elif "*/" in stripped:
                in_block_comment = False
            if not is_comment:
                in_header = False
        for match in _SUPPRESSION.finditer(line):
            if comments is not None and not _within(
                comments, starts[number - 1] + match.start()
            ):
                continue
            file_wide = match["kind"] == "ignore-file"
            raw = match["codes"]
            codes = tuple(
                code.strip() for code in (raw or "").split(",") if code.strip()
            )
            # Kept (to be reported) but never applied.
            found.append(
                Suppression(
                    path,
                    number,
                    match.start() + 1,
                    file_wide,
                    codes,
                    misplaced=file_wide and not in_header,
                )
            )
    return found


def _within(spans: Sequence[tuple[int, int]], offset: int) -> bool:
    index = bisect.bisect_right(spans, (offset, float("inf"))) - 1
    return index >= 0 and spans[index][0] <= offset < spans[index][1]


def _lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)


def apply_suppressions(
    findings: Iterable[Finding],
    texts: Mapping[str, str],
    judged: Callable[[str, Suppression], bool],
    comments: Mapping[str, Sequence[tuple[int, int]]] | None = None,
) -> list[Finding]:
    """Drop suppressed findings; add DB001 for suppressions that are bare,
    name an unknown code, or suppressed nothing where the run judged their
    code (JUDGED(code, suppression): its check ran, and on those lines).
    TEXTS maps each path the run read to its text; COMMENTS the SQL files
    among them to their comments' offsets (only a real comment counts)."""
    by_path: dict[str, list[Suppression]] = {}
    for path, text in texts.items():
        parsed = parse_suppressions(path, text, (comments or {}).get(path))
        if parsed:
            by_path[path] = parsed
    used: set[tuple[Suppression, str]] = set()
    kept: list[Finding] = []
    for item in findings:
        hit = _suppressed_by(item, by_path.get(item.path, ()))
        if hit is None:
            kept.append(item)
        else:
            used.add((hit, item.code))
    for suppressions in by_path.values():
        for sup in suppressions:
            kept.extend(_check_suppression(sup, used, judged))
    return kept


def _suppressed_by(
    item: Finding, suppressions: Iterable[Suppression]
) -> Suppression | None:
    if item.code == "DB001":
        return None
    for sup in suppressions:
        if item.code not in sup.codes or sup.misplaced:
            continue
        if sup.file_wide:
            return sup
        if item.line is not None and item.line in (sup.line, sup.line + 1):
            return sup
    return None


def _check_suppression(
    sup: Suppression,
    used: set[tuple[Suppression, str]],
    judged: Callable[[str, Suppression], bool],
) -> Iterable[Finding]:
    kind = "ignore-file" if sup.file_wide else "ignore"
    if sup.misplaced:
        yield finding(
            "DB001",
            sup.path,
            "`dbdesign: ignore-file` counts only in the file's first comment "
            "block and suppresses nothing here; move it to the top of the "
            "file, or use `dbdesign: ignore[...]` on or above the line",
            sup.line,
            sup.column,
        )
        return
    if not sup.codes:
        yield finding(
            "DB001",
            sup.path,
            f"bare `dbdesign: {kind}` suppresses nothing; name the codes, "
            f"as in `dbdesign: {kind}[SQ002]`",
            sup.line,
            sup.column,
        )
        return
    for code in sup.codes:
        if not rules.is_known_code(code):
            yield finding(
                "DB001",
                sup.path,
                f"unknown code {code!r} in a suppression; use a code from "
                "`dbdesign rules`",
                sup.line,
                sup.column,
            )
        elif (sup, code) not in used and judged(code, sup):
            yield finding(
                "DB001",
                sup.path,
                f"suppression of {code} suppresses nothing; remove it",
                sup.line,
                sup.column,
            )


def with_severity(item: Finding, severity: str) -> Finding:
    return item if item.severity == severity else replace(item, severity=severity)


class Counts(NamedTuple):
    """How many findings of each severity a run reports, and how many files
    it read: what every format's summary line says."""

    errors: int
    warnings: int
    files: int  # files the run read and checked

    out_of_scope: int = 0  # findings in unchanged code, not reported

    @classmethod
    def of(
        cls, findings: Sequence[Finding], files: int, out_of_scope: int = 0
    ) -> Counts:
        errors = sum(1 for f in findings if f.severity == "error")
        return cls(errors, len(findings) - errors, files, out_of_scope)
