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
from dbdesign.report.summary import Section

if TYPE_CHECKING:
    from dbdesign.action import Inputs

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



def _dbdesign(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # -I: the workspace holds the pull request's files; none of them may
    # shadow a module of ours.
    return subprocess.run([sys.executable, "-I", "-m", "dbdesign", *args],
                          cwd=cwd,
                          capture_output=True, text=True, errors="replace",
                          check=False)


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
        data.get(key) for key in ("code", "severity", "check", "path",
                                  "message"))
    line, column = data.get("line"), data.get("column")
    if not (isinstance(code, str) and severity in SEVERITIES
            and isinstance(check, str) and isinstance(path, str)
            and isinstance(message, str)):
        raise ValueError(f"a finding lacks a field: {sorted(data)}")
    for number in (line, column):
        if number is not None and (not isinstance(number, int)
                                   or isinstance(number, bool)):
            raise ValueError("a finding's line or column is not a number")
    assert isinstance(severity, str)
    return Finding(code, severity, check, prefix + path,
                   line if isinstance(line, int) and line >= 1 else None,
                   column if isinstance(column, int) and column >= 1 else None,
                   message, bool(data.get("fixable", False)))


def run_root(root: str, workspace: Path, inputs: Inputs, base: str | None,
             allow_no_changelog: bool, want_extras: bool = True) -> RootResult:
    path = (workspace / root)
    # A root outside the workspace (`../..`, an absolute path, a link out)
    # would put another folder's files in the annotations as if they were
    # the repository's.
    inside_workspace = path.resolve().is_relative_to(workspace.resolve())
    if not path.is_dir() or not inside_workspace:
        message = "not a folder in the workspace; check the `root` input"
        return RootResult(root, "", (), 0, message, (),
                          Section(root, error=message))
    from dbdesign import change

    where = change.location(path)
    if where is None:  # not in git: paths relative to the workspace
        inside = path.resolve().relative_to(workspace.resolve()).as_posix()
        prefix = "" if inside == "." else inside + "/"
    else:
        prefix = where[1]
    sha = change.head(path) or ""

    args = ["check", f"--root={path}", "--format=json"]
    if inputs.config:
        args.append(f"--config={inputs.config}")
    if base:
        args.append(f"--base={base}")
    if inputs.select:
        args.append(f"--select={inputs.select}")
    if allow_no_changelog:
        args.append("--allow-no-changelog")
    out = _dbdesign(args, workspace)
    log = tuple(line for line in out.stderr.splitlines() if line.strip())
    if out.returncode not in (0, 1):
        message = _last_line(out.stderr) or f"exit status {out.returncode}"
        return RootResult(root, sha, (), 0, message, log,
                          Section(root, prefix, error=message))
    try:
        document = json.loads(out.stdout)
        findings = tuple(finding_of(item, prefix)
                         for item in document["findings"])
        files = int(document["summary"]["files"])
        notes = tuple(str(note) for note in document.get("notes", ()))
    except (ValueError, KeyError, TypeError) as exc:
        message = f"unreadable JSON from `dbdesign check`: {exc}"
        return RootResult(root, sha, (), 0, message, log,
                          Section(root, prefix, error=message))

    section = Section(root, prefix, files=files, notes=notes)
    if want_extras:
        section = Section(
            root, prefix, files=files, notes=notes,
            status=_status(path, workspace, inputs.config),
            erd=_erd(path, workspace, inputs.config),
            migrations=_migrations(path, inputs.config, base, prefix),
        )
    return RootResult(root, sha, findings, files, None, log, section)


def _status(path: Path, workspace: Path,
            config: str | None) -> dict[str, object] | str:
    """`dbdesign status --format json` as data, or why there is none."""
    args = ["status", str(path), "--format", "json"]
    if config:
        args.append(f"--config={config}")
    out = _dbdesign(args, workspace)
    if out.returncode != 0:
        return _last_line(out.stderr) or f"exit status {out.returncode}"
    try:
        data = json.loads(out.stdout)
    except ValueError:
        return "`dbdesign status` gave no JSON"
    return data if isinstance(data, dict) else "`dbdesign status` gave no JSON"


def _erd(path: Path, workspace: Path, config: str | None) -> tuple[str, str]:
    """(diagram, "") from `dbdesign erd`, or ("", why there is none)."""
    args = ["erd", str(path)]
    if config:
        args.append(f"--config={config}")
    out = _dbdesign(args, workspace)
    if out.returncode != 0:
        if "invalid choice: 'erd'" in out.stderr:
            return "", "this version of dbdesign has no `erd` command"
        return "", _last_line(out.stderr) or f"exit status {out.returncode}"
    text = out.stdout
    if "```" in text:  # a fenced block: keep its body
        body = text.split("```", 2)[1]
        text = body.split("\n", 1)[1] if "\n" in body else ""
    start = text.find("erDiagram")
    if start < 0:
        return "", "`dbdesign erd` printed no erDiagram"
    return text[start:].rstrip() + "\n", ""


def _migrations(path: Path, config: str | None, base: str | None,
                prefix: str) -> tuple[str, ...] | str:
    """The migration files the change adds (repository-relative), or why
    they are not known."""
    if base is None:
        return "no base commit to compare with (not a pull request)"
    try:
        from dbdesign import change as change_mod
        from dbdesign import config as config_mod
        from dbdesign.checks.migrations import folder_of
        from dbdesign.project import Project

        change = change_mod.load(path, base)
        folder = folder_of(Project(path, config_mod.load(path, config)))
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
