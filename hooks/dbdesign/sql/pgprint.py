"""A small printer of PostgreSQL's expression trees (pglast's JSON, see
`pgtree.py`) as SQL text, for `pgbuild.py`: types rendered from their names
and modifiers (`type_text`), column defaults (`default_text`), index
expressions and predicates (`sql_of`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dbdesign.sql import pgtree
from dbdesign.sql.normalise import normalise_default

Node = pgtree.Node


def type_text(type_name: Node | None) -> str:
    """A TypeName as SQL (`pg_catalog.varchar(255)[]`), for normalise_type."""
    if not type_name:
        return ""
    text = ".".join(pgtree.strings(type_name.get("names")))
    mods = type_name.get("typmods") or []
    if mods:
        text += "(" + ",".join(sql_of(mod) for mod in mods) + ")"
    return text + "[]" * len(type_name.get("arrayBounds") or [])


def default_text(expr: Any) -> str | None:
    """A column default as the Catalog keeps it: outer casts dropped."""
    while isinstance(expr, dict) and "TypeCast" in expr:
        expr = expr["TypeCast"].get("arg")
    return normalise_default(sql_of(expr))


_SQL_VALUES = {
    "SVFOP_CURRENT_DATE": "current_date",
    "SVFOP_CURRENT_TIME": "current_time",
    "SVFOP_CURRENT_TIME_N": "current_time",
    "SVFOP_CURRENT_TIMESTAMP": "current_timestamp",
    "SVFOP_CURRENT_TIMESTAMP_N": "current_timestamp",
    "SVFOP_LOCALTIME": "localtime",
    "SVFOP_LOCALTIME_N": "localtime",
    "SVFOP_LOCALTIMESTAMP": "localtimestamp",
    "SVFOP_LOCALTIMESTAMP_N": "localtimestamp",
    "SVFOP_CURRENT_ROLE": "current_role",
    "SVFOP_CURRENT_USER": "current_user",
    "SVFOP_USER": "user",
    "SVFOP_SESSION_USER": "session_user",
    "SVFOP_CURRENT_CATALOG": "current_catalog",
    "SVFOP_CURRENT_SCHEMA": "current_schema",
}


def sql_of(node: Any) -> str:
    """An expression tree as SQL text: enough of PostgreSQL's printer for
    defaults, index expressions and predicates (what the Catalog compares
    and shows). Deterministic for any tree."""
    if isinstance(node, list):
        return ", ".join(sql_of(item) for item in node)
    if not isinstance(node, dict) or len(node) != 1:
        return ""
    kind, body = next(iter(node.items()))
    if not isinstance(body, dict):
        return str(body)
    printer = _PRINTERS.get(kind)
    if printer is not None:
        return printer(body)
    return f"<{kind}>"


def _const(body: Node) -> str:
    if body.get("isnull"):
        return "NULL"
    if "ival" in body:
        return str((body["ival"] or {}).get("ival", 0))
    if "fval" in body:
        return str((body["fval"] or {}).get("fval", "0"))
    if "boolval" in body:
        return "true" if (body["boolval"] or {}).get("boolval") else "false"
    if "sval" in body:
        text = str((body["sval"] or {}).get("sval", ""))
        return "'" + text.replace("'", "''") + "'"
    if "bsval" in body:
        bits = str((body["bsval"] or {}).get("bsval", ""))
        return f"{bits[:1].upper()}'{bits[1:]}'"
    return "NULL"


def _func(body: Node) -> str:
    names = pgtree.strings(body.get("funcname"))
    if len(names) > 1 and names[0] == "pg_catalog":
        names = names[1:]
    args = "*" if body.get("agg_star") else sql_of(body.get("args") or [])
    return f"{'.'.join(names)}({args})"


def _expr(body: Node) -> str:
    kind = body.get("kind")
    op = " ".join(pgtree.strings(body.get("name")))
    left = sql_of(body.get("lexpr")) if body.get("lexpr") else ""
    right = body.get("rexpr")
    if kind == "AEXPR_IN":
        word = "NOT IN" if op == "<>" else "IN"
        return f"{left} {word} ({sql_of(right)})"
    if kind in ("AEXPR_OP_ANY", "AEXPR_OP_ALL"):
        word = "ANY" if kind == "AEXPR_OP_ANY" else "ALL"
        return f"{left} {op} {word}({sql_of(right)})"
    if kind == "AEXPR_NULLIF":
        return f"nullif({left}, {sql_of(right)})"
    if kind == "AEXPR_DISTINCT":
        return f"{left} IS DISTINCT FROM {sql_of(right)}"
    if kind in ("AEXPR_BETWEEN", "AEXPR_NOT_BETWEEN"):
        bounds = (
            right.get("List", {}).get("items") if isinstance(right, dict) else right
        )
        low, high = (
            [*bounds, None, None] if isinstance(bounds, list) else [None, None]
        )[:2]
        word = "BETWEEN" if kind == "AEXPR_BETWEEN" else "NOT BETWEEN"
        return f"{left} {word} {sql_of(low)} AND {sql_of(high)}"
    if kind in ("AEXPR_LIKE", "AEXPR_ILIKE", "AEXPR_SIMILAR"):
        words = {"~~": "LIKE", "!~~": "NOT LIKE", "~~*": "ILIKE", "!~~*": "NOT ILIKE"}
        op = words.get(op, op)
    if not left:
        return f"{op}{sql_of(right)}"
    return f"({left} {op} {sql_of(right)})"


def _bool(body: Node) -> str:
    args = [sql_of(arg) for arg in body.get("args") or []]
    op = body.get("boolop")
    if op == "NOT_EXPR":
        return f"NOT {args[0] if args else ''}"
    return "(" + (" AND " if op == "AND_EXPR" else " OR ").join(args) + ")"


def _case(body: Node) -> str:
    parts = ["CASE"]
    if body.get("arg"):
        parts.append(sql_of(body["arg"]))
    for item in body.get("args") or []:
        when = item.get("CaseWhen") or {}
        parts.append(
            f"WHEN {sql_of(when.get('expr'))} THEN {sql_of(when.get('result'))}"
        )
    if body.get("defresult"):
        parts.append(f"ELSE {sql_of(body['defresult'])}")
    return " ".join([*parts, "END"])


_PRINTERS: dict[str, Callable[[Node], str]] = {
    "A_Const": _const,
    "TypeCast": lambda b: f"{sql_of(b.get('arg'))}::{type_text(b.get('typeName'))}",
    "FuncCall": _func,
    "SQLValueFunction": lambda b: _SQL_VALUES.get(str(b.get("op")), "current_value"),
    "ColumnRef": lambda b: ".".join(
        "*" if "A_Star" in f else pgtree.strings([f])[0] for f in b.get("fields") or []
    ),
    "A_Expr": _expr,
    "BoolExpr": _bool,
    "NullTest": lambda b: (
        f"{sql_of(b.get('arg'))} IS "
        f"{'NOT ' if b.get('nulltesttype') == 'IS_NOT_NULL' else ''}NULL"
    ),
    "BooleanTest": lambda b: (
        f"{sql_of(b.get('arg'))} {str(b.get('booltesttype', '')).replace('_', ' ')}"
    ),
    "A_ArrayExpr": lambda b: f"ARRAY[{sql_of(b.get('elements') or [])}]",
    "CoalesceExpr": lambda b: f"coalesce({sql_of(b.get('args') or [])})",
    "MinMaxExpr": lambda b: (
        f"{'greatest' if b.get('op') == 'IS_GREATEST' else 'least'}"
        f"({sql_of(b.get('args') or [])})"
    ),
    "CaseExpr": _case,
    "RowExpr": lambda b: f"ROW({sql_of(b.get('args') or [])})",
    "CollateClause": lambda b: (
        f"{sql_of(b.get('arg'))} COLLATE {'.'.join(pgtree.strings(b.get('collname')))}"
    ),
    "ParamRef": lambda b: f"${b.get('number', 0)}",
    "String": lambda b: str(b.get("sval", "")),
    "Integer": lambda b: str(b.get("ival", 0)),
    "Float": lambda b: str(b.get("fval", "0")),
    "List": lambda b: sql_of(b.get("items") or []),
}
