from __future__ import annotations

import json
import shutil
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
from dbdesign.project import Options, Project

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


def core(
    root: Path, config: Config | None = None, base: str | None = None
) -> tuple[list[str], Project]:
    project = Project(root, config or Config(), Options(base=base))
    return [f"{f.code} {f.path}" for f in migrations.check(project)], project


def flyway(repo: Repo, *versions: int) -> None:
    for n in versions:
        repo.write(f"{M}/V{n}__step_{n}.sql", f"select {n};\n")


# -- MG001 ---------------------------------------------------------------------


def test_mg001_stray_file(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    flyway(repo, 1, 2)
    repo.write(f"{M}/add_users.sql", "select 3;\n")
    repo.write(f"{M}/README.md", "# how we migrate\n")
    status, found = findings(repo.path, capsys=capsys)
    assert status == 1
    assert codes(found) == [("MG001", f"{M}/add_users.sql", None)]
    assert "V<version>__<description>.sql" in str(found[0]["message"])
    assert "migrations_ignore" in str(found[0]["message"])


def test_mg001_quiet_with_ignore_list(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    flyway(repo, 1, 2)
    repo.write(f"{M}/seed/books.csv", "id\n1\n")
    repo.write(".dbdesign.yaml", "migrations_ignore: ['seed/*']\n")
    assert findings(repo.path, capsys=capsys) == (0, [])


def test_mg001_orphan_down(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(f"{M}/0001_a.up.sql", "select 1;")
    repo.write(f"{M}/0001_a.down.sql", "select 1;")
    repo.write(f"{M}/0002_b.down.sql", "select 2;")
    _, found = findings(repo.path, capsys=capsys)
    assert codes(found) == [("MG001", f"{M}/0002_b.down.sql", None)]
    assert "no up migration" in str(found[0]["message"])


# -- MG002 ---------------------------------------------------------------------


def test_mg002_duplicate_version(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    flyway(repo, 1, 7)
    repo.write(f"{M}/V7__add_invoices.sql", "select 7;\n")
    repo.write(f"{M}/V007.0__padded.sql", "select 7;\n")
    status, found = findings(repo.path, capsys=capsys)
    assert status == 1
    assert codes(found) == [
        ("MG002", f"{M}/V7__add_invoices.sql", None),
        ("MG002", f"{M}/V7__step_7.sql", None),
    ]
    assert "as V007.0__padded.sql does" in str(found[0]["message"])
    # each is told its own free version
    assert "next free version, 8 (V8__add_invoices.sql)" in str(found[0]["message"])
    assert "next free version, 9 (V9__step_7.sql)" in str(found[1]["message"])


def test_mg002_quiet(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    flyway(repo, 1, 2, 3)
    for n in (1, 2, 3):  # an undo shares its migration's version
        repo.write(f"{M}/U{n}__step_{n}.sql", f"select {n};\n")
    assert findings(repo.path, capsys=capsys) == (0, [])


# -- MG003 ---------------------------------------------------------------------


def test_mg003_added_below_existing(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    flyway(repo, 1, 2, 9)
    repo.commit()
    repo.write(f"{M}/V5__fix.sql", "select 5;\n")
    repo.add()
    status, found = findings(repo.path, capsys=capsys)
    assert status == 1
    assert codes(found) == [("MG003", f"{M}/V5__fix.sql", None)]
    message = str(found[0]["message"])
    assert "V9__step_9.sql" in message
    assert "next free version, 10 (V10__fix.sql)" in message


def test_mg003_quiet_in_order(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    flyway(repo, 1, 2, 9)
    repo.commit()
    repo.write(f"{M}/V10__next.sql", "select 10;\n")
    repo.write(f"{M}/R__views.sql", "create view v as select 1;\n")
    repo.write(f"{M}/U2__step_2.sql", "select 2;\n")  # an undo for an old one
    repo.add()
    assert findings(repo.path, "--select", "MG003", capsys=capsys) == (0, [])


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


def test_mg003_first_commit_has_nothing_before(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    flyway(repo, 3, 1, 2)
    repo.add()
    assert findings(repo.path, capsys=capsys) == (0, [])


# -- MG004 ---------------------------------------------------------------------


@pytest.fixture
def committed(repo: Repo) -> Repo:
    flyway(repo, 1, 2, 3)
    repo.write(f"{M}/R__views.sql", "create view v as select 1;\n")
    repo.write(f"{M}/README.md", "notes\n")
    repo.commit()
    return repo


def test_mg004_edit(committed: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    committed.write(f"{M}/V2__step_2.sql", "select 'changed';\n")
    committed.add()
    status, found = findings(committed.path, capsys=capsys)
    assert status == 1
    assert codes(found) == [("MG004", f"{M}/V2__step_2.sql", None)]
    message = str(found[0]["message"])
    assert "was edited" in message
    import hashlib

    old = hashlib.sha256(b"select 2;\n").hexdigest()[:12]
    new = hashlib.sha256(b"select 'changed';\n").hexdigest()[:12]
    assert f"sha256:{old} -> sha256:{new}" in message


def test_mg004_rename(committed: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    committed.git("mv", f"{M}/V2__step_2.sql", f"{M}/V2__better_name.sql")
    _, found = findings(committed.path, capsys=capsys)
    assert codes(found) == [("MG004", f"{M}/V2__better_name.sql", None)]
    assert "renamed" in str(found[0]["message"])
    assert f"rename it back to {M}/V2__step_2.sql" in str(found[0]["message"])


def test_mg004_delete(committed: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    committed.git("rm", "-q", f"{M}/V3__step_3.sql")
    _, found = findings(committed.path, capsys=capsys)
    assert codes(found) == [("MG004", f"{M}/V3__step_3.sql", None)]
    assert "-> deleted" in str(found[0]["message"])


def test_mg004_quiet_for_repeatable_readme_and_new(
    committed: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    committed.write(f"{M}/R__views.sql", "create view v as select 2;\n")
    committed.write(f"{M}/README.md", "more notes\n")
    committed.write(f"{M}/V4__step_4.sql", "select 4;\n")
    committed.add()
    assert findings(committed.path, capsys=capsys) == (0, [])


def test_mg004_unstaged_edit_is_not_the_change(
    committed: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    committed.write(f"{M}/V1__step_1.sql", "not staged\n")
    assert findings(committed.path, capsys=capsys) == (0, [])
    # ... but pull-request mode sees the working tree.
    _, found = findings(committed.path, "--base", "HEAD", capsys=capsys)
    assert codes(found) == [("MG004", f"{M}/V1__step_1.sql", None)]


# -- MG005 ---------------------------------------------------------------------


def test_mg005_gap_in_sequential(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("001_init.sql", "002_orders.sql", "005_invoices.sql"):
        repo.write(f"{M}/{name}", "select 1;\n")
    status, found = findings(repo.path, capsys=capsys)
    assert status == 0  # a warning
    assert codes(found) == [("MG005", f"{M}/005_invoices.sql", None)]
    assert "version 3 to 4 is missing" in str(found[0]["message"])


def test_mg005_quiet_for_flyway_gaps(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    flyway(repo, 1, 5, 9)
    assert findings(repo.path, capsys=capsys) == (0, [])


# -- MG006 ---------------------------------------------------------------------


def test_mg006_missing_down_among_others(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(f"{M}/0001_a.up.sql", "select 1;")
    repo.write(f"{M}/0001_a.down.sql", "select 1;")
    repo.write(f"{M}/0002_b.up.sql", "select 2;")
    status, found = findings(repo.path, capsys=capsys)
    assert status == 0
    assert codes(found) == [("MG006", f"{M}/0002_b.up.sql", None)]
    assert found[0]["severity"] == "warning"
    assert "0002_b.down.sql" in str(found[0]["message"])


def test_mg006_up_only_folder_is_a_convention(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(f"{M}/0001_a.up.sql", "select 1;")
    repo.write(f"{M}/0002_b.up.sql", "select 2;")
    assert findings(repo.path, capsys=capsys) == (0, [])


def test_mg006_require_down_is_an_error(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    flyway(repo, 1, 2)
    repo.write(f"{M}/U1__step_1.sql", "select 1;")
    repo.write(".dbdesign.yaml", "require_down: true\n")
    status, found = findings(repo.path, capsys=capsys)
    assert status == 1
    assert codes(found) == [("MG006", f"{M}/V2__step_2.sql", None)]
    assert found[0]["severity"] == "error"
    assert "U2__step_2.sql" in str(found[0]["message"])


def test_mg006_diesel_and_dbmate(tmp_path: Path) -> None:
    m = tmp_path / M
    for folder in ("2020-01-01-000000_a", "2020-01-02-000000_b"):
        (m / folder).mkdir(parents=True)
        (m / folder / "up.sql").write_text("select 1;")
    (m / "2020-01-01-000000_a" / "down.sql").write_text("select 1;")
    found, _ = core(tmp_path)
    assert found == [f"MG006 {M}/2020-01-02-000000_b/up.sql"]
    shutil.rmtree(m)
    m.mkdir()
    (m / "20200101000000_a.sql").write_text("-- migrate:up\nselect 1;\n")
    found, _ = core(tmp_path, Config(require_down=True))
    assert found == [f"MG006 {M}/20200101000000_a.sql"]


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


def test_mg007_required_and_off(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    flyway(repo, 1)
    assert findings(repo.path, capsys=capsys) == (0, [])
    repo.write(".dbdesign.yaml", "integrity_file: required\n")
    _, found = findings(repo.path, capsys=capsys)
    assert codes(found) == [("MG007", f"{M}/dbdesign.sum", None)]
    repo.write(f"{M}/dbdesign.sum", "garbage\n")
    repo.write(".dbdesign.yaml", "integrity_file: off\n")
    assert findings(repo.path, capsys=capsys) == (0, [])


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


def test_suppression_in_the_migration(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(f"{M}/V1__history.sql", "select 1;\n")
    repo.write(
        f"{M}/V1__step_1.sql",
        "-- dbdesign: ignore-file[MG002] a duplicate from 2019, "
        "applied everywhere\nselect 1;\n",
    )
    assert findings(repo.path, capsys=capsys) == (0, [])


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
