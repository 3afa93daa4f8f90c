"""AR001-AR003 beyond the rule cases of tests/cases/artifacts.yml: messages,
links and folders where a file should be, hostile Markdown, the hook."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import projects
from conftest import Repo
from dbdesign.checks import artifacts
from dbdesign.cli import artifacts_main
from projects import SECRET

SCHEMA = "database-schema.sql"
ERD = "entity-relationship-diagram.md"
BACKUP = "backup-recovery-plan.md"
SECURITY = "security-configuration.md"
PERFORMANCE = "performance-optimization.md"
MONITORING = "monitoring-setup.md"


def test_quiet_through_main(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    projects.write(repo.path)
    assert artifacts_main(["--root", str(repo.path)]) == 0
    assert capsys.readouterr().out == "All checks passed (7 files checked).\n"


def test_messages(tmp_path: Path) -> None:
    projects.write(
        tmp_path,
        {
            projects.CHECKLIST: projects.STARTED_CHECKLIST,
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
        "Phase 5 (Backup & Recovery Planning) has started but "
        "backup-recovery-plan.md is a stub (only headings, comments "
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


# -- AR002 follows the checklist's phases (SPEC 4) -----------------------------

STUBS = {
    SCHEMA: "-- TODO: the schema\n",
    ERD: "# ERD\n\n```mermaid\nerDiagram\n```\n",
    PERFORMANCE: "# P\n\n## Indexes\n\nTODO\n",
    SECURITY: "# S\n\n## Access control\n\nTBD\n\n## Encryption\n",
    BACKUP: "# B\n\n## RPO\n\n<!-- minutes -->\n\n## RTO\n\nTODO\n",
    MONITORING: "# M\n\n## Alerts\n\n<the alerts>\n",
}


@pytest.mark.parametrize(
    "started, expected",
    [
        ((), []),
        ((0,), []),
        ((1,), [SCHEMA, ERD]),
        ((3,), [PERFORMANCE]),
        ((4,), [SECURITY]),
        ((5,), [BACKUP]),
        ((6,), [MONITORING]),
        ((2, 7), []),
    ],
)
def test_a_stub_is_fine_until_its_phase_starts(
    tmp_path: Path, started: tuple[int, ...], expected: list[str]
) -> None:
    states = {f"p{n}": "- [~] under way\n" for n in started}
    projects.write(
        tmp_path, {projects.CHECKLIST: projects.checklist(**states), **STUBS}
    )
    found = projects.run(artifacts.check, tmp_path)
    assert sorted(f.path for f in found) == sorted(expected)
    assert all(f.code == "AR002" for f in found)
    for item in found:
        assert item.message.startswith("Phase "), item.message


def test_the_scaffold_of_init_is_quiet_until_work_starts(tmp_path: Path) -> None:
    from dbdesign import scaffold
    from dbdesign.config import Config

    source = scaffold.Source(None, scaffold.BUNDLED)
    scaffold.scaffold(tmp_path, Config(), source)
    assert projects.run(artifacts.check, tmp_path) == []
    checklist = tmp_path / projects.CHECKLIST
    text = checklist.read_text()
    checklist.write_text(text.replace("- [ ] Agree the RPO", "- [x] Agree the RPO"))
    [item] = projects.run(artifacts.check, tmp_path)
    assert (item.code, item.path) == ("AR002", BACKUP)
    assert "Phase 5 (Backup & Recovery Planning) has started" in item.message


def test_a_complete_phase_says_so(tmp_path: Path) -> None:
    projects.write(
        tmp_path,
        {
            projects.CHECKLIST: projects.checklist(p0="- [x] a\n", p5="- [x] b\n"),
            BACKUP: STUBS[BACKUP],
        },
    )
    [item] = projects.run(artifacts.check, tmp_path)
    assert item.message == (
        "Phase 5 is complete but backup-recovery-plan.md is a stub (only "
        "headings, comments or placeholders); fill it in with real content"
    )


def test_the_changelog_is_always_due(tmp_path: Path) -> None:
    projects.write(
        tmp_path,
        {projects.CHECKLIST: projects.checklist(), "CHANGELOG.md": "# Changelog\n"},
    )
    [item] = projects.run(artifacts.check, tmp_path)
    assert (item.code, item.path) == ("AR002", "CHANGELOG.md")
    assert item.message.startswith("artifact CHANGELOG.md is a stub")


def test_without_a_checklist_every_stub_is_reported(tmp_path: Path) -> None:
    projects.write(tmp_path, {projects.CHECKLIST: None, BACKUP: STUBS[BACKUP]})
    [item] = projects.run(artifacts.check, tmp_path)
    assert (item.code, item.path) == ("AR002", BACKUP)


@pytest.mark.parametrize(
    "settings, expected",
    [
        ("artifact_phases:\n  backup-recovery-plan.md: 2\n", [SCHEMA, BACKUP]),
        ("artifact_phases:\n  backup-recovery-plan.md: always\n", [SCHEMA, BACKUP]),
        ("artifact_phases:\n  schema: 7\n", []),
        ("artifact_phases:\n  database-schema.sql: 7\n", []),
        ("schema: db/s.sql\n", ["db/s.sql"]),
        ("schema: db/s.sql\nartifact_phases:\n  db/s.sql: 3\n", []),
        (
            "artifacts:\n  runbook.md: [Failover]\nartifact_phases:\n  runbook.md: 6\n",
            [SCHEMA],
        ),
        ("artifacts:\n  runbook.md: [Failover]\n", [SCHEMA, "runbook.md"]),
    ],
)
def test_artifact_phases(tmp_path: Path, settings: str, expected: list[str]) -> None:
    # Phases 0 to 2 under way: the schema is due by default, the backup
    # plan is not.
    states = {f"p{n}": "- [~] under way\n" for n in range(3)}
    projects.write(
        tmp_path,
        {
            projects.CHECKLIST: projects.checklist(**states),
            SCHEMA: STUBS[SCHEMA],
            "db/s.sql": STUBS[SCHEMA],
            BACKUP: STUBS[BACKUP],
            "runbook.md": "# Runbook\n\n## Failover\n\nTODO\n",
        },
    )
    (tmp_path / ".dbdesign.yaml").write_text(settings)
    found = projects.run(artifacts.check, tmp_path)
    assert sorted(f.path for f in found if f.code == "AR002") == sorted(expected)


@pytest.mark.parametrize(
    "settings, message",
    [
        (
            "artifact_phases:\n  backup-plan.md: 5\n",
            ".dbdesign.yaml:2: artifact_phases.backup-plan.md: not an artifact of "
            "this project; expected one of: CHANGELOG.md, backup-recovery-plan.md, "
            "changelog, database-schema.sql, entity-relationship-diagram.md, erd, "
            "migration-scripts, migrations, monitoring-setup.md, "
            "performance-optimization.md, schema, security-configuration.md",
        ),
        (
            "artifact_phases:\n  schema: 8\n",
            ".dbdesign.yaml:2: artifact_phases.schema: expected a phase number "
            "0 to 7, or always",
        ),
        (
            "artifact_phases: [5]\n",
            ".dbdesign.yaml:1: artifact_phases: expected a mapping of artifact: phase",
        ),
    ],
)
def test_artifact_phases_errors(tmp_path: Path, settings: str, message: str) -> None:
    from dbdesign import config

    (tmp_path / ".dbdesign.yaml").write_text(settings)
    with pytest.raises(config.ConfigError) as info:
        config.load(tmp_path)
    assert str(info.value) == message


@pytest.mark.parametrize(
    "body",
    ["x", "-", "TODO", "<!-- later -->", "x\n\n- TBD\n- ...\n", "`x`"],
)
def test_a_lone_placeholder_is_no_content(tmp_path: Path, body: str) -> None:
    projects.write(
        tmp_path,
        {
            projects.CHECKLIST: projects.STARTED_CHECKLIST,
            MONITORING: f"# Monitoring\n\n## Alerts\n\n{body}\n",
        },
    )
    [item] = projects.run(artifacts.check, tmp_path)
    assert (item.code, item.path) == ("AR002", MONITORING)


def test_a_required_section_needs_content(tmp_path: Path) -> None:
    projects.write(
        tmp_path,
        {BACKUP: "# Backup\n\n## RPO\n\nFive minutes.\n\n### RTO\n\nx\n"},
    )
    [item] = projects.run(artifacts.check, tmp_path)
    assert (item.code, item.line) == ("AR003", 7)
    assert item.message == (
        "backup-recovery-plan.md's section `RTO` has no content yet (only "
        "placeholders); state the RTO there"
    )


def test_a_section_counts_its_subsections(tmp_path: Path) -> None:
    projects.write(
        tmp_path,
        {
            BACKUP: "# Backup\n\n## RPO and RTO\n\n### Targets\n\n"
            "Five minutes, one hour.\n"
        },
    )
    assert projects.run(artifacts.check, tmp_path) == []


def test_an_empty_migrations_folder_is_a_stub_from_phase_1(tmp_path: Path) -> None:
    projects.write(tmp_path, {"migration-scripts/V1__books.sql": None})
    (tmp_path / "migration-scripts").mkdir()
    (tmp_path / "migration-scripts" / "README.md").write_text("# Migrations\n")
    [item] = projects.run(artifacts.check, tmp_path)
    assert (item.code, item.path) == ("AR002", "migration-scripts")
    assert item.message == (
        "Phase 1 (Database Design & Modeling) has started but the migrations "
        "folder migration-scripts holds no migration; add the first one"
    )
    (tmp_path / projects.CHECKLIST).write_text(projects.checklist())
    assert projects.run(artifacts.check, tmp_path) == []


def _has_content_by_definition(text: str) -> bool:
    """The rule as the README states it: placeholders out, then at least two
    letters or digits left."""
    body = re.sub(artifacts.PLACEHOLDER, " ", text, flags=re.IGNORECASE | re.DOTALL)
    return sum(ch.isalnum() for ch in body) >= artifacts._MIN_ALNUM


_PIECES = st.sampled_from(
    ["<!--", "-->", "TODO", "todo:", "TBD", "FIXME", "XXX", "<", ">", "<a b>",
     "...", "…", "a", "1", "_", "é", "٣", "²", " ", "\n", "-", ".", "xTODO"]
)  # fmt: skip


@given(st.lists(_PIECES, max_size=12).map("".join) | st.text(max_size=40))
def test_has_content_stops_early_but_agrees_with_its_definition(text: str) -> None:
    assert artifacts.has_content(text) == _has_content_by_definition(text)
