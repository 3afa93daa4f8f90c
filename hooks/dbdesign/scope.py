"""What a run judges (SPEC 3b): the change, not the history.

State rules judge the project as it stands and are always reported in full.
Content rules (what a migration does, how SQL is written) report only on
migrations the change adds (or that are not committed yet) and, in other
files, only on the lines the change added or modified. Without a base (no
git, the first commit), with `--all` or with `scope: all`, everything is
judged. Each answer is computed lazily and once per run, so a hook that
makes no content finding never asks git."""

from __future__ import annotations

from dataclasses import dataclass, field

from dbdesign.project import Project

STATE_FAMILIES = frozenset({"FW", "CL", "AR", "ER", "CH", "DB"})
# RP006 speaks of the server the replay ran on, not of a line of the change.
STATE_CODES = frozenset(
    {
        "SQ007",
        *(f"MG00{n}" for n in range(1, 8)),
        "RP001",
        "RP002",
        "RP003",
        "RP004",
        "RP006",
    }
)
ALL = None  # lines_of's answer when every line of a file is judged

_CACHE_KEY = "scope"


def is_state(code: str) -> bool:
    """Whether CODE judges the project as it stands (always reported)."""
    return code[:2] in STATE_FAMILIES or code in STATE_CODES


@dataclass
class _Scope:
    everything: bool
    migrations_prefix: str | None = None  # "migration-scripts/", None: no folder
    old_migrations: frozenset[str] = frozenset()
    lines: dict[str, frozenset[int] | None] = field(default_factory=dict)


def _scope(project: Project) -> _Scope:
    if _CACHE_KEY not in project.cache:
        project.cache[_CACHE_KEY] = _build(project)
    scope: _Scope = project.cache[_CACHE_KEY]
    return scope


def _build(project: Project) -> _Scope:
    if everything(project):
        return _Scope(everything=True)
    from dbdesign.views import folder_of  # the SQL-free hooks rarely need it

    change = project.change
    assert change is not None  # everything() is true without one
    folder = folder_of(project)
    if folder is None:
        return _Scope(everything=False)
    return _Scope(
        everything=False,
        migrations_prefix=folder.relpath(""),
        old_migrations=frozenset(change.old_paths(folder.path)),
    )


def everything(project: Project) -> bool:
    """Whether this run judges everything: `--all`, `scope: all`, or no
    base to compare with (outside git, or the repository's first commit)."""
    if project.options.all or project.config.scope == "all":
        return True
    change = project.change
    return change is None or change.empty_base


def _is_migration(scope: _Scope, path: str) -> bool:
    prefix = scope.migrations_prefix
    return prefix is not None and path.startswith(prefix)


def lines_of(project: Project, path: str) -> frozenset[int] | None:
    """The lines of PATH that content rules judge: ALL (None), or a set
    (empty for a file the change leaves alone, or an old migration)."""
    scope = _scope(project)
    if scope.everything:
        return ALL
    if _is_migration(scope, path):
        return frozenset() if path in scope.old_migrations else ALL
    if path not in scope.lines:
        change = project.change
        assert change is not None
        scope.lines[path] = change.changed_lines(path)
    return scope.lines[path]


def judges_file(project: Project, path: str) -> bool:
    """Whether content rules look at PATH at all: the work a run does
    follows its scope (no sqlfluff run, no safety verdicts on history)."""
    if not project.wants(path):
        return False
    lines = lines_of(project, path)
    return lines is ALL or bool(lines)


def in_scope(project: Project, code: str, path: str, line: int | None) -> bool:
    """Whether a finding of CODE at PATH:LINE is judged by this run."""
    if is_state(code):
        return True
    lines = lines_of(project, path)
    if lines is ALL:
        return True
    return bool(lines) and (line is None or line in lines)


def judged_at(
    project: Project, code: str, path: str, line: int, file_wide: bool
) -> bool:
    """Whether this run judged CODE where a suppression comment on LINE
    (or a file-wide one) applies: if not, its being unused means nothing."""
    if is_state(code):
        return True
    lines = lines_of(project, path)
    if lines is ALL:
        return True
    return not file_wide and (line in lines or line + 1 in lines)
