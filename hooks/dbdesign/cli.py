"""Argument parsing: the umbrella `dbdesign` command and one tiny main() per
hook. Every entry point runs the same pipeline (config, project, checks,
suppressions, report, exit status) with its own selection of checks."""

from __future__ import annotations

import argparse
import fnmatch
import importlib
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from dbdesign import __version__, rules
from dbdesign.config import Config, ConfigError
from dbdesign.findings import Finding, apply_suppressions, with_severity

ISSUES_URL = "https://github.com/dbdesign/dbdesign/issues"


@dataclass(frozen=True)
class Hook:
    """A pre-commit hook: its id (= console script = entry), the checks it
    runs, and how pre-commit should call it. `.pre-commit-hooks.yaml` is
    generated from HOOKS."""

    id: str
    name: str
    description: str
    checks: tuple[str, ...]
    pass_filenames: bool = False
    always_run: bool = True
    files: str | None = None
    types: tuple[str, ...] = ()


HOOKS: tuple[Hook, ...] = (
    Hook(
        "dbdesign-framework",
        "dbdesign framework files",
        "The Database Design Framework files are present and readable.",
        ("framework",),
    ),
    Hook(
        "dbdesign-checklist",
        "dbdesign checklist",
        "Checklist markers are well formed and phases are done in order.",
        ("checklist",),
        pass_filenames=True,
        always_run=False,
        files=r"(^|/)database-checklist\.md$",
    ),
    Hook(
        "dbdesign-artifacts",
        "dbdesign design artifacts",
        "The design artifacts exist and are not stubs.",
        ("artifacts",),
    ),
    Hook(
        "dbdesign-migrations",
        "dbdesign migrations",
        "Migration scripts are named, ordered, never rewritten, and match "
        "their integrity file.",
        ("migrations", "safety"),
    ),
    Hook(
        "dbdesign-schema",
        "dbdesign schema",
        "Schema and migration SQL parses, has keys and indexes, follows the "
        "naming convention, and replaying the migrations gives the schema.",
        ("schema",),
    ),
    Hook(
        "dbdesign-erd",
        "dbdesign ERD",
        "The ERD's mermaid erDiagram parses and shows the schema's tables, "
        "foreign keys and columns; --fix regenerates it.",
        ("erd",),
    ),
    Hook(
        "dbdesign-changelog",
        "dbdesign changelog",
        "A change to the schema or migrations is recorded in the changelog.",
        ("changelog",),
    ),
    Hook(
        "dbdesign-replay",
        "dbdesign replay",
        "The migrations and the schema file run on a real database "
        "(PostgreSQL or SQLite): failures, exact drift, reversibility and "
        "observed locks.",
        ("replay",),
    ),
)

# The order in which `dbdesign check` runs the checks.
CHECKS: tuple[str, ...] = (
    "framework",
    "checklist",
    "artifacts",
    "migrations",
    "safety",
    "schema",
    "erd",
    "changelog",
    "replay",
)


class UsageError(Exception):
    """The tool cannot run as asked (exit 2); str() is the one line."""


def check_module(name: str) -> ModuleType:
    return importlib.import_module(f"dbdesign.checks.{name}")


# -- the pipeline -------------------------------------------------------------


def _codes_of(check: str) -> list[str]:
    return [rule.code for rule in rules.RULES if rule.check == check]


def _enabled(code: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    if select and not rules.matches(code, select):
        return False
    return not rules.matches(code, ignore)


def _wanted_checks(
    checks: Sequence[str], select: Sequence[str], ignore: Sequence[str]
) -> list[str]:
    """The checks with at least one enabled rule. The schema check also
    owns sqlfluff's codes, which we cannot list without importing it."""
    wanted = []
    for check in checks:
        codes = _codes_of(check)
        foreign = check == "schema" and _sqlfluff_wanted(select, ignore)
        if foreign or any(_enabled(c, select, ignore) for c in codes):
            wanted.append(check)
    return wanted


def _sqlfluff_wanted(select: Sequence[str], ignore: Sequence[str]) -> bool:
    """Whether any sqlfluff code can survive --select and --ignore (so that
    `--select SQ002` does not pay for a sqlfluff run)."""
    if select and all(s[:2] in rules.FAMILIES for s in select):
        return False
    families = rules.SQLFLUFF_PREFIXES
    return not all(rules.matches(f, ignore) for f in families)


def _per_file_ignored(item: Finding, per_file: Mapping[str, tuple[str, ...]]) -> bool:
    return any(
        fnmatch.fnmatchcase(item.path, glob) and rules.matches(item.code, codes)
        for glob, codes in per_file.items()
    )


def locate(
    root_arg: str | None,
    config_arg: str | None = None,
) -> tuple[Path, Config]:
    """The project root (given, else the git top-level, else the current
    folder) and its config, or a UsageError that says what to mend: the one
    way every command finds its project."""
    from dbdesign import config as config_mod
    from dbdesign.project import find_root

    root = Path(root_arg) if root_arg else find_root(Path.cwd())
    if not root.is_dir():
        what = "not a folder" if root.exists() else "no such folder"
        raise UsageError(f"{root}: {what}; pass the project's root folder")
    if not os.access(root, os.R_OK | os.X_OK):
        raise UsageError(f"{root}: cannot be read; check its permissions")
    try:
        return root, config_mod.load(root, config_arg)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def run(args: argparse.Namespace, checks: Sequence[str]) -> int:
    from dbdesign.project import Options, Project, relative
    from dbdesign.report import FORMATS, render

    root, config = locate(args.root, args.config)
    select = _split_codes(args.select, "--select")
    ignore = _split_codes(args.ignore, "--ignore") + list(config.ignore)
    paths = getattr(args, "paths", None)
    options = Options(
        paths=tuple(relative(root, p) for p in paths) if paths else None,
        base=args.base,
        fix=args.fix,
        no_cache=args.no_cache,
        allow_no_changelog=getattr(args, "allow_no_changelog", False),
        sqlfluff=_sqlfluff_wanted(select, ignore),
        replay=getattr(args, "replay", None),
        database_url=getattr(args, "database_url", None),
        write_schema=getattr(args, "write_schema", False),
        all=getattr(args, "all", False),
    )
    project = Project(root, config, options)
    for path in options.paths or ():
        if path.startswith(("/", "../")) or path == "..":
            project.note(
                f"{path} is outside the project root ({root}) and was not checked"
            )
    ran = _wanted_checks(checks, select, ignore)
    modules = {name: check_module(name) for name in ran}

    fixed: list[str] = []
    if args.fix:
        for module in modules.values():
            fix: Callable[..., list[str]] | None = getattr(module, "fix", None)
            if fix is not None:
                try:
                    rewritten = fix(project)
                except OSError as exc:
                    # A full disk or a read-only folder, not a bug: the
                    # atomic write left the old file whole.
                    raise UsageError(
                        f"--fix: cannot write the fixed file ({exc.strerror});"
                        " it is left as it was"
                    ) from None
                for path in rewritten:
                    fixed.append(path)
                    project.forget(path)

    found: list[Finding] = []
    for module in modules.values():
        found.extend(module.check(project))
    # A check may revise what the others found (replay retires SQ007 and
    # judges the static lock rules by what the server did).
    for module in modules.values():
        revise: Callable[..., list[Finding]] | None = getattr(module, "revise", None)
        if revise is not None:
            found = revise(project, found)
    # Two checks may see the same broken file (framework and checklist both
    # read the checklist): report it once.
    found = list(dict.fromkeys(found))

    def code_ran(code: str) -> bool:
        rule = rules.get(code)
        owner = rule.check if rule else "schema"
        return owner in ran and _enabled(code, select, ignore)

    def keep(item: Finding) -> bool:
        return _enabled(item.code, select, ignore) and not _per_file_ignored(
            item, config.per_file_ignores
        )

    # Filter before suppressing (a suppression of a deselected finding is
    # not "used") and after (DB001 itself can be ignored per file).
    found = [item for item in found if keep(item)]
    found = [
        item
        for item in apply_suppressions(found, project.texts, code_ran)
        if keep(item)
    ]
    found = [
        with_severity(item, config.severity[item.code])
        if item.code in config.severity
        else item
        for item in found
    ]

    assert args.format in FORMATS
    color = (
        args.output is None
        and sys.stdout.isatty()
        and "NO_COLOR" not in os.environ
        and args.format == "text"
    )
    for path in fixed:
        print(
            f"Fixing {_one_line(path)}",
            file=sys.stderr if args.format != "text" else sys.stdout,
        )
    quiet = args.quiet and args.format == "text"
    shown = found if not quiet else [f for f in found if _fails(f, args)]
    notes = [] if quiet else project.notes
    report = render(args.format, shown, project.files_read, color, notes)
    if args.output:
        from dbdesign.textio import write_atomic

        try:
            write_atomic(Path(args.output), report.encode("utf-8"))
        except OSError as exc:
            raise UsageError(
                f"--output {args.output}: cannot write it "
                f"({exc.strerror}); choose another path"
            ) from None
    elif not (quiet and not shown):
        sys.stdout.write(report)
    failed = any(_fails(item, args) for item in found)
    return 1 if failed or fixed else 0


def _fails(item: Finding, args: argparse.Namespace) -> bool:
    return item.severity == "error" or args.strict


def _split_codes(value: str | None, flag: str) -> list[str]:
    if not value:
        return []
    codes = [code.strip().upper() for code in value.split(",") if code.strip()]
    for code in codes:
        if not rules.is_known_pattern(code):
            raise UsageError(
                f"{flag}: unknown rule code or prefix {code!r}; "
                "`dbdesign rules` lists them"
            )
    return codes


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
        "--fix", action="store_true", help="apply safe fixes where a check has them"
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the result cache",
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
        from dbdesign.replay.command import add_url

        add_url(parser)
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

    status = sub.add_parser("status", help="checklist progress per phase")
    status.add_argument("root", nargs="?", metavar="ROOT")
    status.add_argument("--config", metavar="FILE")
    status.add_argument("--format", choices=("text", "json"), default="text")

    from dbdesign.replay.command import add_parser as add_replay

    add_replay(sub)

    rules_cmd = sub.add_parser("rules", help="list the rules, or explain one")
    rules_cmd.add_argument("code", nargs="?", metavar="CODE")
    rules_cmd.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _explain(code: str | None, fmt: str) -> int:
    if code is None:
        if fmt == "json":
            import json
            from dataclasses import asdict

            print(json.dumps([asdict(rule) for rule in rules.RULES], indent=2))
            return 0
        width = max(len(rule.check) for rule in rules.RULES)
        print(f"{'code':<6} {'check':<{width}} {'severity':<8} fix  summary")
        for rule in rules.RULES:
            fix = "yes" if rule.fixable else "-"
            print(
                f"{rule.code:<6} {rule.check:<{width}} {rule.severity:<8} "
                f"{fix:<4} {rule.summary}"
            )
        return 0
    found = rules.get(code.upper())
    if found is None:
        raise UsageError(f"unknown rule {code!r}; `dbdesign rules` lists them")
    rule = found
    if fmt == "json":
        import json
        from dataclasses import asdict

        print(json.dumps(asdict(rule), indent=2))
        return 0
    hook = next((h.id for h in HOOKS if rule.check in h.checks), "dbdesign")
    print(f"{rule.code} ({rule.name})\n")
    print(rule.summary)
    print(
        f"\nCheck: {rule.check} (hook {hook}); default severity: "
        f"{rule.severity}; fixable: {'yes' if rule.fixable else 'no'}."
    )
    print(f"\nWhy it matters:\n  {rule.why}")
    print("\nBad:\n" + _indent(rule.bad))
    print("\nGood:\n" + _indent(rule.good))
    return 0


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def _one_line(text: str) -> str:
    """TEXT (which may quote a file name or a config key from the
    repository) as one line with control characters escaped: stderr lands in
    CI logs too, where a line starting `::` would be a workflow command."""
    from dbdesign.report.text import printable

    return printable(text)


def _guarded(body: Callable[[], int]) -> int:
    """Run BODY; turn usage errors into exit 2 with one line, and our own
    bugs into exit 2 with a request to report them, never a traceback."""
    try:
        return body()
    except UsageError as exc:
        print(f"dbdesign: error: {_one_line(str(exc))}", file=sys.stderr)
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
            f"{_one_line(str(exc))}; this "
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
            return run(args, CHECKS)
        if args.command == "rules":
            return _explain(args.code, args.format)
        if args.command == "init":
            from dbdesign import scaffold

            return scaffold.main(args)
        if args.command == "migrations":
            from dbdesign import sumfile

            return sumfile.main(args)
        if args.command == "erd":
            from dbdesign import erd

            return erd.main(args)
        if args.command == "status":
            from dbdesign import status

            return status.main(args)
        if args.command == "replay":
            from dbdesign.replay import command

            return command.main(args)
        raise UsageError(f"unknown command {args.command!r}")  # pragma: no cover

    return _guarded(body)


def hook_main(hook_id: str, argv: Sequence[str] | None = None) -> int:
    hook = next(h for h in HOOKS if h.id == hook_id)
    parser = _hook_parser(hook)
    argv, dashed = _dashed_files(parser, sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.paths = [*args.paths, *dashed]
    if "replay" in hook.checks:
        args.replay = "on"  # the replay hook replays whatever the config says
    return _guarded(lambda: run(args, hook.checks))


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
