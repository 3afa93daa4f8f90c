"""RP005: what a statement of a migration did to the tables that existed
before the migration, read from the server itself after the statement and
before its transaction ends: the locks the session holds (pg_locks), a
rewrite (the table's relfilenode changed) and a full scan (the
transaction's scan counter of the table went up: a validation, an index
build, a backfill). A lock that blocks writes is harmless for the instant
a catalog change takes; it hurts when it is held while the table is
rewritten or scanned, for a time that grows with the table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

# PostgreSQL's table lock modes, weakest first, and what each blocks.
MODES = (
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
)
NAMES = {
    "AccessShareLock": "ACCESS SHARE",
    "RowShareLock": "ROW SHARE",
    "RowExclusiveLock": "ROW EXCLUSIVE",
    "ShareUpdateExclusiveLock": "SHARE UPDATE EXCLUSIVE",
    "ShareLock": "SHARE",
    "ShareRowExclusiveLock": "SHARE ROW EXCLUSIVE",
    "ExclusiveLock": "EXCLUSIVE",
    "AccessExclusiveLock": "ACCESS EXCLUSIVE",
}
BLOCKS_WRITES = frozenset(MODES[4:])
BLOCKS_READS = frozenset({"AccessExclusiveLock"})

_TABLES = """
SELECT c.oid::bigint,
       CASE WHEN n.nspname = 'public' THEN c.relname
            ELSE n.nspname || '.' || c.relname END,
       c.relfilenode::bigint
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_%'
"""
_STATE = """
SELECT c.oid::bigint, c.relfilenode::bigint,
       pg_stat_get_xact_numscans(c.oid),
       (SELECT array_agg(l.mode::text) FROM pg_locks l
         WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation'
           AND l.relation = c.oid AND l.granted)
FROM pg_class c WHERE c.oid = ANY(%s)
"""


@dataclass(frozen=True)
class Observation:
    table: str  # schema-qualified outside public
    lock: str | None  # the strongest mode the session holds on it
    rewrote: bool
    scanned: bool
    took: bool = False  # this statement raised the lock to LOCK

    @property
    def heavy(self) -> bool:
        """Held a lock that blocks writes while its work grew with the
        table (a rewrite, or a full scan)."""
        return self.rewrote or (self.scanned and self.lock in BLOCKS_WRITES)

    @property
    def took_blocking(self) -> bool:
        """This statement took a lock that blocks writes."""
        return self.took and self.lock in BLOCKS_WRITES


class Tracer:
    """Observes one migration: the tables that existed before it, and after
    each statement what changed on them."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        rows = conn.execute(_TABLES).fetchall()
        self.names: dict[int, str] = {int(r[0]): str(r[1]) for r in rows}
        self.files: dict[int, int] = {int(r[0]): int(r[2]) for r in rows}
        self.scans: dict[int, int] = {}
        self.locks: dict[int, str | None] = {}

    def observe(
        self, conn: psycopg.Connection[Any], truncate: bool = False
    ) -> list[Observation]:
        """What the last statement did: only tables it locked beyond ROW
        EXCLUSIVE, rewrote or scanned. A TRUNCATE swaps the table's file
        without copying it: that is no rewrite."""
        if not self.names:
            return []
        rows = conn.execute(_STATE, (list(self.names),)).fetchall()
        seen: list[Observation] = []
        for oid, filenode, scans, modes in rows:
            oid = int(oid)
            before = self.scans.get(oid, 0)
            self.scans[oid] = int(scans or 0)
            scanned = int(scans or 0) > before
            rewrote = int(filenode) != self.files[oid] and not truncate
            self.files[oid] = int(filenode)
            lock = strongest(modes or ())
            took = _rank(lock) > _rank(self.locks.get(oid))
            self.locks[oid] = lock
            if rewrote or scanned or (took and lock in BLOCKS_WRITES):
                seen.append(Observation(self.names[oid], lock, rewrote, scanned, took))
        return seen

    def new_transaction(self, conn: psycopg.Connection[Any]) -> None:
        """A transaction starts (or the file's own BEGIN or COMMIT went by):
        no locks are held, and the scan counters start from what they say
        now (the server keeps counting across transactions until it
        flushes its statistics, so only a difference means a scan)."""
        self.locks = {}
        if not self.names:
            return
        rows = conn.execute(_STATE, (list(self.names),)).fetchall()
        self.scans = {int(r[0]): int(r[2] or 0) for r in rows}


def _rank(mode: str | None) -> int:
    return MODES.index(mode) if mode in MODES else -1


def strongest(modes: Any) -> str | None:
    ranked = [MODES.index(m) for m in modes if m in MODES]
    return MODES[max(ranked)] if ranked else None


def blocks(mode: str | None) -> str:
    """What MODE blocks, for a message."""
    if mode == "AccessExclusiveLock":
        return "every read and write"
    if mode in BLOCKS_WRITES:
        return "every write"
    return "nothing that reads or writes rows"


def describe(seen: Observation) -> str:
    """`rewrote orders under ACCESS EXCLUSIVE (every read and write waits)`"""
    lock = NAMES.get(seen.lock or "", "no lock")
    what = "rewrote" if seen.rewrote else "scanned"
    return f"{what} {seen.table} under {lock}, so {blocks(seen.lock)} waits"
