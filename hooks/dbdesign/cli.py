"""The command line: argv in, exit status out. The umbrella `dbdesign`
command and one tiny main() per hook; `check` and the hooks hand a Request
to the pipeline, the other subcommands to their module in `commands/`
(their options: `commands/parsers.py`)."""

from __future__ import annotations

import argparse
import importlib
import os
import stat
import sys
from collections.abc import Callable, Sequence

from dbdesign import __version__
from dbdesign.errors import UsageError
from dbdesign.hooks import CHECKS, HOOKS, Hook
from dbdesign.textio import inert

ISSUES_URL = "https://github.com/dbdesign/dbdesign/issues"


# -- argument parsing ---------------------------------------------------------


def _common(parser: argparse.ArgumentParser, changelog: bool = False) -> None:
    from dbdesign.report import FORMATS

    parser.add_argument(
        "--root",
        metavar="DIR",
        help="project root (default: the git top-level, else the current folder)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="config file (default: .dbdesign.yaml, else "
        "[tool.dbdesign] in pyproject.toml)",
    )
    parser.add_argument(
        "--select", metavar="CODES", help="only these codes or prefixes, e.g. MG,SQ004"
    )
    parser.add_argument(
        "--ignore", metavar="CODES", help="skip these codes or prefixes"
    )
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument(
        "--output", metavar="FILE", help="write the report here instead of stdout"
    )
    parser.add_argument(
        "--base",
        metavar="REF",
        help="compare with the merge base of REF and HEAD "
        "(pull-request mode) instead of the staged "
        "change",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="judge everything, not only what the change adds or modifies "
        "(an audit; default: the config's `scope`)",
    )
    parser.add_argument(
        "--fix", action="store_true", help="apply safe fixes where a check has them"
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the cache (parsed SQL, sqlfluff results)",
    )
    parser.add_argument(
        "--jobs",
        metavar="N",
        type=_jobs,
        help="sqlfluff worker processes (default: one per CPU)",
    )
    parser.add_argument("--strict", action="store_true", help="warnings fail too")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print failing findings only"
    )
    parser.add_argument(
        "--version", action="version", version=f"dbdesign {__version__}"
    )
    if changelog:
        parser.add_argument(
            "--allow-no-changelog",
            action="store_true",
            help="this change needs no changelog entry (CH001 and CH003 are skipped)",
        )


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 1024:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of processes; give a whole number from 1 to 1024"
        )
    return value


class _HookHelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, measuring the terminal without `import shutil`
    (which brings bz2, lzma and zlib): a few ms of every hook's start-up,
    paid even when no help is printed (SPEC 7)."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = _columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _columns() -> int:
    """What shutil.get_terminal_size() would say: $COLUMNS, else the
    terminal's width, else 80."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    stream = sys.__stdout__
    try:
        if stream is not None:
            return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        pass
    return 80


def _hook_parser(hook: Hook) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=hook.id, description=hook.description, formatter_class=_HookHelpFormatter
    )
    _common(parser, changelog="changelog" in hook.checks)
    if "replay" in hook.checks:
        from dbdesign.commands.parsers import database_url

        database_url(parser)
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="restrict file-level checks to these files",
    )
    return parser


def _umbrella_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dbdesign", description="Keep a repository's database design honest."
    )
    parser.add_argument(
        "--version", action="version", version=f"dbdesign {__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    check = sub.add_parser("check", help="run every check on the project")
    _common(check, changelog=True)
    check.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="restrict file-level checks to these files",
    )

    # Here, not at the top: the hooks' console scripts never build this parser.
    from dbdesign.commands import parsers

    parsers.add_commands(sub)
    return parser


def _guarded(body: Callable[[], int]) -> int:
    """Run BODY; turn usage errors into exit 2 with one line, and our own
    bugs into exit 2 with a request to report them, never a traceback."""
    try:
        return body()
    except UsageError as exc:
        print(f"dbdesign: error: {inert(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dbdesign: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if os.environ.get("DBDESIGN_DEBUG"):
            raise
        print(
            f"dbdesign: internal error: {type(exc).__name__}: "
            f"{inert(str(exc))}; this "
            f"is a bug, please report it at {ISSUES_URL} (set "
            "DBDESIGN_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _umbrella_parser()
    args = parser.parse_args(argv)

    def body() -> int:
        if args.command == "check":
            return _run(args, CHECKS)
        name = args.command.replace("-", "_")
        module = importlib.import_module(f"dbdesign.commands.{name}")
        status: int = module.main(args)
        return status

    return _guarded(_in_the_log(body, getattr(args, "format", "text")))


def _run(
    args: argparse.Namespace, checks: Sequence[str], hook: str | None = None
) -> int:
    from dbdesign import pipeline

    request = pipeline.Request(
        root=args.root,
        config=args.config,
        select=args.select,
        ignore=args.ignore,
        paths=tuple(args.paths),
        base=args.base,
        fix=args.fix,
        no_cache=args.no_cache,
        allow_no_changelog=getattr(args, "allow_no_changelog", False),
        all=args.all,
        hook=hook,
        jobs=args.jobs,
        format=args.format,
        output=args.output,
        strict=args.strict,
        quiet=args.quiet,
        replay=getattr(args, "replay", None),
        database_url=getattr(args, "database_url", None),
    )
    return pipeline.run(request, checks)


def hook_main(hook_id: str, argv: Sequence[str] | None = None) -> int:
    hook = next(h for h in HOOKS if h.id == hook_id)
    parser = _hook_parser(hook)
    argv, dashed = _dashed_files(parser, sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.paths = [*args.paths, *dashed]
    if "replay" in hook.checks:
        args.replay = "on"  # the replay hook replays whatever replay.mode says
    return _guarded(_in_the_log(lambda: _run(args, hook.checks, hook.id), args.format))


def _in_the_log(body: Callable[[], int], fmt: str) -> Callable[[], int]:
    """BODY, its text output fenced by stop-commands under GitHub Actions
    (whose runner obeys workflow commands in any line of the log) unless
    stdout is a file. `--format github` fences its own prose; json and
    sarif are inert as they are (textio.inert_json)."""
    if os.environ.get("GITHUB_ACTIONS") != "true" or fmt != "text":
        return body
    try:
        if stat.S_ISREG(os.fstat(sys.stdout.fileno()).st_mode):
            return body
    except (OSError, ValueError, AttributeError):
        pass  # a stream without a file (a test's capture): fence it

    def fenced() -> int:
        from dbdesign.report.github import fenced_stdout

        with fenced_stdout():
            return body()

    return fenced


def _dashed_files(
    parser: argparse.ArgumentParser, argv: Sequence[str]
) -> tuple[list[str], list[str]]:
    """pre-commit passes file names after the hook's args and without
    `--`, so `-x/database-checklist.md` would be read as an option (or as
    `-x` with a value). Take out, as paths, the arguments before any `--`
    that start with `-`, name an existing file or folder, and are not
    exactly one of our options."""
    argv = list(argv)
    cut = argv.index("--") if "--" in argv else len(argv)
    options = parser._option_string_actions
    # `--config -team.yaml`: the value of an option stays its value.
    valued = {name for name, action in options.items() if action.nargs != 0}
    dashed = [
        n
        for n, arg in enumerate(argv[:cut])
        if arg.startswith("-")
        and len(arg) > 1
        and arg not in options
        and not (n and argv[n - 1] in valued)
        and os.path.lexists(arg)
    ]
    return (
        [arg for n, arg in enumerate(argv) if n not in dashed],
        [argv[n] for n in dashed],
    )


def framework_main(argv: Sequence[str] | None = None) -> int:
    return hook_main("dbdesign-framework", argv)


def checklist_main(argv: Sequence[str] | None = None) -> int:
    return hook_main("dbdesign-checklist", argv)


def artifacts_main(argv: Sequence[str] | None = None) -> int:
    return hook_main("dbdesign-artifacts", argv)


def migrations_main(argv: Sequence[str] | None = None) -> int:
    return hook_main("dbdesign-migrations", argv)


def schema_main(argv: Sequence[str] | None = None) -> int:
    return hook_main("dbdesign-schema", argv)


def changelog_main(argv: Sequence[str] | None = None) -> int:
    return hook_main("dbdesign-changelog", argv)


def erd_main(argv: Sequence[str] | None = None) -> int:
    return hook_main("dbdesign-erd", argv)


def replay_main(argv: Sequence[str] | None = None) -> int:
    return hook_main("dbdesign-replay", argv)
