"""Each subcommand's argparse parser but `check`'s (which `cli.py` keeps
with the hooks' options): one `add_<command>` per module of this package,
called in `dbdesign --help`'s order by `add_commands`. Kept apart from the
commands themselves, which import what they run: building the umbrella
parser (for `dbdesign check` too) imports nothing but argparse."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Every subcommand's parser after `check`, in the order of the help."""
    add_init(sub)
    add_migrations(sub)
    add_erd(sub)
    add_baseline(sub)
    add_status(sub)
    add_replay(sub)
    add_claude_hook(sub)
    add_rules(sub)


def add_init(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`dbdesign init`: what to scaffold and which integrations to add."""
    init = sub.add_parser(
        "init", help="scaffold the framework files and any missing artifacts"
    )
    init.add_argument("root", nargs="?", metavar="ROOT")
    init.add_argument(
        "--templates", metavar="DIR", help="a folder of the team's templates"
    )
    init.add_argument(
        "--dry-run",
        action="store_true",
        help="say what would be created; write nothing",
    )
    init.add_argument(
        "--pre-commit",
        action="store_true",
        help="also write .pre-commit-config.yaml (or print what to add to it)",
    )
    init.add_argument(
        "--github",
        action="store_true",
        help="also write the GitHub workflow .github/workflows/dbdesign.yml",
    )
    init.add_argument(
        "--claude",
        action="store_true",
        help="also write the Claude Code command /database and register "
        "`dbdesign claude-hook` in .claude/settings.json",
    )


def add_migrations(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`dbdesign migrations hash`."""
    migrations = sub.add_parser(
        "migrations", help="migration tools (`migrations hash`)"
    )
    migrations_sub = migrations.add_subparsers(dest="action", metavar="ACTION")
    migrations_sub.required = True
    hash_cmd = migrations_sub.add_parser(
        "hash", help="write the migration integrity file (dbdesign.sum)"
    )
    hash_cmd.add_argument("root", nargs="?", metavar="ROOT")
    hash_cmd.add_argument("--config", metavar="FILE")


def add_erd(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`dbdesign erd`: print the erDiagram, or --write it."""
    erd = sub.add_parser(
        "erd",
        help="print the erDiagram generated from the "
        "schema, or --write it into the ERD",
    )
    erd.add_argument("root", nargs="?", metavar="ROOT")
    erd.add_argument("--config", metavar="FILE")
    erd.add_argument(
        "--write",
        action="store_true",
        help="update the block between the dbdesign:erd "
        "markers (appended when there are none)",
    )


def add_baseline(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`dbdesign baseline`."""
    baseline = sub.add_parser(
        "baseline",
        help="write the findings baseline: today's findings, accepted, so "
        "that only new ones are reported",
    )
    baseline.add_argument("root", nargs="?", metavar="ROOT")
    baseline.add_argument("--config", metavar="FILE")


def add_status(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`dbdesign status`."""
    status = sub.add_parser("status", help="checklist progress per phase")
    status.add_argument("root", nargs="?", metavar="ROOT")
    status.add_argument("--config", metavar="FILE")
    status.add_argument("--format", choices=("text", "json"), default="text")


def add_replay(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`dbdesign replay`: the real-database tier's options."""
    from dbdesign.report import FORMATS

    replay = sub.add_parser(
        "replay",
        help="run the migrations and the schema file on a real database",
        description="Run the migrations and the schema file on a real "
        "database: failures (RP001, RP002), exact drift (RP003), downs "
        "(RP004), observed locks (RP005), the server's version (RP006).",
    )
    replay.add_argument("root", nargs="?", metavar="ROOT")
    database_url(replay)
    replay.add_argument(
        "--write-schema",
        action="store_true",
        help="write the schema file from the database the migrations build "
        "(pg_dump --schema-only, or SQLite's schema) instead of comparing",
    )
    replay.add_argument("--config", metavar="FILE")
    replay.add_argument(
        "--all",
        action="store_true",
        help="judge every migration (downs and locks), not only those the change adds",
    )
    replay.add_argument("--base", metavar="REF")
    replay.add_argument("--format", choices=FORMATS, default="text")
    replay.add_argument("--strict", action="store_true", help="warnings fail too")


def add_claude_hook(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`dbdesign claude-hook` (no options: the hook's JSON comes on stdin)."""
    sub.add_parser(
        "claude-hook",
        help="Claude Code's PostToolUse hook: checks an edited design file "
        "(reads the hook's JSON on stdin)",
    )


def add_rules(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`dbdesign rules [CODE]`."""
    rules_cmd = sub.add_parser("rules", help="list the rules, or explain one")
    rules_cmd.add_argument("code", nargs="?", metavar="CODE")
    rules_cmd.add_argument("--format", choices=("text", "json"), default="text")


def database_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="a PostgreSQL server on which a throwaway database is made and "
        "dropped (default: $DBDESIGN_DATABASE_URL, replay.database_url, else "
        "an ephemeral local server)",
    )
