"""SQ001-SQ009 on the schema file and the migrations, and sqlfluff's rules
through `dbdesign.sql.lint`.

SQ001 and SQ009 look at each file (the schema and every migration); SQ002 to
SQ006 and SQ008 ask the schema file's Catalog; SQ007 replays the migrations
and compares the result with it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from dbdesign import scope, textio
from dbdesign.findings import Finding, finding
from dbdesign.project import Project
from dbdesign.sql import design
from dbdesign.sql.catalog import Catalog, Index, Origin
from dbdesign.sql.load import (
    design_catalog,
    replay_catalog,
    schema_catalog,
    verdict,
)
from dbdesign.sql.parsed_file import Verdict
from dbdesign.sql.run_order import migrations


def check(project: Project) -> Iterator[Finding]:
    schema_path = project.config.schema_path
    sql_files = [schema_path] + [m.path for m in migrations(project)]
    # SQ001 and SQ009 judge a file's content: only files in scope.
    judged = [path for path in sql_files if scope.judges_file(project, path)]
    project.meter.phase("reading SQL", len(judged))
    for path in judged:
        yield from check_file(project, path)
        project.meter.step()
    if project.wants(schema_path):
        catalog = schema_catalog(project)
        design = design_catalog(project)
        if catalog is not None and design is not None:
            note_unmodelled(project, catalog)
            yield from missing_primary_key(project, design)
            yield from dangling_foreign_key(project, catalog)
            yield from unindexed_foreign_key(project, design)
            yield from redundant_index(project, design)
            yield from normalisation_smell(project, catalog)
            yield from naming_convention(project, catalog)
    yield from drift(project)
    if project.config.sqlfluff and project.options.sqlfluff:
        yield from sqlfluff(project, judged)


# -- per file: SQ001, SQ009 ---------------------------------------------------


def check_file(project: Project, path: str) -> Iterator[Finding]:
    """SQ001: the file does not parse (or cannot be read as text); SQ009:
    it was not checked (templated, a time bound). Notes once per file for
    statements the Catalog cannot model."""
    result = project.read(path)
    if isinstance(result, textio.Unreadable):
        if not result.missing:
            yield finding("SQ001", path, f"{_name(path)} {result.reason}")
        return
    item = verdict(project, path)
    if item is None:  # pragma: no cover - read succeeded a moment ago
        return
    for error in item.errors:
        yield finding(
            "SQ001",
            path,
            f"{error.message}; correct the SQL ({_dialect(item)})",
            error.line,
            error.column,
        )
    if item.skipped:
        yield finding(
            "SQ009", path, f"{_name(path)} was not fully checked: {item.skipped}", 1, 1
        )
    if item.unchecked:
        line, why = item.unchecked[0]
        more = (
            f" (and {len(item.unchecked) - 1} more statements)"
            if len(item.unchecked) > 1
            else ""
        )
        yield finding(
            "SQ009",
            path,
            f"the statement at line {line} was not "
            f"checked: {why}{more}; split or simplify it",
            line,
            1,
        )
    for note in item.notes:
        project.note(note)


def note_unmodelled(project: Project, catalog: Catalog) -> None:
    """One note per file for the DDL the Catalog could not model: the
    database may accept it, but the rules that ask the model do not see
    its effect."""
    by_path: dict[str, list[tuple[int | None, str]]] = {}
    for origin, text in catalog.unmodelled:
        by_path.setdefault(origin.path, []).append((origin.line, text))
    for path, items in by_path.items():
        line, text = items[0]
        more = f" (and {len(items) - 1} more)" if len(items) > 1 else ""
        project.note(
            f"{path}:{line}: the schema model does not understand `{text}`"
            f"{more}; the rules that use it (keys, indexes, drift, ERD) do "
            "not see its effect"
        )


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _dialect(item: Verdict) -> str:
    if item.dialect == "postgres":
        return "PostgreSQL's parser rejects it"
    return f"dialect {item.dialect}"


# -- the schema file's Catalog: SQ002-SQ006, SQ008 -----------------------------


def _at(project: Project, code: str, origin: Origin | None, message: str) -> Finding:
    """A finding where ORIGIN says the element was defined (the schema file
    when the Catalog does not know)."""
    if origin is None:
        return finding(code, project.config.schema_path, message)
    return finding(code, origin.path, message, origin.line, origin.column)


def missing_primary_key(project: Project, catalog: Catalog) -> Iterator[Finding]:
    """SQ002: a table without a primary key (a partition inherits its
    parent's)."""
    for table in catalog.tables.values():
        if not table.complete or table.key_of_partition(catalog):
            continue
        yield _at(
            project,
            "SQ002",
            table.origin,
            f"table {table.name} has no primary key; add one, e.g. "
            f"`ALTER TABLE {table.name} ADD PRIMARY KEY (...)`",
        )


def dangling_foreign_key(project: Project, catalog: Catalog) -> Iterator[Finding]:
    """SQ003: a foreign key to a table or column that does not exist (or
    from a column its own table lacks)."""
    for table in catalog.tables.values():
        for fk in table.foreign_keys:
            origin = fk.origin or table.origin
            cols = ", ".join(fk.columns)
            ref = catalog.tables.get(fk.ref_table)
            if ref is None:
                yield _at(
                    project,
                    "SQ003",
                    origin,
                    f"foreign key {table.name} ({cols}) references table "
                    f"{fk.ref_table}, which the schema does not define; "
                    "create it or correct the name",
                )
                continue
            if table.complete:
                own = [c for c in fk.columns if c not in table.columns]
                if own:
                    yield _at(
                        project,
                        "SQ003",
                        origin,
                        f"foreign key on {table.name} names column "
                        f"{own[0]}, which {table.name} does not have; add the "
                        "column or correct the name",
                    )
            if not ref.complete:
                continue
            if not fk.ref_columns:
                if not ref.key_of_partition(catalog):
                    yield _at(
                        project,
                        "SQ003",
                        origin,
                        f"foreign key {table.name} ({cols}) references "
                        f"{fk.ref_table} without naming columns, but "
                        f"{fk.ref_table} has no primary key; name the "
                        "referenced columns or add the key",
                    )
                continue
            missing = [c for c in fk.ref_columns if c not in ref.columns]
            if missing:
                yield _at(
                    project,
                    "SQ003",
                    origin,
                    f"foreign key {table.name} ({cols}) references "
                    f"{fk.ref_table}.{missing[0]}, which does not exist; "
                    "correct the column name",
                )


def unindexed_foreign_key(project: Project, catalog: Catalog) -> Iterator[Finding]:
    """SQ004: foreign-key columns that no index's leading columns cover."""
    for table in catalog.tables.values():
        for fk in table.foreign_keys:
            keys = design.key_columns(table, catalog, fk.columns)
            wanted = set(fk.columns)
            if any(set(k[: len(fk.columns)]) == wanted for k in keys):
                continue
            origin = fk.origin or table.origin
            cols = ", ".join(fk.columns)
            name = f"{table.name.rsplit('.', 1)[-1]}_{'_'.join(fk.columns)}_idx"
            yield _at(
                project,
                "SQ004",
                origin,
                f"foreign key {table.name} ({cols}) has no index; add `CREATE "
                f"INDEX {name} ON {table.name} ({cols})`",
            )


def redundant_index(project: Project, catalog: Catalog) -> Iterator[Finding]:
    """SQ005: an index whose columns equal, or are a leading part of,
    another index's or a key's (same method; partial indexes aside)."""
    by_table: dict[str, list[Index]] = {}
    for index in catalog.indexes:
        by_table.setdefault(index.table, []).append(index)
    for table_name, indexes in by_table.items():
        table = catalog.tables.get(table_name)
        keys: list[tuple[str, tuple[str, ...]]] = []
        if table is not None:
            if table.primary_key:
                keys.append(("the primary key", table.primary_key))
            keys.extend(("a unique constraint", u) for u in table.uniques)
        for position, index in enumerate(indexes):
            if index.partial or not index.columns:
                continue
            cover = design.covering(index, position, indexes, keys)
            if cover is None:
                continue
            origin = index.origin
            what = index.name or "an index"
            yield _at(
                project,
                "SQ005",
                origin,
                f"index {what} on {table_name} ({', '.join(index.columns)}) "
                f"is redundant with {cover}; drop it",
            )


def normalisation_smell(project: Project, catalog: Catalog) -> Iterator[Finding]:
    """SQ006: repeating groups (`phone1`, `phone2`) and list-valued
    columns (`tag_ids text`)."""
    for table in catalog.tables.values():
        if table.parent:
            continue  # a partition repeats its parent's columns
        groups: dict[str, list[str]] = {}
        for name in table.columns:
            m = design.REPEAT.match(name)
            stem = m["stem"].lower().rstrip("_") if m else ""
            if (
                m
                and len(stem) >= 2
                and stem not in design.NOT_GROUPS
                and not stem.endswith("_v")
            ):  # versions: cvss_v2, _v3
                groups.setdefault(m["stem"].lower(), []).append(name)
        for stem, names in groups.items():
            if len(names) < 2:
                continue
            first = table.columns[names[0]]
            origin = first.origin or table.origin
            yield _at(
                project,
                "SQ006",
                origin,
                f"{table.name} has a repeating group ({', '.join(names)}); "
                f"move {stem} into a child table with one row per value",
            )
        for column in table.columns.values():
            spelled = column.spelled or column.name
            if design.LIST_NAME.search(spelled) and design.LIST_TYPES.match(
                column.type
            ):
                origin = column.origin or table.origin
                yield _at(
                    project,
                    "SQ006",
                    origin,
                    f"{table.name}.{column.name} holds a list in a "
                    f"{column.type} column; use a child table (or at least "
                    "an array of keys)",
                )


def naming_convention(project: Project, catalog: Catalog) -> Iterator[Finding]:
    """SQ008: table and column names that break the configured naming
    convention (as written in the file)."""
    convention = project.config.naming_convention
    pattern = design.CONVENTIONS.get(convention)
    if pattern is None:
        return
    for table in catalog.tables.values():
        spelled = table.spelled or table.name.rsplit(".", 1)[-1]
        if not pattern.match(spelled):
            yield _at(
                project,
                "SQ008",
                table.origin,
                f"table name {spelled!r} is not {convention}; rename "
                f"it to {design.suggest(spelled, convention)!r}",
            )
        if table.parent:
            continue
        for column in table.columns.values():
            name = column.spelled or column.name
            if pattern.match(name):
                continue
            origin = column.origin or table.origin
            yield _at(
                project,
                "SQ008",
                origin,
                f"column {table.name}.{name} is not {convention}; rename it "
                f"to {design.suggest(name, convention)!r}",
            )


# -- SQ007: drift ---------------------------------------------------------------


def drift(project: Project) -> Iterator[Finding]:
    """SQ007: replaying the migrations in order does not give the schema
    file; one finding per difference."""
    from dbdesign.sql.bookkeeping import visible
    from dbdesign.sql.diff import diff
    from dbdesign.sql.drift import describe

    schema = design_catalog(project)
    if schema is None:
        return
    replayed = replay_catalog(project)
    if replayed is None:
        return
    note_unmodelled(project, replayed)
    schema_path = project.config.schema_path
    for item in diff(visible(replayed, project.config.drift_ignore), schema):
        yield _at(project, "SQ007", item.origin, describe(item, schema_path))


# -- sqlfluff -------------------------------------------------------------------


def fix(project: Project, findings: Sequence[Finding]) -> list[str]:
    """`--fix`: sqlfluff's fixes for the fixable sqlfluff FINDINGS the run
    reports (so only in scope, SPEC 3b: migrations the change adds, the
    schema's lines it wrote), each rule's fix on its findings' lines only."""
    wanted = [f for f in findings if f.check == "sqlfluff" and f.fixable]
    if not wanted or not (project.config.sqlfluff and project.options.sqlfluff):
        return []
    targets: dict[str, set[int]] = {}
    for item in wanted:
        if item.line is not None and _lintable(project, item.path):
            targets.setdefault(item.path, set()).add(item.line)
    from dbdesign.sql import lint

    fixed = lint.fix(
        project,
        {path: frozenset(lines) for path, lines in targets.items()},
        sorted({item.code for item in wanted}),
    )
    if fixed:
        # The parsed SQL and the Catalogs were read before the rewrite.
        for key in [k for k in project.cache if str(k).startswith("sql.")]:
            del project.cache[key]
    return fixed


def sqlfluff(project: Project, paths: list[str]) -> Iterator[Finding]:
    """sqlfluff's findings (its own codes) for PATHS, the files in scope
    (SPEC 3b: the migrations a change adds, a schema it edits; every file
    with --all), cached by content."""
    paths = [p for p in paths if _lintable(project, p)]
    if not paths:
        return
    from dbdesign.sql import lint

    yield from lint.lint(project, paths)


def _lintable(project: Project, path: str) -> bool:
    """Readable SQL that is not templated (SQ009 said so already)."""
    item = verdict(project, path) if project.exists(path) else None
    return item is not None and item.skipped is None
