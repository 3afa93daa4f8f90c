"""Read sqlglot trees as Effects (what each statement does to the Catalog,
and what the safety rules judge), and build Catalogs by replaying them:
CREATE TABLE with inline and table constraints, partitions, CREATE INDEX,
ALTER TABLE in its common forms (columns, defaults, nullability, types,
constraints, renames, partitions), DROP, RENAME. Statements the Catalog
does not model are left alone; DDL it should model but cannot is
remembered in `catalog.unmodelled`. What sqlglot reads only as an opaque
Command is read with patterns in `textual`. PostgreSQL's own parse trees
are read in `pgbuild.py` into the same Effects. What a statement alters or
drops and the safety facts are read in `glotfacts.py`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dbdesign.sql import glotfacts, textual
from dbdesign.sql.catalog import Catalog
from dbdesign.sql.effects import Effects, Replayable, Step, replay
from dbdesign.sql.glotread import CreateReader
from dbdesign.sql.normalise import normalise_type
from dbdesign.sql.split import Statement
from dbdesign.sql.trees import column_rename, type_sql

__all__ = ["Step", "apply_file", "build", "describe"]


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
        safety = glotfacts.safety(tree, statement, dialect)
    except (RecursionError, Exception):  # an odd tree: nothing to judge
        safety = None
    create = type(tree).__name__ == "Create"
    return Effects(
        tuple(reader.ops),
        create,
        glotfacts.altered(tree, dialect),
        glotfacts.dropped(tree, dialect),
        safety,
    )


class _Reader(CreateReader):
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
