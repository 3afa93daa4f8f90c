"""The project's SQL, parsed once per run and shared through `project.cache`:
each file's ParsedFile, the schema file's Catalog, and the Catalog that
replaying the migrations (in the order `run_order.py` gives) builds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from dbdesign import textio
from dbdesign.project import Project
from dbdesign.sql.catalog import Catalog
from dbdesign.sql.parse import parse_file
from dbdesign.sql.parsed_file import ParsedFile, Verdict
from dbdesign.sql.run_order import Migration, migrations
from dbdesign.sql.tools import forward_text

if TYPE_CHECKING:
    from dbdesign.sql.effects import Step
    from dbdesign.sql.locks import Checks
    from dbdesign.sql.memo import Memo


def parsed(project: Project, relpath: str) -> ParsedFile | None:
    """RELPATH parsed in the configured dialect; None if unreadable. Down
    sections inside a file (dbmate's `-- migrate:down`, goose's `-- +goose
    Down`) are down migrations: they are blanked, so positions stay exact.
    A file parsed by an earlier run, with the same text, is not parsed
    again (`sql/memo.py`; never with `--no-cache`)."""
    key = f"sql.parsed:{relpath}"
    if key not in project.cache:
        result = project.read(relpath)
        if isinstance(result, textio.Unreadable):
            project.cache[key] = None
        else:
            # Keyed by the text as written: blanking the down sections
            # moves no statement, and a hit need not do it.
            memo = _memo(project)
            found = memo.get(relpath, result.text) if memo is not None else None
            if found is None:
                text = forward_text(result.text)
                found = parse_file(relpath, text, project.config.dialect)
                if memo is not None:
                    memo.put(found, result.text)
            project.cache[key] = found
    value = project.cache[key]
    assert value is None or isinstance(value, ParsedFile)
    return value


def _memo(project: Project) -> Memo | None:
    """The run's cache of parsed files; None with `--no-cache`. Written
    back when the run ends (and after the big batches: the replay, the
    schema)."""
    key = "sql.memo"
    if key not in project.cache:
        memo = None
        if not project.options.no_cache:
            from dbdesign.sql.memo import Memo

            memo = Memo(project.root, project.config.dialect)
            project.on_close(memo.flush)
        project.cache[key] = memo
    return cast("Memo | None", project.cache[key])


def flush(project: Project) -> None:
    """Write what this run parsed to the cache now."""
    memo = project.cache.get("sql.memo")
    if memo is not None:
        memo.flush()


def verdict(project: Project, relpath: str) -> Verdict | None:
    """What the syntax check says of RELPATH (SQ001, SQ009, notes); None if
    unreadable. The schema file's comes from the cache with its Catalog
    when its text was seen before, without its statements."""
    if (
        f"sql.parsed:{relpath}" not in project.cache
        and relpath == project.config.schema_path
        and (kept := _schema_kept(project)) is not None
    ):
        return kept[0]
    item = parsed(project, relpath)
    return None if item is None else item.verdict()


def schema_catalog(project: Project) -> Catalog | None:
    """The schema file's Catalog; None if the file is missing or
    unreadable. Built once per run, and kept in the cache by the schema's
    content (a warm run reads it instead of the schema's statements)."""
    key = "sql.schema_catalog"
    if key not in project.cache:
        kept = _schema_kept(project)
        if kept is not None:
            project.cache[key] = kept[1]
        else:
            project.cache[key] = _build_schema(project)
    value = project.cache[key]
    assert value is None or isinstance(value, Catalog)
    return value


def _build_schema(project: Project) -> Catalog | None:
    from dbdesign.sql import snapshot
    from dbdesign.sql.build import build
    from dbdesign.sql.locks import Checks

    path = project.config.schema_path
    schema = parsed(project, path)
    if schema is None:
        return None
    catalog = build([schema], project.config.dialect)
    memo = _memo(project)
    result = project.read(path)
    if memo is not None and schema.cacheable and isinstance(result, textio.Text):
        state = snapshot.encode(catalog, Checks(), [path])
        if state is not None:
            memo.keep_schema(memo.record_key(result.text), schema.verdict(), state)
    flush(project)
    return catalog


def _schema_kept(project: Project) -> tuple[Verdict, Catalog] | None:
    """The schema file's verdict and Catalog as the cache kept them for its
    text, or None (no cache, a miss, anything but what was written)."""
    key = "sql.schema_kept"
    if key not in project.cache:
        project.cache[key] = None
        memo = _memo(project)
        path = project.config.schema_path
        result = project.read(path)
        if memo is not None and isinstance(result, textio.Text):
            from dbdesign.sql import snapshot
            from dbdesign.sql.memo_records import decode_verdict

            text, dialect = result.text, project.config.dialect
            kept = memo.schema_kept(memo.record_key(text))
            found = (
                None if kept is None else decode_verdict(dialect, text, kept["verdict"])
            )
            if kept is not None and found is not None:
                lines = text.count("\n") + text.count("\r") - text.count("\r\n") + 1
                try:
                    catalog, _ = snapshot.decode(
                        kept["state"], dialect, [path], {path: lines}
                    )
                except snapshot.Invalid:
                    pass
                else:
                    project.cache[key] = (found, catalog)
    value = project.cache[key]
    return cast("tuple[Verdict, Catalog] | None", value)


def design_catalog(project: Project) -> Catalog | None:
    """The schema file's Catalog without the migration tools' bookkeeping
    tables and the `drift_ignore` ones: what the ERD and the key rules
    judge."""
    from dbdesign.sql.bookkeeping import visible

    catalog = schema_catalog(project)
    return None if catalog is None else visible(catalog, project.config.drift_ignore)


def replay_catalog(project: Project) -> Catalog | None:
    """The Catalog that the forward migrations build, applied in version
    order, statement by statement; None when there are no migrations."""
    return replay_of(project).catalog


def replay_steps(project: Project) -> dict[str, dict[int, Step]]:
    """Per forward migration from `replay_of(project).start` on, each parsed
    statement's Step (what the safety rules ask), recorded by the same
    replay as `replay_catalog`."""
    return replay_of(project).steps


@dataclass
class Replay:
    """The one replay of a run. Its first START forward migrations are the
    history the run does not judge (none is judged, none is in the change):
    their state may come from the cache (`sql/snapshot.py`) instead of a
    replay, so they have no Steps; CHECKS are the not-null CHECK
    constraints they add (MG015 learns the rest as it judges)."""

    catalog: Catalog | None
    steps: dict[str, dict[int, Step]]
    start: int
    checks: Checks


def replay_of(project: Project) -> Replay:
    # One replay per run serves SQ007 (the Catalog) and MG010-MG020 (the
    # Steps): the migrations are the slowest SQL to replay.
    key = "sql.replay"
    if key not in project.cache:
        project.cache[key] = _replay(project)
    value = project.cache[key]
    assert isinstance(value, Replay)
    return value


def _replay(project: Project) -> Replay:
    from dbdesign.sql import locks
    from dbdesign.sql.effects import replay

    forward = [m for m in migrations(project) if m.forward]
    start = _history(project, forward)
    memo = _memo(project)
    chains = _chains(project, memo, forward[:start]) if memo and start else []
    restored = _restore(project, memo, forward, chains) if memo and start else None
    catalog, checks, done = restored or (
        Catalog(dialect=project.config.dialect),
        locks.Checks(),
        0,
    )
    steps: dict[str, dict[int, Step]] = {}
    project.meter.phase("reading migrations", len(forward) - done)
    found = done > 0
    keep = memo is not None  # no state from a parse a time bound cut short
    for number in range(done, len(forward)):
        path = forward[number].path
        item = parsed(project, path)
        project.meter.step()
        if item is None:
            continue
        found = True
        if number >= start:
            replay(catalog, item, steps.setdefault(path, {}))
            continue
        replay(catalog, item)
        keep &= item.cacheable
        for index, effects in item.effects.items():
            locks.learn(item.statements[index], effects.locks, checks)
        if number + 1 == start and memo is not None and keep:
            from dbdesign.sql import snapshot

            paths = [m.path for m in forward[:start]]
            state = snapshot.encode(catalog, checks, paths)
            if state is not None:
                memo.keep_replayed(start, chains[start], state)
    flush(project)
    return Replay(catalog if found else None, steps, start, checks.copy())


def _history(project: Project, forward: list[Migration]) -> int:
    """How many forward migrations come before the first one this run
    judges or its change adds (all of them when none is)."""
    from dbdesign import scope

    change = project.change
    new: frozenset[str] = frozenset()
    if change is not None:
        new = frozenset(change.added) | frozenset(n for _, n in change.renamed)
    for number, migration in enumerate(forward):
        if migration.path in new or scope.judges_file(project, migration.path):
            return number
    return len(forward)


def _chains(project: Project, memo: Memo, history: list[Migration]) -> list[str]:
    """The chain key of every prefix of HISTORY (by path and content)."""
    from dbdesign.sql.memo import chain

    out = [chain("", "", "")]
    for migration in history:
        result = project.read(migration.path)
        key = (
            memo.record_key(result.text)
            if isinstance(result, textio.Text)
            else "unreadable"
        )
        out.append(chain(out[-1], migration.path, key))
    return out


def _restore(
    project: Project, memo: Memo, forward: list[Migration], chains: list[str]
) -> tuple[Catalog, Checks, int] | None:
    """The replay state the cache kept, when it is the state after a prefix
    of this run's history."""
    from dbdesign.sql import snapshot

    kept = memo.replayed()
    if kept is None:
        return None
    count = kept["count"]
    if not 0 < count < len(chains) or chains[count] != kept["chain"]:
        return None
    paths = [m.path for m in forward[:count]]
    sizes = {}
    for path in paths:
        result = project.read(path)
        text = result.text if isinstance(result, textio.Text) else ""
        sizes[path] = text.count("\n") + text.count("\r") - text.count("\r\n") + 1
    try:
        catalog, checks = snapshot.decode(
            kept["state"], project.config.dialect, paths, sizes
        )
    except snapshot.Invalid:
        return None
    return catalog, checks, count
