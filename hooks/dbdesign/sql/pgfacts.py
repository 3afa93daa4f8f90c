"""What `pgbuild.py` reads from a PostgreSQL statement besides its Catalog
ops: the table it alters, the tables or indexes it drops, and the facts the
safety rules judge (MG010-MG013)."""

from __future__ import annotations

from dbdesign.sql import pgtree
from dbdesign.sql.effects import Fact
from dbdesign.sql.normalise import normalise_type, qualified
from dbdesign.sql.pgprint import type_text

Node = pgtree.Node


def altered(kind: str, body: Node) -> str | None:
    if kind == "AlterTableStmt" and body.get("objtype") == "OBJECT_TABLE":
        return pgtree.relation(body.get("relation"))
    if kind == "RenameStmt" and _renames_in_table(body):
        return pgtree.relation(body.get("relation"))
    return None


def _renames_in_table(body: Node) -> bool:
    rename = body.get("renameType")
    return rename in ("OBJECT_TABLE", "OBJECT_TABCONSTRAINT") or (
        rename == "OBJECT_COLUMN" and body.get("relationType") == "OBJECT_TABLE"
    )


def dropped(kind: str, body: Node) -> tuple[str, tuple[str, ...], bool] | None:
    if kind != "DropStmt":
        return None
    remove = body.get("removeType")
    if remove == "OBJECT_TABLE":
        names = tuple(qualified_name(obj) for obj in body.get("objects") or [])
        return "TABLE", names, bool(body.get("missing_ok"))
    if remove == "OBJECT_INDEX":
        names = tuple(last_name(obj) for obj in body.get("objects") or [])
        return "INDEX", names, bool(body.get("missing_ok"))
    return None


def qualified_name(obj: Node) -> str:
    names = pgtree.strings(obj.get("List", {}).get("items"))
    if not names:
        return ""
    return qualified(names[-2] if len(names) > 1 else None, names[-1])


def last_name(obj: Node) -> str:
    names = pgtree.strings(obj.get("List", {}).get("items"))
    return names[-1] if names else ""


# -- what the safety rules judge (MG010-MG013) -------------------------------------


def safety(kind: str, body: Node) -> Fact | None:
    if kind == "DropStmt":
        remove = body.get("removeType")
        if remove == "OBJECT_SCHEMA":
            return ("drop_schema",)
        if remove == "OBJECT_TABLE":
            return (
                "drop_tables",
                [qualified_name(o) for o in body.get("objects") or []],
            )
        return None
    if kind == "TruncateStmt":
        return (
            "truncate",
            [pgtree.relation(r.get("RangeVar")) for r in body.get("relations") or []],
        )
    if kind == "IndexStmt":
        return (
            "create_index",
            pgtree.relation(body.get("relation")),
            bool(body.get("unique")),
            bool(body.get("concurrent")),
        )
    if kind == "AlterTableStmt" and body.get("objtype") == "OBJECT_TABLE":
        return ("alter", pgtree.relation(body.get("relation")), _actions(body))
    if kind == "RenameStmt" and _renames_in_table(body):
        table = pgtree.relation(body.get("relation"))
        new = str(body.get("newname") or "")
        if body.get("renameType") == "OBJECT_TABLE":
            return ("alter", table, [("rename_table", new)])
        if body.get("renameType") == "OBJECT_COLUMN":
            old = str(body.get("subname") or "")
            return ("alter", table, [("rename_column", old, new)])
    return None


def _actions(body: Node) -> list[Fact]:
    out: list[Fact] = []
    for item in body.get("cmds") or []:
        cmd = item.get("AlterTableCmd") or {}
        subtype = cmd.get("subtype")
        definition = cmd.get("def") or {}
        if subtype == "AT_DropColumn":
            out.append(("drop_column", str(cmd.get("name") or "")))
        elif subtype == "AT_AddColumn" and "ColumnDef" in definition:
            coldef = definition["ColumnDef"]
            out.append(
                (
                    "add_column",
                    str(coldef.get("colname") or ""),
                    _not_null_without_default(coldef),
                    bool(cmd.get("missing_ok")),
                )
            )
        elif subtype == "AT_AlterColumnType":
            coldef = definition.get("ColumnDef", {})
            out.append(
                (
                    "type",
                    str(cmd.get("name") or ""),
                    normalise_type(type_text(coldef.get("typeName"))),
                    coldef.get("raw_default") is not None,
                )
            )
    return out


def _not_null_without_default(coldef: Node) -> bool:
    names = pgtree.strings(coldef.get("typeName", {}).get("names"))
    if names and "serial" in names[-1].lower():
        return False
    not_null = has_default = False
    for item in coldef.get("constraints") or []:
        contype = (item.get("Constraint") or {}).get("contype")
        if contype == "CONSTR_NOTNULL":
            not_null = True
        elif contype == "CONSTR_NULL":
            not_null = False
        elif contype == "CONSTR_PRIMARY":
            not_null = True
        elif contype in ("CONSTR_DEFAULT", "CONSTR_IDENTITY", "CONSTR_GENERATED"):
            has_default = True
    return not_null and not has_default
