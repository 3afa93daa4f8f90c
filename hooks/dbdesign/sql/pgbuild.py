"""Read PostgreSQL's own parse tree of a statement (pglast's JSON, see
`pgtree.py`) as Effects: the same Catalog ops and safety facts that
`build.py` reads from sqlglot's trees, so that on PostgreSQL each statement
is parsed once, by the parser that also judges its syntax (SQ001).

Names come folded as PostgreSQL folds them, which is how the Catalog keys
them. Types are rendered from their names and modifiers and then
normalised; defaults, index expressions and predicates from a small
printer of expression trees (`pgprint.py`). The safety facts and what
a statement alters or drops are read in `pgfacts.py`."""

from __future__ import annotations

import re
from collections.abc import Callable

from dbdesign.sql import lockfacts, pgfacts, pgtree
from dbdesign.sql.effects import Effects, Op, column_ops
from dbdesign.sql.normalise import is_serial, normalise_type, qualified
from dbdesign.sql.pgprint import default_text, sql_of, type_text
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
    (`lockfacts.RELEVANT`). Never raises: a tree the reader cannot follow is
    unmodelled DDL."""
    reader = _Reader(statement, position)
    kind, body = pgtree.kind(node), pgtree.body(node)
    try:
        reader.statement(kind, body)
        safety = pgfacts.safety(kind, body)
    except (RecursionError, Exception):  # a model, not a judge
        reader.ops = [("unmodelled", (statement.line, None), short(statement.text))]
        safety = None
    return Effects(
        tuple(reader.ops),
        kind in ("CreateStmt", "CreateTableAsStmt", "IndexStmt"),
        pgfacts.altered(kind, body),
        pgfacts.dropped(kind, body),
        safety,
        lockfacts.describe(node) if lockable else None,
    )


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
                self.ops.append(("drop_table", pgfacts.qualified_name(obj)))
            elif remove == "OBJECT_INDEX":
                self.ops.append(("drop_index", pgfacts.last_name(obj)))
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
