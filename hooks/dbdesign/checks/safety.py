"""MG010-MG013: migration safety, on forward migrations only.

The migrations are replayed in order, statement by statement (the one
replay of the run, shared with SQ007's drift), so that each rule knows what
already existed: a table created earlier in the same
migration, or by a migration the change adds, is new, and changing it is
safe. Migrations up to `migrations_baseline` are replayed but not judged.
What counts as judged and as existing is decided in `sql/existing.py`."""

from __future__ import annotations

from collections.abc import Container, Iterator, Mapping

from dbdesign import naming, scope, textio
from dbdesign.findings import Finding, finding
from dbdesign.project import Project
from dbdesign.sql import locks, tools
from dbdesign.sql.catalog import Column
from dbdesign.sql.effects import Effects, Fact, Step
from dbdesign.sql.existing import Either, Existing, added, at_or_below, deleted_all
from dbdesign.sql.load import parsed, replay_of
from dbdesign.sql.parsed_file import ParsedFile
from dbdesign.sql.run_order import baseline_key, migrations
from dbdesign.sql.split import Statement
from dbdesign.views import folder_of


def check(project: Project) -> Iterator[Finding]:
    dialect = project.config.dialect
    baseline = baseline_key(project)
    new_files = added(project)
    replayed = replay_of(project)
    steps = replayed.steps
    folder = folder_of(project) if dialect == "postgres" else None
    # not-null CHECKs, learnt in migration order; the history's (the
    # migrations before the first one judged or added) from the replay
    checks = replayed.checks
    new_tables: set[str] = set()  # created by a migration the change adds
    forward = [m for m in migrations(project) if m.forward]
    for migration in forward[replayed.start :]:
        item = parsed(project, migration.path)
        if item is None:
            continue
        judged = (
            scope.judges_file(project, migration.path)
            and not migration.repeatable
            and not at_or_below(migration, baseline)
        )
        if not judged and migration.path not in new_files:
            # Nothing here is judged and nothing it creates is new: only the
            # not-null checks it adds are needed later (a quick pass).
            for index, effects in item.effects.items():
                locks.learn(item.statements[index], effects.locks, checks)
            continue
        file_steps = steps.get(migration.path, {})
        created_here: set[str] = set()
        emptied: set[str] = set()  # no rows left: MG011 cannot fail
        timeout = _Timeout()
        existing = Existing(created_here, new_tables, emptied)

        for index, statement in enumerate(item.statements):
            effects = item.effects.get(index, _NOTHING)
            facts = effects.safety
            step = file_steps.get(index, _NO_STEP)
            if facts is None:
                emptied |= deleted_all(statement, dialect)
            elif judged:
                yield from _rules(
                    project,
                    migration.path,
                    statement,
                    facts,
                    step,
                    Either(created_here, new_tables),
                    emptied,
                )
            if dialect == "postgres":
                at = locks.Facts(
                    migration.path,
                    statement,
                    existing,
                    step,
                    project.config.postgres_version,
                )
                if judged:
                    yield from _postgres(
                        project, at, effects, item, index, folder, checks
                    )
                    yield from timeout.judge(project, at, effects.locks)
                locks.learn(statement, effects.locks, checks)
            if facts is not None and facts[0] == "truncate":
                emptied |= set(facts[1])
            created_here |= step.created
            if migration.path in new_files:
                new_tables |= step.created


_NOTHING = Effects()
_NO_STEP = Step()


def _postgres(
    project: Project,
    facts: locks.Facts,
    effects: Effects,
    item: ParsedFile,
    index: int,
    folder: naming.Folder | None,
    checks: locks.Checks,
) -> Iterator[Finding]:
    """MG014-MG019 for one statement of a judged migration."""
    statement = facts.statement
    if effects.locks is not None:
        yield from locks.judge(effects.locks, facts, checks)
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


class _Timeout:
    """MG020 for one migration: lock_timeout as the statements so far set
    it; the first ACCESS EXCLUSIVE on an existing table without one is
    reported (one SET at the top mends them all)."""

    def __init__(self) -> None:
        self.set = False
        self.told = False

    def judge(
        self, project: Project, facts: locks.Facts, described: Fact | None
    ) -> Iterator[Finding]:
        change = locks.lock_timeout_change(facts.statement)
        if change is not None:
            self.set = change
            return
        if self.set or self.told or not project.config.require_lock_timeout:
            return
        table = None if described is None else locks.access_exclusive(described, facts)
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
    facts: Fact,
    step: Step,
    created: Container[str],
    emptied: set[str],
) -> Iterator[Finding]:
    """FACTS: what the statement does (`effects.SAFETY`). STEP: what the
    replay knew before it (the columns of the table an ALTER TABLE
    changes, the IF EXISTS targets that are not there). CREATED: tables
    this migration or the change made (nothing can break on them). EMPTIED:
    tables with no rows left (no data to lose, no NOT NULL to violate, a
    quick index build), where a rename or a type change still breaks the
    code that uses them."""
    line, col = statement.line, statement.column
    dialect = project.config.dialect

    def existing(table: str) -> bool:
        return table not in created and table not in emptied

    what = facts[0]
    if what == "drop_schema":
        yield _data_loss(
            path, "DROP SCHEMA deletes every object in it and their data", line, col
        )
    elif what == "drop_tables":
        for table in facts[1]:
            if existing(table) and table not in step.absent:
                yield _data_loss(
                    path,
                    f"DROP TABLE {table} deletes the table and its data",
                    line,
                    col,
                )
    elif what == "truncate":
        for table in facts[1]:
            if existing(table):
                yield _data_loss(path, f"TRUNCATE {table} deletes every row", line, col)
    elif what == "create_index":
        _, table, unique, concurrently = facts
        if dialect != "postgres" or concurrently or not existing(table):
            return
        word = "UNIQUE " if unique else ""
        yield finding(
            "MG012",
            path,
            f"CREATE {word}INDEX on existing table {table} without "
            f"CONCURRENTLY blocks writes to it while the index builds; use "
            f"`CREATE {word}INDEX CONCURRENTLY` (outside a transaction)",
            line,
            col,
        )
    elif what == "alter":
        _, table, actions = facts
        if table in created:
            return
        yield from _alter(
            path, statement, table, actions, step.columns, dialect, table in emptied
        )
    elif what == "rename_tables":
        yield finding(
            "MG013",
            path,
            f"RENAME TABLE {facts[1]} breaks code that still uses "
            "the old name; add the new table or a view first, "
            "move readers and writers, then drop the old one",
            line,
            col,
        )


def _alter(
    path: str,
    statement: Statement,
    table: str,
    actions: list[Fact],
    known: Mapping[str, Column] | None,
    dialect: str,
    emptied: bool,
) -> Iterator[Finding]:
    line, col = statement.line, statement.column
    for action in actions:
        what = action[0]
        if what == "drop_column":
            if not emptied:
                yield _data_loss(
                    path,
                    f"DROP COLUMN {table}.{action[1]} deletes its data",
                    line,
                    col,
                )
        elif what == "add_column":
            _, column, not_null_without_default, if_not_exists = action
            if emptied or not not_null_without_default:
                continue
            if known is not None and column in known and if_not_exists:
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
        elif what == "type":
            _, column, new_type, using = action
            old = known.get(column) if known is not None else None
            # USING converts every value: a rewrite even when the type's name
            # is unchanged (an enum recreated under the same name)
            if old is None or old.type != new_type or using:
                if (
                    dialect == "postgres"
                    and old is not None
                    and not using
                    and locks.no_rewrite(old.type, new_type)
                ):
                    continue
                yield _type_change(path, table, column, old, new_type, line, col)
        elif what == "modify":
            _, column, renamed, new_type = action
            if renamed is not None and renamed != column:
                yield _rename_column(path, table, renamed, column, line, col)
            source = renamed if renamed is not None else column
            old = known.get(source) if known is not None else None
            if new_type and (old is None or old.type != new_type):
                yield _type_change(path, table, column, old, new_type, line, col)
        elif what == "rename_column":
            yield _rename_column(path, table, action[1], action[2], line, col)
        elif what == "rename_table":
            yield finding(
                "MG013",
                path,
                f"renaming table {table} to {action[1]} breaks code that still "
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
