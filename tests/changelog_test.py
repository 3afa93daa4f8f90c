from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Repo
from dbdesign.change import NO_GIT_NOTE
from dbdesign.checks import changelog
from dbdesign.cli import changelog_main, main

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


def add_entry(repo: Repo, line: str) -> None:
    text = (repo.path / "CHANGELOG.md").read_text()
    repo.write(
        "CHANGELOG.md", text.replace("- orders table\n", f"- orders table\n{line}\n")
    )


# -- CH001 ---------------------------------------------------------------------


def test_ch001_migration_without_changelog(
    project: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write(f"{M}/V2__orders.sql", "create table orders (id int);\n")
    project.add()
    status, found = findings(project.path, capsys=capsys)
    assert status == 1
    assert codes(found) == [("CH001", "CHANGELOG.md", None)]
    message = str(found[0]["message"])
    assert f"{M}/V2__orders.sql" in message
    assert "--allow-no-changelog" in message


def test_ch001_schema_change(project: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    project.write("database-schema.sql", "create table books (id bigint);\n")
    project.add()
    _, found = findings(project.path, capsys=capsys)
    assert codes(found) == [("CH001", "CHANGELOG.md", None)]
    assert "database-schema.sql" in str(found[0]["message"])


def test_ch001_quiet_with_changelog(
    project: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write(f"{M}/V2__orders.sql", "create table orders (id int);\n")
    add_entry(project, "- V2__orders.sql")
    project.add()
    assert findings(project.path, capsys=capsys) == (0, [])


def test_ch001_quiet_for_readme_and_other_files(
    project: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write(f"{M}/README.md", "more about migrating\n")
    project.write("docs.md", "x")
    project.add()
    assert findings(project.path, capsys=capsys) == (0, [])


def test_allow_no_changelog(project: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    project.write(f"{M}/V2__orders.sql", "create table orders (id int);\n")
    project.add()
    assert findings(project.path, "--allow-no-changelog", capsys=capsys) == (0, [])
    status = main(
        ["check", "--root", str(project.path), "--select", "CH", "--allow-no-changelog"]
    )
    capsys.readouterr()
    assert status == 0
    assert main(["check", "--root", str(project.path), "--select", "CH"]) == 1


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

CH002_CASES = [
    ("# Changes\n\n- added orders\n", [1]),
    ("# Changelog\n\n## Unreleased\n\n## 1.0.0 - 2026-01-01\n", []),
    ("# Changelog\n\n## [1.0.0]\n\n### Added\n- x\n", [3]),
    ("# Changelog\n\n## [1.0.0] - 2026-01-01\n\n## [Unreleased]\n", [5]),
    ("# Changelog\n\n## [1.0.0] - 2026-01-01\n\n## [1.1.0] - 2026-02-01\n", [5]),
    ("# Changelog\n\n## [Unreleased]\n\n### Misc\n- x\n", [5]),
    ("# Changelog\n\n## Notes\n", [3]),
    ("# Changelog\n\n```\n## not a heading\n```\n\n## [Unreleased]\n", []),
    ("# Changelog\n\n## [2.0.0-rc.1] – 2026-03-01 [YANKED]\n\n### Security\n- x\n", []),
]


@pytest.mark.parametrize(("text", "lines"), CH002_CASES)
def test_ch002_cases(text: str, lines: list[int]) -> None:
    found = list(changelog.keep_a_changelog("CHANGELOG.md", text))
    assert [f.line for f in found] == lines
    assert all(f.code == "CH002" for f in found)


def test_ch002_good_is_quiet() -> None:
    assert list(changelog.keep_a_changelog("CHANGELOG.md", GOOD)) == []


def test_ch002_binary_changelog(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("CHANGELOG.md", b"\xff\xfe# Changelog")
    _, found = findings(repo.path, capsys=capsys)
    assert codes(found) == [("CH002", "CHANGELOG.md", None)]
    assert "not UTF-8" in str(found[0]["message"])


# -- CH003 ---------------------------------------------------------------------


def test_ch003_added_migration_not_named(
    project: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write(f"{M}/V2__orders.sql", "create table orders (id int);\n")
    project.write(f"{M}/V3__invoices.sql", "create table invoices (id int);\n")
    add_entry(project, "- invoices, in V3")
    project.add()
    status, found = findings(project.path, capsys=capsys)
    assert status == 0  # a warning
    assert codes(found) == [("CH003", "CHANGELOG.md", 5)]  # at [Unreleased]
    assert "V2__orders.sql" in str(found[0]["message"])


@pytest.mark.parametrize(
    "entry",
    [
        "- orders (V2__orders.sql)",
        "- orders (`V2__orders`)",
        "- orders, migration 2",
        "- orders, V2",
    ],
)
def test_ch003_named_by_file_or_version(
    project: Repo, entry: str, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write(f"{M}/V2__orders.sql", "create table orders (id int);\n")
    add_entry(project, entry)
    project.add()
    assert findings(project.path, capsys=capsys) == (0, [])


def test_ch003_old_lines_do_not_count(
    project: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    add_entry(project, "- planned: V2__orders.sql")
    project.commit("plan")
    project.write(f"{M}/V2__orders.sql", "create table orders (id int);\n")
    add_entry(project, "- something else")
    project.add()
    _, found = findings(project.path, capsys=capsys)
    assert codes(found) == [("CH003", "CHANGELOG.md", 5)]


def test_ch003_diesel_folder_name(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("CHANGELOG.md", GOOD)
    repo.write(f"{M}/2026-01-01-000000_books/up.sql", "select 1;")
    repo.write(f"{M}/2026-01-01-000000_books/down.sql", "select 1;")
    repo.commit()
    repo.write(f"{M}/2026-02-01-000000_orders/up.sql", "select 2;")
    repo.write(f"{M}/2026-02-01-000000_orders/down.sql", "select 2;")
    add_entry(repo, "- orders (2026-02-01-000000_orders)")
    repo.add()
    assert findings(repo.path, capsys=capsys) == (0, [])


def test_ch003_first_commit_counts_every_line(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("CHANGELOG.md", GOOD.replace("- books", "- books (V1__books.sql)"))
    repo.write(f"{M}/V1__books.sql", "create table books (id int);\n")
    repo.add()
    assert findings(repo.path, capsys=capsys) == (0, [])


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
