"""MG010-MG013: migration safety, on forward migrations only.

The migrations are replayed in order, statement by statement (the one
replay of the run, shared with SQ007's drift), so that each rule knows what
already existed: a table created earlier in the same
migration, or by a migration the change adds, is new, and changing it is
safe. Migrations up to `migrations_baseline` are replayed but not judged."""

from __future__ import annotations

import re
from collections.abc import Container, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dbdesign import naming, scope, textio
from dbdesign.findings import Finding, finding
from dbdesign.project import Project
from dbdesign.sql import locks, textual, tools
from dbdesign.sql.build import Step
from dbdesign.sql.catalog import Column, normalise_type
from dbdesign.sql.load import (
    Migration,
    baseline_key,
    migrations,
    parsed,
    replay_steps,
    trimmed,
)
from dbdesign.sql.parse import ParsedFile
from dbdesign.sql.split import Statement
from dbdesign.sql.trees import column_rename, ident, table_name, type_sql
from dbdesign.views import folder_of

_RENAME_TABLE = re.compile(r"(?is)^rename\s+table\s+(?P<names>.+)$")
# DELETE without WHERE: the table is empty afterwards
_DELETE_ALL = re.compile(
    rf"(?is)^delete\s+from\s+(?:only\s+)?(?P<table>{textual.QNAME})\s*$"
)


def check(project: Project) -> Iterator[Finding]:
    dialect = project.config.dialect
    baseline = baseline_key(project)
    new_files = _added(project)
    steps = replay_steps(project)
    folder = folder_of(project) if dialect == "postgres" else None
    checks = locks.Checks()  # not-null CHECKs, learnt in migration order
    new_tables: set[str] = set()  # created by a migration the change adds
    for migration in migrations(project):
        if not migration.forward:
            continue
        item = parsed(project, migration.path)
        if item is None:
            continue
        judged = (
            scope.judges_file(project, migration.path)
            and not migration.repeatable
            and not _at_or_below(migration, baseline)
        )
        file_steps = steps.get(migration.path, {})
        created_here: set[str] = set()
        emptied: set[str] = set()  # no rows left: MG011 cannot fail
        timeout = _Timeout()
        existing = _Existing(created_here, new_tables, emptied)

        for index, statement in enumerate(item.statements):
            tree = item.trees.get(index)
            step = file_steps.get(index, Step())
            if tree is None:
                emptied |= _deleted_all(statement, dialect)
            elif judged:
                yield from _rules(
                    project,
                    migration.path,
                    statement,
                    tree,
                    step,
                    _Either(created_here, new_tables),
                    emptied,
                )
            if dialect == "postgres":
                facts = locks.Facts(
                    migration.path,
                    statement,
                    existing,
                    step,
                    project.config.postgres_version,
                )
                if judged:
                    yield from _postgres(project, facts, item, index, folder, checks)
                    yield from timeout.judge(project, facts)
                locks.learn(statement, checks)
            if tree is not None and type(tree).__name__ == "TruncateTable":
                emptied |= {table_name(t, dialect) for t in tree.expressions}
            created_here |= step.created
            if migration.path in new_files:
                new_tables |= step.created


class _Either:
    """In either set: the union of two sets that grow, without copying
    them for every statement."""

    def __init__(self, first: set[str], second: set[str]) -> None:
        self.first = first
        self.second = second

    def __contains__(self, item: object) -> bool:
        return item in self.first or item in self.second


def _postgres(
    project: Project,
    facts: locks.Facts,
    item: ParsedFile,
    index: int,
    folder: naming.Folder | None,
    checks: locks.Checks,
) -> Iterator[Finding]:
    """MG014-MG019 for one statement of a judged migration."""
    statement = facts.statement
    node = locks.parse(statement)
    if node is not None:
        yield from locks.judge(node, facts, checks)
    what = tools.concurrently(statement)
    if what is None:
        return
    context = tools.Context(
        folder.scheme if folder is not None else None,
        facts.path,
        _text(project, facts.path) or "",
        lambda path: _text(project, path),
    )
    why = tools.in_transaction(context, item.statements, index)
    if why is not None:
        reason, mend = why
        yield facts.at(
            "MG019",
            f"{what} cannot run inside a transaction block, but {reason}: "
            f"the deploy fails (SQLSTATE 25001); {mend}",
        )


@dataclass(frozen=True)
class _Existing:
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


class _Timeout:
    """MG020 for one migration: lock_timeout as the statements so far set
    it; the first ACCESS EXCLUSIVE on an existing table without one is
    reported (one SET at the top mends them all)."""

    def __init__(self) -> None:
        self.set = False
        self.told = False

    def judge(self, project: Project, facts: locks.Facts) -> Iterator[Finding]:
        change = locks.lock_timeout_change(facts.statement)
        if change is not None:
            self.set = change
            return
        if self.set or self.told or not project.config.require_lock_timeout:
            return
        node = locks.parse(facts.statement)
        table = None if node is None else locks.access_exclusive(node, facts)
        if table is None:
            return
        self.told = True
        yield facts.at(
            "MG020",
            f"this statement takes an ACCESS EXCLUSIVE lock on {table} with no "
            "lock_timeout set: while it waits behind a long query, every read "
            f"and write of {table} queues behind it; put `SET lock_timeout = "
            "'2s';` at the top of the migration and retry on timeout",
        )


def _text(project: Project, relpath: str) -> str | None:
    result = project.read(relpath)
    return result.text if isinstance(result, textio.Text) else None


def _deleted_all(statement: Statement, dialect: str) -> set[str]:
    m = _DELETE_ALL.match(statement.text)
    return set() if m is None else {textual.text_name(dialect, m["table"])}


def _added(project: Project) -> frozenset[str]:
    change = project.change
    if change is None:
        return frozenset()
    return frozenset(change.added) | frozenset(new for _, new in change.renamed)


def _at_or_below(migration: Migration, baseline: tuple[int, ...] | None) -> bool:
    if baseline is None or migration.version is None:
        return False
    return trimmed(migration.version) <= baseline


def _data_loss(path: str, what: str, line: int, col: int) -> Finding:
    """MG010: WHAT is lost for good; the mend is the same for every form."""
    return finding(
        "MG010",
        path,
        f"{what}; make sure that is intended and "
        "backed up, then suppress this with a reason",
        line,
        col,
    )


def _rules(
    project: Project,
    path: str,
    statement: Statement,
    tree: Any,
    step: Step,
    created: Container[str],
    emptied: set[str],
) -> Iterator[Finding]:
    """STEP: what the replay knew before the statement (the columns of the
    table an ALTER TABLE changes, the IF EXISTS targets that are not
    there). CREATED: tables this migration or the change made (nothing can break
    on them). EMPTIED: tables with no rows left (no data to lose, no NOT
    NULL to violate, a quick index build), where a rename or a type change
    still breaks the code that uses them."""
    from sqlglot import exp

    line, col = statement.line, statement.column
    dialect = project.config.dialect

    def existing(table: str) -> bool:
        return table not in created and table not in emptied

    if isinstance(tree, exp.Drop):
        kind = str(tree.args.get("kind") or "").upper()
        if kind == "SCHEMA":
            yield _data_loss(
                path, "DROP SCHEMA deletes every object in it and their data", line, col
            )
        elif kind == "TABLE":
            for target in tree.args.get("tables") or []:
                table = table_name(target, dialect)
                if existing(table) and table not in step.absent:
                    yield _data_loss(
                        path,
                        f"DROP TABLE {table} deletes the table and its data",
                        line,
                        col,
                    )
    elif isinstance(tree, exp.TruncateTable):
        for target in tree.expressions:
            table = table_name(target, dialect)
            if existing(table):
                yield _data_loss(path, f"TRUNCATE {table} deletes every row", line, col)
    elif isinstance(tree, exp.Create):
        yield from _create_index(project, path, statement, tree, existing)
    elif isinstance(tree, exp.Alter):
        if str(tree.args.get("kind") or "").upper() != "TABLE":
            return
        table = table_name(tree.this, dialect)
        if table in created:
            return
        yield from _alter(
            path, statement, tree, table, step.columns, dialect, table in emptied
        )
    elif isinstance(tree, exp.Command):
        m = _RENAME_TABLE.match(statement.text)
        if m:
            old = m["names"].split()[0]
            yield finding(
                "MG013",
                path,
                f"RENAME TABLE {old} breaks code that still uses "
                "the old name; add the new table or a view first, "
                "move readers and writers, then drop the old one",
                line,
                col,
            )


def _create_index(
    project: Project, path: str, statement: Statement, tree: Any, existing: Any
) -> Iterator[Finding]:
    from sqlglot import exp

    if str(tree.args.get("kind") or "").upper() != "INDEX":
        return
    if project.config.dialect != "postgres" or tree.args.get("concurrently"):
        return
    index = tree.this
    if not isinstance(index, exp.Index) or index.args.get("table") is None:
        return
    table = table_name(index.args["table"], project.config.dialect)
    if not existing(table):
        return
    unique = "UNIQUE " if tree.args.get("unique") else ""
    yield finding(
        "MG012",
        path,
        f"CREATE {unique}INDEX on existing table {table} without "
        f"CONCURRENTLY blocks writes to it while the index builds; use "
        f"`CREATE {unique}INDEX CONCURRENTLY` (outside a transaction)",
        statement.line,
        statement.column,
    )


def _alter(
    path: str,
    statement: Statement,
    tree: Any,
    table: str,
    known: Mapping[str, Column] | None,
    dialect: str,
    emptied: bool,
) -> Iterator[Finding]:
    from sqlglot import exp

    line, col = statement.line, statement.column
    for action in tree.args.get("actions") or []:
        if isinstance(action, exp.Drop):
            kind = str(action.args.get("kind") or "").upper()
            if kind == "COLUMN" and not emptied:
                for target in action.args.get("tables") or []:
                    column = ident(
                        target.this if isinstance(target, exp.Column) else target,
                        dialect,
                    )
                    yield _data_loss(
                        path,
                        f"DROP COLUMN {table}.{column} deletes its data",
                        line,
                        col,
                    )
        elif isinstance(action, exp.ColumnDef):
            if not emptied and _not_null_without_default(action):
                column = ident(action.this, dialect)
                if known is not None and column in known and action.args.get("exists"):
                    continue
                yield finding(
                    "MG011",
                    path,
                    f"ADD COLUMN {table}.{column} NOT NULL without a DEFAULT "
                    f"{_WITHOUT_DEFAULT.get(dialect, _WITHOUT_DEFAULT[''])}; "
                    "add a DEFAULT, or add the column nullable, backfill "
                    "it, then make it NOT NULL",
                    line,
                    col,
                )
        elif isinstance(action, exp.AlterColumn):
            dtype = action.args.get("dtype")
            if dtype is None:
                continue
            column = ident(action.this, dialect)
            new_type = normalise_type(type_sql(dtype, dialect))
            old = known.get(column) if known is not None else None
            # USING converts every value: a rewrite even when the type's name
            # is unchanged (an enum recreated under the same name)
            if old is None or old.type != new_type or action.args.get("using"):
                if (
                    dialect == "postgres"
                    and old is not None
                    and not action.args.get("using")
                    and locks.no_rewrite(old.type, new_type)
                ):
                    continue
                yield _type_change(path, table, column, old, new_type, line, col)
        elif isinstance(action, exp.ModifyColumn):
            coldef = action.this
            column = ident(coldef.this, dialect)
            renamed = action.args.get("rename_from")
            if renamed is not None and ident(renamed, dialect) != column:
                yield _rename_column(
                    path, table, ident(renamed, dialect), column, line, col
                )
            source = ident(renamed, dialect) if renamed is not None else column
            old = known.get(source) if known is not None else None
            kind = coldef.args.get("kind")
            new_type = normalise_type(type_sql(kind, dialect)) if kind else ""
            if new_type and (old is None or old.type != new_type):
                yield _type_change(path, table, column, old, new_type, line, col)
        elif isinstance(action, exp.RenameColumn):
            yield _rename_column(
                path,
                table,
                ident(action.this, dialect),
                ident(action.args["to"], dialect),
                line,
                col,
            )
        elif (
            isinstance(action, exp.AlterRename)
            and (names := column_rename(tree, action)) is not None
        ):
            yield _rename_column(
                path,
                table,
                ident(names[0], dialect),
                ident(names[1], dialect),
                line,
                col,
            )
        elif isinstance(action, exp.AlterRename):
            new = ident(
                action.this.this if isinstance(action.this, exp.Table) else action.this,
                dialect,
            )
            yield finding(
                "MG013",
                path,
                f"renaming table {table} to {new} breaks code that still "
                "uses the old name; add a view with the old name, or move "
                "readers and writers first",
                line,
                col,
            )


_WITHOUT_DEFAULT = {
    "": "fails on a table that has rows",
    "sqlite": "is refused by SQLite on any table",
    "mysql": "fills the existing rows with an implicit 0, '' or zero date",
}


def _rename_column(
    path: str, table: str, old: str, new: str, line: int, col: int
) -> Finding:
    return finding(
        "MG013",
        path,
        f"renaming {table}.{old} to {new} breaks code that still uses the "
        "old name; add the new column, backfill it and move readers before "
        "dropping the old one",
        line,
        col,
    )


def _type_change(
    path: str,
    table: str,
    column: str,
    old: Column | None,
    new_type: str,
    line: int,
    col: int,
) -> Finding:
    was = f" from {old.type}" if old is not None else ""
    return finding(
        "MG013",
        path,
        f"changing the type of {table}.{column}{was} to {new_type} rewrites "
        f"{table} under a lock that blocks reads and writes (ACCESS EXCLUSIVE "
        "on PostgreSQL) and breaks code that expects the old type; add a new "
        "column, backfill it, move readers and writers, then drop the old one",
        line,
        col,
    )


def _not_null_without_default(coldef: Any) -> bool:
    from sqlglot import exp

    kind = coldef.args.get("kind")
    type_text = kind.sql().lower() if kind is not None else ""
    if "serial" in type_text:
        return False
    not_null = has_default = False
    for constraint in coldef.args.get("constraints") or []:
        ckind = (
            constraint.args.get("kind")
            if isinstance(constraint, exp.ColumnConstraint)
            else constraint
        )
        if isinstance(ckind, exp.NotNullColumnConstraint):
            not_null = not ckind.args.get("allow_null")
        elif isinstance(ckind, exp.PrimaryKeyColumnConstraint):
            not_null = True
        elif isinstance(
            ckind,
            (
                exp.DefaultColumnConstraint,
                exp.GeneratedAsIdentityColumnConstraint,
                exp.ComputedColumnConstraint,
                exp.AutoIncrementColumnConstraint,
            ),
        ):
            has_default = True
    return not_null and not has_default
