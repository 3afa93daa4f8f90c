from __future__ import annotations

import argparse
import os
import tempfile
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbdesign import cli, scaffold
from dbdesign.commands import init as init_command
from dbdesign.config import Config

ALL = (
    ".claude/database/database-prompt.md",
    ".claude/database/database-template.md",
    ".claude/database/database-checklist.md",
    "database-schema.sql",
    "entity-relationship-diagram.md",
    "migration-scripts/README.md",
    "performance-optimization.md",
    "security-configuration.md",
    "backup-recovery-plan.md",
    "monitoring-setup.md",
    "CHANGELOG.md",
)


def bundled(name: str) -> bytes:
    ref = resources.files("dbdesign").joinpath("templates", *name.split("/"))
    return ref.read_bytes()


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ROOT (links not followed) with its bytes."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            out[path.relative_to(root).as_posix()] = b"-> " + os.fsencode(
                os.readlink(path)
            )
        elif path.is_file():
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


def init(*argv: str) -> int:
    return cli.main(["init", *argv])


def test_creates_everything_in_an_empty_folder(tmp_path, capsys):
    root = tmp_path / "project"
    root.mkdir()
    assert init(str(root)) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Templates: bundled with dbdesign"
    for relpath in ALL:
        assert f"created  {relpath}\n" in out
    assert "11 created, 0 kept" in out
    assert set(tree(root)) == set(ALL)  # no temporary files left behind
    for relpath in ALL:
        name = relpath.removeprefix(".claude/database/")
        assert (root / relpath).read_bytes() == bundled(name)


def test_created_files_follow_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        assert init(str(tmp_path)) == 0
    finally:
        os.umask(old)
    mode = (tmp_path / "CHANGELOG.md").stat().st_mode & 0o777
    assert mode == 0o640


def test_bundled_templates_pass_the_framework_and_checklist_checks(tmp_path, capsys):
    assert init(str(tmp_path)) == 0
    capsys.readouterr()
    # A fresh scaffold is clean: the skeletons are stubs, which is fine
    # until the phase that produces each one starts.
    assert (
        cli.main(["check", "--root", str(tmp_path), "--select", "FW,CL,AR", "--strict"])
        == 0
    )
    capsys.readouterr()
    # Once every phase is under way, each skeleton is a stub (AR002) until
    # the team fills it in, and the message says so.
    checklist = tmp_path / ".claude/database/database-checklist.md"
    checklist.write_text(checklist.read_text().replace("- [ ] ", "- [~] "))
    assert (
        cli.main(
            ["check", "--root", str(tmp_path), "--select", "AR", "--format", "json"]
        )
        == 1
    )
    import json

    found = json.loads(capsys.readouterr().out)["findings"]
    assert {f["code"] for f in found} == {"AR002"}
    assert len(found) == 7  # schema, ERD, migrations, four documents
    assert all("has started but" in f["message"] for f in found)


def test_checklist_template_has_every_phase_with_tasks():
    from dbdesign.markdown import PHASES, parse_checklist

    parsed = parse_checklist(bundled("database-checklist.md").decode())
    assert [h.phase for h in parsed.headings] == list(range(8))
    for number, heading in enumerate(parsed.headings):
        assert heading.text == f"Phase {number}: {PHASES[number]}"
        tasks = parsed.phase_tasks(number)
        assert len(tasks) >= 5
        assert all(task.marker == " " for task in tasks)


def test_erd_template_has_the_markers_and_an_er_diagram():
    text = bundled("entity-relationship-diagram.md").decode()
    start = text.index("<!-- dbdesign:erd:start -->")
    end = text.index("<!-- dbdesign:erd:end -->")
    assert "```mermaid\nerDiagram\n```" in text[start:end]


def test_keeps_existing_files_byte_for_byte(tmp_path, capsys):
    mine = {
        ".claude/database/database-checklist.md": b"\xef\xbb\xbf# ours\r\n- [x] done\r\n",
        "CHANGELOG.md": b"",  # even an empty file is kept, never filled
        "migration-scripts/V1__init.sql": b"CREATE TABLE t (id int);\n",
    }
    for relpath, data in mine.items():
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relpath).write_bytes(data)
    assert init(str(tmp_path)) == 0
    out = capsys.readouterr().out
    for relpath, data in mine.items():
        assert (tmp_path / relpath).read_bytes() == data
    assert "kept     .claude/database/database-checklist.md  (already exists)" in out
    assert "kept     CHANGELOG.md  (already exists)" in out
    # The team's migrations folder is theirs: no README is added to it.
    assert "kept     migration-scripts/  (already exists)" in out
    assert not (tmp_path / "migration-scripts/README.md").exists()
    assert "created  .claude/database/database-prompt.md" in out
    assert "8 created, 3 kept" in out


def test_second_run_creates_nothing(tmp_path, capsys):
    assert init(str(tmp_path)) == 0
    before = tree(tmp_path)
    capsys.readouterr()
    assert init(str(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "0 created, 11 kept." in out
    assert tree(tmp_path) == before


def test_dry_run_writes_nothing(tmp_path, capsys):
    (tmp_path / "CHANGELOG.md").write_text("# mine\n")
    assert init(str(tmp_path), "--dry-run") == 0
    out = capsys.readouterr().out
    assert tree(tmp_path) == {"CHANGELOG.md": b"# mine\n"}
    assert "would create  .claude/database/database-checklist.md" in out
    assert "kept          CHANGELOG.md  (already exists)" in out
    assert "10 would be created, 1 kept; dry run, nothing was written." in out


def test_templates_option_is_used_and_reported(tmp_path, capsys):
    team = tmp_path / "team-templates"
    team.mkdir()
    (team / "database-checklist.md").write_bytes(b"# Team checklist\r\n")
    (team / "database-prompt.md").write_bytes(b"# Team prompt\n")
    root = tmp_path / "project"
    root.mkdir()
    assert init(str(root), "--templates", str(team)) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        f"Templates: {team} (--templates {team}); files it lacks come from "
        "the bundled templates"
    )
    assert "created  .claude/database/database-checklist.md  (team template)" in out
    assert ("created  .claude/database/database-template.md  (bundled template)") in out
    folder = root / ".claude/database"
    assert (folder / "database-checklist.md").read_bytes() == b"# Team checklist\r\n"
    assert (folder / "database-prompt.md").read_bytes() == b"# Team prompt\n"
    assert (folder / "database-template.md").read_bytes() == bundled(
        "database-template.md"
    )


def test_conventional_home_folder_is_used_when_present(tmp_path, capsys):
    home = Path(os.environ["HOME"])
    team = home / ".claude/process-templates-n-prompts/database"
    team.mkdir(parents=True)
    (team / "database-prompt.md").write_text("# Our principles\n")
    root = tmp_path / "project"
    root.mkdir()
    assert init(str(root)) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith(
        f"Templates: {team} (~/.claude/process-templates-n-prompts/database/)"
    )
    assert "created  .claude/database/database-prompt.md  (team template)" in out
    assert (
        root / ".claude/database/database-prompt.md"
    ).read_text() == "# Our principles\n"


def test_templates_option_beats_the_home_folder(tmp_path, capsys):
    home = Path(os.environ["HOME"])
    conventional = home / ".claude/process-templates-n-prompts/database"
    conventional.mkdir(parents=True)
    (conventional / "database-prompt.md").write_text("# from home\n")
    team = tmp_path / "team"
    team.mkdir()
    (team / "database-prompt.md").write_text("# from --templates\n")
    root = tmp_path / "project"
    root.mkdir()
    assert init(str(root), "--templates", str(team)) == 0
    assert (
        root / ".claude/database/database-prompt.md"
    ).read_text() == "# from --templates\n"


def test_without_home_folder_the_bundled_templates_are_used(tmp_path):
    source = scaffold.choose_source(None, tmp_path / "nobody")
    assert source == scaffold.Source(None, "bundled")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "no such folder"),
        (lambda p: p.mkdir(), "holds none of the template files"),
    ],
)
def test_bad_templates_folder_is_exit_2(tmp_path, capsys, make, message):
    make(tmp_path / "tpl")
    assert init(str(tmp_path), "--templates", str(tmp_path / "tpl")) == 2
    err = capsys.readouterr().err
    assert err.startswith("dbdesign: error: --templates ")
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / ".claude").exists()


def test_undecodable_team_template_is_exit_2(tmp_path, capsys):
    team = tmp_path / "team"
    team.mkdir()
    (team / "database-prompt.md").write_bytes(b"\xff\xfe bad")
    root = tmp_path / "project"
    root.mkdir()
    assert init(str(root), "--templates", str(team)) == 2
    err = capsys.readouterr().err
    assert "database-prompt.md is not UTF-8" in err


def test_missing_root_is_exit_2(tmp_path, capsys):
    assert init(str(tmp_path / "nope")) == 2
    assert "no such folder" in capsys.readouterr().err
    assert not (tmp_path / "nope").exists()


def test_config_error_is_exit_2(tmp_path, capsys):
    (tmp_path / ".dbdesign.yaml").write_text("framework_dirr: docs\n")
    assert init(str(tmp_path)) == 2
    err = capsys.readouterr().err
    assert ".dbdesign.yaml:1: framework_dirr: unknown key" in err
    assert tree(tmp_path) == {".dbdesign.yaml": b"framework_dirr: docs\n"}


def test_custom_paths_from_the_config_are_honoured(tmp_path, capsys):
    # artifacts_dir is where the documents (and any path left unset) go;
    # the paths set are relative to the root.
    (tmp_path / ".dbdesign.yaml").write_text(
        "framework_dir: docs/framework\nartifacts_dir: docs/db\n"
        "schema: db/schema.sql\nmigrations_dir: db/migrations\n"
    )
    assert init(str(tmp_path)) == 0
    files = set(tree(tmp_path))
    assert "docs/framework/database-checklist.md" in files
    assert "db/schema.sql" in files
    assert "db/migrations/README.md" in files
    assert "docs/db/backup-recovery-plan.md" in files
    assert "docs/db/entity-relationship-diagram.md" in files
    assert "docs/db/CHANGELOG.md" in files
    assert not (tmp_path / ".claude").exists()
    readme = (tmp_path / "db/migrations/README.md").read_text()
    assert "`../schema.sql`" in readme


def test_root_defaults_to_the_git_top_level(repo, chdir, capsys):
    (repo.path / "sub").mkdir()
    chdir(repo.path / "sub")
    assert init() == 0
    assert (repo.path / ".claude/database/database-checklist.md").is_file()
    assert not (repo.path / "sub/.claude").exists()


# -- links and races ------------------------------------------------------------


def test_symlinked_folder_leaving_the_root_is_not_followed(tmp_path, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "project"
    root.mkdir()
    (root / ".claude").symlink_to(outside, target_is_directory=True)
    assert init(str(root)) == 0
    out = capsys.readouterr().out
    assert list(outside.iterdir()) == []
    line = next(x for x in out.splitlines() if "database-checklist.md" in x)
    assert line.startswith(
        "skipped  .claude/database/database-checklist.md  "
        "(.claude/database/database-checklist.md is a "
        "symbolic link that leaves the project root"
    )
    assert "3 skipped" in out
    assert (root / "CHANGELOG.md").is_file()  # the rest is still created


def test_dangling_link_leaving_the_root_is_not_followed(tmp_path, capsys):
    target = tmp_path / "outside" / "CHANGELOG.md"
    target.parent.mkdir()
    root = tmp_path / "project"
    root.mkdir()
    (root / "CHANGELOG.md").symlink_to(target)
    assert init(str(root)) == 0
    out = capsys.readouterr().out
    assert not target.exists()
    assert "skipped  CHANGELOG.md" in out


def test_link_inside_the_root_is_kept_as_it_is(tmp_path, capsys):
    (tmp_path / "docs").mkdir()
    (tmp_path / "CHANGELOG.md").symlink_to("docs/CHANGELOG.md")
    assert init(str(tmp_path)) == 0
    assert "kept     CHANGELOG.md  (already exists)" in capsys.readouterr().out
    assert not (tmp_path / "docs/CHANGELOG.md").exists()


def test_create_new_never_replaces_a_file(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    (root / "a.md").write_bytes(b"theirs")
    assert scaffold.create_new(root, "a.md", b"ours") is False
    assert (root / "a.md").read_bytes() == b"theirs"
    assert scaffold.create_new(root, "b/c.md", b"ours") is True
    assert (root / "b/c.md").read_bytes() == b"ours"
    assert sorted(p.name for p in root.rglob("*")) == ["a.md", "b", "c.md"]


def test_create_new_refuses_a_folder_link_swapped_in_after_the_check(tmp_path):
    # What a race would leave: the check saw a plain folder, then the folder
    # became a link to somewhere else. The write must not follow it.
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "project"
    root.mkdir()
    (root / "docs").symlink_to(outside, target_is_directory=True)
    with pytest.raises(OSError):
        scaffold.create_new(root, "docs/file.md", b"data")
    assert list(outside.iterdir()) == []


def test_write_failure_is_exit_2_and_the_rest_is_created(tmp_path, capsys):
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude/database").write_text("a file where a folder goes")
    assert init(str(tmp_path)) == 2
    captured = capsys.readouterr()
    assert (
        "failed   .claude/database/database-prompt.md  (Not a directory)"
        in captured.out
    )
    assert (
        "dbdesign: error: cannot create .claude/database/database-prompt"
        ".md: Not a directory"
    ) in captured.err
    assert "Traceback" not in captured.err
    assert (tmp_path / "CHANGELOG.md").is_file()
    assert (tmp_path / ".claude/database").read_text() == "a file where a folder goes"


# -- property: init never changes an existing file ------------------------------


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    existing=st.dictionaries(
        st.sampled_from(ALL), st.binary(max_size=64), max_size=len(ALL)
    ),
    dry_run=st.booleans(),
)
def test_init_never_changes_an_existing_file(existing, dry_run):
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        for relpath, data in existing.items():
            (root / relpath).parent.mkdir(parents=True, exist_ok=True)
            (root / relpath).write_bytes(data)
        before = tree(root)
        source = scaffold.Source(None, scaffold.BUNDLED)
        outcomes = scaffold.scaffold(root, Config(), source, dry_run=dry_run)
        after = tree(root)
        for relpath, data in before.items():
            assert after[relpath] == data
        created = {o.item.target for o in outcomes if o.action == "created"}
        if dry_run:
            assert after == before
        else:
            assert set(after) == set(before) | created
        assert not created & set(before)


def test_main_takes_the_namespace_the_cli_builds(tmp_path, capsys):
    args = argparse.Namespace(root=str(tmp_path), templates=None, dry_run=True)
    assert init_command.main(args) == 0
    assert "dry run" in capsys.readouterr().out


# -- documents and sections the config asks for ---------------------------------

CONFIG_SECTIONS = """\
artifacts:
  backup-recovery-plan.md: [RPO, RTO, restore drill]
  data-retention-policy.md: [owner, retention periods]
"""


def test_documents_the_config_adds_get_a_skeleton(tmp_path, capsys):
    (tmp_path / ".dbdesign.yaml").write_text(CONFIG_SECTIONS)
    assert init(str(tmp_path)) == 0
    out = capsys.readouterr().out
    assert (
        "created  data-retention-policy.md  (skeleton for the config's "
        "`artifacts:` sections)"
    ) in out
    text = (tmp_path / "data-retention-policy.md").read_text()
    assert text.startswith("# Data Retention Policy\n")
    assert "\n## Owner\n\nTODO\n" in text
    assert "\n## Retention periods\n\nTODO\n" in text


def test_bundled_skeletons_get_the_sections_the_config_asks_for(tmp_path):
    (tmp_path / ".dbdesign.yaml").write_text(CONFIG_SECTIONS)
    assert init(str(tmp_path)) == 0
    text = (tmp_path / "backup-recovery-plan.md").read_text()
    assert text.startswith(bundled("backup-recovery-plan.md").decode().rstrip("\n"))
    assert text.endswith("\n## Restore drill\n\nTODO\n")
    assert text.count("### RPO") == 1  # present already: not added twice


def test_filled_in_skeletons_pass_the_section_check(tmp_path, capsys):
    (tmp_path / ".dbdesign.yaml").write_text(CONFIG_SECTIONS)
    assert init(str(tmp_path)) == 0
    for path in tmp_path.glob("*.md"):
        path.write_text(path.read_text().replace("TODO", "A stated fact."))
    capsys.readouterr()
    assert (
        cli.main(["check", "--root", str(tmp_path), "--select", "AR003", "--strict"])
        == 0
    )


def test_team_templates_are_copied_as_they_are(tmp_path):
    team = tmp_path / "team"
    team.mkdir()
    (team / "backup-recovery-plan.md").write_text("# Our plan\n")
    root = tmp_path / "project"
    root.mkdir()
    (root / ".dbdesign.yaml").write_text(CONFIG_SECTIONS)
    assert init(str(root), "--templates", str(team)) == 0
    assert (root / "backup-recovery-plan.md").read_text() == "# Our plan\n"


def test_config_naming_a_planned_file_adds_sections_not_a_second_file(tmp_path, capsys):
    (tmp_path / ".dbdesign.yaml").write_text(
        "artifacts:\n  CHANGELOG.md: [Unreleased, Conventions]\n"
    )
    assert init(str(tmp_path), "--dry-run") == 0
    out = capsys.readouterr().out
    assert out.count("CHANGELOG.md") == 1
    assert init(str(tmp_path)) == 0
    text = (tmp_path / "CHANGELOG.md").read_text()
    assert text.count("## [Unreleased]") == 1
    assert text.endswith("\n## Conventions\n\nTODO\n")


@pytest.mark.parametrize(
    ("scheme", "words"),
    [
        ("flyway", "V<version>__<description>.sql"),
        ("goose", "-- +goose NO TRANSACTION"),
        ("prisma", "migration_lock.toml"),
        ("liquibase", "runInTransaction:false"),
        ("sqitch", "sqitch.plan"),
        ("dbmate", "transaction:false"),
        ("diesel", "run_in_transaction = false"),
        ("golang-migrate", ".down.sql"),
        ("sequential", "no gaps"),
    ],
)
def test_migrations_readme_speaks_the_configured_scheme(
    tmp_path: Path, scheme: str, words: str
) -> None:
    (tmp_path / ".dbdesign.yaml").write_text(f"migration_naming: {scheme}\n")
    assert cli.main(["init", str(tmp_path)]) == 0
    text = (tmp_path / "migration-scripts" / "README.md").read_text()
    assert words in text
    assert text.count("## Naming") == 1 and "## Rules" in text
    if scheme != "flyway":
        assert "V<version>__" not in text
