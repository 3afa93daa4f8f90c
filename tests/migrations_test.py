"""MG001-MG007 beyond the rule cases of tests/cases/migrations.yml:
branches, merges and pull requests, `dbdesign migrations hash` and the
integrity file, links, the corpus, and no SQL parser imported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CORPUS, Repo, needs_corpus
from dbdesign import sumfile
from dbdesign.change import NO_GIT_NOTE
from dbdesign.checks import migrations
from dbdesign.cli import main, migrations_main
from dbdesign.commands import migrations as migrations_command
from dbdesign.config import Config
from dbdesign.project import Project

M = "migration-scripts"


# The hook also runs the migration safety rules (MG010-MG020, SQL-reading,
# tested with the safety check); these tests look at MG001-MG007.
NO_SAFETY = ("--ignore", "MG01,MG02")


def findings(
    root: Path, *args: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[dict[str, object]]]:
    status = migrations_main(
        ["--root", str(root), "--format", "json", *NO_SAFETY, *args]
    )
    out = capsys.readouterr().out
    return status, json.loads(out)["findings"]


def codes(found: list[dict[str, object]]) -> list[tuple[object, object, object]]:
    return [(f["code"], f["path"], f["line"]) for f in found]


def flyway(repo: Repo, *versions: int) -> None:
    for n in versions:
        repo.write(f"{M}/V{n}__step_{n}.sql", f"select {n};\n")


# -- MG001 ---------------------------------------------------------------------


# -- MG002 ---------------------------------------------------------------------


# -- MG003 ---------------------------------------------------------------------


def test_mg003_feature_branch_with_base(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    flyway(repo, 1, 2, 3)
    repo.commit("main")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(f"{M}/V2.5__between.sql", "select 2.5;\n")
    repo.commit("feature adds a migration in the middle")
    status, found = findings(repo.path, "--base", "main", capsys=capsys)
    assert status == 1
    assert codes(found) == [("MG003", f"{M}/V2.5__between.sql", None)]
    assert "(V4__between.sql)" in str(found[0]["message"])
    # The staged change on its own is empty: nothing to say.
    assert findings(repo.path, capsys=capsys) == (0, [])


# -- MG004 ---------------------------------------------------------------------


# -- MG005 ---------------------------------------------------------------------


# -- MG006 ---------------------------------------------------------------------


# -- MG007 ---------------------------------------------------------------------


def _hash(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["migrations", "hash", str(root)]) == 0
    return capsys.readouterr().out


def test_mg007_hash_then_clean(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    flyway(repo, 1, 2, 10)
    out = _hash(repo.path, capsys)
    assert f"wrote {M}/dbdesign.sum (3 migration files)" in out
    lines = (repo.path / M / "dbdesign.sum").read_text().splitlines()
    assert lines[0].startswith("h1:")
    assert [line.split()[0] for line in lines[1:]] == [
        "V1__step_1.sql",
        "V2__step_2.sql",
        "V10__step_10.sql",
    ]
    assert findings(repo.path, capsys=capsys) == (0, [])
    # CRLF line endings (a Windows checkout) still match.
    path = repo.path / M / "V1__step_1.sql"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert findings(repo.path, capsys=capsys) == (0, [])


def test_mg007_edited_missing_and_unlisted(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    flyway(repo, 1, 2, 3)
    _hash(repo.path, capsys)
    repo.write(f"{M}/V2__step_2.sql", "select 'edited';\n")
    (repo.path / M / "V3__step_3.sql").unlink()
    flyway(repo, 4)
    status, found = findings(repo.path, capsys=capsys)
    assert status == 1
    sum_path = f"{M}/dbdesign.sum"
    assert codes(found) == [
        ("MG007", sum_path, None),
        ("MG007", sum_path, 3),
        ("MG007", sum_path, 4),
    ]
    assert "V4__step_4.sql is not listed" in str(found[0]["message"])
    assert "V2__step_2.sql has changed" in str(found[1]["message"])
    assert "V3__step_3.sql, which is no longer" in str(found[2]["message"])


def test_mg007_hand_edited_list(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    flyway(repo, 1, 2)
    _hash(repo.path, capsys)
    path = repo.path / M / "dbdesign.sum"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text(lines[0] + lines[2])  # a line dropped by hand
    _, found = findings(repo.path, capsys=capsys)
    assert ("MG007", f"{M}/dbdesign.sum", 1) in codes(found)


def test_mg007_unreadable_sum(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    flyway(repo, 1)
    repo.write(f"{M}/dbdesign.sum", b"\x00\x01binary")
    _, found = findings(repo.path, capsys=capsys)
    assert codes(found) == [("MG007", f"{M}/dbdesign.sum", None)]
    assert "binary" in str(found[0]["message"])


def test_two_branches_adding_v7_conflict_then_duplicate(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    flyway(repo, *range(1, 7))
    _hash(repo.path, capsys)
    repo.commit("V1-V6")
    for branch, name in (("alice", "V7__orders"), ("bob", "V7__invoices")):
        repo.git("checkout", "-q", "-b", branch, "main")
        repo.write(f"{M}/{name}.sql", f"-- {branch}\n")
        _hash(repo.path, capsys)
        assert findings(repo.path, capsys=capsys) == (0, [])
        repo.commit(f"{branch} adds {name}")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "alice")
    merge = git_fails(repo.path, "merge", "-q", "bob")
    assert f"CONFLICT (content): Merge conflict in {M}/dbdesign.sum" in merge
    # The conflicted sum file says so, and the duplicate is found.
    status, found = findings(repo.path, capsys=capsys)
    assert status == 1
    found_codes = codes(found)
    assert ("MG002", f"{M}/V7__invoices.sql", None) in found_codes
    assert any(
        c[0] == "MG007" and "conflict markers" in str(f["message"])
        for c, f in zip(found_codes, found, strict=True)
    )
    # Resolved by taking both sum files' lines: the sum still fails, and so
    # does MG003 for bob's V7 against alice's, already on main.
    (repo.path / M / "dbdesign.sum").write_text(
        (repo.path / M / "dbdesign.sum")
        .read_text()
        .replace("<<<<<<< HEAD\n", "")
        .replace("=======\n", "")
        .replace(">>>>>>> bob\n", "")
    )
    repo.add()
    _, found = findings(repo.path, capsys=capsys)
    assert {c[0] for c in codes(found)} >= {"MG002", "MG003", "MG007"}


def git_fails(cwd: Path, *args: str) -> str:
    import subprocess

    out = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert out.returncode != 0
    return out.stdout + out.stderr


_names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() == s and s != "")


@given(st.lists(st.tuples(_names, st.binary(max_size=64)), max_size=8))
def test_sum_file_round_trips(entries: list[tuple[str, bytes]]) -> None:
    made = [sumfile.Entry(name, sumfile.digest(data)) for name, data in entries]
    text = sumfile.render(made)
    parsed = sumfile.parse(text)
    assert [(e.name, e.digest) for e in parsed.entries] == [
        (e.name, e.digest) for e in made
    ]
    body = text.split("\n", 1)[1]
    assert sumfile.total_of(body) == parsed.total


def test_sum_file_escapes_undecodable_names() -> None:
    name = "bad\udcff\nname\\.sql"
    text = sumfile.render([sumfile.Entry(name, "h1:x")])
    text.encode("utf-8")  # plain UTF-8, one line per entry
    assert len(text.splitlines()) == 2
    assert sumfile.parse(text).entries[0].name == name


def test_hash_without_folder_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrations", "hash", str(tmp_path)]) == 2
    assert "no migrations folder" in capsys.readouterr().err


# -- outside git, the corpus, the hook -------------------------------------------


def test_outside_git_skips_change_rules_with_one_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "plain"
    (root / M).mkdir(parents=True)
    (root / M / "V1__a.sql").write_text("select 1;")
    (root / M / "stray.sql").write_text("x")
    status = main(["check", "--root", str(root), "--select", "MG,CH"])
    out = capsys.readouterr().out
    assert status == 1
    assert "MG001" in out
    assert out.count(NO_GIT_NOTE) == 1


@needs_corpus
@pytest.mark.parametrize(
    ("project", "folder"),
    [
        ("conductor", "postgres-persistence/src/main/resources/db/migration_postgres"),
        ("harbor", "make/migrations/postgresql"),
        ("lemmy", "migrations"),
    ],
)
def test_corpus_folders_pass(
    project: str, folder: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "dbdesign.yaml"
    config.write_text(f"migrations_dir: {folder}\n")
    status = migrations_main(
        [
            "--root",
            str(CORPUS / project),
            "--config",
            str(config),
            "--format",
            "json",
            *NO_SAFETY,
        ]
    )
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    found = json.loads(captured.out)["findings"]
    assert not [f for f in found if f["code"] in ("MG001", "MG002")]
    assert status == 0, found


@needs_corpus
def test_corpus_copy_in_git_with_a_bad_addition(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    source = CORPUS / "harbor" / "make" / "migrations" / "postgresql"
    for path in sorted(source.iterdir()):
        repo.write(f"{M}/{path.name}", path.read_bytes())
    repo.commit("harbor")
    repo.write(f"{M}/0100_2.7.0_again.up.sql", "select 1;")
    repo.add()
    _, found = findings(repo.path, capsys=capsys)
    assert codes(found) == [
        ("MG002", f"{M}/0100_2.7.0_again.up.sql", None),
        ("MG003", f"{M}/0100_2.7.0_again.up.sql", None),
    ]
    assert "next free version, 0191" in str(found[1]["message"])


def test_naming_rules_never_import_sql_parsers(repo: Repo) -> None:
    import subprocess
    import sys

    flyway(repo, 1)
    code = (
        "import sys; from dbdesign.cli import migrations_main, changelog_main;"
        f"migrations_main(['--root', {str(repo.path)!r}, '--ignore', "
        "'MG01,MG02']);"
        f"changelog_main(['--root', {str(repo.path)!r}]);"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('sqlglot', 'sqlfluff', 'pglast')]; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_migrations_folder_linked_out_of_the_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "V1__secret.sql").write_text("secret")
    root = tmp_path / "project"
    root.mkdir()
    (root / M).symlink_to(outside)
    status, found = findings(root, capsys=capsys)
    assert status == 1
    assert codes(found) == [("MG001", M, None)]
    assert "leaves the project root" in str(found[0]["message"])
    assert main(["migrations", "hash", str(root)]) == 2
    assert not (outside / "dbdesign.sum").exists()


def test_migrations_folder_linked_inside_the_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "db" / "migrations").mkdir(parents=True)
    (tmp_path / "db" / "migrations" / "V1__a.sql").write_text("select 1;")
    (tmp_path / M).symlink_to(tmp_path / "db" / "migrations")
    (tmp_path / M / "V1__a.sql").write_text("select 1;")
    (tmp_path / M / "oops.sql").write_text("x")
    _, found = findings(tmp_path, capsys=capsys)
    assert codes(found) == [("MG001", f"{M}/oops.sql", None)]


_descriptions = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\\0"
    ),
    min_size=1,
    max_size=12,
).map(lambda s: s.replace("\n", "_"))


@settings(max_examples=25, deadline=None)
@given(
    st.dictionaries(
        st.integers(1, 10**6),
        st.tuples(_descriptions, st.binary(max_size=40)),
        min_size=1,
        max_size=6,
    )
)
def test_hash_then_check_is_clean(files: dict[int, tuple[str, bytes]]) -> None:
    import argparse
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / M
        folder.mkdir()
        for version, (description, data) in files.items():
            try:
                (folder / f"V{version}__{description}.sql").write_bytes(data)
            except OSError:
                return  # a name the file system refuses
        args = argparse.Namespace(root=str(root), config=None)
        assert migrations_command.main(args) == 0
        project = Project(root, Config(integrity_file="required"))
        assert [f for f in migrations.check(project) if f.code == "MG007"] == []


def test_pull_request_merge_commit_sees_the_other_branchs_v7(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    # GitHub checks a pull request out as its merge into the base branch.
    flyway(repo, *range(1, 7))
    repo.commit("V1-V6")
    repo.git("checkout", "-q", "-b", "bob")
    repo.write(f"{M}/V7__invoices.sql", "-- bob\n")
    repo.commit("bob adds V7")
    repo.git("checkout", "-q", "main")
    repo.write(f"{M}/V7__orders.sql", "-- alice, merged first\n")
    repo.commit("alice adds V7")
    repo.git("checkout", "-q", "--detach", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge bob into main", "bob")
    status, found = findings(repo.path, "--base", "main", capsys=capsys)
    assert status == 1
    assert codes(found) == [
        ("MG002", f"{M}/V7__invoices.sql", None),
        ("MG003", f"{M}/V7__invoices.sql", None),
    ]
    assert "V7__orders.sql" in str(found[1]["message"])
    assert "next free version, 8 (V8__invoices.sql)" in str(found[1]["message"])


def test_mg001_reason_with_its_own_fix_offers_only_that_fix(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    flyway(repo, 1)
    repo.write(f"{M}/V2__loop.sql", "")
    (repo.path / M / "V2__loop.sql").unlink()
    (repo.path / M / "V2__loop.sql").symlink_to("V2__loop.sql")
    repo.write(f"{M}/V3__nested/V3__x.sql", "select 3;\n")
    repo.write(f"{M}/notes.sql", "x\n")
    _, found = findings(repo.path, "--select", "MG001", capsys=capsys)
    messages = {f["path"]: str(f["message"]) for f in found}
    assert "migrations_ignore" not in messages[f"{M}/V2__loop.sql"]
    assert messages[f"{M}/V2__loop.sql"].count("; ") == 1
    assert "migrations_ignore" in messages[f"{M}/notes.sql"]


def test_mg003_ignores_old_files_listed_in_migrations_ignore(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    flyway(repo, 1, 2)
    repo.write(f"{M}/scratch/V99__try.sql", "select 99;\n")
    repo.write(".dbdesign.yaml", "migrations_ignore: ['scratch/*']\n")
    repo.commit()
    repo.write(f"{M}/V3__next.sql", "select 3;\n")
    repo.add()
    assert findings(repo.path, "--select", "MG003", capsys=capsys) == (0, [])


def test_hash_never_writes_through_a_link_out_of_the_root(
    repo: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    flyway(repo, 1)
    outside = tmp_path / "outside.sum"
    outside.write_text("theirs\n")
    (repo.path / M / "dbdesign.sum").symlink_to(outside)
    assert main(["migrations", "hash", str(repo.path)]) == 2
    assert "leads out of the project root" in capsys.readouterr().err
    assert outside.read_text() == "theirs\n"
    assert (repo.path / M / "dbdesign.sum").is_symlink()


# -- temporary files of a killed run (issue 15, item 12) ---------------------------

TEMP = f"{M}/.dbdesign.sum.dbdesign-45jr0v0p.tmp"


def test_our_temporary_file_is_never_a_finding(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    # What `migrations hash` leaves when it is killed between its write
    # and its rename: it was MG001, and CH001 counted it as a migration.
    flyway(repo, 1, 2)
    repo.write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n")
    repo.commit()
    repo.write(TEMP, "# dbdesign.sum v1\nV1__step_1.sql h1:")
    status, found = findings(repo.path, "--base", "HEAD", capsys=capsys)
    assert (status, found) == (0, [])
    assert main(["check", "--root", str(repo.path), "--base", "HEAD",
                 "--select", "CH001"]) == 0  # fmt: skip


def test_only_our_exact_shape_is_ignored() -> None:
    from dbdesign import naming

    assert naming.is_ignored(TEMP.rsplit("/", 1)[-1], ())
    assert naming.is_ignored(".V1__a.sql.dbdesign-abcd_123.tmp", ())
    for name in (
        ".dbdesign.sum.45jr0v0p.tmp",  # no `dbdesign-`
        ".notes.dbdesign-45jr.tmp",  # not 8 characters
        "x.dbdesign-45jr0v0p.tmp",  # not hidden
    ):
        assert not naming.is_ignored(name, ()), name


def test_a_later_write_removes_stale_temporary_files_of_ours(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    import os
    import time

    from dbdesign import textio

    flyway(repo, 1)
    folder = repo.path / M
    old = time.time() - textio.STALE_SECONDS - 60
    stale = repo.write(TEMP, "half a sum file")
    os.utime(stale, (old, old))
    young = repo.write(f"{M}/.V1__step_1.sql.dbdesign-abcd_123.tmp", "in flight")
    users = repo.write(f"{M}/.dbdesign.sum.45jr0v0p.tmp", "the user's")
    os.utime(users, (old, old))
    (folder / ".x.dbdesign-linklink.tmp").symlink_to("V1__step_1.sql")
    os.utime(folder / ".x.dbdesign-linklink.tmp", (old, old), follow_symlinks=False)
    assert main(["migrations", "hash", str(repo.path)]) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert stale.name not in names
    assert young.name in names  # maybe another run's, still writing
    assert users.name in names  # not our exact shape
    assert ".x.dbdesign-linklink.tmp" in names  # a link is never ours
    assert "dbdesign.sum" in names
