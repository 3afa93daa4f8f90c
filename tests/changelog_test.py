"""CH001-CH003 beyond the rule cases of tests/cases/changelog.yml:
pull-request mode, outside git, bad bytes, and what names a migration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Repo
from dbdesign.change import NO_GIT_NOTE
from dbdesign.checks import changelog
from dbdesign.cli import changelog_main

M = "migration-scripts"
GOOD = """\
# Changelog

All notable changes to the database.

## [Unreleased]

### Added
- orders table

## [1.1.0] - 2026-02-01

### Changed
- wider titles

## [1.0.0] - 2026-01-01

### Added
- books
"""


def findings(
    root: Path, *args: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[dict[str, object]]]:
    status = changelog_main(["--root", str(root), "--format", "json", *args])
    return status, json.loads(capsys.readouterr().out)["findings"]


def codes(found: list[dict[str, object]]) -> list[tuple[object, object, object]]:
    return [(f["code"], f["path"], f["line"]) for f in found]


@pytest.fixture
def project(repo: Repo) -> Repo:
    repo.write("CHANGELOG.md", GOOD)
    repo.write("database-schema.sql", "create table books (id int primary key);\n")
    repo.write(f"{M}/V1__books.sql", "create table books (id int primary key);\n")
    repo.write(f"{M}/README.md", "how we migrate\n")
    repo.commit()
    return repo


# -- CH001 ---------------------------------------------------------------------


def test_ch001_pull_request_mode(
    project: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    project.git("checkout", "-q", "-b", "feature")
    project.write(f"{M}/V2__orders.sql", "create table orders (id int);\n")
    project.commit("migration")
    assert findings(project.path, capsys=capsys) == (0, [])  # nothing staged
    _, found = findings(project.path, "--base", "main", capsys=capsys)
    assert codes(found) == [("CH001", "CHANGELOG.md", None)]
    assert "the changes since main" in str(found[0]["message"])


def test_outside_git_one_note_and_format_still_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "CHANGELOG.md").write_text("# Changes\n\n- stuff\n")
    status = changelog_main(["--root", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0
    assert "CH002" in out
    assert out.count(NO_GIT_NOTE) == 1


# -- CH002 ---------------------------------------------------------------------


def test_ch002_binary_changelog(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("CHANGELOG.md", b"\xff\xfe# Changelog")
    _, found = findings(repo.path, capsys=capsys)
    assert codes(found) == [("CH002", "CHANGELOG.md", None)]
    assert "not UTF-8" in str(found[0]["message"])


# -- CH003 ---------------------------------------------------------------------


def test_added_lines_is_a_multiset_difference() -> None:
    assert changelog.added_lines("a\nb\n", "b\na\nb\n") == ["b"]
    assert changelog.added_lines(None, "x\ny") == ["x", "y"]


@pytest.mark.parametrize(
    ("name", "line", "named"),
    [
        ("V2__orders.sql", "- orders (V2__orders.sql)", True),
        ("V2__orders.sql", "- orders, V2", True),
        ("V2__orders.sql", "- orders (v2)", True),
        ("V2__orders.sql", "- orders in release 12", False),
        ("V2__orders.sql", "- orders in v2.1", False),
        ("V2__orders.sql", "- orders, 2b", False),
        ("0002_orders.up.sql", "- orders (0002_orders)", True),
        ("0002_orders.up.sql", "- orders (migration 2)", True),
        (
            "2026-02-01-000000_orders/up.sql",
            "- orders (2026-02-01-000000_orders)",
            True,
        ),
        ("2026-02-01-000000_orders/up.sql", "- orders (2026-02-01-000000)", True),
        ("R__views.sql", "- views (R__views.sql)", True),
        ("R__views.sql", "- views", False),
        # a name stands alone, as a version does
        ("1_init.up.sql", "- init (11_init)", False),
        ("0001_init.up.sql", "- init (0001_init.up.sql)", True),
        ("V1__a.sql", "- a (V1__a.sql.bak)", True),
    ],
)
def test_what_names_a_migration(name: str, line: str, named: bool) -> None:
    from dbdesign import naming

    scheme = (
        "diesel" if "/" in name else "golang-migrate" if ".up." in name else "flyway"
    )
    migration = naming.classify(scheme, name)
    assert isinstance(migration, naming.Migration)
    assert changelog._named(migration, line) is named


# -- CH003 without a regex scan per migration (issue 15, item 8) ----------------

WORDS = st.text(alphabet="V2v1._-/ ab0\n", max_size=30)


@settings(max_examples=300, deadline=None)
@given(WORDS, st.sampled_from(["V2__orders.sql", "2", "1.10", "0002_a", "2026-02-01"]))
def test_stands_alone_is_the_old_regex(text: str, word: str) -> None:
    # The look-behind regex tried every position of a changelog of
    # megabytes once per migration (63 MB with --base: over 60 s).
    import re

    name = rf"(?<![\w.-]){re.escape(word)}(?![\w-])"
    version = rf"(?<![\w.])[Vv]?{re.escape(word)}(?![A-Za-z0-9]|\.\d)"
    assert changelog._stands_alone(
        text, word, changelog._NAME_BEFORE, changelog._NAME_AFTER
    ) == bool(re.search(name, text))
    assert changelog._stands_alone(
        text, word, changelog._VERSION_BEFORE, changelog._VERSION_AFTER, "Vv"
    ) == bool(re.search(version, text))
