"""`dbdesign claude-hook` with the JSON Claude Code sends after an edit: an
edit that breaks the design is answered with `{"decision": "block",
"reason": ...}` (the findings, one a line), anything else is silent with
exit status 0; input that is not the hook's is exit 1 on stderr, which
Claude Code shows the user without stopping the agent."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import projects
from conftest import EXAMPLE, Repo
from dbdesign import cli

BIN = Path(sys.executable).parent
CHECKLIST = projects.CHECKLIST


def hook(
    payload: bytes | dict[str, Any], cwd: Path
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run the installed `dbdesign claude-hook` as Claude Code does: the
    JSON on stdin, in the project's folder. Returns the run and its time."""
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    started = time.perf_counter()
    out = subprocess.run(
        [str(BIN / "dbdesign"), "claude-hook"],
        input=data,
        cwd=cwd,
        capture_output=True,
        check=False,
        timeout=120,
    )
    seconds = time.perf_counter() - started
    return (
        subprocess.CompletedProcess(
            out.args, out.returncode, out.stdout.decode(), out.stderr.decode()
        ),
        seconds,
    )


def edit(root: Path, relpath: str, old: str, new: str) -> dict[str, Any]:
    """Make the edit on disk and return the PostToolUse input for it, as
    Claude Code sends it after its Edit tool."""
    path = root / relpath
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return {
        "session_id": "3f0c",
        "transcript_path": str(root / ".transcript.jsonl"),
        "cwd": str(root),
        "permission_mode": "default",
        "hook_event_name": "PostToolUse",
        "tool_name": "Edit",
        "tool_input": {
            "file_path": str(path),
            "old_string": old,
            "new_string": new,
            "replace_all": False,
        },
        "tool_response": {"filePath": str(path), "success": True},
        "tool_use_id": "toolu_01ABC",
    }


@pytest.fixture
def bookshop(repo: Repo) -> Path:
    shutil.copytree(EXAMPLE, repo.path, dirs_exist_ok=True)
    repo.commit("the bookshop")
    return repo.path


def reason(out: subprocess.CompletedProcess[str]) -> str:
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["decision"] == "block"
    text: str = answer["reason"]
    return text


def test_an_edit_that_breaks_the_checklist_is_answered(
    bookshop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = edit(
        bookshop,
        CHECKLIST,
        "- [ ] Rehearse a full region failover",
        "- [v] Rehearse a full region failover",
    )
    out, seconds = hook(payload, bookshop)
    assert reason(out).splitlines() == [
        f"dbdesign: this edit of {CHECKLIST} broke the database design (1 error):",
        f"{CHECKLIST}:65:3: error: CL001 malformed marker `[v]`; use `[ ]`, `[~]`, "
        "`[x]` or `[!]`",
        "Mend them now; `dbdesign rules CODE` explains a rule.",
    ]
    assert out.stderr == ""
    with capsys.disabled():
        print(f"\nclaude-hook, checklist edit that breaks it: {seconds:.3f} s")


def test_an_edit_that_breaks_nothing_is_silent(
    bookshop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = edit(
        bookshop, CHECKLIST, "failover in staging", "failover in staging, quarterly"
    )
    out, seconds = hook(payload, bookshop)
    assert (out.returncode, out.stdout, out.stderr) == (0, "", "")
    with capsys.disabled():
        print(f"\nclaude-hook, harmless checklist edit: {seconds:.3f} s")


def test_ticking_a_phase_names_its_stub(tmp_path: Path) -> None:
    assert cli.main(["init", str(tmp_path)]) == 0
    payload = edit(tmp_path, CHECKLIST, "- [ ] Agree the RPO", "- [~] Agree the RPO")
    lines = reason(hook(payload, tmp_path)[0]).splitlines()
    # Phase 0 is open, so the task is CL004 too; the stub plan is the news.
    assert any(
        line.startswith(
            "backup-recovery-plan.md:1:1: error: AR002 Phase 5 (Backup & "
            "Recovery Planning) has started but backup-recovery-plan.md is a stub"
        )
        for line in lines
    ), lines
    assert any(" CL004 " in line for line in lines)


def test_errors_that_were_there_before_the_edit_are_not_repeated(
    bookshop: Path,
) -> None:
    (bookshop / "monitoring-setup.md").unlink()  # AR001, not this edit's doing
    payload = edit(bookshop, CHECKLIST, "in staging", "in staging, quarterly")
    out, _ = hook(payload, bookshop)
    assert (out.returncode, out.stdout) == (0, "")
    # The same edit that also breaks a marker: only that is answered.
    payload = edit(bookshop, CHECKLIST, "- [ ] Rehearse", "- [] Rehearse")
    lines = reason(hook(payload, bookshop)[0]).splitlines()
    assert [line.split(" ", 3)[2] for line in lines[1:-1]] == ["CL001"]


def test_a_write_is_compared_with_the_original_file(bookshop: Path) -> None:
    path = bookshop / CHECKLIST
    original = path.read_text()
    path.write_text(original.replace("## Phase 3", "## Phase 9"))
    payload = {
        "cwd": str(bookshop),
        "hook_event_name": "PostToolUse",
        "tool_name": "Write",
        "tool_input": {"file_path": str(path), "content": path.read_text()},
        "tool_response": {
            "type": "update",
            "filePath": str(path),
            "originalFile": original,
        },
    }
    lines = reason(hook(payload, bookshop)[0]).splitlines()
    assert {line.split(" ", 3)[2] for line in lines[1:-1]} == {"CL002"}


def test_a_multi_edit_is_undone_to_compare(bookshop: Path) -> None:
    first = edit(bookshop, CHECKLIST, "in staging", "in staging, twice")
    second = edit(bookshop, CHECKLIST, "- [ ] Rehearse", "- [X] Rehearse")
    payload = {
        **first,
        "tool_name": "MultiEdit",
        "tool_input": {
            "file_path": first["tool_input"]["file_path"],
            "edits": [
                {"old_string": "in staging", "new_string": "in staging, twice"},
                second["tool_input"],
            ],
        },
    }
    lines = reason(hook(payload, bookshop)[0]).splitlines()
    assert [line.split(" ", 3)[2] for line in lines[1:-1]] == ["CL001"]


def test_editing_a_committed_migration_is_mg004(bookshop: Path) -> None:
    migration = "migration-scripts/V2__create_customers_and_orders.sql"
    payload = edit(bookshop, migration, "CREATE TABLE", "CREATE TABLE IF NOT EXISTS")
    text = reason(hook(payload, bookshop)[0])
    assert f"{migration}: error: MG004 V2__create_customers_and_orders.sql" in text


def test_a_schema_edit_reports_what_it_broke(bookshop: Path) -> None:
    payload = edit(
        bookshop,
        "database-schema.sql",
        "CREATE TABLE publishers",
        "CREATE TABLE gift_cards (code text);\n\nCREATE TABLE publishers",
    )
    text = reason(hook(payload, bookshop)[0])
    assert "error: SQ002 table gift_cards has no primary key" in text
    assert (
        "error: ER003 table gift_cards of database-schema.sql is not in the ERD" in text
    )


def test_a_config_edit_that_breaks_it_is_answered(bookshop: Path) -> None:
    (bookshop / ".dbdesign.yaml").write_text("phase_order: sometimes\n")
    payload = {
        "cwd": str(bookshop),
        "hook_event_name": "PostToolUse",
        "tool_name": "Write",
        "tool_input": {"file_path": str(bookshop / ".dbdesign.yaml"), "content": ""},
    }
    text = reason(hook(payload, bookshop)[0])
    assert ".dbdesign.yaml:1: phase_order: expected one of: phase0, strict, off" in text


@pytest.mark.parametrize(
    "change",
    [
        {"tool_name": "Read"},
        {"hook_event_name": "PreToolUse"},
        {"tool_input": {"file_path": "src/app.py"}},
        {"tool_input": {"file_path": "/elsewhere/database-checklist.md"}},
        {"tool_input": {"command": "ls"}},
        {"tool_input": "not an object"},
    ],
)
def test_other_events_and_files_are_silent(
    bookshop: Path, change: dict[str, Any]
) -> None:
    payload = {
        **edit(bookshop, CHECKLIST, "- [ ] Rehearse", "- [X] Rehearse"),
        **change,
    }
    out, _ = hook(payload, bookshop)
    assert (out.returncode, out.stdout, out.stderr) == (0, "", "")


@pytest.mark.parametrize(
    "data, words",
    [
        (b"{not json", "the hook's input is not JSON"),
        (b"\xff\xfe", "the hook's input is not JSON"),
        (b"[1, 2]", "not a JSON object"),
    ],
)
def test_input_that_is_not_the_hooks_is_exit_1_on_stderr(
    bookshop: Path, data: bytes, words: str
) -> None:
    out, _ = hook(data, bookshop)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.startswith("dbdesign claude-hook: ") and words in out.stderr
    assert "Traceback" not in out.stderr


def test_a_broken_config_does_not_block_other_edits(bookshop: Path) -> None:
    (bookshop / ".dbdesign.yaml").write_text("colour: red\n")
    payload = edit(bookshop, CHECKLIST, "- [ ] Rehearse", "- [X] Rehearse")
    out, _ = hook(payload, bookshop)
    assert out.returncode == 1 and out.stdout == ""
    assert ".dbdesign.yaml:1: colour: unknown key" in out.stderr
