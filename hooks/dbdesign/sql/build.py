"""Build a Catalog from DDL, statement by statement (so that migrations can
be replayed in order): CREATE TABLE with inline and table constraints,
partitions, CREATE INDEX, ALTER TABLE in its common forms (columns,
defaults, nullability, types, constraints, renames, partitions), DROP,
RENAME. Statements the Catalog does not model are left alone; DDL it should
model but cannot is remembered in `catalog.unmodelled`. What sqlglot reads
only as an opaque Command is read with patterns in `textual`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from dbdesign.sql import textual
from dbdesign.sql.catalog import (
    Catalog,
    Column,
    ForeignKey,
    Index,
    Origin,
    Table,
    is_serial,
    normalise_default,
    normalise_type,
)
from dbdesign.sql.parse import ParsedFile
from dbdesign.sql.split import Statement
from dbdesign.sql.trees import (
    FOLDS_LOWER,
    column_rename,
    ident,
    position,
    table_name,
    type_sql,
)


def build(files: list[ParsedFile], dialect: str) -> Catalog:
    """The Catalog that FILES' statements build, applied in order."""
    catalog = Catalog(dialect=dialect)
    for parsed in files:
        apply_file(catalog, parsed)
    return catalog


@dataclass(frozen=True)
class Step:
    """What the safety rules (MG010-MG020) need to know of one statement
    of a replay, recorded while the one replay runs: the tables it created,
    the columns of the table an ALTER TABLE changes as they were just
    before it (None when the table is unknown), the table of each index a
    DROP INDEX drops (None when unknown), and the targets of a DROP ... IF
    EXISTS that the replay knows do not exist (every earlier DDL statement
    was understood and none made them)."""

    created: frozenset[str] = frozenset()
    columns: Mapping[str, Column] | None = None
    index_tables: Mapping[str, str | None] | None = None
    absent: frozenset[str] = frozenset()


def apply_file(
    catalog: Catalog, parsed: ParsedFile, steps: dict[int, Step] | None = None
) -> None:
    """Apply PARSED's statements to CATALOG; with STEPS, record each parsed
    statement's Step under its index."""
    unread = {line for line, _ in parsed.unreadable}
    for line, text in parsed.unreadable:
        catalog.unmodelled.append((Origin(parsed.path, line), text))
    for index, statement in enumerate(parsed.statements):
        tree = parsed.trees.get(index)
        if tree is not None:
            if steps is None:
                apply(catalog, tree, statement, parsed.path)
                continue
            columns = _altered_columns(catalog, tree)
            index_tables, absent = _dropped(catalog, tree)
            catalog.tables.open_journal()
            try:
                apply(catalog, tree, statement, parsed.path)
            finally:
                created = catalog.tables.close_journal()
            # Only CREATE TABLE makes a new table: a renamed one keeps its
            # rows (the rules must still see `ALTER TABLE a RENAME TO b`
            # then `ALTER TABLE b DROP COLUMN c` as touching data).
            if type(tree).__name__ != "Create":
                created = frozenset()
            steps[index] = Step(created, columns, index_tables, absent)
        elif statement.line in unread:
            textual.placeholder(catalog, statement, parsed.path)
        elif statement.text[:7].lower() == "comment":
            textual.comment(catalog, statement, parsed.path)


def _altered_columns(catalog: Catalog, tree: Any) -> dict[str, Column] | None:
    from sqlglot import exp

    if (
        not isinstance(tree, exp.Alter)
        or str(tree.args.get("kind") or "").upper() != "TABLE"
    ):
        return None
    try:
        table = catalog.tables.get(table_name(tree.this, catalog.dialect))
    except Exception:  # an odd tree: apply() records it as unmodelled
        return None
    # Columns are frozen: a shallow copy keeps the state before the ALTER
    return None if table is None else dict(table.columns)


def _dropped(
    catalog: Catalog, tree: Any
) -> tuple[dict[str, str | None] | None, frozenset[str]]:
    """For a DROP INDEX: each index's table; for a DROP TABLE or INDEX ...
    IF EXISTS: the targets the replay knows are not there."""
    from sqlglot import exp

    if not isinstance(tree, exp.Drop):
        return None, frozenset()
    kind = str(tree.args.get("kind") or "").upper()
    if kind not in ("TABLE", "INDEX"):
        return None, frozenset()
    try:
        names = [
            table_name(target, catalog.dialect)
            if kind == "TABLE"
            else ident(
                target.this if isinstance(target, exp.Table) else target,
                catalog.dialect,
            )
            for target in tree.args.get("tables") or []
        ]
    except Exception:  # an odd tree: apply() records it as unmodelled
        return None, frozenset()
    tables: dict[str, str | None] | None = None
    if kind == "INDEX":
        by_name = {i.name: i.table for i in catalog.indexes if i.name}
        tables = {name: by_name.get(name) for name in names}
    absent: frozenset[str] = frozenset()
    # Only a replay that understood every earlier DDL statement can say an
    # object is not there.
    if tree.args.get("exists") and not catalog.unmodelled:
        there = catalog.tables if kind == "TABLE" else (tables or {})
        absent = frozenset(name for name in names if (there.get(name) is None))
    return tables, absent


def apply(catalog: Catalog, tree: Any, statement: Statement, path: str) -> None:
    """Apply one statement's sqlglot TREE to CATALOG. Never raises."""
    try:
        _Builder(catalog, statement, path).statement(tree)
    except (RecursionError, Exception):  # a model, not a judge
        catalog.unmodelled.append(
            (Origin(path, statement.line), textual.short(statement.text))
        )


class _Builder:
    def __init__(self, catalog: Catalog, statement: Statement, path: str) -> None:
        self.catalog = catalog
        self.dialect = catalog.dialect
        self.statement_ = statement
        self.path = path

    # -- names and positions ---------------------------------------------

    def origin(self, node: Any = None) -> Origin:
        st = self.statement_
        meta = position(node)
        if meta is None:
            return Origin(self.path, st.line, st.column)
        line, col = meta
        if line <= 1:
            return Origin(self.path, st.line, st.column + col - 1)
        return Origin(self.path, st.line + line - 1, col)

    def ident(self, node: Any) -> str:
        return ident(node, self.dialect)

    def table_name(self, node: Any) -> str:
        return table_name(node, self.dialect)

    def table_spelled(self, node: Any) -> str:
        from sqlglot import exp

        if isinstance(node, exp.Schema):
            node = node.this
        if isinstance(node, exp.Table):
            node = node.this
        return self.spelled(node)

    def spelled(self, node: Any) -> str:
        """A name as the database keeps it, for the naming convention:
        PostgreSQL folds unquoted names to lower case (so `CREATE TABLE
        Users` makes `users`); other dialects keep them as written."""
        from sqlglot import exp

        if isinstance(node, exp.Column):
            node = node.this
        if not isinstance(node, exp.Identifier):
            return str(node.name if isinstance(node, exp.Expression) else node)
        text = str(node.this)
        if not node.args.get("quoted") and self.dialect in FOLDS_LOWER:
            return text.lower()
        return text

    def unmodelled(self) -> None:
        self.catalog.unmodelled.append(
            (self.origin(), textual.short(self.statement_.text))
        )

    # -- statements ------------------------------------------------------

    def statement(self, tree: Any) -> None:
        from sqlglot import exp

        if isinstance(tree, exp.Create):
            kind = str(tree.args.get("kind") or "").upper()
            if kind == "TABLE":
                self.create_table(tree)
            elif kind == "INDEX":
                self.create_index(tree)
        elif isinstance(tree, exp.Alter):
            kind = str(tree.args.get("kind") or "").upper()
            if kind == "TABLE":
                self.alter_table(tree)
            elif kind == "INDEX":
                self.alter_index(tree)
        elif isinstance(tree, exp.Drop):
            self.drop(tree)
        elif isinstance(tree, exp.Command):
            textual.command(self.catalog, self.statement_, self.path)

    def create_table(self, tree: Any) -> None:
        from sqlglot import exp

        target = tree.this
        name = self.table_name(target)
        if tree.args.get("exists") and name in self.catalog.tables:
            return
        table = Table(
            name,
            origin=self.origin(
                target.this if isinstance(target, exp.Schema) else target
            ),
            spelled=self.table_spelled(target),
        )
        if name in self.catalog.tables:
            self.catalog.drop_indexes_of(name)
        self.catalog.tables[name] = table
        properties = tree.args.get("properties")
        for prop in properties.expressions if properties else []:
            if isinstance(prop, exp.PartitionedOfProperty):
                table.parent = self.table_name(prop.this)
                parent = self.catalog.tables.get(table.parent)
                if parent is not None:
                    table.columns = dict(parent.columns)
        if tree.args.get("expression") is not None:
            table.complete = False  # CREATE TABLE ... AS SELECT
            return
        elements = target.expressions if isinstance(target, exp.Schema) else []
        for element in elements:
            if isinstance(element, exp.ColumnDef):
                self.add_column(table, element)
            elif isinstance(element, exp.LikeProperty):
                source = self.catalog.tables.get(self.table_name(element.this))
                if source is not None:
                    table.columns.update(source.columns)
                else:
                    table.complete = False
            else:
                self.add_constraint(table, element)

    def add_column(self, table: Table, coldef: Any) -> None:
        from sqlglot import exp

        name = self.ident(coldef.this)
        kind = coldef.args.get("kind")
        raw_type = type_sql(kind, self.dialect) if kind is not None else ""
        nullable = True
        default: str | None = None
        if is_serial(raw_type):
            nullable, default = False, "nextval()"
        for constraint in coldef.args.get("constraints") or []:
            ckind = (
                constraint.args.get("kind")
                if isinstance(constraint, exp.ColumnConstraint)
                else constraint
            )
            if isinstance(ckind, exp.NotNullColumnConstraint):
                nullable = bool(ckind.args.get("allow_null"))
            elif isinstance(ckind, exp.DefaultColumnConstraint):
                default = self.default_sql(ckind.this)
            elif isinstance(ckind, exp.PrimaryKeyColumnConstraint):
                table.primary_key = (name,)
                nullable = False
            elif isinstance(ckind, exp.UniqueColumnConstraint):
                if (name,) not in table.uniques:
                    table.uniques.append((name,))
            elif isinstance(ckind, exp.Reference):
                self.add_reference(table, (name,), ckind, None)
            elif (
                isinstance(ckind, exp.GeneratedAsIdentityColumnConstraint)
                and ckind.args.get("this") is not None
                and not ckind.args.get("expression")
            ):
                nullable, default = False, "identity"
        table.columns[name] = Column(
            name,
            normalise_type(raw_type) if raw_type else "",
            nullable,
            default,
            self.origin(coldef.this),
            spelled=self.spelled(coldef.this),
        )

    def default_sql(self, node: Any) -> str | None:
        from sqlglot import exp

        while isinstance(node, (exp.Cast, exp.Paren)):
            node = node.this
        return normalise_default(node.sql(dialect=self.dialect))

    def add_constraint(
        self, table: Table, element: Any, name: str | None = None
    ) -> None:
        from sqlglot import exp

        if isinstance(element, exp.Constraint):
            cname = self.ident(element.this)
            for inner in element.expressions:
                self.add_constraint(table, inner, cname)
            return
        if isinstance(element, exp.PrimaryKey):
            cols = tuple(self.ident(c) for c in element.expressions)
            table.primary_key = cols
            for col in cols:
                column = table.columns.get(col)
                if column is not None and column.nullable:
                    table.columns[col] = replace(column, nullable=False)
            table.constraints[name or f"{_bare(table.name)}_pkey"] = ("pk", cols)
        elif isinstance(element, exp.UniqueColumnConstraint):
            schema = element.this
            if (
                name is None
                and isinstance(schema, exp.Schema)
                and isinstance(schema.this, exp.Identifier)
            ):
                name = self.ident(schema.this)  # MySQL's UNIQUE KEY name (...)
            cols = tuple(
                self.ident(c)
                for c in (schema.expressions if schema is not None else [])
            )
            if cols and cols not in table.uniques:
                table.uniques.append(cols)
            if cols:
                table.constraints[
                    name or "_".join((_bare(table.name), *cols, "key"))
                ] = ("unique", cols)
        elif isinstance(element, exp.ForeignKey):
            cols = tuple(self.ident(c) for c in element.expressions)
            reference = element.args.get("reference")
            if reference is not None:
                self.add_reference(table, cols, reference, name)
        elif isinstance(element, exp.IndexColumnConstraint):
            # MySQL's inline KEY / INDEX / UNIQUE KEY
            cols = tuple(self.ident(c) for c in element.expressions)
            kind = str(element.args.get("kind") or "").upper()
            iname = self.ident(element.this) if element.this else None
            if cols:
                self.catalog.add_index(
                    Index(
                        iname,
                        table.name,
                        cols,
                        unique=kind == "UNIQUE",
                        origin=self.origin(element.this),
                    )
                )

    def add_reference(
        self, table: Table, cols: tuple[str, ...], reference: Any, name: str | None
    ) -> None:
        from sqlglot import exp

        target = reference.this
        ref_cols: tuple[str, ...] = ()
        if isinstance(target, exp.Schema):
            ref_cols = tuple(self.ident(c) for c in target.expressions)
        ref_table = self.table_name(target)
        if name is None:
            name = "_".join((_bare(table.name), *cols, "fkey"))
        table.foreign_keys = [fk for fk in table.foreign_keys if fk.name != name]
        table.foreign_keys.append(
            ForeignKey(
                cols,
                ref_table,
                ref_cols,
                name,
                self.origin(target.this if isinstance(target, exp.Schema) else target),
            )
        )

    def create_index(self, tree: Any) -> None:
        from sqlglot import exp

        index = tree.this
        if not isinstance(index, exp.Index):
            return
        table_node = index.args.get("table")
        if table_node is None:
            return
        table = self.table_name(table_node)
        name = self.ident(index.this) if index.this is not None else None
        if (
            name is not None
            and tree.args.get("exists")
            and self.catalog.has_index(name)
        ):
            return
        params = index.args.get("params")
        columns: list[str] = []
        include: tuple[str, ...] = ()
        partial = False
        method = "btree"
        predicate: str | None = None
        if params is not None:
            for item in params.args.get("columns") or []:
                node = item.this if isinstance(item, exp.Ordered) else item
                while isinstance(node, exp.Paren):
                    node = node.this
                if isinstance(node, (exp.Column, exp.Identifier)):
                    columns.append(self.ident(node))
                else:
                    columns.append(node.sql(dialect=self.dialect).lower())
            where = params.args.get("where")
            partial = where is not None
            if where is not None:
                predicate = (
                    where.this.sql(dialect=self.dialect).lower()
                    if isinstance(where, exp.Where)
                    else where.sql(dialect=self.dialect).lower()
                )
            using = params.args.get("using")
            if using is not None:
                method = str(using.name or using.sql()).lower() or "btree"
            include = tuple(self.ident(c) for c in params.args.get("include") or [])
        if name is not None and self.catalog.has_index(name):
            self.catalog.indexes = [i for i in self.catalog.indexes if i.name != name]
        self.catalog.add_index(
            Index(
                name,
                table,
                tuple(columns),
                unique=bool(tree.args.get("unique")),
                partial=partial,
                origin=self.origin(index.this),
                method=method,
                predicate=predicate,
                include=include,
            )
        )

    def alter_table(self, tree: Any) -> None:
        from sqlglot import exp

        name = self.table_name(tree.this)
        table = self.catalog.tables.get(name)
        if table is None:
            return  # a table we never saw created: nothing to change
        for action in tree.args.get("actions") or []:
            if isinstance(action, exp.ColumnDef):
                if (
                    action.args.get("exists")
                    and self.ident(action.this) in table.columns
                ):
                    continue
                self.add_column(table, action)
            elif isinstance(action, exp.AddConstraint):
                for element in action.expressions:
                    self.add_constraint(table, element)
            elif isinstance(action, exp.AlterColumn):
                self.alter_column(table, action)
            elif isinstance(action, exp.ModifyColumn):
                coldef = action.this
                old = action.args.get("rename_from")
                if old is not None:
                    self.catalog.rename_column(
                        table, self.ident(old), self.ident(coldef.this)
                    )
                self.add_column(table, coldef)
            elif isinstance(action, exp.RenameColumn):
                self.catalog.rename_column(
                    table, self.ident(action.this), self.ident(action.args["to"])
                )
            elif (
                isinstance(action, exp.AlterRename)
                and (bare_column := column_rename(tree, action)) is not None
            ):
                # `ALTER TABLE t RENAME a TO b` (COLUMN is optional)
                self.catalog.rename_column(
                    table, self.ident(bare_column[0]), self.ident(bare_column[1])
                )
            elif isinstance(action, exp.AlterRename):
                new = self.table_name(action.this)
                schema_of_old = name.rsplit(".", 1)[0] if "." in name else None
                if "." not in new and schema_of_old:
                    new = f"{schema_of_old}.{new}"
                self.catalog.rename_table(name, new, self.table_spelled(action.this))
                table = self.catalog.tables[new]
                name = new
            elif isinstance(action, exp.Drop):
                self.alter_drop(table, action)
            elif isinstance(action, exp.DropPrimaryKey):
                table.primary_key = ()
                table.constraints = {
                    k: v for k, v in table.constraints.items() if v[0] != "pk"
                }
            elif isinstance(action, exp.RenameIndex):
                self.catalog.rename_index(
                    self.ident(action.this), self.ident(action.args["to"])
                )

    def alter_column(self, table: Table, action: Any) -> None:
        name = self.ident(action.this)
        column = table.columns.get(name)
        if column is None:
            return
        dtype = action.args.get("dtype")
        if dtype is not None:
            column = replace(column, type=normalise_type(type_sql(dtype, self.dialect)))
        if "default" in action.args and action.args["default"] is not None:
            column = replace(column, default=self.default_sql(action.args["default"]))
        allow_null = action.args.get("allow_null")
        if allow_null is not None:
            column = replace(column, nullable=bool(allow_null))
        elif action.args.get("drop"):
            column = replace(column, default=None)
        table.columns[name] = column

    def alter_drop(self, table: Table, action: Any) -> None:
        kind = str(action.args.get("kind") or "").upper()
        for target in action.args.get("tables") or []:
            name = self.ident(
                target.this
                if hasattr(target, "this") and target.this is not None
                else target
            )
            if kind == "COLUMN":
                self.catalog.drop_column(table, name)
            elif kind in ("CONSTRAINT", "FOREIGN KEY"):
                self.catalog.drop_constraint(table, name)
            elif kind == "INDEX":  # MySQL: an index, or a UNIQUE KEY
                self.catalog.indexes = [
                    i
                    for i in self.catalog.indexes
                    if not (i.name == name and i.table == table.name)
                ]
                self.catalog.drop_constraint(table, name)

    def alter_index(self, tree: Any) -> None:
        from sqlglot import exp

        old = self.ident(
            tree.this.this if isinstance(tree.this, exp.Table) else tree.this
        )
        for action in tree.args.get("actions") or []:
            if isinstance(action, exp.AlterRename):
                new = self.ident(
                    action.this.this
                    if isinstance(action.this, exp.Table)
                    else action.this
                )
                self.catalog.rename_index(old, new)

    def drop(self, tree: Any) -> None:
        kind = str(tree.args.get("kind") or "").upper()
        targets = tree.args.get("tables") or (
            [tree.this] if tree.this is not None else []
        )
        for target in targets:
            if kind == "TABLE":
                self.catalog.drop_table(self.table_name(target))
            elif kind == "INDEX":
                name = self.ident(
                    target.this
                    if hasattr(target, "this") and target.this is not None
                    else target
                )
                self.catalog.indexes = [
                    i for i in self.catalog.indexes if i.name != name
                ]
            elif kind == "SCHEMA":
                db = target.args.get("db") or target.this
                schema = self.ident(db) if db is not None else ""
                prefix = f"{schema}."
                for name in [n for n in self.catalog.tables if n.startswith(prefix)]:
                    self.catalog.drop_table(name)


def _bare(name: str) -> str:
    return name.rsplit(".", 1)[-1]
