"""The history table each migration tool keeps, created before the first
migration as the tool would: some migrations read or alter it (harbor's
golang-migrate files add a column to `schema_migrations`). These tables
are never drift (sql/bookkeeping.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

TABLES = {  # the table each tool keeps, as the tool creates it
    "diesel": "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations ("
    "version varchar(50) PRIMARY KEY NOT NULL, "
    "run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    "golang-migrate": "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)",
    "dbmate": "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version varchar(128) PRIMARY KEY)",
    "flyway": "CREATE TABLE IF NOT EXISTS flyway_schema_history ("
    "installed_rank integer NOT NULL PRIMARY KEY, version varchar(50), "
    "description varchar(200) NOT NULL, type varchar(20) NOT NULL, "
    "script varchar(1000) NOT NULL, checksum integer, "
    "installed_by varchar(100) NOT NULL, "
    "installed_on timestamp NOT NULL DEFAULT now(), "
    "execution_time integer NOT NULL, success boolean NOT NULL)",
    "goose": "CREATE TABLE IF NOT EXISTS goose_db_version ("
    "id serial PRIMARY KEY, version_id bigint NOT NULL, "
    "is_applied boolean NOT NULL, tstamp timestamp DEFAULT now())",
}


def create(conn: psycopg.Connection[Any], scheme: str | None) -> None:
    statement = TABLES.get(scheme or "")
    if statement is not None:
        conn.execute(statement)
