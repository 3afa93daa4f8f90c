"""The progress line of long runs (issue 14): on a terminal only (a pty
here), erased at the end, never with a machine-readable format, never when
stderr is not a terminal. `DBDESIGN_PROGRESS_AFTER=0` shows it at once
instead of after two seconds."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from dbdesign import meter

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")

SCHEMA = "CREATE TABLE t (id int PRIMARY KEY);\n"


def _project(root: Path) -> Path:
    (root / "migration-scripts").mkdir(parents=True)
    (root / "database-schema.sql").write_text(SCHEMA, encoding="utf-8")
    (root / "migration-scripts" / "V1__t.sql").write_text(SCHEMA, encoding="utf-8")
    return root


def _run(root: Path, *args: str, tty: bool = True) -> tuple[int, str, str]:
    """`dbdesign check --all ARGS` with stderr on a pty (or a pipe):
    (status, stdout, what reached stderr)."""
    exe = Path(sys.executable).parent / "dbdesign"
    env = {**os.environ, "DBDESIGN_PROGRESS_AFTER": "0"}
    argv = [str(exe), "check", "--all", "--root", str(root), *args]
    if not tty:
        out = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        return out.returncode, out.stdout, out.stderr
    main, other = pty.openpty()
    try:
        process = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=other, env=env, text=True
        )
        os.close(other)
        other = -1
        stdout, _ = process.communicate(timeout=300)
        seen = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the other end is closed: all read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(main)
        if other >= 0:
            os.close(other)
    return process.returncode, stdout, seen.decode("utf-8", "replace")


def test_a_terminal_sees_the_line_and_it_is_erased(tmp_path: Path) -> None:
    _code, stdout, stderr = _run(_project(tmp_path))
    assert "\rdbdesign: " in stderr and "check" in stderr, stderr
    # erased: the last thing written blanks the line and returns
    assert stderr.rstrip("\r").endswith(" "), repr(stderr[-40:])
    assert "dbdesign: " not in stdout


@pytest.mark.parametrize("fmt", ["json", "sarif", "github"])
def test_never_with_a_machine_format(tmp_path: Path, fmt: str) -> None:
    _code, _stdout, stderr = _run(_project(tmp_path), "--format", fmt)
    assert "dbdesign: " not in stderr, stderr


def test_never_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    _code, _stdout, stderr = _run(_project(tmp_path), tty=False)
    assert stderr == ""


def test_the_line_says_the_phase_and_the_count() -> None:
    shown = meter.Meter(None)
    shown.phase("reading migrations", 5000)
    shown.step(120)
    assert shown.line().startswith("dbdesign: reading migrations 120/5000 files (")
    shown.close()  # a meter without a stream writes nothing and never fails
