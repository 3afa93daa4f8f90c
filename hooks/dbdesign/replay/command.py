"""`dbdesign replay [ROOT] [--database-url URL] [--write-schema]`: the
real-database tier on demand (SPEC 8). It is the pipeline with the replay
check alone, replay switched on whatever `replay.mode` says; without a
server it exits 2 saying how to provide one."""

from __future__ import annotations

import argparse


def add_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="a PostgreSQL server on which a throwaway database is made and "
        "dropped (default: $DBDESIGN_DATABASE_URL, replay.database_url, else "
        "an ephemeral local server)",
    )


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from dbdesign.report import FORMATS

    parser = sub.add_parser(
        "replay",
        help="run the migrations and the schema file on a real database",
        description="Run the migrations and the schema file on a real "
        "database: failures (RP001, RP002), exact drift (RP003), downs "
        "(RP004), observed locks (RP005), the server's version (RP006).",
    )
    parser.add_argument("root", nargs="?", metavar="ROOT")
    add_url(parser)
    parser.add_argument(
        "--write-schema",
        action="store_true",
        help="write the schema file from the database the migrations build "
        "(pg_dump --schema-only, or SQLite's schema) instead of comparing",
    )
    parser.add_argument("--config", metavar="FILE")
    parser.add_argument(
        "--all",
        action="store_true",
        help="judge every migration (downs and locks), not only those the change adds",
    )
    parser.add_argument("--base", metavar="REF")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--strict", action="store_true", help="warnings fail too")


def main(args: argparse.Namespace) -> int:
    from dbdesign import cli

    request = argparse.Namespace(
        root=args.root,
        config=args.config,
        select=None,
        ignore=None,
        paths=None,
        base=args.base,
        fix=False,
        no_cache=False,
        format=args.format,
        output=None,
        quiet=False,
        strict=args.strict,
        replay="on",
        database_url=args.database_url,
        write_schema=args.write_schema,
        all=args.all,
    )
    return cli.run(request, ("replay",))
