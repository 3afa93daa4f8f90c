"""SQ001-SQ009 on the schema file and the migrations, and sqlfluff's rules
through `dbdesign.sql.lint`.

SQ001 and SQ009 look at each file (the schema and every migration); SQ002 to
SQ006 and SQ008 ask the schema file's Catalog; SQ007 replays the migrations
and compares the result with it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from dbdesign import scope, textio
from dbdesign.findings import Finding, finding
from dbdesign.project import Project
from dbdesign.sql.catalog import Catalog, Index, Origin, Table
from dbdesign.sql.load import (
    design_catalog,
    migrations,
    replay_catalog,
    schema_catalog,
    verdict,
)
from dbdesign.sql.parse import Verdict


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


_NOT_NULL = re.compile(r'^\(?\s*"?([\w$]+)"?\s+is\s+not\s+null\s*\)?$')


def _not_null_only(predicate: str | None) -> set[str] | None:
    """The columns of a `WHERE a IS NOT NULL [AND b IS NOT NULL]` index
    predicate (such an index serves every `a = ?` lookup); else None."""
    if predicate is None:
        return None
    columns = set()
    for part in re.split(r"\s+and\s+", predicate.strip().strip("()")):
        m = _NOT_NULL.match(part.strip())
        if m is None:
            return None
        columns.add(m[1])
    return columns


def _key_columns(
    table: Table, catalog: Catalog, for_columns: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    """Column lists of every index that can serve lookups on TABLE: its
    own and its partitioned parents' (a parent's index cascades), and
    partial indexes that only leave out NULLs of FOR_COLUMNS."""
    out: list[tuple[str, ...]] = []
    seen: set[str] = set()
    current: Table | None = table
    while current is not None and current.name not in seen:
        seen.add(current.name)
        if current.primary_key:
            out.append(current.primary_key)
        out.extend(current.uniques)
        for index in catalog.indexes_on(current.name):
            nulls = _not_null_only(index.predicate)
            if not index.partial or (nulls is not None and nulls <= set(for_columns)):
                out.append(index.columns)
        current = catalog.tables.get(current.parent) if current.parent else None
    return out


def unindexed_foreign_key(project: Project, catalog: Catalog) -> Iterator[Finding]:
    """SQ004: foreign-key columns that no index's leading columns cover."""
    for table in catalog.tables.values():
        for fk in table.foreign_keys:
            keys = _key_columns(table, catalog, fk.columns)
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
            cover = _covering(index, position, indexes, keys)
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


def _covering(
    index: Index,
    position: int,
    indexes: list[Index],
    keys: list[tuple[str, tuple[str, ...]]],
) -> str | None:
    cols = index.columns
    # A covering index (`INCLUDE (...)`) serves index-only scans that a key
    # without those columns cannot: redundant only with an index that
    # carries them too.
    if index.method == "btree" and not index.include:
        for what, key in keys:
            if key == cols or (not index.unique and key[: len(cols)] == cols):
                return f"{what} ({', '.join(key)})"
    for other_pos, other in enumerate(indexes):
        if other_pos == position or other.partial or other.method != index.method:
            continue
        if not set(index.include) <= set(other.columns) | set(other.include):
            continue
        if other.columns == cols:
            # exact duplicates: report the later one, or the plain one of a
            # plain and a unique index
            if index.unique and not other.unique:
                continue
            if other_pos < position or (other.unique and not index.unique):
                return f"index {other.name or '(unnamed)'}"
            continue
        prefix = len(other.columns) > len(cols) and other.columns[: len(cols)] == cols
        if prefix and not index.unique and index.method == "btree":
            return f"index {other.name or '(unnamed)'} ({', '.join(other.columns)})"
    return None


_REPEAT = re.compile(r"^(?P<stem>[A-Za-z_]*?[A-Za-z])_?(?P<n>\d{1,2})$")
# stems whose numbers are versions or sizes, not repeated values
_NOT_GROUPS = {
    "ipv",
    "sha",
    "md",
    "utf",
    "int",
    "float",
    "base",
    "crc",
    "http",
    "oauth",
    "col",
    "x",
    "y",
    "z",
    "lat",
    "lon",
    "lng",
}
_LIST_NAME = re.compile(r"(?:_ids|_list|[a-z0-9](?:Ids|List))$")
_LIST_TYPES = re.compile(
    r"^(?:text|character varying|character|json|jsonb|"
    r"varchar|nvarchar|clob|string|longtext|mediumtext|"
    r"tinytext)\b"
)


def normalisation_smell(project: Project, catalog: Catalog) -> Iterator[Finding]:
    """SQ006: repeating groups (`phone1`, `phone2`) and list-valued
    columns (`tag_ids text`)."""
    for table in catalog.tables.values():
        if table.parent:
            continue  # a partition repeats its parent's columns
        groups: dict[str, list[str]] = {}
        for name in table.columns:
            m = _REPEAT.match(name)
            stem = m["stem"].lower().rstrip("_") if m else ""
            if (
                m
                and len(stem) >= 2
                and stem not in _NOT_GROUPS
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
            if _LIST_NAME.search(spelled) and _LIST_TYPES.match(column.type):
                origin = column.origin or table.origin
                yield _at(
                    project,
                    "SQ006",
                    origin,
                    f"{table.name}.{column.name} holds a list in a "
                    f"{column.type} column; use a child table (or at least "
                    "an array of keys)",
                )


_CONVENTIONS = {
    "snake_case": re.compile(r"^[a-z_][a-z0-9_]*$"),
    "camelCase": re.compile(r"^[a-z][a-zA-Z0-9]*$"),
    "PascalCase": re.compile(r"^[A-Z][a-zA-Z0-9]*$"),
    "UPPER_SNAKE_CASE": re.compile(r"^[A-Z_][A-Z0-9_]*$"),
}


def naming_convention(project: Project, catalog: Catalog) -> Iterator[Finding]:
    """SQ008: table and column names that break the configured naming
    convention (as written in the file)."""
    convention = project.config.naming_convention
    pattern = _CONVENTIONS.get(convention)
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
                f"it to {_suggest(spelled, convention)!r}",
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
                f"to {_suggest(name, convention)!r}",
            )


def _suggest(name: str, convention: str) -> str:
    words = [
        w
        for w in re.split(
            r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", name
        )
        if w
    ]
    if not words:
        return name
    if convention == "snake_case":
        return "_".join(w.lower() for w in words)
    if convention == "UPPER_SNAKE_CASE":
        return "_".join(w.upper() for w in words)
    camel = "".join(w[:1].upper() + w[1:].lower() for w in words)
    return camel if convention == "PascalCase" else camel[:1].lower() + camel[1:]


# -- SQ007: drift ---------------------------------------------------------------


def drift(project: Project) -> Iterator[Finding]:
    """SQ007: replaying the migrations in order does not give the schema
    file; one finding per difference."""
    from dbdesign.sql.bookkeeping import visible
    from dbdesign.sql.diff import ABSENT, diff

    schema = design_catalog(project)
    if schema is None:
        return
    replayed = replay_catalog(project)
    if replayed is None:
        return
    note_unmodelled(project, replayed)
    schema_path = project.config.schema_path
    for item in diff(visible(replayed, project.config.drift_ignore), schema):
        if item.what == "table":
            if item.migrations == ABSENT:
                message = (
                    f"table {item.table} is in {schema_path} but no "
                    "migration creates it; add a migration that does, "
                    "or remove it from the schema file"
                )
            else:
                message = (
                    f"table {item.table} is created by the migrations "
                    f"but missing from {schema_path}; add it there, "
                    "or a migration that drops it"
                )
        elif item.what == "column" and item.migrations == ABSENT:
            message = (
                f"column {item.subject} ({item.schema}) is in "
                f"{schema_path} but no migration adds it; add a "
                "migration, or remove it from the schema file"
            )
        elif item.what == "column":
            message = (
                f"column {item.subject} ({item.migrations}) is added "
                f"by the migrations but missing from {schema_path}; "
                "add it there, or a migration that drops it"
            )
        else:
            message = (
                f"{item.what} of {item.subject} differs: "
                f"{_side(item.schema)} in {schema_path}, "
                f"{_side(item.migrations)} after the migrations; add a "
                "migration or correct the schema file"
            )
        yield _at(project, "SQ007", item.origin, message)


def _side(text: str) -> str:
    return "none" if text == "absent" else f"`{text}`"


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
