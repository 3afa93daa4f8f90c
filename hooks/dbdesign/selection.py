"""Which rules a run reports: `--select`, `--ignore` and the config's
`ignore` and `per_file_ignores` (flake8's style guide, in a few functions)."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence

from dbdesign import rules
from dbdesign.errors import UsageError
from dbdesign.findings import Finding


def split_codes(value: str | None, flag: str) -> list[str]:
    """A comma-separated list of codes or prefixes from FLAG, upper-cased;
    a typo is a UsageError, never a silent pass."""
    if not value:
        return []
    codes = [code.strip().upper() for code in value.split(",") if code.strip()]
    for code in codes:
        if not rules.is_known_pattern(code):
            raise UsageError(
                f"{flag}: unknown rule code or prefix {code!r}; "
                "`dbdesign rules` lists them"
            )
    return codes


def enabled(code: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    if select and not rules.matches(code, select):
        return False
    return not rules.matches(code, ignore)


def wanted_checks(
    checks: Sequence[str], select: Sequence[str], ignore: Sequence[str]
) -> list[str]:
    """The checks with at least one enabled rule. The schema check also
    owns sqlfluff's codes, which we cannot list without importing it."""
    wanted = []
    for check in checks:
        codes = [rule.code for rule in rules.RULES if rule.check == check]
        foreign = check == "schema" and sqlfluff_wanted(select, ignore)
        if foreign or any(enabled(c, select, ignore) for c in codes):
            wanted.append(check)
    return wanted


def sqlfluff_wanted(select: Sequence[str], ignore: Sequence[str]) -> bool:
    """Whether any sqlfluff code can survive --select and --ignore (so that
    `--select SQ002` does not pay for a sqlfluff run)."""
    if select and all(s[:2] in rules.FAMILIES for s in select):
        return False
    families = rules.SQLFLUFF_PREFIXES
    return not all(rules.matches(f, ignore) for f in families)


def per_file_ignored(item: Finding, per_file: Mapping[str, tuple[str, ...]]) -> bool:
    return any(
        fnmatch.fnmatchcase(item.path, glob) and rules.matches(item.code, codes)
        for glob, codes in per_file.items()
    )
