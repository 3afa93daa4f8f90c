"""Suppressions beyond the rule cases of tests/cases/suppression.yml: the
registry's defaults on a finding, and apply_suppressions on its own."""

from __future__ import annotations

import pytest

from dbdesign import findings
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


def test_sql_comment_offsets() -> None:
    from dbdesign.sql.split import comments

    text = "SELECT '--x' -- real\n/* a /* b */ c */ SELECT $$--$$;\n"
    assert [text[a:b] for a, b in comments(text)] == [
        "-- real\n",
        "/* a /* b */ c */",
    ]
    mysql = "SELECT '#x' # real\n"
    assert [mysql[a:b] for a, b in comments(mysql, "mysql")] == ["# real\n"]
