"""sqlfluff on the schema file and the migrations: findings keep sqlfluff's
codes; results are cached by content, config and tool versions; files run
in parallel worker processes, each bounded in time; the repository's
sqlfluff config is honoured but never allowed to run its code (unless
`sqlfluff_trust_config: true`). sqlfluff itself is imported only in the
workers (`fluff_worker.py`), so this module is cheap to import."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from dbdesign import __version__, textio
from dbdesign.findings import Finding, finding
from dbdesign.project import Project
from dbdesign.sql import fluff_cache, fluff_config, fluff_pool, fluff_results
from dbdesign.sql.fluff_cache import cache_dir
from dbdesign.sql.fluff_pool import Failure

__all__ = ["cache_dir", "fix", "fluff_dialect", "lint", "timeout", "within"]

# Per file; `DBDESIGN_SQLFLUFF_TIMEOUT` (seconds) overrides it.
DEFAULT_TIMEOUT = 60.0
# sqlfluff lints some 30 KB a second: a file this large could not finish
# within the time bound, so it is reported at once instead of every run
# waiting for the bound.
MAX_BYTES = 2 << 20
# Below this much SQL a second worker costs more to start than it saves.
BYTES_PER_WORKER = 64_000

# sqlglot's dialect names that sqlfluff spells differently or lacks.
DIALECTS = {
    "spark": "sparksql",
    "spark2": "sparksql",
    "presto": "trino",
    "dune": "trino",
    "fabric": "tsql",
    "risingwave": "postgres",
    "singlestore": "mysql",
}
FLUFF_DIALECTS = frozenset(
    {
        "ansi",
        "athena",
        "bigquery",
        "clickhouse",
        "databricks",
        "db2",
        "doris",
        "duckdb",
        "exasol",
        "flink",
        "greenplum",
        "hive",
        "impala",
        "mariadb",
        "materialize",
        "mysql",
        "oracle",
        "postgres",
        "redshift",
        "snowflake",
        "soql",
        "sparksql",
        "sqlite",
        "starrocks",
        "teradata",
        "trino",
        "tsql",
        "vertica",
    }
)
_RUNS_CODE = re.compile(
    r"library_path|load_macros_from_path|loader_search_path"
    r"|templater\s*[=:]\s*[\"']?(?!(?:raw|jinja|placeholder)\b)\w"
)


def fluff_dialect(dialect: str) -> str:
    """sqlfluff's name for a sqlglot dialect (ansi where it has none)."""
    name = DIALECTS.get(dialect, dialect)
    return name if name in FLUFF_DIALECTS else "ansi"


def timeout() -> float:
    raw = os.environ.get("DBDESIGN_SQLFLUFF_TIMEOUT", "")
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if 0 < value < 1e6 else DEFAULT_TIMEOUT


@dataclass(frozen=True)
class _Plan:
    path: str
    task: dict[str, Any]
    key: str | None  # None: not cacheable (trusted config that runs code)


def lint(project: Project, paths: Sequence[str]) -> Iterator[Finding]:
    """sqlfluff's findings on PATHS (root-relative), plus SQ009 for each
    file or part of one that a bound stopped sqlfluff from checking.
    Unreadable files are left to the caller, which reports them."""
    config = project.config
    if not config.sqlfluff:
        return
    plans: list[_Plan] = []
    early: dict[str, list[Finding]] = {}
    configs = fluff_config.Finder(project)
    # The project's identity keys its cache entries (fluff_cache).
    versions = f"{_versions()}\0{project.root.resolve()}"
    left_alone: list[str] = []
    for path in dict.fromkeys(paths):
        got = project.read(path)
        if not isinstance(got, textio.Text):
            continue
        source = configs.ignored_by(path)
        if source is not None:
            left_alone.append(f"{path} ({source})")
            continue
        size = len(got.text.encode("utf-8", "surrogatepass"))
        if size > MAX_BYTES:
            early[path] = [
                finding(
                    "SQ009",
                    path,
                    (
                        f"sqlfluff's rules were not checked: the file is {size:,} "
                        f"bytes, over dbdesign's {MAX_BYTES:,}-byte bound for sqlfluff "
                        "(about a minute of linting); split the file or run "
                        "`sqlfluff lint` on it directly"
                    ),
                    1,
                )
            ]
            continue
        plans.append(_plan(project, path, got.text, configs, versions))
    if plans and fluff_dialect(config.dialect) == "ansi":
        project.note(
            f"sqlfluff has no {config.dialect} dialect; it lints "
            "as ansi unless .sqlfluff sets `dialect`"
        )
    if left_alone:
        project.note(
            "sqlfluff: not linted, as the repository's sqlfluff "
            f"ignore patterns ask: {', '.join(left_alone)}"
        )
    use_cache = not project.options.no_cache
    results: dict[str, dict[str, Any] | Failure] = {}
    todo: list[_Plan] = []
    for plan in plans:
        text = plan.task["text"]
        hit = fluff_cache.load(plan.key, text) if use_cache and plan.key else None
        if hit is not None:
            results[plan.path] = hit
        else:
            todo.append(plan)
    if todo:
        # A trusted config may need its project as the current folder (dbt);
        # otherwise the workers run in an empty one.
        cwd = project.root.absolute() if config.sqlfluff_trust_config else None
        project.meter.phase("sqlfluff", len(todo))
        outcomes = fluff_pool.run(
            [p.task for p in todo],
            timeout(),
            _jobs(project, (p.task["text"] for p in todo)),
            cwd=cwd,
            done=project.meter.step,
        )
        for plan, outcome in zip(todo, outcomes, strict=True):
            results[plan.path] = outcome
            if use_cache and plan.key and isinstance(outcome, dict):
                fluff_cache.store(plan.key, outcome, plan.task["text"])
    dialect = fluff_dialect(config.dialect)
    for path in dict.fromkeys(paths):
        yield from early.get(path, ())
        if path in results:
            yield from fluff_results.findings(project, path, results[path], dialect)


def fix(
    project: Project,
    targets: dict[str, frozenset[int] | None],
    codes: Sequence[str] = (),
) -> list[str]:
    """Apply sqlfluff's fixes (of the rules CODES; all when empty) to
    TARGETS (root-relative path: the lines it may rewrite, None for every
    line), keeping each file's BOM and line endings and leaving every other
    line as it was; the files rewritten."""
    config = project.config
    if not config.sqlfluff or not targets:
        return []
    configs = fluff_config.Finder(project)
    versions = _versions()
    plans: list[tuple[_Plan, textio.Text]] = []
    for path in targets:
        got = project.read(path)
        if not isinstance(got, textio.Text) or configs.ignored_by(path) is not None:
            continue
        if len(got.text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            continue
        plan = _plan(project, path, got.text, configs, versions)
        plan.task["fix"] = True
        plan.task["rules"] = list(codes)
        plans.append((plan, got))
    if not plans:
        return []
    tasks = [plan.task for plan, _ in plans]
    cwd = project.root.absolute() if config.sqlfluff_trust_config else None
    outcomes = fluff_pool.run(
        tasks, timeout(), _jobs(project, (t["text"] for t in tasks)), cwd=cwd
    )
    fixed: list[str] = []
    for (plan, got), outcome in zip(plans, outcomes, strict=True):
        if not isinstance(outcome, dict) or not isinstance(outcome.get("fixed"), str):
            continue
        new = within(
            got.text, _line_endings(got.text, outcome["fixed"]), targets[plan.path]
        )
        if new == got.text:
            continue
        target = project.root / plan.path
        if target.is_symlink():
            target = target.resolve()  # inside the root: read() checked it
        textio.write_atomic(target, textio.encode(new, got.bom))
        fixed.append(plan.path)
    return fixed


def _line_endings(old: str, new: str) -> str:
    """NEW with OLD's line ending (sqlfluff writes `\n` where it fixes)."""
    match = re.search(r"\r\n|\r|\n", old)
    ending = match.group(0) if match else "\n"
    if ending == "\n":
        return new
    return re.sub(r"\r\n|\r|\n", ending, new)


def within(old: str, new: str, lines: frozenset[int] | None) -> str:
    """NEW's changes to OLD, kept only where they touch LINES (1-based
    lines of OLD; None: all of them), so a fix never rewrites a line the
    change did not write."""
    if lines is None:
        return new
    import difflib

    before = old.splitlines(keepends=True)
    after = new.splitlines(keepends=True)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        # Lines i1+1..i2 of OLD; an insertion sits between lines i1 and i1+1.
        touched = range(i1 + 1, i2 + 1) if i2 > i1 else (i1, i1 + 1)
        if tag != "equal" and any(n in lines for n in touched):
            out.extend(after[j1:j2])
        else:
            out.extend(before[i1:i2])
    return "".join(out)


# -- planning ----------------------------------------------------------------


def _versions() -> str:
    from importlib import metadata

    try:
        fluff = metadata.version("sqlfluff")
    except metadata.PackageNotFoundError:
        fluff = "missing"
    # Plugins add rules and dialects: their versions change results too.
    plugins = sorted(
        f"{ep.name}={ep.dist.version if ep.dist else '?'}"
        for ep in metadata.entry_points(group="sqlfluff")
    )
    return f"{__version__}|{fluff}|{','.join(plugins)}|{sys.version_info[:2]}"


def _plan(
    project: Project, path: str, text: str, configs: fluff_config.Finder, versions: str
) -> _Plan:
    config = project.config
    found = configs.configs(path)
    # The repository's own settings, else dbdesign's (never both: a team
    # that configures sqlfluff gets exactly what it configured).
    defaults = {} if found else fluff_config.DEFAULTS
    # Absolute: the workers do not run in the project's folder.
    root = project.root.absolute()
    task = {
        "path": path,
        "fname": str(root / path),
        "text": text,
        "dialect": fluff_dialect(config.dialect),
        "trust": config.sqlfluff_trust_config,
        "config_files": [(str(root / rel), rel) for rel, _ in found],
        "defaults": defaults,
    }
    runs_code = config.sqlfluff_trust_config and (
        any(_RUNS_CODE.search(part) for _, part in found)
        or _RUNS_CODE.search(text) is not None
    )
    if runs_code:
        # Trusted code may read anything: no content hash covers it.
        return _Plan(path, task, None)
    key = fluff_cache.key(
        (
            versions,
            path,
            fluff_dialect(config.dialect),
            str(config.sqlfluff_trust_config),
            json.dumps(found),
            json.dumps(defaults, sort_keys=True),
            text,
        )
    )
    return _Plan(path, task, key)


def _jobs(project: Project, texts: Iterator[str]) -> int:
    """`--jobs`, else the CPU count, but no more workers than the SQL is
    worth (a worker takes about half a second to start)."""
    if project.options.jobs is not None:
        return project.options.jobs
    total = sum(len(text) for text in texts)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, -(-total // BYTES_PER_WORKER)))
