from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbdesign import cli
from dbdesign import progress as status
from dbdesign.markdown import parse_checklist

CHECKLIST = """\
# Checklist

- [x] A task above the first phase

## Phase 0: Data Requirements & Analysis

- [x] Interview the shop owners
- [x] Estimate volumes
- [x] List the top queries

## Phase 1: Database Design & Modeling

- [x] Draw the ERD
- [~] Choose keys
- [!] Decide on UUIDs, waiting for the mobile team
- [ ] Review the model

```
- [!] inside a fence: not a task
```

## Phase 2: Schema Implementation & Migration

- [!] Pick the migration tool
  - reason: the platform team is choosing one for every service
- [X] Write the schema
- [?] Something odd
"""


def write(root: Path, text: str = CHECKLIST) -> Path:
    path = root / ".claude/database/database-checklist.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["status", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_summary_counts_each_marker_per_phase():
    result = status.summarise("c.md", parse_checklist(CHECKLIST))
    by_phase = {p.phase: p.progress.counts for p in result.phases}
    assert [p.phase for p in result.phases] == [None, 0, 1, 2]
    assert by_phase[None] == {
        "done": 1,
        "in_progress": 0,
        "blocked": 0,
        "todo": 0,
        "malformed": 0,
    }
    assert by_phase[0]["done"] == 3
    assert by_phase[1] == {
        "done": 1,
        "in_progress": 1,
        "blocked": 1,
        "todo": 1,
        "malformed": 0,
    }
    # `[X]` counts as done (its fix is unambiguous); `[?]` is malformed.
    assert by_phase[2] == {
        "done": 1,
        "in_progress": 0,
        "blocked": 1,
        "todo": 0,
        "malformed": 1,
    }
    assert result.overall.total == 11
    assert result.overall.percent == 54  # 6 of 11 done, rounded down
    assert [p.name for p in result.phases[1:]] == [
        "Data Requirements & Analysis",
        "Database Design & Modeling",
        "Schema Implementation & Migration",
    ]


def test_blocked_tasks_come_with_their_reasons():
    result = status.summarise("c.md", parse_checklist(CHECKLIST))
    assert [(t.phase, t.line, t.reason) for t in result.blocked] == [
        (1, 15, "the mobile team"),
        (2, 24, "the platform team is choosing one for every service"),
    ]


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({}, "[          ]"),
        ({"done": 4}, "[##########]"),
        ({"todo": 4}, "[----------]"),
        ({"done": 1, "todo": 1}, "[#####-----]"),
        ({"done": 1, "in_progress": 1, "blocked": 1, "todo": 1}, "[##~~~!!---]"),
        # Nearly done is not done: the bar is full only at 100%.
        ({"done": 99, "todo": 1}, "[#########-]"),
        ({"done": 1, "malformed": 1}, "[#####?????]"),
    ],
)
def test_bar(counts, expected):
    full = dict.fromkeys(status.STATES, 0) | counts
    assert status.bar(full, width=10) == expected
    assert len(status.bar(full, width=10)) == 12


def test_percent_rounds_down():
    assert (
        status.Progress(
            {"done": 2, "todo": 1, "in_progress": 0, "blocked": 0, "malformed": 0}
        ).percent
        == 66
    )
    assert status.Progress(dict.fromkeys(status.STATES, 0)).percent == 0


def test_text_output(tmp_path, capsys):
    write(tmp_path)
    code, out, err = run(capsys, str(tmp_path))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Checklist: .claude/database/database-checklist.md"
    assert lines[2].split() == [
        "Phase",
        "Progress",
        "done",
        "doing",
        "blocked",
        "to",
        "do",
        "malformed",
    ]
    row = next(x for x in lines if x.startswith("1 Database Design"))
    assert "[###~~~!!!---]   25%" in row
    assert row.split()[-5:] == ["1", "1", "1", "1", "0"]
    assert any(
        x.startswith("0 Data Requirements & Analysis") and "[############]  100%" in x
        for x in lines
    )
    overall = next(x for x in lines if x.startswith("Overall"))
    assert "54%" in overall
    assert "6 of 11 tasks done (54%), 1 in progress, 2 blocked." in lines
    assert "1 task(s) have a malformed marker; `dbdesign check` names them." in lines
    blocked = lines[lines.index("Blocked (2):") + 1 :]
    assert blocked == [
        "  line 15 (Phase 1): Decide on UUIDs, waiting for the mobile team",
        "    reason: the mobile team",
        "  line 24 (Phase 2): Pick the migration tool",
        "    reason: the platform team is choosing one for every service",
    ]
    assert all(len(x) <= 100 for x in lines)


def test_text_output_without_malformed_markers_has_no_such_column(tmp_path, capsys):
    write(tmp_path, "## Phase 0: Data Requirements & Analysis\n- [ ] a\n")
    code, out, _ = run(capsys, str(tmp_path))
    assert code == 0
    assert "malformed" not in out
    assert "Blocked" not in out


def test_blocked_task_without_reason_says_so(tmp_path, capsys):
    write(tmp_path, "## Phase 0: Data Requirements & Analysis\n- [!] stuck\n")
    _, out, _ = run(capsys, str(tmp_path))
    assert "    reason: none given (CL003); say why on the task's line" in out


def test_repository_text_cannot_reach_the_terminal_raw(tmp_path, capsys):
    write(
        tmp_path,
        "## Phase 0: Data \x1b[31mRequirements\n"
        "- [!] evil \x1b]0;title\x07 blocked by \x1b[2J\n",
    )
    _, out, _ = run(capsys, str(tmp_path))
    assert "\x1b" not in out and "\x07" not in out
    # Shown as escapes (as `dbdesign check` shows them), not dropped.
    assert "evil \\x1b]0;title\\x07 blocked" in out


def test_no_tasks(tmp_path, capsys):
    write(tmp_path, "# Nothing yet\n")
    code, out, _ = run(capsys, str(tmp_path))
    assert code == 0
    assert "No tasks yet" in out


def test_json_output(tmp_path, capsys):
    write(tmp_path)
    code, out, err = run(capsys, str(tmp_path), "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert set(data) == {"version", "path", "phases", "overall", "blocked"}
    assert data["version"] == 1
    assert data["path"] == ".claude/database/database-checklist.md"
    phase1 = data["phases"][2]
    assert phase1 == {
        "phase": 1,
        "name": "Database Design & Modeling",
        "line": 11,
        "counts": {
            "done": 1,
            "in_progress": 1,
            "blocked": 1,
            "todo": 1,
            "malformed": 0,
        },
        "total": 4,
        "percent": 25,
    }
    assert data["phases"][0]["phase"] is None
    assert data["overall"] == {
        "counts": {
            "done": 6,
            "in_progress": 1,
            "blocked": 2,
            "todo": 1,
            "malformed": 1,
        },
        "total": 11,
        "percent": 54,
    }
    assert data["blocked"][0] == {
        "phase": 1,
        "line": 15,
        "text": "Decide on UUIDs, waiting for the mobile team",
        "reason": "the mobile team",
    }


def test_config_moves_the_checklist(tmp_path, capsys):
    (tmp_path / "db.yaml").write_text("framework_dir: docs/process\n")
    path = tmp_path / "docs/process/database-checklist.md"
    path.parent.mkdir(parents=True)
    path.write_text("## Phase 0: Data Requirements & Analysis\n- [x] a\n")
    code, out, _ = run(capsys, str(tmp_path), "--config", str(tmp_path / "db.yaml"))
    assert code == 0
    assert out.startswith("Checklist: docs/process/database-checklist.md")
    assert "100%" in out


def test_root_defaults_to_the_git_top_level(repo, chdir, capsys):
    write(repo.path)
    (repo.path / "sub").mkdir()
    chdir(repo.path / "sub")
    code, out, _ = run(capsys)
    assert code == 0
    assert "6 of 11 tasks done" in out


def test_missing_checklist_is_exit_2(tmp_path, capsys):
    code, out, err = run(capsys, str(tmp_path))
    assert (code, out) == (2, "")
    assert err == (
        "dbdesign: error: .claude/database/database-checklist.md: "
        "no checklist; run `dbdesign init` to create one\n"
    )


def test_undecodable_checklist_is_exit_2(tmp_path, capsys):
    path = write(tmp_path)
    path.write_bytes(b"## Phase 0\n- [x] caf\xe9\n")
    code, _, err = run(capsys, str(tmp_path))
    assert code == 2
    assert "is not UTF-8" in err
    assert "Traceback" not in err


def test_checklist_link_leaving_the_root_is_not_read(tmp_path, capsys):
    secret = tmp_path / "secret.md"
    secret.write_text("## Phase 0: TOP SECRET\n- [x] hunter2\n")
    root = tmp_path / "project"
    (root / ".claude/database").mkdir(parents=True)
    (root / ".claude/database/database-checklist.md").symlink_to(secret)
    code, out, err = run(capsys, str(root))
    assert code == 2
    assert "leaves the project root" in err
    assert "hunter2" not in out + err


def test_missing_root_and_bad_config_are_exit_2(tmp_path, capsys):
    code, _, err = run(capsys, str(tmp_path / "nope"))
    assert code == 2 and "no such folder" in err
    (tmp_path / ".dbdesign.yaml").write_text("phase_order: sometimes\n")
    code, _, err = run(capsys, str(tmp_path))
    assert code == 2
    assert ".dbdesign.yaml:1: phase_order: expected one of" in err
