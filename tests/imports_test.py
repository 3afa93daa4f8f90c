"""SPEC 7: a hook that reads no SQL never imports sqlfluff or sqlglot. Each
case runs in a fresh interpreter and looks at sys.modules after main()."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import projects
from projects import CHECKLIST

PROBE = """
import contextlib, io, json, sys
from dbdesign import cli
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    try:
        code = getattr(cli, sys.argv[1])(sys.argv[2:])
    except SystemExit as exc:
        code = exc.code
heavy = sorted(name for name in sys.modules
               if name.split(".")[0] in ("sqlfluff", "sqlglot", "psycopg"))
print(json.dumps({"code": code, "heavy": heavy, "out": out.getvalue()}))
"""


def probe(cwd: Path, main: str, *args: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, main, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


BAD = {
    CHECKLIST: "## Phase 0\n\n- [X] a\n- [!] b\n",
    "database-schema.sql": "CREATE TABLE t (id int);\n-- dbdesign: ignore[SQ002]\n",
    "backup-recovery-plan.md": "# B\n\nTODO\n",
}


HOOK_MAINS = ("framework_main", "checklist_main", "artifacts_main")
CASES = [
    *(
        (main, ["--format", fmt], True)
        for main in HOOK_MAINS
        for fmt in ("text", "json", "github", "sarif")
    ),
    *((main, [], False) for main in HOOK_MAINS),
    ("checklist_main", ["--fix"], True),
    ("checklist_main", [CHECKLIST], True),
    ("artifacts_main", ["--strict"], False),
    ("main", ["check", "--select", "FW,CL,AR"], True),
    ("main", ["check", "--select", "FW,CL,AR", "--format", "sarif"], False),
    # The changelog hook and the migrations rules that read no SQL (naming,
    # order, immutability, integrity); MG010-MG013 parse SQL by design.
    ("changelog_main", [], False),
    ("changelog_main", ["--format", "json"], True),
    (
        "migrations_main",
        ["--select", "MG001,MG002,MG003,MG004,MG005,MG006,MG007"],
        True,
    ),
    ("main", ["check", "--select", "CH,MG00"], True),
    ("main", ["check", "--select", "RP"], True),  # replay.mode: off
    ("main", ["rules"], False),
    ("main", ["rules", "SQ004"], False),
]


@pytest.mark.parametrize("main, args, bad", CASES)
def test_no_sql_libraries(
    tmp_path: Path, main: str, args: list[str], bad: bool
) -> None:
    projects.write(tmp_path, BAD if bad else None)
    result = probe(tmp_path, main, *args)
    assert result["heavy"] == [], result
    assert result["code"] in (0, 1), result
