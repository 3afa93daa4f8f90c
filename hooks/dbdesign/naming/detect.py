"""Which naming scheme a migrations folder follows, when the config says
`auto`: the tools' own files first (sqitch's plan, prisma's lock file,
Liquibase's header), then the scheme that names the most files."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from dbdesign.naming.schemes import (
    DBMATE_UP,
    GOOSE_UP,
    LIQUIBASE,
    Migration,
    classify,
    sort_key,
)

_TIMESTAMP_DIGITS = 10  # a unix time or a date-time, never a counter


def detect(names: Iterable[str], read: Callable[[str], str | None]) -> str | None:
    """The scheme that names the most of NAMES (the files of one folder),
    preferring the more specific on a tie; None when none names any. READ
    gives a file's text (by name) for content markers."""
    names = list(names)
    tool = _detect_tool(names, read)
    if tool is not None:
        return tool
    counts = dict.fromkeys(("diesel", "golang-migrate", "flyway", "sequential"), 0)
    for name in names:
        for scheme in _plausible(name):
            if isinstance(classify(scheme, name), Migration):
                counts[scheme] += 1
    best: str | None = None
    best_count = 0
    for scheme, count in counts.items():  # the more specific first on a tie
        if count > best_count:
            best, best_count = scheme, count
    if best != "sequential":
        return best
    plain = sorted(
        (
            m
            for m in (classify("sequential", n) for n in names)
            if isinstance(m, Migration)
        ),
        key=sort_key,
    )
    # dbmate's and goose's markers open every file; looking at the first
    # and the last is enough to tell, and keeps detection cheap.
    for name in dict.fromkeys((plain[0].name, plain[-1].name)):
        text = read(name)
        if text is not None and DBMATE_UP.search(text):
            return "dbmate"
        if text is not None and GOOSE_UP.search(text):
            return "goose"
    if all(len(m.name.split("_", 1)[0]) >= _TIMESTAMP_DIGITS for m in plain):
        return "timestamp"
    return "sequential"


def _detect_tool(names: list[str], read: Callable[[str], str | None]) -> str | None:
    """sqitch (a plan), prisma (its lock file or folders), Liquibase (the
    formatted SQL header)."""
    if "sqitch.plan" in names:
        return "sqitch"
    prisma = sum(
        1
        for n in names
        if n.endswith("/migration.sql") and isinstance(classify("prisma", n), Migration)
    )
    if "migration_lock.toml" in names or prisma * 2 > len(names):
        return "prisma"
    sql = sorted(n for n in names if n.lower().endswith(".sql"))
    for name in dict.fromkeys(sql[:1] + sql[-1:]):
        text = read(name)
        if text is not None and LIQUIBASE.match(text):
            return "liquibase"
    return None


def _plausible(name: str) -> list[str]:
    """The schemes that could name NAME at all (a cheap first look, so that
    detection classifies each name once or twice, not four times)."""
    nested = "/" in name
    base = name.rsplit("/", 1)[-1]
    out = ["diesel"] if nested else []
    first = base[:1]
    if first in ("V", "U", "B", "R"):
        out.append("flyway")
    elif first.isdigit() and not nested:
        if base.endswith((".up.sql", ".down.sql")):
            out.append("golang-migrate")
        out.append("sequential")
    return out
