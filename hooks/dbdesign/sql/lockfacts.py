"""What the lock rules (MG014-MG018, MG020, see `locks.py`) need of a
PostgreSQL statement, read from its own parse tree as plain data (so that
`memo.py` can keep it between runs, checked against `FACTS`): the ALTER
TABLE commands and whether each takes ACCESS EXCLUSIVE, the objects a DROP
drops, a table's rename, a TRUNCATE's tables."""

from __future__ import annotations

import re

from dbdesign.sql import pgtree
from dbdesign.sql.effects import Fact

# Statements these rules read; the others are never given to the parser.
RELEVANT = re.compile(
    r"(?is)\A(?:alter\s+table|truncate"
    r"|drop\s+(?:table|index|view|materialized\s+view|trigger))\b"
)

# Functions whose value does not change within a statement (IMMUTABLE or
# STABLE): a DEFAULT made of them is stored once, from PostgreSQL 11 on.
_NOT_VOLATILE = frozenset(
    {
        "now",
        "transaction_timestamp",
        "statement_timestamp",
        "current_setting",
        "timezone",
        "lower",
        "upper",
        "btrim",
        "concat",
        "to_char",
        "to_jsonb",
        "to_json",
        "jsonb_build_object",
        "json_build_object",
        "jsonb_build_array",
        "json_build_array",
        "array_fill",
        "make_interval",
        "make_date",
        "make_timestamp",
        "make_timestamptz",
        "date_trunc",
        "length",
        "md5",
        "abs",
        "greatest",
        "least",
        "nullif",
        "pg_current_xact_id_if_assigned",
        "inet_client_addr",
        "current_database",
        "current_schema",
        "version",
    }
)
# ALTER TABLE forms that take a lock weaker than ACCESS EXCLUSIVE
_LIGHT = frozenset(
    {
        "AT_ValidateConstraint",  # SHARE UPDATE EXCLUSIVE
        "AT_SetStatistics",
        "AT_SetOptions",
        "AT_ResetOptions",
        "AT_ClusterOn",
        "AT_DropCluster",
        "AT_AttachPartition",
        "AT_EnableTrig",
        "AT_DisableTrig",
        "AT_EnableTrigAll",
        "AT_DisableTrigAll",
        "AT_EnableTrigUser",
        "AT_DisableTrigUser",
        "AT_SetRelOptions",
        "AT_ResetRelOptions",
    }
)


def describe(node: pgtree.Node | None) -> Fact | None:
    """What the lock rules need of a statement's tree, as plain data (so
    that it can be kept between runs): one of
    `("alter", table, on_a_table, [command...])`,
    `("drop", "table" | "index" | "view" | "trigger", concurrently, [name...])`,
    `("rename", table)` (a table's rename: "" for any other object),
    `("truncate", [table...])`; None for anything else."""
    kind = pgtree.kind(node)
    stmt = pgtree.body(node)
    if kind == "AlterTableStmt":
        return (
            "alter",
            pgtree.relation(stmt.get("relation")),
            stmt.get("objtype") == "OBJECT_TABLE",
            [_command(cmd) for cmd in _commands(stmt)],
        )
    if kind == "DropStmt":
        objects = stmt.get("objects") or []
        remove = stmt.get("removeType")
        if remove == "OBJECT_TABLE":
            return ("drop", "table", False, [_qualified(o) for o in objects])
        if remove == "OBJECT_INDEX":
            return ("drop", "index", bool(stmt.get("concurrent")), _dropped_names(stmt))
        if remove in ("OBJECT_VIEW", "OBJECT_MATVIEW"):
            return ("drop", "view", False, [_qualified(o) for o in objects])
        if remove == "OBJECT_TRIGGER":
            # DROP TRIGGER locks the trigger's table
            return ("drop", "trigger", False, [_qualified(o, last=1) for o in objects])
        return None
    if kind == "RenameStmt":
        table = "OBJECT_TABLE" in (stmt.get("renameType"), stmt.get("relationType"))
        return ("rename", pgtree.relation(stmt.get("relation")) if table else "")
    if kind == "TruncateStmt":
        return (
            "truncate",
            [pgtree.relation(r.get("RangeVar")) for r in stmt.get("relations") or []],
        )
    return None


# The shape of `describe`'s facts (`memo_records.py` checks what it reads back
# against it): items as in `effects.OPS`; a mapping is a list of facts.
_CONSTRAINT: dict[str, tuple[object, ...]] = {
    "identity": (),
    "stored": (),
    "default": ("s?", "b"),
    "fk": ("s",),
    "unique": (),
    "primary": (),
    "other": (),
}
_COMMAND: dict[str, tuple[object, ...]] = {
    "add_column": ("b", "s", "s", _CONSTRAINT),
    "add_constraint": ("b", "s", "s?", "b", "s", "b", "l", "s?"),
    "set_not_null": ("b", "s"),
    "validate": ("b", "s"),
    "drop_constraint": ("b", "s"),
    "other": ("b",),
}
FACTS: dict[str, tuple[object, ...]] = {
    "alter": ("s", "b", _COMMAND),
    "drop": ("s", "b", "l"),
    "rename": ("s",),
    "truncate": ("l",),
}

# A command of an ALTER TABLE: (what, takes ACCESS EXCLUSIVE, details...):
# ("add_column", heavy, column, last part of its type's name, [constraint...])
#   with constraints ("identity",) ("stored",) ("default", volatile call or
#   None, is NULL) ("fk", table) ("unique",) ("primary",) ("other",);
# ("add_constraint", heavy, kind, name, NOT VALID, referenced table,
#   USING INDEX, [key column...], column of a `CHECK (col IS NOT NULL)`);
# ("set_not_null", heavy, column), ("validate", heavy, name),
# ("drop_constraint", heavy, name), ("other", heavy).
_CONTYPES = {
    "CONSTR_FOREIGN": "fk",
    "CONSTR_CHECK": "check",
    "CONSTR_UNIQUE": "unique",
    "CONSTR_PRIMARY": "primary",
}


def _command(cmd: pgtree.Node) -> Fact:
    subtype = cmd.get("subtype")
    heavy = _heavy(cmd)
    definition = cmd.get("def") or {}
    if subtype == "AT_AddColumn" and "ColumnDef" in definition:
        coldef = definition["ColumnDef"]
        type_names = pgtree.strings(coldef.get("typeName", {}).get("names"))
        constraints = [
            _column_constraint(c.get("Constraint", {}))
            for c in coldef.get("constraints") or []
        ]
        return (
            "add_column",
            heavy,
            str(coldef.get("colname")),
            type_names[-1] if type_names else "",
            constraints,
        )
    if subtype == "AT_AddConstraint" and "Constraint" in definition:
        con = definition["Constraint"]
        return (
            "add_constraint",
            heavy,
            _CONTYPES.get(str(con.get("contype")), "other"),
            con.get("conname") or None,
            bool(con.get("skip_validation")),
            pgtree.relation(con.get("pktable")),
            bool(con.get("indexname")),
            pgtree.strings(con.get("keys")),
            _not_null_test(con.get("raw_expr")),
        )
    if subtype == "AT_SetNotNull":
        return ("set_not_null", heavy, str(cmd.get("name")))
    if subtype == "AT_ValidateConstraint":
        return ("validate", heavy, str(cmd.get("name")))
    if subtype == "AT_DropConstraint":
        return ("drop_constraint", heavy, str(cmd.get("name")))
    return ("other", heavy)


def _column_constraint(con: pgtree.Node) -> Fact:
    contype = con.get("contype")
    if contype == "CONSTR_IDENTITY":
        return ("identity",)
    if contype == "CONSTR_GENERATED":
        return ("stored",) if con.get("generated_kind") != "v" else ("other",)
    if contype == "CONSTR_DEFAULT":
        expr = con.get("raw_expr")
        return ("default", _volatile_call(expr), _is_null(expr))
    if contype == "CONSTR_FOREIGN":
        return ("fk", pgtree.relation(con.get("pktable")))
    if contype == "CONSTR_UNIQUE":
        return ("unique",)
    if contype == "CONSTR_PRIMARY":
        return ("primary",)
    return ("other",)


def _commands(stmt: pgtree.Node) -> list[pgtree.Node]:
    return [
        cmd["AlterTableCmd"] for cmd in stmt.get("cmds") or [] if "AlterTableCmd" in cmd
    ]


def _heavy(cmd: pgtree.Node) -> bool:
    if cmd.get("subtype") in _LIGHT:
        return False
    con = cmd.get("def", {}).get("Constraint", {})
    # a foreign key takes SHARE ROW EXCLUSIVE
    return not (
        cmd.get("subtype") == "AT_AddConstraint"
        and con.get("contype") == "CONSTR_FOREIGN"
    )


# -- expressions --------------------------------------------------------------


def _volatile_call(expr: object) -> str | None:
    """The first function in EXPR that PostgreSQL may evaluate per row
    (volatile, or unknown: a function is VOLATILE unless declared
    otherwise)."""
    for node in pgtree.walk(expr):
        call = node.get("FuncCall")
        if not isinstance(call, dict):
            continue
        names = pgtree.strings(call.get("funcname"))
        if names and names[-1].lower() not in _NOT_VOLATILE:
            return names[-1]
    return None


def _is_null(expr: object) -> bool:
    return isinstance(expr, dict) and expr.get("A_Const", {}).get("isnull") is True


def _not_null_test(expr: object) -> str | None:
    """COL for `CHECK (col IS NOT NULL)`."""
    if not isinstance(expr, dict):
        return None
    test = expr.get("NullTest")
    if not isinstance(test, dict) or test.get("nulltesttype") != "IS_NOT_NULL":
        return None
    fields = test.get("arg", {}).get("ColumnRef", {}).get("fields")
    names = pgtree.strings(fields)
    return names[-1] if names else None


def _dropped_names(stmt: pgtree.Node) -> list[str]:
    """The names (last part) of what a DROP INDEX drops."""
    out = []
    for obj in stmt.get("objects") or []:
        names = pgtree.strings(obj.get("List", {}).get("items"))
        if names:
            out.append(names[-1])
    return out


def _qualified(obj: pgtree.Node, last: int = 0) -> str:
    """The qualified name in a DROP's object list; LAST drops that many
    trailing parts (a trigger's own name after its table's)."""
    from dbdesign.sql.normalise import qualified

    names = pgtree.strings(obj.get("List", {}).get("items"))
    names = names[: len(names) - last] if last else names
    if not names:
        return ""
    return qualified(names[-2] if len(names) > 1 else None, names[-1])
