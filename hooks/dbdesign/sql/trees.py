"""Reading sqlglot trees the way the Catalog keys them: names as the
dialect resolves them, types in the dialect's own spelling, the position of
an identifier. Shared by the Catalog builder and the safety rules."""

from __future__ import annotations

from typing import Any

from dbdesign.sql.normalise import normalise_name, qualified

FOLDS_LOWER = {"postgres", "redshift", "materialize", "risingwave", "duckdb"}


def ident(node: Any, dialect: str) -> str:
    """The name NODE (an identifier, column or name) as DIALECT keeps it."""
    from sqlglot import exp

    if isinstance(node, exp.Column):
        node = node.this
    if isinstance(node, exp.Identifier):
        return normalise_name(node.this, bool(node.args.get("quoted")), dialect)
    if isinstance(node, exp.Expression):
        return normalise_name(node.name, False, dialect)
    return str(node).lower()


def table_name(node: Any, dialect: str) -> str:
    """The qualified name of the table NODE (a Table, or a Schema around
    one) names."""
    from sqlglot import exp

    if isinstance(node, exp.Schema):
        node = node.this
    if not isinstance(node, exp.Table):
        return ident(node, dialect)
    db = node.args.get("db")
    return qualified(
        ident(db, dialect) if db is not None else None, ident(node.this, dialect)
    )


def type_sql(kind: Any, dialect: str) -> str:
    """A column type's SQL in the dialect's own spelling where sqlglot
    keeps it (postgres: bytea, mysql: int(11)), else in sqlglot's neutral
    one (its sqlite output folds varchar into text)."""
    own = dialect in FOLDS_LOWER or dialect in ("mysql", "singlestore")
    return str(kind.sql(dialect=dialect) if own else kind.sql())


def column_rename(tree: Any, action: Any) -> tuple[Any, Any] | None:
    """For `ALTER TABLE t RENAME a TO b`, which sqlglot reads as a table
    rename to `a` with a stray `TO b`: the (old, new) column names."""
    from sqlglot import exp

    for option in tree.args.get("options") or []:
        if isinstance(option, exp.ToTableProperty):
            old = (
                action.this.this if isinstance(action.this, exp.Table) else action.this
            )
            new = (
                option.this.this if isinstance(option.this, exp.Table) else option.this
            )
            return old, new
    return None


def position(node: Any) -> tuple[int, int] | None:
    """Where the identifier NODE names starts in its statement (line, column),
    when sqlglot kept it."""
    from sqlglot import exp

    if isinstance(node, (exp.Table, exp.Column)):
        node = node.this
    if isinstance(node, exp.Identifier):
        meta = node.meta
        line, col = meta.get("line"), meta.get("col")
        if isinstance(line, int) and isinstance(col, int):
            start = col - len(str(node.this)) + 1
            if node.args.get("quoted"):
                start -= 2
            return line, max(start, 1)
    return None
