"""PostgreSQL's own parse tree of one statement (libpg_query through pglast,
as JSON), for the rules whose verdict hangs on details sqlglot does not
keep: NOT VALID, USING INDEX, the subcommand of an ALTER TABLE, a default's
function calls. Names come folded as PostgreSQL folds them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from dbdesign.sql.normalise import qualified

Node = dict[str, Any]


def parse(text: str) -> Node | None:
    """The statement TEXT as `{"NodeType": {...}}`; None when pglast is
    missing, TEXT does not parse, or holds more than one statement."""
    try:
        from pglast import parser
    except ImportError:  # pragma: no cover - pglast has no Windows wheels
        return None
    try:
        tree = json.loads(parser.parse_sql_json(text))
    except Exception:  # a parser error or crash: no verdict
        return None
    stmts = tree.get("stmts") or []
    if len(stmts) != 1:
        return None
    node = stmts[0].get("stmt")
    return node if isinstance(node, dict) else None


def kind(node: Node | None) -> str:
    """The node's type name (`AlterTableStmt`, ...), or ''."""
    return next(iter(node)) if node else ""


def body(node: Node | None) -> Node:
    return next(iter(node.values())) if node else {}


def relation(rangevar: Node | None) -> str:
    """A RangeVar's table name as the Catalog keys it."""
    if not rangevar:
        return ""
    return qualified(rangevar.get("schemaname"), str(rangevar.get("relname") or ""))


def strings(items: list[Node] | None) -> list[str]:
    """A list of `{"String": {"sval": ...}}` nodes as text."""
    return [str(item.get("String", {}).get("sval", "")) for item in items or []]


def walk(value: Any) -> Iterator[Node]:
    """Every node under VALUE, depth first."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
