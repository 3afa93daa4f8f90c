"""A server named by URL (`--database-url`, $DBDESIGN_DATABASE_URL,
`replay.database_url`), the throwaway databases made on any server (a
random name, always dropped), and the sessions the replay runs in. No
other database on the server is read or written."""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbdesign.replay.server import NoServer, Target, dsn, last_line

if TYPE_CHECKING:
    import psycopg


def parse_url(url: str) -> dict[str, str]:
    """URL (a postgresql:// URI or a key=value string) as connection
    parameters; a UsageError-worthy NoServer when it is not one."""
    from psycopg import conninfo

    try:
        params = conninfo.conninfo_to_dict(url)
    except Exception as exc:  # psycopg.ProgrammingError and friends
        raise NoServer(
            f"the database URL cannot be read ({_without_secrets(str(exc))}); "
            "write it as postgresql://user:password@host:port/database"
        ) from None
    return {k: str(v) for k, v in params.items() if v is not None}


def _without_secrets(text: str) -> str:
    return re.sub(r"(?i)(password\s*=\s*)\S+|(://[^:/@]*:)[^@]*@", r"\1\2***@", text)


@contextlib.contextmanager
def named(url: str, bindir: Path | None) -> Iterator[Target]:
    """The server URL names: checked once (a connection and its version)."""
    import psycopg

    admin = parse_url(url)
    admin.setdefault("dbname", "postgres")
    try:
        with psycopg.connect(dsn(admin), autocommit=True, connect_timeout=10) as conn:
            version = int(conn.info.server_version)
    except psycopg.Error as exc:
        why = last_line(_without_secrets(str(exc)))
        raise NoServer(
            f"cannot connect to the database URL ({why}); check the URL and "
            "that the server is running"
        ) from None
    yield Target(admin, bindir, False, version)


@contextlib.contextmanager
def throwaway(target: Target, purpose: str) -> Iterator[dict[str, str]]:
    """Connection parameters of a new, empty database on TARGET with a
    random name, dropped on the way out whatever happens. Nothing else on
    the server is read or written."""
    import psycopg
    from psycopg import sql

    name = f"dbdesign_{purpose}_{secrets.token_hex(6)}"
    try:
        with psycopg.connect(
            dsn(target.admin), autocommit=True, connect_timeout=10
        ) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
                    sql.Identifier(name)
                )
            )
    except psycopg.Error as exc:
        raise NoServer(
            f"cannot create a throwaway database on the server "
            f"({last_line(_without_secrets(str(exc)))}); its user needs CREATEDB"
        ) from None
    try:
        yield {**target.admin, "dbname": name}
    finally:
        _drop(target, name)


def _drop(target: Target, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        dsn(target.admin), autocommit=True, connect_timeout=10
    ) as conn:
        if target.version >= 130000:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )
            return
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def connect(params: Mapping[str, str]) -> psycopg.Connection[Any]:
    """A session on a throwaway database, in autocommit: the replay opens
    and closes transactions itself, as each migration tool would."""
    import psycopg

    conn = psycopg.connect(dsn(params), autocommit=True, connect_timeout=10)
    # Notices (`there is no transaction in progress` after a file's own
    # COMMIT) are the tools' business, not ours to print.
    conn.add_notice_handler(lambda diag: None)
    return conn
