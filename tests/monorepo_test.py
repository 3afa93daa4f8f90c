"""SPEC 2: the project is the nearest folder that holds `.dbdesign.yaml`, a
`[tool.dbdesign]` table or `.claude/database/`; one hook entry serves every
project of a monorepo, and findings are named from the repository's
top-level."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

import projects
from conftest import Repo, pre_commit
from dbdesign import cli
from projects import CHECKLIST

BROKEN = projects.GOOD_CHECKLIST.replace("- [x]", "- [X]", 1)


def monorepo(repo: Repo) -> Repo:
    for name in ("services/api", "services/billing"):
        projects.write(repo.path / name, {CHECKLIST: BROKEN})
    repo.write("README.md", "two services\n")
    repo.commit("two projects")
    return repo


def run(*argv: str) -> tuple[int, list[tuple[str, str]], list[str]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["check", "--format", "json", "--select", "CL,FW", *argv])
    document = json.loads(out.getvalue())
    found = sorted((f["code"], f["path"]) for f in document["findings"])
    return code, found, document["notes"]


API = f"services/api/{CHECKLIST}"
BILLING = f"services/billing/{CHECKLIST}"


def test_the_top_level_checks_every_project(repo: Repo, chdir) -> None:
    monorepo(repo)
    chdir(repo.path)
    code, found, _ = run()
    assert code == 1
    assert found == [("CL001", API), ("CL001", BILLING)]


def test_a_subfolder_checks_its_project(repo: Repo, chdir) -> None:
    monorepo(repo)
    chdir(repo.path / "services" / "api" / ".claude")
    _, found, _ = run()
    assert found == [("CL001", API)]  # named from the top-level


def test_a_path_that_is_a_project_checks_that_project(repo: Repo, chdir) -> None:
    monorepo(repo)
    chdir(repo.path)
    _, found, _ = run("services/billing")
    assert found == [("CL001", BILLING)]


def test_files_are_grouped_by_project(repo: Repo, chdir) -> None:
    monorepo(repo)
    chdir(repo.path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.checklist_main(["--format", "json", API, BILLING, "README.md"])
    document = json.loads(out.getvalue())
    assert code == 1
    assert sorted(f["path"] for f in document["findings"]) == [API, BILLING]
    assert any(
        "README.md is in no dbdesign project" in note for note in document["notes"]
    ), document["notes"]


def test_no_file_given_is_dropped_silently(repo: Repo, chdir) -> None:
    monorepo(repo)
    chdir(repo.path)
    _, found, notes = run("README.md")
    assert found == []
    assert any("README.md is in no dbdesign project" in n for n in notes)


def test_root_still_names_one_project(repo: Repo, chdir) -> None:
    monorepo(repo)
    chdir(repo.path)
    _, found, _ = run("--root", "services/api")
    assert found == [("CL001", API)]


def test_a_pyproject_table_marks_a_project(repo: Repo, chdir) -> None:
    projects.write(repo.path / "db", {CHECKLIST: BROKEN})
    repo.write("db/pyproject.toml", "[tool.dbdesign]\nphase_order = 'strict'\n")
    repo.commit()
    chdir(repo.path)
    _, found, _ = run()
    assert ("CL001", f"db/{CHECKLIST}") in found


def test_without_any_project_the_top_level_is_checked(repo: Repo, chdir) -> None:
    repo.write("README.md", "nothing here\n")
    repo.commit()
    chdir(repo.path)
    code, found, _ = run()
    assert code == 1 and ("FW001", ".claude/database") in found


@pytest.mark.e2e
def test_one_hook_entry_serves_both_projects(
    repo: Repo, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    monorepo(repo)
    path, rev = hook_repo
    repo.write(
        ".pre-commit-config.yaml",
        f"repos:\n- repo: {path}\n  rev: {rev}\n  hooks:\n"
        "  - id: dbdesign-checklist\n  - id: dbdesign-framework\n",
    )
    repo.add()
    out = pre_commit(repo.path, pre_commit_home, "run", "--all-files")
    text = out.stdout + out.stderr
    assert out.returncode == 1, text
    assert f"{API}:" in text and f"{BILLING}:" in text, text
    assert "Traceback" not in text
