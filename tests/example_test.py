"""examples/bookshop is the README's demo and the project every check must
pass: it grows a test here as each check lands."""

from __future__ import annotations

import json
import re

import pytest

from conftest import EXAMPLE
from dbdesign import cli, hooks, rules
from dbdesign.markdown import PHASES, parse_checklist
from replay_fixtures import needs_postgres

MIGRATIONS = EXAMPLE / "migration-scripts"


def check_json(
    capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, dict[str, object]]:
    code = cli.main(
        ["check", "--root", str(EXAMPLE), "--format", "json", "--strict", *argv]
    )
    return code, json.loads(capsys.readouterr().out)


def test_every_check_passes_on_the_example(capsys):
    code, report = check_json(capsys)
    assert report["findings"] == []
    assert code == 0


def test_the_text_report_is_clean(capsys):
    assert cli.main(["check", "--root", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("All checks passed")


@pytest.mark.parametrize("check", hooks.CHECKS)
def test_each_check_reads_the_example_and_passes(capsys, check):
    codes = sorted({r.code[:2] for r in rules.RULES if r.check == check})
    code, report = check_json(capsys, "--select", ",".join(codes))
    assert report["findings"] == []
    assert code == 0


@pytest.mark.parametrize(
    "hook",
    [
        # The replay hook needs a server, and RP006 (the server's version
        # against postgres_version) speaks of the machine, not the example.
        pytest.param(hook.id, marks=needs_postgres)
        if hook.id == "dbdesign-replay"
        else hook.id
        for hook in hooks.HOOKS
    ],
)
def test_each_hook_passes_on_the_example(capsys, hook):
    args = ["--root", str(EXAMPLE), "--strict", "--ignore", "RP006"]
    assert cli.hook_main(hook, args) == 0
    capsys.readouterr()


def test_checklist_is_realistically_partly_done():
    text = (EXAMPLE / ".claude/database/database-checklist.md").read_text()
    parsed = parse_checklist(text)
    assert [h.text for h in parsed.headings] == [
        f"Phase {n}: {name}" for n, name in enumerate(PHASES)
    ]
    assert all(t.valid for t in parsed.tasks)
    assert {t.state for t in parsed.phase_tasks(0)} == {"done"}
    states = {t.state for t in parsed.tasks}
    assert states == {"done", "in_progress", "blocked", "todo"}
    blocked = [t for t in parsed.tasks if t.state == "blocked"]
    assert len(blocked) == 1 and blocked[0].reason


def test_status_of_the_example(capsys):
    assert cli.main(["status", str(EXAMPLE), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["phases"][0]["percent"] == 100
    assert 0 < data["overall"]["percent"] < 100
    assert len(data["blocked"]) == 1


def test_every_forward_migration_has_its_undo():
    forward = sorted(p.name for p in MIGRATIONS.glob("V*__*.sql"))
    undo = sorted(p.name for p in MIGRATIONS.glob("U*__*.sql"))
    assert len(forward) >= 5
    assert [name[1:] for name in undo] == [name[1:] for name in forward]


def test_changelog_names_every_migration():
    changelog = (EXAMPLE / "CHANGELOG.md").read_text()
    assert changelog.count("## [Unreleased]") == 1
    for path in MIGRATIONS.glob("V*__*.sql"):
        assert f"`{path.name}`" in changelog


def test_erd_lists_every_table_of_the_schema():
    schema = (EXAMPLE / "database-schema.sql").read_text()
    erd = (EXAMPLE / "entity-relationship-diagram.md").read_text()
    tables = re.findall(r"^CREATE TABLE (\w+)", schema, re.MULTILINE)
    entities = re.findall(r"^    (\w+) \{$", erd, re.MULTILINE)
    assert len(tables) >= 10
    assert sorted(tables) == sorted(entities)
    assert "<!-- dbdesign:erd:start -->" in erd
    assert "<!-- dbdesign:erd:end -->" in erd
