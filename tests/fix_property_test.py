"""A fix makes its finding go away, or the finding is not fixable: on
generated projects (schema, ERD, checklist), `--fix` twice changes nothing
the second time, and then no finding is marked fixable."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbdesign.cli import main
from dbdesign.erd.mermaid import END_MARKER, START_MARKER
from projects import CHECKLIST, TITLES

# Names that collide once sanitised, that mermaid reads as keywords, that
# differ only in case, or that are not ASCII.
TABLES = [
    "users",
    "a_b",
    "a%b",
    "A_B",
    "to",
    "end",
    "x y",
    "prénom",
    "名前",
    "t_2",
    'we"ird',
    "accTitle",
    "a-b",
]
COLUMNS = ["id", "prénom", "pr_nom", "名前", "名字", "PK", "to", "x y", "Id", "a_id"]
TYPES = ["int", "text", "numeric(10,2)", "timestamp with time zone", "varchar(3)[]"]
CARDINALITIES = ["||", "|o", "}o", "}|", "o{", "|{", "o|"]
MARKERS = ["[ ]", "[x]", "[X]", "[]", "[  ]", "[~]", "[!] because", "[v]"]


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@st.composite
def schemas(draw: st.DrawFn) -> tuple[str, list[str]]:
    tables = draw(
        st.lists(st.sampled_from(TABLES), min_size=1, max_size=4, unique=True)
    )
    out = []
    for table in tables:
        columns = draw(
            st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=4, unique=True)
        )
        parts = []
        for n, column in enumerate(columns):
            kind = "int" if column in ("id", "a_id") else draw(st.sampled_from(TYPES))
            key = " PRIMARY KEY" if n == 0 and draw(st.booleans()) else ""
            parts.append(f"{quoted(column)} {kind}{key}")
        for other in draw(st.lists(st.sampled_from(tables), max_size=2)):
            null = draw(st.sampled_from(["", " NOT NULL", " UNIQUE"]))
            parts.append(
                f"{quoted('ref_' + other)} int{null} REFERENCES {quoted(other)}"
            )
        out.append(
            f"CREATE TABLE {quoted(table)} (\n  " + ",\n  ".join(parts) + "\n);\n"
        )
    return "".join(out), tables


@st.composite
def diagrams(draw: st.DrawFn, tables: list[str]) -> str | None:
    kind = draw(st.sampled_from(["missing", "empty", "hand", "marked", "broken"]))
    if kind == "missing":
        return None
    if kind == "empty":
        return "# ERD\n"
    lines = ["erDiagram"]
    names = [*tables, "ghost", "a_b_2", "A%B"]
    for name in draw(st.lists(st.sampled_from(names), max_size=4)):
        written = draw(st.sampled_from([name, quoted(name), name.upper()]))
        if draw(st.booleans()):
            attrs = draw(st.lists(st.sampled_from(COLUMNS), max_size=3))
            body = "".join(f"        int {a.replace(' ', '_')}\n" for a in attrs)
            lines.append(f"    {written} {{\n{body}    }}")
        else:
            lines.append(f"    {written}")
    for _ in range(draw(st.integers(0, 3))):
        a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names))
        left = draw(st.sampled_from(CARDINALITIES[:4]))
        right = draw(st.sampled_from(["o{", "|{", "||", "o|"]))
        line = draw(st.sampled_from(["--", ".."]))
        label = draw(st.sampled_from(['"x"', '"ref_users"', "has"]))
        lines.append(f"    {quoted(a)} {left}{line}{right} {quoted(b)} : {label}")
    if kind == "broken":
        lines.append(draw(st.sampled_from(["    }", "    a ||--", '    "open'])))
    block = "```mermaid\n" + "\n".join(lines) + "\n```\n"
    if kind == "marked":
        block = f"{START_MARKER}\n{block}{END_MARKER}\n"
    prose = draw(
        st.sampled_from(
            ["# ERD\n\n", "", "# ERD\n\n```mermaid\nerDiagram\n  users\n```\n\n"]
        )
    )
    return prose + block


@st.composite
def projects_(draw: st.DrawFn) -> dict[str, str | None]:
    schema, tables = draw(schemas())
    checklist = "".join(
        f"\n## Phase {n}: {TITLES[n]}\n\n"
        + "".join(
            f"- {marker} task\n"
            for marker in draw(st.lists(st.sampled_from(MARKERS), max_size=3))
        )
        for n in range(8)
    )
    erd = draw(diagrams(tables))
    if draw(st.booleans()):  # a Windows checkout: fixes keep CRLF
        checklist = checklist.replace("\n", "\r\n")
        erd = erd and erd.replace("\n", "\r\n")
    return {
        "database-schema.sql": schema,
        "entity-relationship-diagram.md": erd,
        CHECKLIST: checklist,
    }


def run(root: Path, *args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", "--root", str(root), "--select", "CL,ER", *args])
    assert code in (0, 1), err.getvalue()
    assert "internal error" not in err.getvalue()
    return code, out.getvalue()


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".dbdesign-cache" not in p.parts
    }


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(projects_())
def test_fixes_converge_and_cure_what_they_claim(files: dict[str, str | None]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for relpath, content in files.items():
            if content is not None:
                (root / relpath).parent.mkdir(parents=True, exist_ok=True)
                (root / relpath).write_bytes(content.encode())
        run(root, "--fix", "--format", "json")
        once = snapshot(root)
        run(root, "--fix", "--format", "json")
        assert snapshot(root) == once, "a second --fix changed the files again"
        _, out = run(root, "--format", "json")
        left = [f for f in json.loads(out)["findings"] if f["fixable"]]
        assert left == [], "still marked fixable after --fix"
