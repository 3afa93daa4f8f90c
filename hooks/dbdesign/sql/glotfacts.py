"""What `build.py` reads from a sqlglot tree besides its Catalog ops: the
table it alters, the tables or indexes it drops, and the facts the safety
rules judge (MG010-MG013). sqlglot is imported inside the functions."""

from __future__ import annotations

import re
from typing import Any

from dbdesign.sql.effects import Fact
from dbdesign.sql.normalise import normalise_type
from dbdesign.sql.split import Statement
from dbdesign.sql.trees import column_rename, ident, table_name, type_sql

_RENAME_TABLE = re.compile(r"(?is)^rename\s+table\s+(?P<names>.+)$")


def altered(tree: Any, dialect: str) -> str | None:
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


def dropped(tree: Any, dialect: str) -> tuple[str, tuple[str, ...], bool] | None:
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


# -- what the safety rules judge (MG010-MG013) -------------------------------------


def safety(tree: Any, statement: Statement, dialect: str) -> Fact | None:
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
    for ckind in constraints(coldef):
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


def constraints(coldef: Any) -> list[Any]:
    """The kind of each constraint of a column definition."""
    from sqlglot import exp

    return [
        c.args.get("kind") if isinstance(c, exp.ColumnConstraint) else c
        for c in coldef.args.get("constraints") or []
    ]
