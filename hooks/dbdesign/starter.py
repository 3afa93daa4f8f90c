"""What `dbdesign init` writes that depends on the project's config: the
schema example in the configured dialect, and the migrations folder's
README for the configured naming scheme. One table per kind, so that a new
scheme or dialect is one entry."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Scheme:
    """How a naming scheme is explained to people: its convention (`Flyway's
    naming`), a bullet per kind of file with examples, and what a down
    migration is called (None: the scheme has none)."""

    convention: str
    files: tuple[str, ...]
    down: str | None


# A README and the Claude command explain each scheme with this table: add
# a scheme here when naming.py learns one (a test checks that every scheme
# the config accepts has an entry).
SCHEMES: dict[str, Scheme] = {
    "flyway": Scheme(
        "Flyway's naming",
        (
            "`V<version>__<description>.sql`: a forward migration, e.g. "
            "`V1__create_customers.sql`, `V2__add_orders.sql`",
            "`U<version>__<description>.sql`: the undo of the forward "
            "migration with the same version, e.g. `U2__add_orders.sql`",
            "`R__<description>.sql`: a repeatable migration (views, "
            "functions), run again whenever it changes",
        ),
        "undo migration `U<version>__<description>.sql`",
    ),
    "golang-migrate": Scheme(
        "golang-migrate's naming",
        (
            "`<version>_<description>.up.sql`: a forward migration, e.g. "
            "`000001_create_customers.up.sql`",
            "`<version>_<description>.down.sql`: its down migration, e.g. "
            "`000001_create_customers.down.sql`",
            "`migrate create -ext sql -dir <this folder> -seq -digits 6 "
            "create_customers` writes both",
        ),
        "down migration `<version>_<description>.down.sql`",
    ),
    "diesel": Scheme(
        "Diesel's layout",
        (
            "`<YYYY-MM-DD-HHMMSS>_<description>/up.sql`: a forward migration, "
            "e.g. `2026-01-15-093000_create_customers/up.sql`",
            "`down.sql` beside it: its down migration",
            "`diesel migration generate create_customers` writes both",
        ),
        "`down.sql`",
    ),
    "dbmate": Scheme(
        "dbmate's naming",
        (
            "`<version>_<description>.sql`: one file per migration, e.g. "
            "`20260115093000_create_customers.sql` (`dbmate new "
            "create_customers` writes one)",
            "each file has a `-- migrate:up` section and a `-- migrate:down` "
            "section, its down migration",
        ),
        "`-- migrate:down` section",
    ),
    "goose": Scheme(
        "goose's naming",
        (
            "`<version>_<description>.sql`: one file per migration, e.g. "
            "`20260115093000_create_customers.sql` (`goose create "
            "create_customers sql` writes one)",
            "each file has a `-- +goose Up` section and a `-- +goose Down` "
            "section; `-- +goose NO TRANSACTION` for `CREATE INDEX "
            "CONCURRENTLY`",
        ),
        "`-- +goose Down` section",
    ),
    "prisma": Scheme(
        "Prisma Migrate's layout",
        (
            "`<timestamp>_<description>/migration.sql`: one folder per "
            "migration, e.g. `20260115093000_create_customers/migration.sql`, "
            "written by `prisma migrate dev`",
            "`migration_lock.toml` names the provider; it is not a migration",
        ),
        None,
    ),
    "liquibase": Scheme(
        "Liquibase formatted SQL",
        (
            "files that start with `--liquibase formatted sql`, e.g. "
            "`001_create_customers.sql`",
            "each `--changeset <author>:<id>` is a migration, and its "
            "`--rollback` lines its undo",
        ),
        "`--rollback` lines",
    ),
    "sqitch": Scheme(
        "Sqitch's plan",
        (
            "`sqitch.plan` lists the changes in the order they deploy",
            "each change has `deploy/<change>.sql`, `revert/<change>.sql` and "
            "`verify/<change>.sql` (`sqitch add create_customers` writes them)",
        ),
        "`revert/<change>.sql`",
    ),
    "sequential": Scheme(
        "plain sequential numbering",
        (
            "`<number>_<description>.sql`: a forward migration, e.g. "
            "`0001_create_customers.sql`, `0002_add_orders.sql`",
            "numbers have no gaps (MG005)",
        ),
        None,
    ),
    "timestamp": Scheme(
        "timestamp numbering",
        (
            "`<timestamp>_<description>.sql`: a forward migration named by "
            "its UTC creation time (10 digits or more), e.g. "
            "`20260115093000_create_customers.sql`",
        ),
        None,
    ),
}
# `auto` detects the scheme from the files; a new folder starts as Flyway.
DEFAULT_SCHEME = "flyway"


def scheme_of(naming: str) -> tuple[str, Scheme | None]:
    """The scheme name and its entry for the config's `migration_naming`
    (None for a `regex:` naming)."""
    if naming == "auto":
        naming = DEFAULT_SCHEME
    return naming, SCHEMES.get(naming)


def migrations_readme(naming: str, folder: str, schema: str) -> str:
    """The README of a new migrations FOLDER whose config says NAMING;
    SCHEMA is the schema file's root-relative path."""
    name, scheme = scheme_of(naming)
    to_schema = posixpath.relpath(schema, folder)
    if scheme is None:
        naming_text = (
            "This folder's file names follow the pattern in dbdesign's config "
            f"(`migration_naming: {naming}`): its `version` group orders the "
            "migrations, numerically segment by segment.\n"
        )
        down = None
    else:
        how = (
            "dbdesign detects the scheme from the files; set `migration_naming` "
            "in its config to pin it"
            if naming == "auto"
            else f"`migration_naming: {name}` in dbdesign's config"
        )
        bullets = "".join(f"- {line}\n" for line in scheme.files)
        naming_text = (
            f"This folder follows {scheme.convention} ({how}):\n\n"
            f"{bullets}\n"
            "Versions compare as numbers, segment by segment (`1.10` is after "
            "`1.9`).\n"
        )
        down = scheme.down
    undo = (
        f"- Every forward migration has its {down} (MG006).\n"
        if down is not None
        else ""
    )
    return (
        "# Migration scripts\n\n"
        "Versioned migrations that take a database from empty to the schema in\n"
        f"`{to_schema}`, one reviewed step at a time.\n\n"
        "## Naming\n\n"
        f"{naming_text}\n"
        "## Rules\n\n"
        "- A migration that has run anywhere is never edited, renamed or deleted:\n"
        "  fix forward with a new migration (`dbdesign` reports MG004 otherwise).\n"
        "- A new migration's version is above every existing one (MG003).\n"
        f"{undo}"
        "- Safe on a live database: no `ADD COLUMN ... NOT NULL` without a\n"
        "  `DEFAULT` on an existing table (MG011); indexes on existing tables\n"
        "  built without blocking writes (MG012); renames and type changes in\n"
        "  steps (MG013).\n"
        "- Each migration starts with a comment saying what it does and why.\n"
        f"- Update `{to_schema}`, the ERD and the changelog (naming the\n"
        "  migration file) in the same change.\n"
    )


# The schema skeleton's example in each dialect's idiom; other dialects get
# the portable one.
SCHEMA_TEMPLATES: dict[str, str] = {
    "postgres": "database-schema.sql",
    "sqlite": "schema/sqlite.sql",
    "mysql": "schema/mysql.sql",
    "tsql": "schema/tsql.sql",
}
PORTABLE_SCHEMA = "schema/portable.sql"


def schema_template(dialect: str) -> str:
    """The bundled template (a path under templates/) for DIALECT."""
    return SCHEMA_TEMPLATES.get(dialect, PORTABLE_SCHEMA)


def bundled(name: str) -> bytes:
    """A bundled template's bytes (NAME is a path under templates/)."""
    ref = resources.files("dbdesign").joinpath("templates", *name.split("/"))
    return ref.read_bytes()
