"""MG014-MG018 and MG020: what a PostgreSQL statement locks on a table that
already holds rows, read from PostgreSQL's own parse tree. Each message
names the lock, what it blocks, and the safe sequence.

The verdicts depend on the server (`postgres_version`): before 11 every
ADD COLUMN ... DEFAULT rewrites the table; from 12 a valid `CHECK (col IS
NOT NULL)` spares SET NOT NULL its scan. The not-null checks are learnt
from every forward migration, judged or not, in order. What a statement
says is read in `lockfacts.py`; which type changes need no rewrite
(MG013) is in `rewrite.py`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from dbdesign.findings import Finding, finding
from dbdesign.sql.effects import Fact, Step
from dbdesign.sql.rewrite import no_rewrite as no_rewrite
from dbdesign.sql.split import Statement

ACCESS_EXCLUSIVE = "an ACCESS EXCLUSIVE lock that blocks reads and writes"

LEARNT = re.compile(r"(?is)\Aalter\s+table\b.*\b(?:check|validate|drop)\b")
_LOCK_TIMEOUT = re.compile(
    r"(?is)\A(?:set\s+(?:session\s+|local\s+)?lock_timeout\s*(?:=|\bto\b)\s*(?P<value>.+)"
    r"|select\s+(?:pg_catalog\.)?set_config\s*\(\s*'lock_timeout'\s*,\s*(?P<fn>[^,]+),"
    r"|reset\s+(?P<reset>lock_timeout|all)\b)"
)

_SERIAL = frozenset(
    {"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"}
)


@dataclass
class Checks:
    """Not-null CHECK constraints seen so far: table -> name -> (column,
    validated)."""

    by_table: dict[str, dict[str, tuple[str, bool]]] = field(default_factory=dict)

    def copy(self) -> Checks:
        return Checks({table: dict(known) for table, known in self.by_table.items()})

    def valid_on(self, table: str, column: str) -> bool:
        return any(
            col == column and valid
            for col, valid in self.by_table.get(table, {}).values()
        )


@dataclass(frozen=True)
class Facts:
    """What a rule knows at a statement: where it is, which tables hold
    rows (EXISTING), the replay's Step, the server version."""

    path: str
    statement: Statement
    existing: Callable[[str], bool]
    step: Step
    version: int

    def at(self, code: str, message: str) -> Finding:
        return finding(
            code, self.path, message, self.statement.line, self.statement.column
        )


def lock_timeout_change(statement: Statement) -> bool | None:
    """True when STATEMENT sets a lock_timeout, False when it clears it,
    None when it does neither."""
    m = _LOCK_TIMEOUT.match(statement.text)
    if m is None:
        return None
    if m["reset"]:
        return False
    value = (m["value"] or m["fn"] or "").strip().strip("'\"").lower()
    return value not in ("0", "default", "0ms", "0s")


def learn(statement: Statement, facts: Fact | None, checks: Checks) -> None:
    """Record the not-null checks STATEMENT (described by FACTS) adds,
    validates or drops."""
    if facts is None or facts[0] != "alter" or not LEARNT.match(statement.text):
        return
    known = checks.by_table.setdefault(facts[1], {})
    for cmd in facts[3]:
        what = cmd[0]
        if what == "add_constraint":
            _, _, contype, name, not_valid, _, _, _, column = cmd
            if contype == "check" and column and name:
                known[name] = (column, not not_valid)
        elif what == "validate" and cmd[2] in known:
            known[cmd[2]] = (known[cmd[2]][0], True)
        elif what == "drop_constraint":
            known.pop(cmd[2], None)


def judge(facts: Fact, at: Facts, checks: Checks) -> Iterator[Finding]:
    """MG014-MG018 for one statement, described by FACTS."""
    if facts[0] == "alter" and facts[2]:
        table = facts[1]
        if at.existing(table):
            for cmd in facts[3]:
                yield from _alter(at, table, cmd, checks)
    elif facts[0] == "drop" and facts[1] == "index":
        if facts[2]:
            return
        for name in facts[3]:
            if name in at.step.absent:
                continue
            known = (at.step.index_tables or {}).get(name)
            if known is not None and not at.existing(known):
                continue
            on = known or "its table"
            yield at.at(
                "MG018",
                f"DROP INDEX {name} takes {ACCESS_EXCLUSIVE} on {on} until "
                "every query using the table is done; use `DROP INDEX "
                f"CONCURRENTLY {name}` (outside a transaction)",
            )


def access_exclusive(facts: Fact, at: Facts) -> str | None:
    """The existing table the statement FACTS describe takes ACCESS
    EXCLUSIVE on, if any (MG020)."""
    tables: list[str] = []
    if facts[0] == "alter" and facts[2]:
        if any(cmd[1] for cmd in facts[3]):
            tables = [facts[1]]
    elif facts[0] == "drop":
        _, what, concurrent, names = facts
        if what == "table":
            tables = [name for name in names if name not in at.step.absent]
        elif what == "index":
            found = at.step.index_tables or {}
            if not concurrent:
                tables = [t for n in names if (t := found.get(n))]
        else:
            # a view the migrations made earlier (not this migration): its
            # readers queue behind the DROP; a trigger's table
            tables = list(names)
    elif facts[0] == "rename":
        tables = [facts[1]]
    elif facts[0] == "truncate":
        tables = list(facts[1])
    return next((t for t in tables if t and at.existing(t)), None)


# -- ALTER TABLE ------------------------------------------------------------------


def _alter(facts: Facts, table: str, cmd: Fact, checks: Checks) -> Iterator[Finding]:
    what = cmd[0]
    if what == "add_column":
        yield from _add_column(facts, table, cmd[2], cmd[3], cmd[4])
    elif what == "add_constraint":
        yield from _add_constraint(facts, table, cmd)
    elif what == "set_not_null":
        column = cmd[2]
        if facts.version >= 12 and checks.valid_on(table, column):
            return
        if facts.version >= 12:
            mend = (
                f"add `CONSTRAINT {_short(table)}_{column}_not_null CHECK "
                f"({column} IS NOT NULL) NOT VALID`, `VALIDATE CONSTRAINT` it "
                "in a later migration, then SET NOT NULL (PostgreSQL "
                "then skips the scan)"
            )
        else:
            mend = (
                f"before PostgreSQL 12 (postgres_version: {facts.version}) "
                "even a valid CHECK does not spare the scan: keep a `CHECK "
                f"({column} IS NOT NULL) NOT VALID` constraint, validated in a "
                "later migration, instead of NOT NULL"
            )
        yield facts.at(
            "MG015",
            f"SET NOT NULL on {table}.{column} scans the whole table under "
            f"{ACCESS_EXCLUSIVE}; {mend}",
        )


def _add_column(
    facts: Facts, table: str, column: str, type_name: str, constraints: list[Fact]
) -> Iterator[Finding]:
    why = None
    shown = ""
    if type_name.lower() in _SERIAL:
        why = f"a {type_name} column draws a sequence value for every row"
        shown = type_name
    for con in constraints:
        what = con[0]
        if what == "identity":
            why, shown = "an identity column draws a value for every row", "identity"
        elif what == "stored":
            why = "a stored generated column is computed for every row"
            shown = "GENERATED ... STORED"
        elif what == "default" and why is None:
            _, volatile, is_null = con
            if is_null:
                continue
            if volatile is not None:
                why = f"{volatile}() is volatile, so it is computed for every row"
                shown = f"DEFAULT {volatile}()"
            elif facts.version < 11:
                why = (
                    f"before PostgreSQL 11 (postgres_version: {facts.version}) "
                    "every DEFAULT is written into every row"
                )
                shown = "DEFAULT"
    if why is not None:
        yield facts.at(
            "MG014",
            f"ADD COLUMN {table}.{column} with {shown} rewrites {table} under "
            f"{ACCESS_EXCLUSIVE} ({why}); add the column without it, backfill "
            "in batches, then set the default with `ALTER COLUMN ... SET "
            "DEFAULT`",
        )
    for con in constraints:
        what = con[0]
        if what == "fk":
            ref = con[1]
            yield facts.at(
                "MG016",
                f"ADD COLUMN {table}.{column} REFERENCES {ref} checks every "
                f"row of {table} under a SHARE ROW EXCLUSIVE lock on {table} "
                f"and {ref}, which blocks writes to both; add the column, then "
                f"`ADD CONSTRAINT {_short(table)}_{column}_fkey FOREIGN KEY "
                f"({column}) REFERENCES {ref} NOT VALID`, and `VALIDATE "
                "CONSTRAINT` it in a later migration",
            )
        elif what in ("unique", "primary"):
            label = "UNIQUE" if what == "unique" else "PRIMARY KEY"
            yield _unique(facts, table, label, (column,))


def _add_constraint(facts: Facts, table: str, cmd: Fact) -> Iterator[Finding]:
    _, _, contype, name, not_valid, ref, using_index, keys, _ = cmd
    validate = (
        f"`ALTER TABLE {table} VALIDATE CONSTRAINT {name}` in a later migration"
        if name
        else "`VALIDATE CONSTRAINT` it in a later migration (name it to do so)"
    )
    if contype == "fk" and not not_valid:
        label = f"FOREIGN KEY {name}" if name else "a FOREIGN KEY"
        others = f"{table} and {ref}" if ref != table else table
        yield facts.at(
            "MG016",
            f"{label} on existing table {table} checks every row under a "
            f"SHARE ROW EXCLUSIVE lock on {others}, which blocks writes; add "
            f"it with `NOT VALID`, then {validate}",
        )
    elif contype == "check" and not not_valid:
        label = f"CHECK {name}" if name else "a CHECK constraint"
        yield facts.at(
            "MG016",
            f"{label} on existing table {table} checks every row under "
            f"{ACCESS_EXCLUSIVE}; add it with `NOT VALID`, then {validate}",
        )
    elif contype in ("unique", "primary") and not using_index:
        label = "UNIQUE" if contype == "unique" else "PRIMARY KEY"
        yield _unique(facts, table, label, tuple(keys), name)


def _unique(
    facts: Facts,
    table: str,
    what: str,
    columns: tuple[str, ...],
    name: str | None = None,
) -> Finding:
    cols = ", ".join(columns)
    suffix = "key" if what == "UNIQUE" else "pkey"
    index = name or f"{_short(table)}_{'_'.join(columns)}_{suffix}"
    return facts.at(
        "MG017",
        f"{what} ({cols}) on existing table {table} builds its index under "
        f"{ACCESS_EXCLUSIVE}; `CREATE UNIQUE INDEX CONCURRENTLY {index} ON "
        f"{table} ({cols})`, then `ALTER TABLE {table} ADD CONSTRAINT {index} "
        f"{what} USING INDEX {index}`",
    )


def _short(table: str) -> str:
    return table.rsplit(".", 1)[-1]
