"""Read sqlglot trees as Effects (what each statement does to the Catalog,
and what the safety rules judge), and build Catalogs by replaying them:
CREATE TABLE with inline and table constraints, partitions, CREATE INDEX,
ALTER TABLE in its common forms (columns, defaults, nullability, types,
constraints, renames, partitions), DROP, RENAME. Statements the Catalog
does not model are left alone; DDL it should model but cannot is
remembered in `catalog.unmodelled`. What sqlglot reads only as an opaque
Command is read with patterns in `textual`. PostgreSQL's own parse trees
are read in `pgbuild.py` into the same Effects."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from dbdesign.sql import textual
from dbdesign.sql.catalog import Catalog, is_serial, normalise_default, normalise_type
from dbdesign.sql.effects import (
    Effects,
    Fact,
    Op,
    Replayable,
    Step,
    column_ops,
    replay,
)
from dbdesign.sql.split import Statement
from dbdesign.sql.trees import (
    FOLDS_LOWER,
    column_rename,
    ident,
    position,
    table_name,
    type_sql,
)

__all__ = ["Step", "apply_file", "build", "describe"]

_RENAME_TABLE = re.compile(r"(?is)^rename\s+table\s+(?P<names>.+)$")


def build(files: Sequence[Replayable], dialect: str) -> Catalog:
    """The Catalog that FILES' statements build, applied in order."""
    catalog = Catalog(dialect=dialect)
    for parsed in files:
        replay(catalog, parsed)
    return catalog


def apply_file(
    catalog: Catalog, parsed: Replayable, steps: dict[int, Step] | None = None
) -> None:
    """Apply PARSED's statements to CATALOG; with STEPS, record each parsed
    statement's Step under its index."""
    replay(catalog, parsed, steps)


def describe(tree: Any, statement: Statement, dialect: str) -> Effects:
    """What the sqlglot TREE of STATEMENT does. Never raises: a tree the
    reader cannot follow is unmodelled DDL."""
    reader = _Reader(statement, dialect)
    try:
        reader.statement(tree)
    except (RecursionError, Exception):  # a model, not a judge
        reader.ops.append(
            ("unmodelled", (statement.line, None), textual.short(statement.text))
        )
    try:
        safety = _safety(tree, statement, dialect)
    except (RecursionError, Exception):  # an odd tree: nothing to judge
        safety = None
    create = type(tree).__name__ == "Create"
    return Effects(
        tuple(reader.ops),
        create,
        _altered(tree, dialect),
        _dropped(tree, dialect),
        safety,
    )


def _altered(tree: Any, dialect: str) -> str | None:
    from sqlglot import exp

    if (
        not isinstance(tree, exp.Alter)
        or str(tree.args.get("kind") or "").upper() != "TABLE"
    ):
        return None
    try:
        return table_name(tree.this, dialect)
    except Exception:  # an odd tree: the reader records it as unmodelled
        return None


def _dropped(tree: Any, dialect: str) -> tuple[str, tuple[str, ...], bool] | None:
    from sqlglot import exp

    if not isinstance(tree, exp.Drop):
        return None
    kind = str(tree.args.get("kind") or "").upper()
    if kind not in ("TABLE", "INDEX"):
        return None
    try:
        names = tuple(
            table_name(target, dialect)
            if kind == "TABLE"
            else ident(
                target.this if isinstance(target, exp.Table) else target, dialect
            )
            for target in tree.args.get("tables") or []
        )
    except Exception:  # an odd tree: the reader records it as unmodelled
        return None
    return kind, names, bool(tree.args.get("exists"))


class _Reader:
    def __init__(self, statement: Statement, dialect: str) -> None:
        self.dialect = dialect
        self.statement_ = statement
        self.ops: list[Op] = []

    # -- names and positions ---------------------------------------------

    def origin(self, node: Any = None) -> tuple[int, int]:
        st = self.statement_
        meta = position(node)
        if meta is None:
            return st.line, st.column
        line, col = meta
        if line <= 1:
            return st.line, st.column + col - 1
        return st.line + line - 1, col

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
            self.ops.extend(textual.command(self.dialect, self.statement_))

    def create_table(self, tree: Any) -> None:
        from sqlglot import exp

        target = tree.this
        name = self.table_name(target)
        parent = None
        properties = tree.args.get("properties")
        for prop in properties.expressions if properties else []:
            if isinstance(prop, exp.PartitionedOfProperty):
                parent = self.table_name(prop.this)
        self.ops.append(
            (
                "table",
                name,
                self.table_spelled(target),
                self.origin(target.this if isinstance(target, exp.Schema) else target),
                bool(tree.args.get("exists")),
                parent,
                tree.args.get("expression") is not None,
            )
        )
        if tree.args.get("expression") is not None:
            return  # CREATE TABLE ... AS SELECT: columns unknown
        elements = target.expressions if isinstance(target, exp.Schema) else []
        for element in elements:
            if isinstance(element, exp.ColumnDef):
                self.add_column(name, element)
            elif isinstance(element, exp.LikeProperty):
                self.ops.append(("like", name, self.table_name(element.this)))
            else:
                self.add_constraint(name, element)

    def add_column(self, table: str, coldef: Any, if_not_exists: bool = False) -> None:
        from sqlglot import exp

        name = self.ident(coldef.this)
        kind = coldef.args.get("kind")
        raw_type = type_sql(kind, self.dialect) if kind is not None else ""
        nullable = True
        default: str | None = None
        if is_serial(raw_type):
            nullable, default = False, "nextval()"
        keys: list[Op] = []
        for ckind in _constraints(coldef):
            if isinstance(ckind, exp.NotNullColumnConstraint):
                nullable = bool(ckind.args.get("allow_null"))
            elif isinstance(ckind, exp.DefaultColumnConstraint):
                default = self.default_sql(ckind.this)
            elif isinstance(ckind, exp.PrimaryKeyColumnConstraint):
                keys.append(("inline_pk", table, name))
                nullable = False
            elif isinstance(ckind, exp.UniqueColumnConstraint):
                keys.append(("inline_unique", table, name))
            elif isinstance(ckind, exp.Reference):
                keys.append(self.reference(table, (name,), ckind, None))
            elif (
                isinstance(ckind, exp.GeneratedAsIdentityColumnConstraint)
                and ckind.args.get("this") is not None
                and not ckind.args.get("expression")
            ):
                nullable, default = False, "identity"
        at, spelled = self.origin(coldef.this), self.spelled(coldef.this)
        written = (name, raw_type, nullable, default, at, spelled)
        self.ops.extend(column_ops(table, written, keys, if_not_exists))

    def default_sql(self, node: Any) -> str | None:
        from sqlglot import exp

        while isinstance(node, (exp.Cast, exp.Paren)):
            node = node.this
        return normalise_default(node.sql(dialect=self.dialect))

    def add_constraint(self, table: str, element: Any, name: str | None = None) -> None:
        from sqlglot import exp

        if isinstance(element, exp.Constraint):
            cname = self.ident(element.this)
            for inner in element.expressions:
                self.add_constraint(table, inner, cname)
            return
        if isinstance(element, exp.PrimaryKey):
            cols = [self.ident(c) for c in element.expressions]
            self.ops.append(("pk", table, cols, name))
        elif isinstance(element, exp.UniqueColumnConstraint):
            schema = element.this
            if (
                name is None
                and isinstance(schema, exp.Schema)
                and isinstance(schema.this, exp.Identifier)
            ):
                name = self.ident(schema.this)  # MySQL's UNIQUE KEY name (...)
            cols = [
                self.ident(c)
                for c in (schema.expressions if schema is not None else [])
            ]
            self.ops.append(("unique", table, cols, name))
        elif isinstance(element, exp.ForeignKey):
            fk_cols = tuple(self.ident(c) for c in element.expressions)
            reference = element.args.get("reference")
            if reference is not None:
                self.ops.append(self.reference(table, fk_cols, reference, name))
        elif isinstance(element, exp.IndexColumnConstraint):
            # MySQL's inline KEY / INDEX / UNIQUE KEY
            cols = [self.ident(c) for c in element.expressions]
            kind = str(element.args.get("kind") or "").upper()
            iname = self.ident(element.this) if element.this else None
            if cols:
                self.ops.append(
                    (
                        "index",
                        iname,
                        table,
                        cols,
                        kind == "UNIQUE",
                        False,
                        self.origin(element.this),
                        "btree",
                        None,
                        [],
                        False,
                    )
                )

    def reference(
        self, table: str, cols: tuple[str, ...], reference: Any, name: str | None
    ) -> Op:
        from sqlglot import exp

        target = reference.this
        ref_cols: list[str] = []
        if isinstance(target, exp.Schema):
            ref_cols = [self.ident(c) for c in target.expressions]
        return (
            "fk",
            table,
            list(cols),
            self.table_name(target),
            ref_cols,
            name,
            self.origin(target.this if isinstance(target, exp.Schema) else target),
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
        params = index.args.get("params")
        columns: list[str] = []
        include: list[str] = []
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
            include = [self.ident(c) for c in params.args.get("include") or []]
        self.ops.append(
            (
                "index",
                name,
                table,
                columns,
                bool(tree.args.get("unique")),
                partial,
                self.origin(index.this),
                method,
                predicate,
                include,
                bool(tree.args.get("exists")),
            )
        )

    def alter_table(self, tree: Any) -> None:
        from sqlglot import exp

        name = self.table_name(tree.this)
        self.ops.append(("require", name))
        for action in tree.args.get("actions") or []:
            if isinstance(action, exp.ColumnDef):
                self.add_column(name, action, bool(action.args.get("exists")))
            elif isinstance(action, exp.AddConstraint):
                for element in action.expressions:
                    self.add_constraint(name, element)
            elif isinstance(action, exp.AlterColumn):
                self.alter_column(name, action)
            elif isinstance(action, exp.ModifyColumn):
                coldef = action.this
                old = action.args.get("rename_from")
                if old is not None:
                    self.ops.append(
                        (
                            "rename_column",
                            name,
                            self.ident(old),
                            self.ident(coldef.this),
                        )
                    )
                self.add_column(name, coldef)
            elif isinstance(action, exp.RenameColumn):
                self.ops.append(
                    (
                        "rename_column",
                        name,
                        self.ident(action.this),
                        self.ident(action.args["to"]),
                    )
                )
            elif (
                isinstance(action, exp.AlterRename)
                and (bare_column := column_rename(tree, action)) is not None
            ):
                # `ALTER TABLE t RENAME a TO b` (COLUMN is optional)
                self.ops.append(
                    (
                        "rename_column",
                        name,
                        self.ident(bare_column[0]),
                        self.ident(bare_column[1]),
                    )
                )
            elif isinstance(action, exp.AlterRename):
                new = self.table_name(action.this)
                schema_of_old = name.rsplit(".", 1)[0] if "." in name else None
                if "." not in new and schema_of_old:
                    new = f"{schema_of_old}.{new}"
                self.ops.append(
                    ("rename_table", name, new, self.table_spelled(action.this))
                )
                name = new
            elif isinstance(action, exp.Drop):
                self.alter_drop(name, action)
            elif isinstance(action, exp.DropPrimaryKey):
                self.ops.append(("drop_pk", name))
            elif isinstance(action, exp.RenameIndex):
                self.ops.append(
                    (
                        "rename_index",
                        self.ident(action.this),
                        self.ident(action.args["to"]),
                    )
                )

    def alter_column(self, table: str, action: Any) -> None:
        dtype = action.args.get("dtype")
        new_type = (
            normalise_type(type_sql(dtype, self.dialect)) if dtype is not None else None
        )
        set_default = "default" in action.args and action.args["default"] is not None
        default = self.default_sql(action.args["default"]) if set_default else None
        allow_null = action.args.get("allow_null")
        self.ops.append(
            (
                "alter_column",
                table,
                self.ident(action.this),
                new_type,
                set_default,
                default,
                None if allow_null is None else bool(allow_null),
                bool(action.args.get("drop")),
            )
        )

    def alter_drop(self, table: str, action: Any) -> None:
        kind = str(action.args.get("kind") or "").upper()
        for target in action.args.get("tables") or []:
            name = self.ident(
                target.this
                if hasattr(target, "this") and target.this is not None
                else target
            )
            if kind == "COLUMN":
                self.ops.append(("drop_column", table, name))
            elif kind in ("CONSTRAINT", "FOREIGN KEY"):
                self.ops.append(("drop_constraint", table, name))
            elif kind == "INDEX":  # MySQL: an index, or a UNIQUE KEY
                self.ops.append(("drop_table_index", table, name))

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
                self.ops.append(("rename_index", old, new))

    def drop(self, tree: Any) -> None:
        kind = str(tree.args.get("kind") or "").upper()
        targets = tree.args.get("tables") or (
            [tree.this] if tree.this is not None else []
        )
        for target in targets:
            if kind == "TABLE":
                self.ops.append(("drop_table", self.table_name(target)))
            elif kind == "INDEX":
                name = self.ident(
                    target.this
                    if hasattr(target, "this") and target.this is not None
                    else target
                )
                self.ops.append(("drop_index", name))
            elif kind == "SCHEMA":
                db = target.args.get("db") or target.this
                self.ops.append(
                    ("drop_schema", self.ident(db) if db is not None else "")
                )


# -- what the safety rules judge (MG010-MG013) -------------------------------------


def _safety(tree: Any, statement: Statement, dialect: str) -> Fact | None:
    from sqlglot import exp

    if isinstance(tree, exp.Drop):
        kind = str(tree.args.get("kind") or "").upper()
        if kind == "SCHEMA":
            return ("drop_schema",)
        if kind == "TABLE":
            return (
                "drop_tables",
                [table_name(t, dialect) for t in tree.args.get("tables") or []],
            )
        return None
    if isinstance(tree, exp.TruncateTable):
        return ("truncate", [table_name(t, dialect) for t in tree.expressions])
    if isinstance(tree, exp.Create):
        if str(tree.args.get("kind") or "").upper() != "INDEX":
            return None
        index = tree.this
        if not isinstance(index, exp.Index) or index.args.get("table") is None:
            return None
        return (
            "create_index",
            table_name(index.args["table"], dialect),
            bool(tree.args.get("unique")),
            bool(tree.args.get("concurrently")),
        )
    if isinstance(tree, exp.Alter):
        if str(tree.args.get("kind") or "").upper() != "TABLE":
            return None
        return ("alter", table_name(tree.this, dialect), _actions(tree, dialect))
    if isinstance(tree, exp.Command):
        m = _RENAME_TABLE.match(statement.text)
        if m:
            return ("rename_tables", m["names"].split()[0])
    return None


def _actions(tree: Any, dialect: str) -> list[Fact]:
    from sqlglot import exp

    out: list[Fact] = []
    for action in tree.args.get("actions") or []:
        if isinstance(action, exp.Drop):
            if str(action.args.get("kind") or "").upper() == "COLUMN":
                for target in action.args.get("tables") or []:
                    column = ident(
                        target.this if isinstance(target, exp.Column) else target,
                        dialect,
                    )
                    out.append(("drop_column", column))
        elif isinstance(action, exp.ColumnDef):
            out.append(
                (
                    "add_column",
                    ident(action.this, dialect),
                    _not_null_without_default(action),
                    bool(action.args.get("exists")),
                )
            )
        elif isinstance(action, exp.AlterColumn):
            dtype = action.args.get("dtype")
            if dtype is None:
                continue
            out.append(
                (
                    "type",
                    ident(action.this, dialect),
                    normalise_type(type_sql(dtype, dialect)),
                    bool(action.args.get("using")),
                )
            )
        elif isinstance(action, exp.ModifyColumn):
            coldef = action.this
            renamed = action.args.get("rename_from")
            kind = coldef.args.get("kind")
            out.append(
                (
                    "modify",
                    ident(coldef.this, dialect),
                    ident(renamed, dialect) if renamed is not None else None,
                    normalise_type(type_sql(kind, dialect)) if kind else "",
                )
            )
        elif isinstance(action, exp.RenameColumn):
            out.append(
                (
                    "rename_column",
                    ident(action.this, dialect),
                    ident(action.args["to"], dialect),
                )
            )
        elif (
            isinstance(action, exp.AlterRename)
            and (names := column_rename(tree, action)) is not None
        ):
            out.append(
                ("rename_column", ident(names[0], dialect), ident(names[1], dialect))
            )
        elif isinstance(action, exp.AlterRename):
            out.append(
                (
                    "rename_table",
                    ident(
                        action.this.this
                        if isinstance(action.this, exp.Table)
                        else action.this,
                        dialect,
                    ),
                )
            )
    return out


def _not_null_without_default(coldef: Any) -> bool:
    from sqlglot import exp

    kind = coldef.args.get("kind")
    type_text = kind.sql().lower() if kind is not None else ""
    if "serial" in type_text:
        return False
    not_null = has_default = False
    for ckind in _constraints(coldef):
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


def _constraints(coldef: Any) -> list[Any]:
    """The kind of each constraint of a column definition."""
    from sqlglot import exp

    return [
        c.args.get("kind") if isinstance(c, exp.ColumnConstraint) else c
        for c in coldef.args.get("constraints") or []
    ]
