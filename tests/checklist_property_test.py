from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import projects
from dbdesign.checks import artifacts, checklist
from dbdesign.config import Config
from dbdesign.project import Project
from projects import CHECKLIST

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

MARKERS = [
    "[ ]",
    "[x]",
    "[~]",
    "[!]",
    "[X]",
    "[]",
    "[  ]",
    "[ x]",
    "[v]",
    "[-]",
    "[✓]",
    "[1]",
    "[TBD]",
    "[X](url)",
    "",
]
PREFIXES = [
    "- ",
    "* ",
    "+ ",
    "1. ",
    "2) ",
    "  - ",
    "    - ",
    "\t- ",
    "> - ",
    "-\t",
    "",
    "    ",
    "<!-- ",
    "## Phase 0 ",
    "# ",
    "Phase 1\n===",
]
LINES = st.one_of(
    st.builds(
        lambda p, m, t: p + m + t,
        st.sampled_from(PREFIXES),
        st.sampled_from(MARKERS),
        st.sampled_from(
            [
                "",
                " a",
                " task [X] inside",
                " blocked by b",
                "   ",
                " <!-- c -->",
                " `[X]`",
            ]
        ),
    ),
    st.sampled_from(
        [
            "",
            "```",
            "~~~",
            "-->",
            "<!--",
            "## Phase 2: x",
            "### Phase 1",
            "    code",
            "---",
            "| a | b |",
        ]
    ),
    st.text(alphabet="-*[]xX !~ \t>#`<", max_size=12),
)
ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def checklists(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(LINES, max_size=30))
    out = "".join(line + draw(ENDINGS) for line in lines)
    bom = draw(st.booleans())
    return (b"\xef\xbb\xbf" if bom else b"") + out.encode("utf-8")


def normalise(data: bytes) -> bytes:
    """DATA with every fixable marker written as its fix would."""
    return data.replace(b"[X]", b"[x]").replace(b"[  ]", b"[ ]").replace(b"[]", b"[ ]")


@contextmanager
def project_with(files: dict[str, str | bytes | None]) -> Iterator[Project]:
    with tempfile.TemporaryDirectory() as name:
        root = projects.write(Path(name), files)
        yield Project(root, Config())


def expected_fix(data: bytes, project: Project) -> bytes:
    """DATA with exactly the markers that the check calls fixable rewritten,
    at the line and column it gives: every other byte as it was."""
    spots = {
        (f.line, f.column)
        for f in checklist.check(project)
        if f.code == "CL001" and f.fixable
    }
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8")[1 if bom else 0 :]
    pieces = re.split(r"(\r\n|\r|\n)", text)
    for number in range(0, len(pieces), 2):
        line = pieces[number]
        for line_no, column in spots:
            if line_no == number // 2 + 1:
                assert column is not None
                start = column - 1
                match = re.match(r"\[(X| {0,2})\]", line[start:])
                assert match, (line, column)
                fixed = "[x]" if match[1] == "X" else "[ ]"
                line = line[:start] + fixed + line[start + len(match[0]) :]
                # Later spots on the same line would shift; there are none:
                # a line holds at most one task marker.
        pieces[number] = line
    return (b"\xef\xbb\xbf" if bom else b"") + "".join(pieces).encode()


def fix_once(data: bytes) -> tuple[bytes, list[str]]:
    with project_with({CHECKLIST: data}) as project:
        expected = expected_fix(data, project)
        fixed = checklist.fix(project, list(checklist.check(project)))
        after = (project.root / CHECKLIST).read_bytes()
        # What is left is what no fix can decide.
        left = [
            f
            for f in checklist.check(Project(project.root, Config()))
            if f.code == "CL001" and f.fixable
        ]
        assert left == [], left
        assert after == expected
        return after, fixed


@SETTINGS
@given(checklists())
def test_fix_changes_only_marker_bytes_and_is_idempotent(data: bytes) -> None:
    after, fixed = fix_once(data)
    assert normalise(after) == normalise(data)
    assert after.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
    assert after.count(b"\r") == data.count(b"\r")
    assert after.count(b"\n") == data.count(b"\n")
    assert fixed == ([CHECKLIST] if after != data else [])
    again, fixed_again = fix_once(after)
    assert (again, fixed_again) == (after, [])


@SETTINGS
@given(
    st.one_of(
        st.binary(max_size=400),
        checklists(),
        st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")),
    )
)
def test_checklist_never_raises(data: bytes) -> None:
    with project_with({CHECKLIST: data}) as project:
        found = list(checklist.check(project))
        assert all(f.path == CHECKLIST for f in found)
        checklist.fix(project, found)


@SETTINGS
@given(
    st.sampled_from(
        [
            "database-schema.sql",
            "backup-recovery-plan.md",
            "entity-relationship-diagram.md",
            "CHANGELOG.md",
        ]
    ),
    st.one_of(
        st.binary(max_size=400),
        checklists(),
        st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")),
    ),
)
def test_artifacts_never_raise(name: str, data: bytes) -> None:
    with project_with({name: data}) as project:
        found = list(artifacts.check(project))
        assert all(f.path == name for f in found)
        assert all(f.code in ("AR002", "AR003") for f in found)
