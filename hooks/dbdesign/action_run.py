"""One project root of the GitHub Action's report step: `dbdesign check` once
as JSON, the findings rebuilt with repository-relative paths (what
annotations, links and SARIF need), and, for the job summary, the
checklist's progress, the ERD and the migrations the change adds. A piece
that is missing or fails becomes a note in the summary, never a failure."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dbdesign.findings import Finding
from dbdesign.report.job_context import Section

if TYPE_CHECKING:
    from dbdesign.action_inputs import Inputs
    from dbdesign.project import Project

SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class RootResult:
    root: str
    sha: str
    findings: tuple[Finding, ...]
    files: int
    error: str | None
    log: tuple[str, ...]
    section: Section = field(repr=False)


def _dbdesign(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    # -I: the workspace holds the pull request's files; none of them may
    # shadow a module of ours.
    return subprocess.run(
        [sys.executable, "-I", "-m", "dbdesign", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
    )


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    return lines[-1].removeprefix("dbdesign: error: ").strip()


def finding_of(data: object, prefix: str) -> Finding:
    """A Finding from one item of `dbdesign check --format json`, its path
    made relative to the repository by PREFIX (the root's place in it)."""
    if not isinstance(data, dict):
        raise ValueError("a finding is not an object")
    code, severity, check, path, message = (
        data.get(key) for key in ("code", "severity", "check", "path", "message")
    )
    line, column = data.get("line"), data.get("column")
    if not (
        isinstance(code, str)
        and severity in SEVERITIES
        and isinstance(check, str)
        and isinstance(path, str)
        and isinstance(message, str)
    ):
        raise ValueError(f"a finding lacks a field: {sorted(data)}")
    for number in (line, column):
        if number is not None and (
            not isinstance(number, int) or isinstance(number, bool)
        ):
            raise ValueError("a finding's line or column is not a number")
    assert isinstance(severity, str)
    return Finding(
        code,
        severity,
        check,
        prefix + path,
        line if isinstance(line, int) and line >= 1 else None,
        column if isinstance(column, int) and column >= 1 else None,
        message,
        bool(data.get("fixable", False)),
    )


def replay_env(inputs: Inputs) -> dict[str, str]:
    """The environment of `dbdesign check`: the `replay` input as
    $DBDESIGN_REPLAY, the `database-url` input as $DBDESIGN_DATABASE_URL
    (an environment variable, never an argument: a command line is visible
    to every process on the runner)."""
    import os

    env = dict(os.environ)
    env["DBDESIGN_REPLAY"] = inputs.replay
    if inputs.database_url:
        env["DBDESIGN_DATABASE_URL"] = inputs.database_url
    return env


def run_root(
    root: str,
    workspace: Path,
    inputs: Inputs,
    base: str | None,
    allow_no_changelog: bool,
    want_extras: bool = True,
) -> RootResult:
    path = workspace / root
    # A root outside the workspace (`../..`, an absolute path, a link out)
    # would put another folder's files in the annotations as if they were
    # the repository's.
    inside_workspace = path.resolve().is_relative_to(workspace.resolve())
    if not path.is_dir() or not inside_workspace:
        message = "not a folder in the workspace; check the `root` input"
        return RootResult(root, "", (), 0, message, (), Section(root, error=message))
    from dbdesign import git

    where = git.location(path)
    if where is None:  # not in git: paths relative to the workspace
        inside = path.resolve().relative_to(workspace.resolve()).as_posix()
        prefix = "" if inside == "." else inside + "/"
    else:
        prefix = where[1]
    # In git, `dbdesign check` already names files from the top-level.
    shift = prefix if where is None else ""
    sha = git.head(path) or ""

    args = ["check", f"--root={path}", "--format=json"]
    if inputs.config:
        args.append(f"--config={inputs.config}")
    if base:
        args.append(f"--base={base}")
    if inputs.select:
        args.append(f"--select={inputs.select}")
    if allow_no_changelog:
        args.append("--allow-no-changelog")
    if inputs.scope == "all":
        args.append("--all")
    out = _dbdesign(args, workspace, replay_env(inputs))
    log = tuple(line for line in out.stderr.splitlines() if line.strip())
    if out.returncode not in (0, 1):
        message = _last_line(out.stderr) or f"exit status {out.returncode}"
        return RootResult(
            root, sha, (), 0, message, log, Section(root, prefix, error=message)
        )
    try:
        document = json.loads(out.stdout)
        findings = tuple(finding_of(item, shift) for item in document["findings"])
        files = int(document["summary"]["files"])
        notes = tuple(str(note) for note in document.get("notes", ()))
        hidden = document["summary"].get("out_of_scope", 0)
        out_of_scope = hidden if isinstance(hidden, int) and hidden > 0 else 0
    except (ValueError, KeyError, TypeError) as exc:
        message = f"unreadable JSON from `dbdesign check`: {exc}"
        return RootResult(
            root, sha, (), 0, message, log, Section(root, prefix, error=message)
        )

    section = Section(root, prefix, files=files, notes=notes, out_of_scope=out_of_scope)
    if want_extras:
        section = _with_extras(section, path, workspace, inputs.config, base)
    return RootResult(root, sha, findings, files, None, log, section)


def _with_extras(
    section: Section, path: Path, workspace: Path, config: str | None, base: str | None
) -> Section:
    """SECTION with the checklist's progress, the ERD and the migrations
    the change adds, computed in this process from one Project: a
    `dbdesign status` and a `dbdesign erd` process per root would each start
    an interpreter and load the config again for the same data."""
    from dataclasses import replace

    from dbdesign import config as config_mod
    from dbdesign.project import Project

    # `--config` is resolved as the subprocess resolved it, from the
    # workspace, whatever this process's folder.
    given = (
        None
        if config is None
        else (str(workspace / config) if (workspace / config).exists() else config)
    )
    try:
        project = Project(path, config_mod.load(path, given))
    except Exception as exc:  # the check read it, so this is unexpected
        why = f"the config cannot be read ({type(exc).__name__}: {exc})"
        return replace(section, status=why, erd=("", why), migrations=why)
    return replace(
        section,
        status=_status(project),
        erd=_erd(project),
        migrations=_migrations(project, base, section.prefix),
    )


def _status(project: Project) -> dict[str, object] | str:
    """What `dbdesign status --format json` prints, or why there is none."""
    from dbdesign import progress as status
    from dbdesign.errors import UsageError

    try:
        data = status.load(project.root, project.config)
    except UsageError as exc:
        return str(exc)
    except Exception as exc:  # a bug of ours: a note, not a failed step
        return f"unknown ({type(exc).__name__}: {exc})"
    parsed: dict[str, object] = json.loads(status.render_json(data))
    return parsed


def _erd(project: Project) -> tuple[str, str]:
    """(diagram, "") as `dbdesign erd` prints it, or ("", why there is
    none)."""
    from dbdesign.erd import document as erd

    try:
        return erd.generated(project), ""
    except erd.CannotWrite as exc:
        return "", str(exc)
    except Exception as exc:  # a bug of ours: a note, not a failed step
        return "", f"unknown ({type(exc).__name__}: {exc})"


def _migrations(
    project: Project, base: str | None, prefix: str
) -> tuple[str, ...] | str:
    """The migration files the change adds (repository-relative), or why
    they are not known."""
    if base is None:
        return "no base commit to compare with (not a pull request)"
    try:
        from dbdesign import change as change_mod
        from dbdesign.views import folder_of

        change = change_mod.load(project.root, base)
        folder = folder_of(project)
    except Exception as exc:  # a missing piece or a git failure: a note
        return f"unknown ({type(exc).__name__}: {exc})"
    if change is None:
        return "not a git repository"
    if folder is None:
        return "no migrations folder"
    # Only what the naming scheme calls a migration (not a README, the sum
    # file or a misnamed file, which MG001 reports).
    known = {folder.relpath(m.name) for m in folder.migrations}
    new = set(change.added) | {new for _, new in change.renamed}
    return tuple(sorted(prefix + name for name in new & known))
