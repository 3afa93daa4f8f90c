"""Read PostgreSQL's own parse tree of a statement (pglast's JSON, see
`pgtree.py`) as Effects: the same Catalog ops and safety facts that
`build.py` reads from sqlglot's trees, so that on PostgreSQL each statement
is parsed once, by the parser that also judges its syntax (SQ001).

Names come folded as PostgreSQL folds them, which is how the Catalog keys
them. Types are rendered from their names and modifiers and then
normalised; defaults, index expressions and predicates from a small
printer of expression trees (`sql_of`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from dbdesign.sql import locks, pgtree
from dbdesign.sql.catalog import is_serial, normalise_default, normalise_type, qualified
from dbdesign.sql.effects import Effects, Fact, Op, column_ops
from dbdesign.sql.split import Statement
from dbdesign.sql.textual import QNAME, short

Node = pgtree.Node
_NAME_PART = re.compile(r'"(?:[^"]|"")+"|[\w$]+')
_QNAME = re.compile(QNAME)
_INDEX_NAME = re.compile(
    r"(?is)create\s+(?:unique\s+)?index\s+(?:concurrently\s+)?"
    r"(?:if\s+not\s+exists\s+)?(?!on\b)(?P<name>\"(?:[^\"]|\"\")+\"|[\w$]+)"
)
# ALTER TABLE forms that change nothing the Catalog models.
_IGNORED = frozenset(
    {
        "AT_ChangeOwner",
        "AT_ReplicaIdentity",
        "AT_ClusterOn",
        "AT_DropCluster",
        "AT_SetTableSpace",
        "AT_SetRelOptions",
        "AT_ResetRelOptions",
        "AT_ReplaceRelOptions",
        "AT_SetLogged",
        "AT_SetUnLogged",
        "AT_SetAccessMethod",
        "AT_SetStatistics",
        "AT_SetOptions",
        "AT_ResetOptions",
        "AT_SetStorage",
        "AT_SetCompression",
        "AT_AddInherit",
        "AT_DropInherit",
        "AT_AddOf",
        "AT_DropOf",
        "AT_ValidateConstraint",
        "AT_AlterConstraint",
        "AT_EnableRowSecurity",
        "AT_DisableRowSecurity",
        "AT_ForceRowSecurity",
        "AT_NoForceRowSecurity",
        "AT_GenericOptions",
        "AT_AlterColumnGenericOptions",
        "AT_SetIdentity",
        "AT_DropIdentity",
        "AT_DropExpression",
        "AT_SetExpression",
        "AT_EnableTrig",
        "AT_EnableAlwaysTrig",
        "AT_EnableReplicaTrig",
        "AT_DisableTrig",
        "AT_EnableTrigAll",
        "AT_DisableTrigAll",
        "AT_EnableTrigUser",
        "AT_DisableTrigUser",
        "AT_EnableRule",
        "AT_EnableAlwaysRule",
        "AT_EnableReplicaRule",
        "AT_DisableRule",
    }
)


def describe(
    node: Node,
    statement: Statement,
    position: Callable[[int], tuple[int, int]],
    lockable: bool,
) -> Effects:
    """What NODE (the tree of STATEMENT) does. POSITION turns an offset in
    the file into (line, column); LOCKABLE: whether the lock rules read it
    (`locks.RELEVANT`). Never raises: a tree the reader cannot follow is
    unmodelled DDL."""
    reader = _Reader(statement, position)
    kind, body = pgtree.kind(node), pgtree.body(node)
    try:
        reader.statement(kind, body)
        safety = _safety(kind, body)
    except (RecursionError, Exception):  # a model, not a judge
        reader.ops = [("unmodelled", (statement.line, None), short(statement.text))]
        safety = None
    return Effects(
        tuple(reader.ops),
        kind in ("CreateStmt", "CreateTableAsStmt", "IndexStmt"),
        _altered(kind, body),
        _dropped(kind, body),
        safety,
        locks.describe(node) if lockable else None,
    )


def _altered(kind: str, body: Node) -> str | None:
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


def _dropped(kind: str, body: Node) -> tuple[str, tuple[str, ...], bool] | None:
    if kind != "DropStmt":
        return None
    remove = body.get("removeType")
    if remove == "OBJECT_TABLE":
        names = tuple(_qualified(obj) for obj in body.get("objects") or [])
        return "TABLE", names, bool(body.get("missing_ok"))
    if remove == "OBJECT_INDEX":
        names = tuple(_last(obj) for obj in body.get("objects") or [])
        return "INDEX", names, bool(body.get("missing_ok"))
    return None


def _qualified(obj: Node) -> str:
    names = pgtree.strings(obj.get("List", {}).get("items"))
    if not names:
        return ""
    return qualified(names[-2] if len(names) > 1 else None, names[-1])


def _last(obj: Node) -> str:
    names = pgtree.strings(obj.get("List", {}).get("items"))
    return names[-1] if names else ""


class _Reader:
    def __init__(
        self, statement: Statement, position: Callable[[int], tuple[int, int]]
    ) -> None:
        self.statement_ = statement
        self.position = position
        self.ops: list[Op] = []
        text = statement.text
        self.encoded = None if text.isascii() else text.encode("utf-8")

    # -- positions ---------------------------------------------------------

    def offset(self, location: object) -> int | None:
        """The character offset in the statement of a byte LOCATION."""
        if not isinstance(location, int) or location < 0:
            return None
        if self.encoded is None:
            return location
        return len(self.encoded[:location].decode("utf-8", "ignore"))

    def origin(self, location: object) -> tuple[int, int]:
        offset = self.offset(location)
        if offset is None:
            return self.statement_.line, self.statement_.column
        return self.position(self.statement_.start + offset)

    def name_origin(self, location: object) -> tuple[int, int]:
        """Where the last part of the (qualified) name at LOCATION starts,
        as sqlglot points at a table: at its own name, not its schema."""
        offset = self.offset(location)
        if offset is None:
            return self.origin(location)
        m = _QNAME.match(self.statement_.text, offset)
        if m is not None:
            parts = list(_NAME_PART.finditer(m[0]))
            if parts:
                offset += parts[-1].start()
        return self.position(self.statement_.start + offset)

    # -- statements --------------------------------------------------------

    def statement(self, kind: str, body: Node) -> None:
        if kind == "CreateStmt":
            self.create_table(body)
        elif kind == "CreateTableAsStmt" and body.get("objtype") == "OBJECT_TABLE":
            into = body.get("into") or {}
            self.ops.append(self.table(into.get("rel") or {}, body, None, True))
        elif kind == "IndexStmt":
            self.create_index(body)
        elif kind == "AlterTableStmt" and body.get("objtype") == "OBJECT_TABLE":
            self.alter_table(body)
        elif kind == "RenameStmt":
            self.rename(body)
        elif kind == "DropStmt":
            self.drop(body)

    def table(
        self, rel: Node, body: Node, parent: str | None, unknown_columns: bool
    ) -> Op:
        return (
            "table",
            pgtree.relation(rel),
            str(rel.get("relname") or ""),
            self.name_origin(rel.get("location")),
            bool(body.get("if_not_exists")),
            parent,
            unknown_columns,
        )

    def create_table(self, body: Node) -> None:
        rel = body.get("relation") or {}
        name = pgtree.relation(rel)
        typed = bool(body.get("ofTypename"))
        if typed:
            # CREATE TABLE t OF type: the columns are the type's
            self.unmodelled()
        parent = None
        inherits = body.get("inhRelations") or []
        if body.get("partbound") and inherits:
            parent = pgtree.relation(inherits[0].get("RangeVar"))
        self.ops.append(self.table(rel, body, parent, typed))
        if typed:
            return
        for element in body.get("tableElts") or []:
            if "ColumnDef" in element:
                self.add_column(name, element["ColumnDef"])
            elif "Constraint" in element:
                self.add_constraint(name, element["Constraint"])
            elif "TableLikeClause" in element:
                source = element["TableLikeClause"].get("relation")
                self.ops.append(("like", name, pgtree.relation(source)))

    def add_column(self, table: str, coldef: Node, if_not_exists: bool = False) -> None:
        name = str(coldef.get("colname") or "")
        raw_type = type_text(coldef.get("typeName"))
        nullable = True
        default: str | None = None
        if is_serial(raw_type):
            nullable, default = False, "nextval()"
        keys: list[Op] = []
        for item in coldef.get("constraints") or []:
            con = item.get("Constraint") or {}
            contype = con.get("contype")
            if contype == "CONSTR_NOTNULL":
                nullable = False
            elif contype == "CONSTR_NULL":
                nullable = True
            elif contype == "CONSTR_DEFAULT":
                default = default_text(con.get("raw_expr"))
            elif contype == "CONSTR_PRIMARY":
                keys.append(("pk", table, [name], con.get("conname")))
                nullable = False
            elif contype == "CONSTR_UNIQUE":
                keys.append(("unique", table, [name], con.get("conname")))
            elif contype == "CONSTR_FOREIGN":
                keys.append(self.reference(table, [name], con))
            elif contype == "CONSTR_IDENTITY":
                nullable, default = False, "identity"
        at, spelled = self.origin(coldef.get("location")), name
        written = (name, raw_type, nullable, default, at, spelled)
        self.ops.extend(column_ops(table, written, keys, if_not_exists))

    def add_constraint(self, table: str, con: Node) -> None:
        contype = con.get("contype")
        name = con.get("conname")
        if contype in ("CONSTR_PRIMARY", "CONSTR_UNIQUE"):
            kind = "pk" if contype == "CONSTR_PRIMARY" else "unique"
            if con.get("indexname"):
                self.ops.append(
                    ("key_using_index", table, kind, con["indexname"], name)
                )
            else:
                self.ops.append((kind, table, pgtree.strings(con.get("keys")), name))
        elif contype == "CONSTR_FOREIGN":
            cols = pgtree.strings(con.get("fk_attrs"))
            self.ops.append(self.reference(table, cols, con))

    def reference(self, table: str, cols: list[str], con: Node) -> Op:
        target = con.get("pktable") or {}
        return (
            "fk",
            table,
            cols,
            pgtree.relation(target),
            pgtree.strings(con.get("pk_attrs")),
            con.get("conname"),
            self.name_origin(target.get("location")),
        )

    def create_index(self, body: Node) -> None:
        rel = body.get("relation") or {}
        name = body.get("idxname")
        columns = []
        for item in body.get("indexParams") or []:
            elem = item.get("IndexElem") or {}
            if elem.get("name"):
                columns.append(str(elem["name"]))
            else:
                columns.append(sql_of(elem.get("expr")).lower())
        include = [
            str((item.get("IndexElem") or {}).get("name") or "")
            for item in body.get("indexIncludingParams") or []
        ]
        where = body.get("whereClause")
        origin = (self.statement_.line, self.statement_.column)
        m = _INDEX_NAME.match(self.statement_.text) if name else None
        if m is not None:
            origin = self.position(self.statement_.start + m.start("name"))
        self.ops.append(
            (
                "index",
                name,
                pgtree.relation(rel),
                columns,
                bool(body.get("unique")),
                where is not None,
                origin,
                str(body.get("accessMethod") or "btree").lower(),
                sql_of(where).lower() if where is not None else None,
                include,
                bool(body.get("if_not_exists")),
            )
        )

    def alter_table(self, body: Node) -> None:
        table = pgtree.relation(body.get("relation"))
        self.ops.append(("require", table))
        for item in body.get("cmds") or []:
            cmd = item.get("AlterTableCmd") or {}
            subtype = cmd.get("subtype")
            column = str(cmd.get("name") or "")
            definition = cmd.get("def") or {}
            if subtype == "AT_AddColumn" and "ColumnDef" in definition:
                self.add_column(
                    table, definition["ColumnDef"], bool(cmd.get("missing_ok"))
                )
            elif subtype == "AT_AddConstraint" and "Constraint" in definition:
                self.add_constraint(table, definition["Constraint"])
            elif subtype == "AT_DropColumn":
                self.ops.append(("drop_column", table, column))
            elif subtype == "AT_DropConstraint":
                self.ops.append(("drop_constraint", table, column))
            elif subtype == "AT_ColumnDefault":
                if definition:
                    default = default_text(definition)
                    op = (
                        "alter_column",
                        table,
                        column,
                        None,
                        True,
                        default,
                        None,
                        False,
                    )
                else:
                    op = ("alter_column", table, column, None, False, None, None, True)
                self.ops.append(op)
            elif subtype in ("AT_SetNotNull", "AT_DropNotNull"):
                nullable = subtype == "AT_DropNotNull"
                self.ops.append(
                    ("alter_column", table, column, None, False, None, nullable, False)
                )
            elif subtype == "AT_AlterColumnType":
                raw = type_text(definition.get("ColumnDef", {}).get("typeName"))
                self.ops.append(
                    (
                        "alter_column",
                        table,
                        column,
                        normalise_type(raw),
                        False,
                        None,
                        None,
                        False,
                    )
                )
            elif subtype in ("AT_AttachPartition", "AT_DetachPartition"):
                child = definition.get("PartitionCmd", {}).get("name")
                parent = table if subtype == "AT_AttachPartition" else None
                self.ops.append(("attach", parent, pgtree.relation(child)))
            elif subtype == "AT_AddIdentity":
                self.ops.append(("identity", table, column))
            elif subtype == "AT_AddConstraint" or subtype in _IGNORED:
                continue
            else:
                self.unmodelled()

    def rename(self, body: Node) -> None:
        rename = body.get("renameType")
        rel = body.get("relation")
        old = pgtree.relation(rel)
        new = str(body.get("newname") or "")
        if rename == "OBJECT_TABLE":
            schema = (rel or {}).get("schemaname")
            self.ops.append(("rename_table", old, qualified(schema, new), new))
        elif rename == "OBJECT_COLUMN" and body.get("relationType") == "OBJECT_TABLE":
            self.ops.append(("require", old))
            self.ops.append(("rename_column", old, str(body.get("subname") or ""), new))
        elif rename == "OBJECT_TABCONSTRAINT":
            self.ops.append(
                ("rename_constraint", old, str(body.get("subname") or ""), new)
            )
        elif rename == "OBJECT_INDEX":
            self.ops.append(("rename_index", str((rel or {}).get("relname")), new))

    def drop(self, body: Node) -> None:
        remove = body.get("removeType")
        for obj in body.get("objects") or []:
            if remove == "OBJECT_TABLE":
                self.ops.append(("drop_table", _qualified(obj)))
            elif remove == "OBJECT_INDEX":
                self.ops.append(("drop_index", _last(obj)))
            elif remove == "OBJECT_SCHEMA":
                self.ops.append(("drop_schema", pgtree.strings([obj])[0]))

    def unmodelled(self) -> None:
        op = (
            "unmodelled",
            (self.statement_.line, self.statement_.column),
            short(self.statement_.text),
        )
        if op not in self.ops:
            self.ops.append(op)


# -- what the safety rules judge (MG010-MG013) -------------------------------------


def _safety(kind: str, body: Node) -> Fact | None:
    if kind == "DropStmt":
        remove = body.get("removeType")
        if remove == "OBJECT_SCHEMA":
            return ("drop_schema",)
        if remove == "OBJECT_TABLE":
            return ("drop_tables", [_qualified(o) for o in body.get("objects") or []])
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


# -- types and expressions -----------------------------------------------------


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
