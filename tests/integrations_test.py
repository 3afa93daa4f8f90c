"""`dbdesign init --pre-commit --github --claude`, and what `init` writes
for the configured dialect and migration naming."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import REPO_ROOT
from dbdesign import cli, config, integrations, starter
from dbdesign.hooks import HOOKS

FLAGS = ("--pre-commit", "--github", "--claude")


def init(root: Path, *args: str) -> int:
    return cli.main(["init", str(root), *args])


def test_every_flag_writes_its_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert init(tmp_path, *FLAGS) == 0
    out = capsys.readouterr().out
    for path in (
        integrations.PRE_COMMIT,
        integrations.WORKFLOW,
        integrations.CLAUDE_COMMAND,
        integrations.CLAUDE_SETTINGS,
    ):
        assert f"created  {path}\n" in out
    assert "15 created, 0 kept" in out
    assert "pre-commit autoupdate --freeze" in out


def test_the_pre_commit_config(tmp_path: Path) -> None:
    assert init(tmp_path, "--pre-commit") == 0
    text = (tmp_path / integrations.PRE_COMMIT).read_text()
    [repo] = yaml.safe_load(text)["repos"]
    assert repo["repo"] == integrations.REPO_URL
    assert [hook["id"] for hook in repo["hooks"]] == [hook.id for hook in HOOKS]
    # A commit SHA is the only rev that cannot move; the comment above the
    # placeholder says how to get one.
    assert repo["rev"] == "PIN-A-COMMIT-SHA"
    assert "# Pin a commit SHA" in text and "autoupdate --freeze" in text


def test_the_workflow_is_the_example(tmp_path: Path) -> None:
    assert init(tmp_path, "--github") == 0
    example = REPO_ROOT / "examples" / "workflows" / "dbdesign.yml"
    assert (tmp_path / integrations.WORKFLOW).read_bytes() == example.read_bytes()


def test_the_claude_command_speaks_of_this_project(tmp_path: Path) -> None:
    (tmp_path / ".dbdesign.yaml").write_text(
        "dialect: sqlite\nmigration_naming: golang-migrate\n"
        "schema: db/schema.sql\nmigrations_dir: db/migrations\n"
    )
    assert init(tmp_path, "--claude") == 0
    text = (tmp_path / integrations.CLAUDE_COMMAND).read_text()
    assert text.startswith("---\ndescription: ")
    assert "$ARGUMENTS" in text and "${" not in text
    assert "`db/schema.sql` (sqlite SQL)" in text
    assert (
        "`db/migrations/`, following golang-migrate's naming, "
        "`<version>_<description>.up.sql and .down.sql`" in text
    )
    assert "@.claude/database/database-checklist.md" in text


def test_the_hook_is_merged_into_settings(tmp_path: Path) -> None:
    settings = tmp_path / integrations.CLAUDE_SETTINGS
    settings.parent.mkdir()
    before = {
        "model": "opus",
        "permissions": {"allow": ["Bash(npm test)"], "deny": []},
        "hooks": {
            "PostToolUse": [
                {"matcher": "Bash", "hooks": [{"type": "command", "command": "x"}]}
            ],
            "Stop": [{"hooks": [{"type": "command", "command": "y"}]}],
        },
        "env": {"A": "ü"},
    }
    settings.write_text(json.dumps(before, indent=4, ensure_ascii=False) + "\n")
    assert init(tmp_path, "--claude") == 0
    text = settings.read_text()
    after = json.loads(text)
    added = after["hooks"]["PostToolUse"].pop()
    assert after == before  # every other key as it was
    assert added == {
        "matcher": "Write|Edit|MultiEdit",
        "hooks": [{"type": "command", "command": "dbdesign claude-hook"}],
    }
    assert '\n    "model": "opus",\n' in text  # its four-space indent kept
    assert init(tmp_path, "--claude") == 0  # a second run adds nothing
    assert settings.read_text() == text


@pytest.mark.parametrize(
    "content, why",
    [
        ('{"model": "opus",}\n', "not valid JSON (line 1, column 18"),
        ("// comment\n{}\n", "not valid JSON (line 1, column 1"),
        ("[1, 2]\n", "not a JSON object"),
        ('{"hooks": []}\n', "its `hooks` is not an object"),
        ('{"hooks": {"PostToolUse": {}}}\n', "`hooks.PostToolUse` is not a list"),
        ('{"a": 1, "a": 2}\n', "key `a` appears twice"),
    ],
)
def test_settings_it_cannot_merge_are_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, why: str
) -> None:
    settings = tmp_path / integrations.CLAUDE_SETTINGS
    settings.parent.mkdir()
    settings.write_text(content)
    assert init(tmp_path, "--claude") == 0
    out = capsys.readouterr().out
    assert settings.read_text() == content
    assert f"skipped  {integrations.CLAUDE_SETTINGS}  (left as it is: " in out
    assert why in out
    assert '"command": "dbdesign claude-hook"' in out  # what to add by hand


def test_existing_files_are_kept_and_the_snippet_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ours = "repos:\n  - repo: local\n    hooks: []\n"
    (tmp_path / integrations.PRE_COMMIT).write_text(ours)
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / integrations.WORKFLOW).write_text("name: ours\n")
    assert init(tmp_path, "--pre-commit", "--github") == 0
    out = capsys.readouterr().out
    assert (tmp_path / integrations.PRE_COMMIT).read_text() == ours
    assert (tmp_path / integrations.WORKFLOW).read_text() == "name: ours\n"
    assert (
        "kept     .pre-commit-config.yaml  (already exists; add dbdesign to its "
        "`repos:` list)\n  - repo: https://github.com/dbdesign/dbdesign\n"
    ) in out
    # The snippet, added under `repos:`, is a working entry.
    snippet = integrations.pre_commit_repo()
    merged = yaml.safe_load(ours + snippet)
    assert [r["repo"] for r in merged["repos"]] == ["local", integrations.REPO_URL]


def test_a_config_that_lists_dbdesign_is_said_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / integrations.PRE_COMMIT).write_text(integrations.pre_commit_config())
    assert init(tmp_path, "--pre-commit") == 0
    out = capsys.readouterr().out
    assert "(already exists and lists dbdesign)" in out
    assert "- repo:" not in out


def test_dry_run_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "project"
    root.mkdir()
    assert init(root, "--dry-run", *FLAGS) == 0
    out = capsys.readouterr().out
    assert list(root.iterdir()) == []
    assert "would create  .claude/settings.json" in out
    assert "15 would be created, 0 kept; dry run, nothing was written." in out


def test_a_settings_link_out_of_the_root_is_not_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text("{}\n")
    root = tmp_path / "root"
    (root / ".claude").mkdir(parents=True)
    (root / integrations.CLAUDE_SETTINGS).symlink_to(outside)
    assert init(root, "--claude") == 0
    assert outside.read_text() == "{}\n"
    assert "skipped  .claude/settings.json" in capsys.readouterr().out


# -- the dialect and the naming scheme ------------------------------------------


@pytest.mark.parametrize(
    "dialect, words",
    [
        ("postgres", "GENERATED ALWAYS AS IDENTITY"),
        ("sqlite", ") STRICT;"),
        ("mysql", "AUTO_INCREMENT"),
        ("tsql", "IDENTITY(1, 1)"),
        ("duckdb", "standard SQL"),
    ],
)
def test_the_schema_example_is_in_the_dialect(
    tmp_path: Path, dialect: str, words: str
) -> None:
    (tmp_path / ".dbdesign.yaml").write_text(f"dialect: {dialect}\n")
    assert init(tmp_path) == 0
    assert words in (tmp_path / "database-schema.sql").read_text()


@pytest.mark.parametrize("dialect", ["postgres", "sqlite", "mysql", "tsql", "duckdb"])
def test_the_schema_examples_are_clean_sql(tmp_path: Path, dialect: str) -> None:
    """The commented example, uncommented, is a schema every SQ rule
    accepts in its dialect."""
    from dbdesign.checks import schema
    from dbdesign.project import Project

    text = starter.bundled(starter.schema_template(dialect)).decode()
    example = text.split("Example of the expected style", 1)[1].split("TODO", 1)[0]
    sql = "\n".join(
        line.removeprefix("--").removeprefix("   ") for line in example.splitlines()[1:]
    )
    (tmp_path / "database-schema.sql").write_text(sql)
    loaded = config.Config(dialect=dialect, sqlfluff=False)
    found = list(schema.check(Project(tmp_path, loaded)))
    assert [f"{f.code} {f.message}" for f in found] == []


def test_the_migrations_readme_points_at_the_schema(tmp_path: Path) -> None:
    (tmp_path / ".dbdesign.yaml").write_text(
        "migration_naming: goose\nmigrations_dir: db/migrations\n"
    )
    assert init(tmp_path) == 0
    text = (tmp_path / "db/migrations/README.md").read_text()
    assert "`../../database-schema.sql`" in text  # from the folder to the root
    assert "-- +goose Up" in text


def test_the_readme_shows_what_init_writes() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    assert integrations.pre_commit_repo() in readme
