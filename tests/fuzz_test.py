"""Any file content, however hostile (issue 15): a run over a checklist, an
ERD, SQL or a config ends with exit status 0 or 1 (a config may also be
exit 2 with one line that says what is wrong), never an internal error or a
traceback; and the checklist's --fix is idempotent and converges (after it,
no finding is still marked fixable)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import projects
from dbdesign.cli import main

SETTINGS = settings(
    max_examples=int(os.environ.get("DBDESIGN_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def fragments(*pieces: str) -> st.SearchStrategy[str]:
    """Text made of PIECES (the syntax that matters) and arbitrary text."""
    piece = st.sampled_from(pieces) | st.text(max_size=12)
    return st.lists(piece, max_size=40).map("".join)


def contents(text: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """TEXT as UTF-8 (with a BOM or CRLF now and then), or any bytes."""
    encoded = st.builds(
        lambda t, bom, crlf: (
            ("\ufeff" if bom else "") + (t.replace("\n", "\r\n") if crlf else t)
        ).encode("utf-8", "surrogatepass"),
        text,
        st.booleans(),
        st.booleans(),
    )
    return encoded | st.binary(max_size=200)


CHECKLIST = contents(
    fragments(
        "\n",
        "- [ ] ",
        "- [x] ",
        "- [X] ",
        "- [] ",
        "- [  ] ",
        "* [~] ",
        "1. [!] ",
        "  ",
        "    ",
        "\t",
        "> ",
        "## Phase 0: Data\n",
        "# Phase 3\n",
        "Phase 9\n===\n",
        "```\n",
        "~~~",
        "<!-- ",
        " -->",
        "blocked by ",
        "[X]",
        "\u00e9",
        "\U0001f600",
        "\r",
    )
)
ERD = contents(
    fragments(
        "\n",
        "```mermaid\n",
        "```\n",
        "erDiagram\n",
        "  BOOK {\n",
        "    int id PK\n",
        "  }\n",
        "  BOOK ||--o{ ORDER : has\n",
        '"quoted"',
        "%% comment\n",
        "<!-- dbdesign:erd:start -->\n",
        "<!-- dbdesign:erd:end -->\n",
        "{",
        "}",
    )
)
SQL = contents(
    fragments(
        "\n",
        ";",
        "CREATE TABLE t (",
        "id integer PRIMARY KEY",
        ", ",
        ")",
        "(",
        "REFERENCES t (id)",
        "ALTER TABLE t ADD COLUMN c text NOT NULL",
        "DROP TABLE t",
        "CREATE INDEX i ON t (id)",
        "'",
        '"',
        "$$",
        "$f$",
        "--",
        "/*",
        "*/",
        "{{ x }}",
        "-- dbdesign: ignore[SQ002]\n",
        "BEGIN;",
        "\\",
    )
)
YAML = contents(
    fragments(
        "\n",
        "  ",
        "- ",
        ": ",
        "ignore",
        "dialect: mysql",
        "artifacts:\n",
        "severity: {CL005: error}",
        "migration_naming: ",
        "regex:(?P<version>\\d+)",
        "[",
        "]",
        "{",
        "}",
        "&a ",
        "*a",
        "!!python/object ",
        "'",
        '"',
        "#",
        "---\n",
        "? ",
    )
)
TOML = contents(
    fragments(
        "\n",
        "[tool.dbdesign]\n",
        "[tool.dbdesign.severity]\n",
        "ignore = ",
        "dialect = 'mysql'",
        '"',
        "'''",
        "[",
        "]",
        "{",
        "}",
        "=",
        "#",
        ",",
    )
)


@contextlib.contextmanager
def project(files: dict[str, bytes]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        projects.write(root, files)  # type: ignore[arg-type]
        yield root


def run(root: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", "--root", str(root), "--no-cache", *args])
    return code, out.getvalue(), err.getvalue()


def assert_clean_run(code: int, err: str, allowed: tuple[int, ...] = (0, 1)) -> None:
    assert code in allowed, err
    assert "internal error" not in err, err
    assert "Traceback" not in err, err
    if code == 2:
        assert err.startswith("dbdesign: error: "), err
        assert err.count("\n") == 1, err


@SETTINGS
@given(CHECKLIST)
def test_any_checklist(data: bytes) -> None:
    with project({projects.CHECKLIST: data}) as root:
        code, _, err = run(root, "--select", "CL,FW")
        assert_clean_run(code, err)


@SETTINGS
@given(CHECKLIST)
def test_checklist_fix_is_idempotent_and_converges(data: bytes) -> None:
    with project({projects.CHECKLIST: data}) as root:
        target = root / projects.CHECKLIST
        code, _, err = run(root, "--select", "CL,FW", "--fix")
        assert_clean_run(code, err)
        once = target.read_bytes()
        code, _, err = run(root, "--select", "CL,FW", "--fix")
        assert_clean_run(code, err)
        assert target.read_bytes() == once, "a second --fix changed the file"
        code, out, err = run(root, "--select", "CL,FW", "--format", "json")
        assert_clean_run(code, err)
        left = [f for f in json.loads(out)["findings"] if f["fixable"]]
        assert left == [], "--fix left findings it says it can fix"


@SETTINGS
@given(ERD)
def test_any_erd(data: bytes) -> None:
    with project({"entity-relationship-diagram.md": data}) as root:
        code, _, err = run(root, "--select", "ER")
        assert_clean_run(code, err)


@SETTINGS
@given(SQL, SQL)
def test_any_sql(schema: bytes, migration: bytes) -> None:
    files = {"database-schema.sql": schema, "migration-scripts/V2__x.sql": migration}
    with project(files) as root:
        # SQ and MG only: sqlfluff has its own bounds and tests, and its
        # worker processes would make each example a second long.
        code, _, err = run(root, "--select", "SQ,MG")
        assert_clean_run(code, err)


@SETTINGS
@given(YAML)
def test_any_yaml_config(data: bytes) -> None:
    with project({".dbdesign.yaml": data}) as root:
        code, _, err = run(root, "--select", "FW")
        assert_clean_run(code, err, allowed=(0, 1, 2))


@SETTINGS
@given(TOML)
def test_any_toml_config(data: bytes) -> None:
    with project({"pyproject.toml": b"[tool.dbdesign]\n" + data}) as root:
        code, _, err = run(root, "--select", "FW")
        assert_clean_run(code, err, allowed=(0, 1, 2))
