"""The ephemeral server's life (always stopped and removed, also on SIGTERM
and Ctrl-C; run as an unprivileged account under root), what happens with
no server at all, the `replay:` config keys, and SQLite's replay."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dbdesign import config as config_mod
from replay_fixtures import (
    BINDIR,
    codes,
    found,
    needs_postgres,
    replay,
    run_json,
    write,
)


def _children(pid: int) -> list[int]:
    out = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    )
    return [int(p) for p in out.stdout.split()]


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _uid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError("no Uid line")


def _wait_for(predicate, what: str, timeout: float = 120):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@needs_postgres
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_killed_run_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sig: signal.Signals
) -> None:
    import psycopg

    monkeypatch.delenv("DBDESIGN_DATABASE_URL", raising=False)
    root = write(
        tmp_path,
        {
            ".dbdesign.yaml": "postgres_version: 15\n",
            "migration-scripts/V1__slow.sql": "SELECT pg_sleep(120);\n",
        },
    )
    run = subprocess.Popen(
        [sys.executable, "-m", "dbdesign", "replay", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        postmaster = _wait_for(
            lambda: next(
                (p for p in _children(run.pid) if _comm(p) == "postgres"), None
            ),
            "the ephemeral server",
        )
        args = Path(f"/proc/{postmaster}/cmdline").read_text().split("\0")
        folder = Path(args[args.index("-D") + 1]).parent
        socket = folder / ".s.PGSQL.5432"
        if os.geteuid() == 0:  # PostgreSQL refuses root: another account runs it
            assert _uid(postmaster) != 0

        def sleeping() -> bool:
            try:
                with psycopg.connect(
                    host=str(folder), user="postgres", dbname="postgres"
                ) as conn:
                    row = conn.execute(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE query LIKE 'SELECT pg_sleep%' AND state = 'active'"
                    ).fetchone()
                    return bool(row and row[0])
            except psycopg.OperationalError:
                return False

        _wait_for(sleeping, "the migration to run")
        run.send_signal(sig)
        run.wait(60)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 130, run.stderr.read() if run.stderr else ""
    assert "Traceback" not in (run.stderr.read() if run.stderr else "")
    assert not Path(f"/proc/{postmaster}").exists() or _comm(postmaster) == ""
    assert not socket.exists()
    assert not folder.exists()


def test_no_server_in_auto_mode_is_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DBDESIGN_DATABASE_URL", raising=False)
    root = write(
        tmp_path,
        {
            ".dbdesign.yaml": "replay:\n  mode: auto\n  postgres_bin: /nonexistent\n",
            "migration-scripts/V1__a.sql": "CREATE TABLE a (id int PRIMARY KEY);\n",
        },
    )
    code, document = run_json("check", "--root", str(root), "--select", "RP")
    assert code == 0
    [note] = document["notes"]  # type: ignore[misc]
    assert "replay did not run" in note and "postgres_bin" in note
    code, document = run_json("replay", str(root))
    assert code == 2
    assert "replay: no initdb and pg_ctl in /nonexistent" in str(document["error"])


def test_replay_off_is_free(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {"migration-scripts/V1__a.sql": "CREATE TABLE a (id int PRIMARY KEY);\n"},
    )
    code, document = run_json("check", "--root", str(root), "--select", "RP")
    assert (code, found(document), document["notes"]) == (0, [], [])


@pytest.mark.parametrize(
    "text, message",
    [
        ("replay: []\n", "replay: expected a mapping"),
        ("replay:\n  mode: sometimes\n", "replay.mode: expected one of: off, auto, on"),
        ("replay:\n  nope: 1\n", "replay.nope: unknown key"),
        ("replay:\n  setup: [../x.sql]\n", "replay.setup: expected a path inside"),
        ("postgres_version: fifteen\n", "postgres_version: expected a PostgreSQL"),
        ("drift_ignore: 3\n", "drift_ignore: expected a list of strings"),
    ],
)
def test_bad_replay_config(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / ".dbdesign.yaml").write_text(text)
    with pytest.raises(config_mod.ConfigError, match=message.replace(".", r"\.")):
        config_mod.load(tmp_path)


def test_replay_config(tmp_path: Path) -> None:
    (tmp_path / ".dbdesign.yaml").write_text(
        "postgres_version: 16\ndrift_ignore: [audit_*]\nreplay:\n  mode: on\n"
        "  database_url: postgresql://x@db/y\n  setup: [db/roles.sql]\n"
    )
    config = config_mod.load(tmp_path)
    assert config.postgres_version == 16
    assert config.drift_ignore == ("audit_*",)
    assert config.replay == config_mod.Replay(
        "on", "postgresql://x@db/y", None, ("db/roles.sql",)
    )
    (tmp_path / ".dbdesign.yaml").write_text("replay:\n  mode: off\n")
    assert config_mod.load(tmp_path).replay.mode == "off"


# -- SQLite ------------------------------------------------------------------

SQLITE = "dialect: sqlite\nmigrations_dir: migrations\n"


def test_sqlite_failure_and_drift(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            ".dbdesign.yaml": SQLITE,
            "migrations/1_book.up.sql": "CREATE TABLE book (\n  id INTEGER PRIMARY KEY,\n"
            "  price REAL CHECK (price > 0)\n);\n",
            "migrations/1_book.down.sql": "DROP TABLE book;\n",
            "database-schema.sql": "CREATE TABLE book (\n  id INTEGER PRIMARY KEY,\n"
            "  price REAL CHECK (price >= 0)\n);\n",
        },
    )
    code, document = replay(root, "")
    assert code == 1
    [item] = found(document)
    assert item["code"] == "RP003" and "price >= 0" in str(item["message"])
    write(
        root, {"migrations/2_bad.up.sql": "\nALTER TABLE nothing ADD COLUMN x int;\n"}
    )
    code, document = replay(root, "")
    assert codes(document) == [("RP001", "migrations/2_bad.up.sql", 2)]


def test_sqlite_write_schema_and_down(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            ".dbdesign.yaml": SQLITE,
            "migrations/1_book.up.sql": "CREATE TABLE book (id INTEGER PRIMARY KEY, title TEXT);\n"
            "CREATE INDEX book_title ON book (title);\n",
            "migrations/1_book.down.sql": "DROP INDEX book_title;\n",
        },
    )
    code, document = replay(root, "", "--write-schema")
    assert code == 1  # the down leaves the table behind
    assert [f["code"] for f in found(document)] == ["RP004"]
    written = (root / "database-schema.sql").read_text()
    assert written.startswith("CREATE TABLE book")
    assert "CREATE INDEX book_title ON book (title);" in written
    write(root, {"migrations/1_book.down.sql": "DROP TABLE book;\n"})
    code, document = replay(root, "")
    assert (code, found(document)) == (0, [])


@needs_postgres
def test_binaries_are_found() -> None:
    assert BINDIR is not None
    assert (BINDIR / "initdb").exists()
