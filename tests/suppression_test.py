from __future__ import annotations

import pytest

from conftest import Repo
from dbdesign import findings
from dbdesign.cli import checklist_main, framework_main
from dbdesign.findings import Finding, apply_suppressions, parse_suppressions

# -- the core -----------------------------------------------------------------


def f(code: str, path: str = "db.sql", line: int | None = 3) -> Finding:
    return findings.finding(code, path, f"{code} here", line, 1)


def always(code: str, suppression: object) -> bool:
    return True


def codes_lines(found: list[Finding]) -> list[tuple[str, int | None]]:
    return sorted((item.code, item.line) for item in found)


def test_finding_takes_the_registry_defaults() -> None:
    item = findings.finding("CL001", "c.md", "bad marker", 4, 3)
    assert (item.severity, item.check, item.fixable) == ("error", "checklist", True)
    assert findings.finding("CL001", "c.md", "m", fixable=False).fixable is False
    assert findings.finding("AR003", "x.md", "m").severity == "warning"
    assert item.as_dict() == {
        "code": "CL001",
        "severity": "error",
        "check": "checklist",
        "path": "c.md",
        "line": 4,
        "column": 3,
        "message": "bad marker",
        "fixable": True,
    }


def test_external_finding() -> None:
    item = findings.external("LT01", "sqlfluff", "a.sql", "spacing", 2, 5)
    assert (item.code, item.severity, item.check) == ("LT01", "warning", "sqlfluff")


# (text, the (code, line) findings to suppress, what is left afterwards).
# Findings are SQ002 and SQ003 at line 3 of db.sql unless said otherwise.
SQL_CASES = [
    # on the line, and on the line above
    ("a\nb\nCREATE TABLE t (x int); -- dbdesign: ignore[SQ002]\n", [("SQ002", 3)], []),
    ("a\n-- dbdesign: ignore[SQ002]\nCREATE TABLE t (x int);\n", [("SQ002", 3)], []),
    # two lines above is too far: kept, and the suppression is unused
    (
        "-- dbdesign: ignore[SQ002]\n\nCREATE TABLE t (x int);\n",
        [("SQ002", 3)],
        [("DB001", 1), ("SQ002", 3)],
    ),
    # several codes, spaces allowed
    ("a\n-- dbdesign: ignore[ SQ002 , SQ003 ]\nx\n", [("SQ002", 3), ("SQ003", 3)], []),
    # only the named code
    (
        "a\n-- dbdesign: ignore[SQ003]\nx\n",
        [("SQ002", 3), ("SQ003", 3)],
        [("SQ002", 3)],
    ),
    # a bare ignore silences nothing and is itself reported
    ("a\n-- dbdesign: ignore\nx\n", [("SQ002", 3)], [("DB001", 2), ("SQ002", 3)]),
    ("a\n-- dbdesign: ignore[]\nx\n", [("SQ002", 3)], [("DB001", 2), ("SQ002", 3)]),
    # unknown codes (a typo never silences everything)
    (
        "a\n-- dbdesign: ignore[SQ999]\nx\n",
        [("SQ002", 3)],
        [("DB001", 2), ("SQ002", 3)],
    ),
    (
        "a\n-- dbdesign: ignore[sq002]\nx\n",
        [("SQ002", 3)],
        [("DB001", 2), ("SQ002", 3)],
    ),
    # file-wide, in the first comment block
    (
        "-- schema of the shop\n-- dbdesign: ignore-file[SQ002]\n\nCREATE t;\n"
        "CREATE u;\n",
        [("SQ002", 4), ("SQ002", 5)],
        [],
    ),
    # file-wide below the first statement: not applied, and reported
    (
        "CREATE t;\n-- dbdesign: ignore-file[SQ002]\nCREATE u;\n",
        [("SQ002", 3)],
        [("DB001", 2), ("SQ002", 3)],
    ),
    (
        "-- dbdesign: ignore-file\nCREATE t;\n",
        [("SQ002", 2)],
        [("DB001", 1), ("SQ002", 2)],
    ),
    # a /* ... */ block (a licence) is part of the first comment block
    (
        "/*\n * Licence: MIT\n */\n-- dbdesign: ignore-file[SQ002]\nCREATE t;\n",
        [("SQ002", 5)],
        [],
    ),
    (
        "/* one line */\n-- dbdesign: ignore-file[SQ002]\nCREATE t;\n",
        [("SQ002", 3)],
        [],
    ),
    ("/*\n -- dbdesign: ignore-file[SQ002]\n*/\nCREATE t;\n", [("SQ002", 4)], []),
    (
        "CREATE t;\n/*\n-- dbdesign: ignore-file[SQ002]\n*/\n",
        [("SQ002", 1)],
        [("DB001", 3), ("SQ002", 1)],
    ),
    # CRLF and lone CR line endings count lines as markdown-it does
    ("a\r\n-- dbdesign: ignore[SQ002]\r\nx\r\n", [("SQ002", 3)], []),
    ("a\r-- dbdesign: ignore[SQ002]\rx\r", [("SQ002", 3)], []),
]


@pytest.mark.parametrize("text, raised, left", SQL_CASES)
def test_sql_suppressions(
    text: str, raised: list[tuple[str, int]], left: list[tuple[str, int]]
) -> None:
    found = [f(code, line=line) for code, line in raised]
    kept = apply_suppressions(found, {"db.sql": text}, always)
    assert codes_lines(kept) == left


MARKDOWN_CASES = [
    ("# T\n<!-- dbdesign: ignore[CL001] -->\n- [X] a\n", [("CL001", 3)], []),
    ("# T\n\n- [X] a <!-- dbdesign: ignore[CL001] -->\n", [("CL001", 3)], []),
    (
        "<!-- dbdesign: ignore-file[CL001,CL004] -->\n# T\n- [X] a\n",
        [("CL001", 3), ("CL004", 3)],
        [],
    ),
    # a multi-line comment block at the top is still the first block
    (
        "<!--\nnotes for editors\n-->\n<!-- dbdesign: ignore-file[CL001] -->\n"
        "# T\n- [X] a\n",
        [("CL001", 6)],
        [],
    ),
    (
        "# T\n<!-- dbdesign: ignore-file[CL001] -->\n- [X] a\n",
        [("CL001", 3)],
        [("CL001", 3), ("DB001", 2)],
    ),
    (
        "# T\n<!-- dbdesign: ignore -->\n- [X] a\n",
        [("CL001", 3)],
        [("CL001", 3), ("DB001", 2)],
    ),
]


@pytest.mark.parametrize("text, raised, left", MARKDOWN_CASES)
def test_markdown_suppressions(
    text: str, raised: list[tuple[str, int]], left: list[tuple[str, int]]
) -> None:
    found = [f(code, "c.md", line) for code, line in raised]
    kept = apply_suppressions(found, {"c.md": text}, always)
    assert codes_lines(kept) == left


def test_unused_suppression_only_when_its_check_ran() -> None:
    text = "a\n-- dbdesign: ignore[SQ002]\nx\n"
    assert apply_suppressions([], {"db.sql": text}, lambda code, sup: False) == []
    kept = apply_suppressions([], {"db.sql": text}, always)
    assert [(k.code, k.line, k.column) for k in kept] == [("DB001", 2, 1)]
    assert "SQ002 suppresses nothing" in kept[0].message


def test_suppression_applies_to_its_own_file_only() -> None:
    kept = apply_suppressions(
        [f("SQ002", "other.sql")],
        {"db.sql": "-- dbdesign: ignore-file[SQ002]\n"},
        always,
    )
    assert codes_lines(kept) == [("DB001", 1), ("SQ002", 3)]


def test_a_finding_without_a_line_is_only_suppressed_file_wide() -> None:
    kept = apply_suppressions(
        [f("SQ002", line=None)], {"db.sql": "-- dbdesign: ignore[SQ002]\nx\n"}, always
    )
    assert codes_lines(kept) == [("DB001", 1), ("SQ002", None)]


def test_db001_cannot_be_suppressed() -> None:
    text = "-- dbdesign: ignore[DB001]\n-- dbdesign: ignore\n"
    kept = apply_suppressions([], {"db.sql": text}, always)
    assert [k.code for k in kept] == ["DB001", "DB001"]


def test_parse_positions() -> None:
    text = "# T\n\n- [X] a   <!-- dbdesign: ignore[CL001] -->\n"
    [sup] = parse_suppressions("c.md", text)
    assert (sup.line, sup.column, sup.codes, sup.file_wide) == (
        3,
        11,
        ("CL001",),
        False,
    )


# -- through the hooks, on a repository --------------------------------------

PHASES = "".join(f"\n## Phase {n}\n\n- [ ] task {n}\n" for n in range(1, 8))


def checklist(repo: Repo, head: str, body: str = "- [X] done\n") -> None:
    repo.write(".claude/database/database-prompt.md", "# Prompt\n\nText.\n")
    repo.write(".claude/database/database-template.md", "# T\n\nText.\n")
    repo.write(
        ".claude/database/database-checklist.md",
        f"{head}# Checklist\n\n## Phase 0\n\n{body}{PHASES}",
    )


def run(
    capsys: pytest.CaptureFixture[str], main: object, repo: Repo, *args: str
) -> tuple[int, str]:
    assert callable(main)
    code = main(["--root", str(repo.path), *args])
    return code, capsys.readouterr().out


def test_hook_line_above(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    checklist(repo, "", "<!-- dbdesign: ignore[CL001] -->\n- [X] done\n")
    code, out = run(capsys, checklist_main, repo)
    assert (code, out) == (0, "All checks passed (1 file checked).\n")


def test_hook_same_line(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    checklist(repo, "", "- [X] done <!-- dbdesign: ignore[CL001] -->\n")
    assert run(capsys, checklist_main, repo)[0] == 0


def test_hook_ignore_file(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    checklist(repo, "<!-- dbdesign: ignore-file[CL001] -->\n", "- [X] one\n- [] two\n")
    assert run(capsys, checklist_main, repo)[0] == 0


def test_hook_bare_ignore(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    checklist(repo, "", "<!-- dbdesign: ignore -->\n- [X] done\n")
    code, out = run(capsys, checklist_main, repo)
    path = ".claude/database/database-checklist.md"
    assert code == 1
    assert (
        f"{path}:5:1: warning: DB001 bare `dbdesign: ignore` suppresses nothing" in out
    )
    assert f"{path}:6:3: error: CL001 " in out


def test_hook_unknown_code(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    checklist(repo, "", "<!-- dbdesign: ignore[CL009] -->\n- [x] done\n")
    code, out = run(capsys, checklist_main, repo)
    assert code == 0  # DB001 is a warning
    assert ":5:1: warning: DB001 unknown code 'CL009' in a suppression" in out
    assert run(capsys, checklist_main, repo, "--strict")[0] == 1


def test_hook_unused_only_when_the_check_ran(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    checklist(repo, "", "<!-- dbdesign: ignore[CL003] -->\n- [x] done\n")
    _, out = run(capsys, checklist_main, repo)
    assert ":5:1: warning: DB001 suppression of CL003 suppresses nothing" in out
    # The framework hook reads the checklist too, but does not run CL003.
    _, out = run(capsys, framework_main, repo)
    assert "DB001" not in out
    # Nor does a run that ignores CL003.
    _, out = run(capsys, checklist_main, repo, "--ignore", "CL003")
    assert "DB001" not in out


def test_hook_db001_can_be_ignored(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    checklist(repo, "", "<!-- dbdesign: ignore -->\n- [x] done\n")
    _, out = run(capsys, checklist_main, repo, "--ignore", "DB")
    assert "DB001" not in out


@pytest.mark.parametrize("code", ["ZZ999", "SQ999", "LT", "sq002"])
def test_an_unknown_code_is_named_as_unknown(code: str) -> None:
    text = f"-- dbdesign: ignore[{code}]\nx\n"
    kept = apply_suppressions([], {"db.sql": text}, lambda code, sup: True)
    assert [item.message for item in kept] == [
        f"unknown code {code!r} in a suppression; use a code from `dbdesign rules`"
    ]


def test_a_sqlfluff_code_is_a_known_code() -> None:
    text = "-- dbdesign: ignore[LT05]\nx\n"
    kept = apply_suppressions([], {"db.sql": text}, lambda code, sup: True)
    assert [item.message for item in kept] == [
        "suppression of LT05 suppresses nothing; remove it"
    ]
