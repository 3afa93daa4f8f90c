"""The sqlglot reader's first half, for `build.py`: a statement's names and
positions as the Catalog keys and shows them, and what CREATE TABLE and
CREATE INDEX add (columns, keys, references, indexes). `build.py`'s reader
adds ALTER, DROP and the dispatch. sqlglot is imported inside the methods."""

from __future__ import annotations

from typing import Any

from dbdesign.sql import glotfacts
from dbdesign.sql.effects import Op, column_ops
from dbdesign.sql.normalise import is_serial, normalise_default
from dbdesign.sql.split import Statement
from dbdesign.sql.trees import FOLDS_LOWER, ident, position, table_name, type_sql


class CreateReader:
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

    # -- CREATE ----------------------------------------------------------

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
        for ckind in glotfacts.constraints(coldef):
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
