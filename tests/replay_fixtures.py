"""A PostgreSQL server for the replay tests: one ephemeral server for the
whole session, reached by URL (each replay makes its own throwaway
databases on it), and helpers that run `dbdesign replay` or `dbdesign
check` as JSON. Without PostgreSQL's server programs the tests skip with
the reason, except in CI (CI=true), where they must run."""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dbdesign import cli
from dbdesign.replay import binaries, server

BINDIR = binaries.find_bindir(None)
needs_postgres = pytest.mark.skipif(
    BINDIR is None and not os.environ.get("CI"),
    reason="PostgreSQL's server programs (initdb, pg_ctl) are not installed; "
    "`apt-get install postgresql` to run the replay tests",
)


def serve() -> Iterator[str]:
    """A URL of an ephemeral server, for conftest's session fixture."""
    assert BINDIR is not None, "no PostgreSQL server programs (CI must have them)"
    with server.ephemeral(BINDIR) as target:
        yield f"postgresql://postgres@/postgres?host={target.admin['host']}"


def write(root: Path, files: dict[str, str]) -> Path:
    for relpath, text in files.items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def run_json(*argv: str) -> tuple[int, dict[str, object]]:
    """`dbdesign ARGV --format json`: the exit status and the document."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([*argv, "--format", "json"])
    if code == 2:
        return code, {"error": err.getvalue()}
    document: dict[str, object] = json.loads(out.getvalue())
    return code, document


def replay(root: Path, url: str, *extra: str) -> tuple[int, dict[str, object]]:
    return run_json("replay", str(root), "--database-url", url, *extra)


def found(document: dict[str, object], prefix: str = "") -> list[dict[str, object]]:
    items = document.get("findings", [])
    assert isinstance(items, list)
    return [f for f in items if str(f["code"]).startswith(prefix)]


def codes(document: dict[str, object]) -> list[tuple[str, str, object]]:
    return sorted((str(f["code"]), str(f["path"]), f["line"]) for f in found(document))


def assert_clean(root: Path, url: str, *extra: str) -> None:
    """`dbdesign replay` finds nothing and exits 0."""
    code, document = replay(root, url, *extra)
    assert (code, codes(document)) == (0, [])
