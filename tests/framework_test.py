"""FW001-FW003 beyond the rule cases of tests/cases/framework.yml: links,
folders and pipes where a file should be, the hook, finding the root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import projects
from conftest import Repo
from dbdesign.checks import framework
from dbdesign.cli import checklist_main, framework_main
from dbdesign.project import find_root
from projects import FRAMEWORK, PROMPT, SECRET, TEMPLATE


def test_quiet_through_main(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    projects.write(repo.path)
    assert framework_main(["--root", str(repo.path)]) == 0
    assert capsys.readouterr().out == "All checks passed (3 files checked).\n"


def test_folder_is_a_file(tmp_path: Path) -> None:
    (tmp_path / ".claude").mkdir()
    (tmp_path / FRAMEWORK).write_text("not a folder\n")
    [item] = projects.run(framework.check, tmp_path)
    assert (item.code, item.path) == ("FW001", FRAMEWORK)
    assert "is not a folder" in item.message


def test_folder_is_a_link_out_of_the_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    projects.write(outside)
    root = tmp_path / "root"
    (root / ".claude").mkdir(parents=True)
    (root / FRAMEWORK).symlink_to(outside / FRAMEWORK)
    [item] = projects.run(framework.check, root)
    assert (item.code, item.path) == ("FW001", FRAMEWORK)
    assert "leaves the project root" in item.message


def test_file_is_a_link_out_of_the_root_never_read(
    tmp_path: Path, repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "passwd"
    secret.write_text(SECRET + "\n")
    projects.write(repo.path, {PROMPT: None})
    (repo.path / PROMPT).symlink_to(secret)
    [item] = projects.run(framework.check, repo.path)
    assert (item.code, item.path) == ("FW003", PROMPT)
    assert "leaves the project root" in item.message
    for fmt in ("text", "json", "github", "sarif"):
        assert framework_main(["--root", str(repo.path), "--format", fmt]) == 1
        out, err = capsys.readouterr()
        assert SECRET not in out + err
        assert "TOP-SECRET" not in out + err


def test_link_inside_the_root_is_fine(tmp_path: Path) -> None:
    projects.write(tmp_path, {"docs/prompt.md": "# Prompt\n\nText.\n", PROMPT: None})
    (tmp_path / PROMPT).symlink_to(Path("../../docs/prompt.md"))
    assert projects.run(framework.check, tmp_path) == []


def test_link_loop(tmp_path: Path) -> None:
    projects.write(tmp_path, {PROMPT: None})
    (tmp_path / FRAMEWORK / "a").symlink_to("b")
    (tmp_path / FRAMEWORK / "b").symlink_to("a")
    (tmp_path / PROMPT).symlink_to("a")
    [item] = projects.run(framework.check, tmp_path)
    assert (item.code, item.path) == ("FW003", PROMPT)
    assert "loop" in item.message


def test_broken_link(tmp_path: Path) -> None:
    projects.write(tmp_path, {PROMPT: None})
    (tmp_path / PROMPT).symlink_to("nowhere.md")
    [item] = projects.run(framework.check, tmp_path)
    assert item.code == "FW003"


def test_directory_where_a_file_should_be(tmp_path: Path) -> None:
    projects.write(tmp_path, {TEMPLATE: None})
    (tmp_path / TEMPLATE).mkdir()
    [item] = projects.run(framework.check, tmp_path)
    assert (item.code, item.path) == ("FW003", TEMPLATE)
    assert "is a directory" in item.message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_fifo_is_never_opened(tmp_path: Path) -> None:
    projects.write(tmp_path, {PROMPT: None})
    os.mkfifo(tmp_path / PROMPT)  # opening it would block for ever
    [item] = projects.run(framework.check, tmp_path)
    assert (item.code, item.path) == ("FW003", PROMPT)
    assert "not a regular file" in item.message


def test_main_reports_each_problem(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    projects.write(repo.path, {PROMPT: "", TEMPLATE: None})
    assert framework_main(["--root", str(repo.path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{PROMPT}: error: FW003 framework file database-prompt.md is empty; fill it "
        "in or run `dbdesign init` on a fresh folder for a starting point",
        f"{TEMPLATE}: error: FW002 framework file database-template.md is missing; "
        "run `dbdesign init` to create it, or copy your team's template",
        "Found 2 errors (2 files checked).",
    ]


def test_main_from_inside_the_repository(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    projects.write(repo.path, {PROMPT: ""})
    monkeypatch.chdir(repo.path / FRAMEWORK)  # the root is the git top-level
    assert framework_main([]) == 1
    assert f"{PROMPT}: error: FW003" in capsys.readouterr().out


def test_main_outside_git_uses_the_current_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    projects.write(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert framework_main([]) == 0


def test_main_unreadable_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert framework_main(["--root", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"dbdesign: error: {tmp_path / 'nope'}: no such folder")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "folder, shown",
    [
        (".", ""),
        ("./process/", "process/"),
        ("process//db", "process/db/"),
    ],
)
def test_framework_dir_spellings_give_clean_paths(
    repo: Repo,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    folder: str,
    shown: str,
) -> None:
    (repo.path / ".dbdesign.yaml").write_text(f"framework_dir: {folder!r}\n")
    checklist = f"{shown}database-checklist.md"
    projects.write(
        repo.path,
        {
            f"{shown}database-prompt.md": "",
            f"{shown}database-template.md": "# T\n\nx\n",
            checklist: "## Phase 0\n\n- [X] a\n",
        },
    )
    found = projects.run(framework.check, repo.path)
    assert projects.where(found) == [("FW003", f"{shown}database-prompt.md", None)]
    # pre-commit passes the name as git spells it: the hook must see it.
    monkeypatch.chdir(repo.path)
    assert checklist_main([checklist, "--select", "CL001"]) == 1
    assert capsys.readouterr().out.startswith(f"{checklist}:3:3: error: CL001 ")


def test_find_root(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sub = repo.path / "a" / "b"
    sub.mkdir(parents=True)
    assert find_root(repo.path) == repo.path  # without starting git
    assert find_root(sub).resolve() == repo.path.resolve()
    outside = tmp_path / "plain"
    outside.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert find_root(outside) == outside
    # With GIT_DIR set, git decides (the .git entry may not be this one).
    monkeypatch.setenv("GIT_DIR", str(repo.path / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(repo.path))
    assert find_root(outside).resolve() == repo.path.resolve()
