"""MG014-MG018 and MG020: what a PostgreSQL statement locks on a table that
already holds rows, read from PostgreSQL's own parse tree. Each message
names the lock, what it blocks, and the safe sequence.

The verdicts depend on the server (`postgres_version`): before 11 every
ADD COLUMN ... DEFAULT rewrites the table; from 12 a valid `CHECK (col IS
NOT NULL)` spares SET NOT NULL its scan. The not-null checks are learnt
from every forward migration, judged or not, in order."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from dbdesign.findings import Finding, finding
from dbdesign.sql import pgtree
from dbdesign.sql.effects import Fact, Step
from dbdesign.sql.split import Statement

ACCESS_EXCLUSIVE = "an ACCESS EXCLUSIVE lock that blocks reads and writes"

# Statements these rules read; the others are never given to the parser.
RELEVANT = re.compile(
    r"(?is)\A(?:alter\s+table|truncate"
    r"|drop\s+(?:table|index|view|materialized\s+view|trigger))\b"
)
LEARNT = re.compile(r"(?is)\Aalter\s+table\b.*\b(?:check|validate|drop)\b")
_LOCK_TIMEOUT = re.compile(
    r"(?is)\A(?:set\s+(?:session\s+|local\s+)?lock_timeout\s*(?:=|\bto\b)\s*(?P<value>.+)"
    r"|select\s+(?:pg_catalog\.)?set_config\s*\(\s*'lock_timeout'\s*,\s*(?P<fn>[^,]+),"
    r"|reset\s+(?P<reset>lock_timeout|all)\b)"
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
_SERIAL = frozenset(
    {"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"}
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


@dataclass
class Checks:
    """Not-null CHECK constraints seen so far: table -> name -> (column,
    validated)."""

    by_table: dict[str, dict[str, tuple[str, bool]]] = field(default_factory=dict)

    def copy(self) -> Checks:
        return Checks({table: dict(known) for table, known in self.by_table.items()})

    def valid_on(self, table: str, column: str) -> bool:
        return any(
            col == column and valid
            for col, valid in self.by_table.get(table, {}).values()
        )


@dataclass(frozen=True)
class Facts:
    """What a rule knows at a statement: where it is, which tables hold
    rows (EXISTING), the replay's Step, the server version."""

    path: str
    statement: Statement
    existing: Callable[[str], bool]
    step: Step
    version: int

    def at(self, code: str, message: str) -> Finding:
        return finding(
            code, self.path, message, self.statement.line, self.statement.column
        )


def lock_timeout_change(statement: Statement) -> bool | None:
    """True when STATEMENT sets a lock_timeout, False when it clears it,
    None when it does neither."""
    m = _LOCK_TIMEOUT.match(statement.text)
    if m is None:
        return None
    if m["reset"]:
        return False
    value = (m["value"] or m["fn"] or "").strip().strip("'\"").lower()
    return value not in ("0", "default", "0ms", "0s")


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


# The shape of `describe`'s facts (`memo.py` checks what it reads back
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


def learn(statement: Statement, facts: Fact | None, checks: Checks) -> None:
    """Record the not-null checks STATEMENT (described by FACTS) adds,
    validates or drops."""
    if facts is None or facts[0] != "alter" or not LEARNT.match(statement.text):
        return
    known = checks.by_table.setdefault(facts[1], {})
    for cmd in facts[3]:
        what = cmd[0]
        if what == "add_constraint":
            _, _, contype, name, not_valid, _, _, _, column = cmd
            if contype == "check" and column and name:
                known[name] = (column, not not_valid)
        elif what == "validate" and cmd[2] in known:
            known[cmd[2]] = (known[cmd[2]][0], True)
        elif what == "drop_constraint":
            known.pop(cmd[2], None)


def judge(facts: Fact, at: Facts, checks: Checks) -> Iterator[Finding]:
    """MG014-MG018 for one statement, described by FACTS."""
    if facts[0] == "alter" and facts[2]:
        table = facts[1]
        if at.existing(table):
            for cmd in facts[3]:
                yield from _alter(at, table, cmd, checks)
    elif facts[0] == "drop" and facts[1] == "index":
        if facts[2]:
            return
        for name in facts[3]:
            if name in at.step.absent:
                continue
            known = (at.step.index_tables or {}).get(name)
            if known is not None and not at.existing(known):
                continue
            on = known or "its table"
            yield at.at(
                "MG018",
                f"DROP INDEX {name} takes {ACCESS_EXCLUSIVE} on {on} until "
                "every query using the table is done; use `DROP INDEX "
                f"CONCURRENTLY {name}` (outside a transaction)",
            )


def access_exclusive(facts: Fact, at: Facts) -> str | None:
    """The existing table the statement FACTS describe takes ACCESS
    EXCLUSIVE on, if any (MG020)."""
    tables: list[str] = []
    if facts[0] == "alter" and facts[2]:
        if any(cmd[1] for cmd in facts[3]):
            tables = [facts[1]]
    elif facts[0] == "drop":
        _, what, concurrent, names = facts
        if what == "table":
            tables = [name for name in names if name not in at.step.absent]
        elif what == "index":
            found = at.step.index_tables or {}
            if not concurrent:
                tables = [t for n in names if (t := found.get(n))]
        else:
            # a view the migrations made earlier (not this migration): its
            # readers queue behind the DROP; a trigger's table
            tables = list(names)
    elif facts[0] == "rename":
        tables = [facts[1]]
    elif facts[0] == "truncate":
        tables = list(facts[1])
    return next((t for t in tables if t and at.existing(t)), None)


# -- ALTER TABLE ------------------------------------------------------------------


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


def _alter(facts: Facts, table: str, cmd: Fact, checks: Checks) -> Iterator[Finding]:
    what = cmd[0]
    if what == "add_column":
        yield from _add_column(facts, table, cmd[2], cmd[3], cmd[4])
    elif what == "add_constraint":
        yield from _add_constraint(facts, table, cmd)
    elif what == "set_not_null":
        column = cmd[2]
        if facts.version >= 12 and checks.valid_on(table, column):
            return
        if facts.version >= 12:
            mend = (
                f"add `CONSTRAINT {_short(table)}_{column}_not_null CHECK "
                f"({column} IS NOT NULL) NOT VALID`, `VALIDATE CONSTRAINT` it "
                "in a later migration, then SET NOT NULL (PostgreSQL "
                "then skips the scan)"
            )
        else:
            mend = (
                f"before PostgreSQL 12 (postgres_version: {facts.version}) "
                "even a valid CHECK does not spare the scan: keep a `CHECK "
                f"({column} IS NOT NULL) NOT VALID` constraint, validated in a "
                "later migration, instead of NOT NULL"
            )
        yield facts.at(
            "MG015",
            f"SET NOT NULL on {table}.{column} scans the whole table under "
            f"{ACCESS_EXCLUSIVE}; {mend}",
        )


def _add_column(
    facts: Facts, table: str, column: str, type_name: str, constraints: list[Fact]
) -> Iterator[Finding]:
    why = None
    shown = ""
    if type_name.lower() in _SERIAL:
        why = f"a {type_name} column draws a sequence value for every row"
        shown = type_name
    for con in constraints:
        what = con[0]
        if what == "identity":
            why, shown = "an identity column draws a value for every row", "identity"
        elif what == "stored":
            why = "a stored generated column is computed for every row"
            shown = "GENERATED ... STORED"
        elif what == "default" and why is None:
            _, volatile, is_null = con
            if is_null:
                continue
            if volatile is not None:
                why = f"{volatile}() is volatile, so it is computed for every row"
                shown = f"DEFAULT {volatile}()"
            elif facts.version < 11:
                why = (
                    f"before PostgreSQL 11 (postgres_version: {facts.version}) "
                    "every DEFAULT is written into every row"
                )
                shown = "DEFAULT"
    if why is not None:
        yield facts.at(
            "MG014",
            f"ADD COLUMN {table}.{column} with {shown} rewrites {table} under "
            f"{ACCESS_EXCLUSIVE} ({why}); add the column without it, backfill "
            "in batches, then set the default with `ALTER COLUMN ... SET "
            "DEFAULT`",
        )
    for con in constraints:
        what = con[0]
        if what == "fk":
            ref = con[1]
            yield facts.at(
                "MG016",
                f"ADD COLUMN {table}.{column} REFERENCES {ref} checks every "
                f"row of {table} under a SHARE ROW EXCLUSIVE lock on {table} "
                f"and {ref}, which blocks writes to both; add the column, then "
                f"`ADD CONSTRAINT {_short(table)}_{column}_fkey FOREIGN KEY "
                f"({column}) REFERENCES {ref} NOT VALID`, and `VALIDATE "
                "CONSTRAINT` it in a later migration",
            )
        elif what in ("unique", "primary"):
            label = "UNIQUE" if what == "unique" else "PRIMARY KEY"
            yield _unique(facts, table, label, (column,))


def _add_constraint(facts: Facts, table: str, cmd: Fact) -> Iterator[Finding]:
    _, _, contype, name, not_valid, ref, using_index, keys, _ = cmd
    validate = (
        f"`ALTER TABLE {table} VALIDATE CONSTRAINT {name}` in a later migration"
        if name
        else "`VALIDATE CONSTRAINT` it in a later migration (name it to do so)"
    )
    if contype == "fk" and not not_valid:
        label = f"FOREIGN KEY {name}" if name else "a FOREIGN KEY"
        others = f"{table} and {ref}" if ref != table else table
        yield facts.at(
            "MG016",
            f"{label} on existing table {table} checks every row under a "
            f"SHARE ROW EXCLUSIVE lock on {others}, which blocks writes; add "
            f"it with `NOT VALID`, then {validate}",
        )
    elif contype == "check" and not not_valid:
        label = f"CHECK {name}" if name else "a CHECK constraint"
        yield facts.at(
            "MG016",
            f"{label} on existing table {table} checks every row under "
            f"{ACCESS_EXCLUSIVE}; add it with `NOT VALID`, then {validate}",
        )
    elif contype in ("unique", "primary") and not using_index:
        label = "UNIQUE" if contype == "unique" else "PRIMARY KEY"
        yield _unique(facts, table, label, tuple(keys), name)


def _unique(
    facts: Facts,
    table: str,
    what: str,
    columns: tuple[str, ...],
    name: str | None = None,
) -> Finding:
    cols = ", ".join(columns)
    suffix = "key" if what == "UNIQUE" else "pkey"
    index = name or f"{_short(table)}_{'_'.join(columns)}_{suffix}"
    return facts.at(
        "MG017",
        f"{what} ({cols}) on existing table {table} builds its index under "
        f"{ACCESS_EXCLUSIVE}; `CREATE UNIQUE INDEX CONCURRENTLY {index} ON "
        f"{table} ({cols})`, then `ALTER TABLE {table} ADD CONSTRAINT {index} "
        f"{what} USING INDEX {index}`",
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
    from dbdesign.sql.catalog import qualified

    names = pgtree.strings(obj.get("List", {}).get("items"))
    names = names[: len(names) - last] if last else names
    if not names:
        return ""
    return qualified(names[-2] if len(names) > 1 else None, names[-1])


def _short(table: str) -> str:
    return table.rsplit(".", 1)[-1]


# -- type changes PostgreSQL makes without a rewrite (MG013) ------------------

_PARAMS = re.compile(r"^(?P<base>[a-z ]+?)(?:\((?P<params>[\d,]+)\))?$")


def no_rewrite(old: str, new: str) -> bool:
    """Whether PostgreSQL changes a column from OLD to NEW (normalised
    types) without rewriting the table or its indexes: a longer or
    unbounded varchar, varchar to text and back, a wider numeric
    precision at the same scale or an unconstrained numeric, a longer bit
    varying, cidr to inet."""
    if (old, new) == ("cidr", "inet"):
        return True
    a, b = _PARAMS.match(old), _PARAMS.match(new)
    if a is None or b is None:
        return False
    text_like = ("character varying", "text")
    if a["base"] in text_like and b["base"] in text_like:
        if b["base"] == "text" or b["params"] is None:
            return True  # to text, or to an unbounded varchar
        return a["base"] != "text" and _wider(a["params"], b["params"])
    if a["base"] == b["base"] and a["base"] in ("numeric", "bit varying"):
        if b["params"] is None:
            return True
        if a["params"] is None:
            return False
        old_p = [int(x) for x in a["params"].split(",")]
        new_p = [int(x) for x in b["params"].split(",")]
        same_scale = (old_p[1:] or [0]) == (new_p[1:] or [0])
        return same_scale and new_p[0] >= old_p[0]
    return False


def _wider(old: str | None, new: str | None) -> bool:
    if old is None:
        return new is None
    return new is None or int(new) >= int(old)
