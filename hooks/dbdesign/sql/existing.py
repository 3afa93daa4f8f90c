"""What the migration safety rules (MG010-MG020, `checks/safety.py`) take
as given when they judge a statement: which migrations are judged (those
the change adds, those above `migrations_baseline`), and which tables
hold rows a lock, a rewrite or a NOT NULL would reach (not created by this
migration or by the change, not emptied by a DELETE without WHERE)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dbdesign.project import Project
from dbdesign.sql import textual
from dbdesign.sql.run_order import Migration, trimmed
from dbdesign.sql.split import Statement


def added(project: Project) -> frozenset[str]:
    change = project.change
    if change is None:
        return frozenset()
    return frozenset(change.added) | frozenset(new for _, new in change.renamed)


def at_or_below(migration: Migration, baseline: tuple[int, ...] | None) -> bool:
    if baseline is None or migration.version is None:
        return False
    return trimmed(migration.version) <= baseline


class Either:
    """In either set: the union of two sets that grow, without copying
    them for every statement."""

    def __init__(self, first: set[str], second: set[str]) -> None:
        self.first = first
        self.second = second

    def __contains__(self, item: object) -> bool:
        return item in self.first or item in self.second


@dataclass(frozen=True)
class Existing:
    """Whether a table holds rows that a lock or a rewrite would reach:
    not created by this migration or the change, not emptied."""

    created_here: set[str]
    new_tables: set[str]
    emptied: set[str]

    def __call__(self, table: str) -> bool:
        return not (
            table in self.created_here
            or table in self.new_tables
            or table in self.emptied
        )


# DELETE without WHERE: the table is empty afterwards
_DELETE_ALL = re.compile(
    rf"(?is)^delete\s+from\s+(?:only\s+)?(?P<table>{textual.QNAME})\s*$"
)


def deleted_all(statement: Statement, dialect: str) -> set[str]:
    m = _DELETE_ALL.match(statement.text)
    return set() if m is None else {textual.text_name(dialect, m["table"])}
