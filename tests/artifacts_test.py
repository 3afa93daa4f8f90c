"""AR001-AR003 beyond the rule cases of tests/cases/artifacts.yml: messages,
links and folders where a file should be, hostile Markdown, the hook."""

from __future__ import annotations

from pathlib import Path

import pytest

import projects
from conftest import Repo
from dbdesign.checks import artifacts
from dbdesign.cli import artifacts_main
from projects import SECRET

SCHEMA = "database-schema.sql"
ERD = "entity-relationship-diagram.md"
BACKUP = "backup-recovery-plan.md"
SECURITY = "security-configuration.md"
MONITORING = "monitoring-setup.md"


def test_quiet_through_main(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    projects.write(repo.path)
    assert artifacts_main(["--root", str(repo.path)]) == 0
    assert capsys.readouterr().out == "All checks passed (7 files checked).\n"


def test_messages(tmp_path: Path) -> None:
    projects.write(
        tmp_path,
        {
            SCHEMA: None,
            BACKUP: "# B\n\nTBD\n",
            SECURITY: "# S\n\n## Access control\n\nRoles.\n",
        },
    )
    found = {f.code: f for f in projects.run(artifacts.check, tmp_path)}
    assert found["AR001"].message == (
        "required artifact database-schema.sql is missing; create it "
        "(`dbdesign init` writes a skeleton)"
    )
    assert found["AR002"].message == (
        "artifact backup-recovery-plan.md is a stub (only headings, comments "
        "or placeholders); fill it in with real content"
    )
    assert found["AR003"].message == (
        "security-configuration.md has no section on encryption; add a "
        "heading such as `## Encryption` and state it there"
    )
    assert found["AR003"].severity == "warning"


def test_migrations_folder_is_a_file(tmp_path: Path) -> None:
    projects.write(tmp_path, {"migration-scripts/V1__books.sql": None})
    (tmp_path / "migration-scripts").write_text("V1\n")
    [item] = projects.run(artifacts.check, tmp_path)
    assert (item.code, item.path) == ("AR001", "migration-scripts")
    assert "is not a folder" in item.message


def test_migrations_folder_link_out_of_the_root(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    root = projects.write(tmp_path / "root", {"migration-scripts/V1__books.sql": None})
    (root / "migration-scripts").symlink_to(tmp_path / "outside")
    [item] = projects.run(artifacts.check, root)
    assert (item.code, item.path) == ("AR001", "migration-scripts")
    assert "leaves the project root" in item.message


def test_artifact_link_out_of_the_root_never_read(
    tmp_path: Path, repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(f"# Backup\n\n## RPO\n\n{SECRET}\n")
    projects.write(repo.path, {BACKUP: None})
    (repo.path / BACKUP).symlink_to(secret)
    [item] = projects.run(artifacts.check, repo.path)
    assert (item.code, item.path, item.line) == ("AR002", BACKUP, None)
    assert "leaves the project root" in item.message
    for fmt in ("text", "json", "github", "sarif"):
        assert artifacts_main(["--root", str(repo.path), "--format", fmt]) == 1
        out, err = capsys.readouterr()
        assert "TOP-SECRET" not in out + err


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.symlink_to(p.name), "loop"),
        (lambda p: p.symlink_to("missing.md"), "broken"),
    ],
)
def test_not_a_regular_file(tmp_path: Path, make: object, words: str) -> None:
    assert callable(make)
    projects.write(tmp_path, {MONITORING: None})
    make(tmp_path / MONITORING)
    [item] = projects.run(artifacts.check, tmp_path)
    assert (item.code, item.path) == ("AR002", MONITORING)
    assert words in item.message


def test_main_warnings_pass_unless_strict(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    projects.write(repo.path, {BACKUP: "# Backup\n\n## RPO\n\nFive minutes.\n"})
    assert artifacts_main(["--root", str(repo.path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{BACKUP}:1:1: warning: AR003 {BACKUP} has no section on RTO; add a heading "
        "such as `## RTO` and state it there",
        "Found 1 warning (7 files checked).",
    ]
    assert artifacts_main(["--root", str(repo.path), "--strict"]) == 1
    capsys.readouterr()


def test_main_suppressed_in_the_file(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    projects.write(
        repo.path,
        {BACKUP: "<!-- dbdesign: ignore[AR003] -->\n# Backup\n\n## RPO\n\n5 m\n"},
    )
    assert artifacts_main(["--root", str(repo.path), "--strict"]) == 0
    capsys.readouterr()


def test_main_errors(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    projects.write(repo.path, {SCHEMA: None, ERD: "# ERD\n\nTODO\n"})
    assert artifacts_main(["--root", str(repo.path)]) == 1
    out = capsys.readouterr().out
    assert f"{SCHEMA}: error: AR001 " in out
    assert f"{ERD}:1:1: error: AR002 " in out


@pytest.mark.parametrize(
    "source",
    [
        "#" * 100000 + "\n",
        "> " * 5000 + "text\n",
        "<" * 100000 + "\n",
        "[" * 50000 + "](" * 50000 + "\n",
        "# B\n\n## RPO\n\n" + "x" * 2_000_000 + "\n",
    ],
)
def test_hostile_markdown_does_not_crash(tmp_path: Path, source: str) -> None:
    projects.write(tmp_path, {BACKUP: source})
    for item in projects.run(artifacts.check, tmp_path):
        assert item.path == BACKUP


def test_a_name_no_file_can_have(tmp_path: Path) -> None:
    from dbdesign import textio

    result = textio.read(tmp_path, "a\0b.md")
    assert isinstance(result, textio.Unreadable)
    assert "NUL" in result.reason
    assert "NUL" in (textio.check_inside(tmp_path, "a\0b.md") or "")
