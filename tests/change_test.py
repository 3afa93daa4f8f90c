from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import Repo, git
from dbdesign import change
from dbdesign.cli import main
from dbdesign.errors import UsageError


def load(path: Path, base: str | None = None) -> change.Change:
    found = change.load(path, base)
    assert found is not None
    return found


def test_outside_git_is_none(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    assert change.load(folder, None) is None
    assert change.load(folder, "main") is None


def test_no_commits_yet_compares_with_the_empty_tree(repo: Repo) -> None:
    repo.write("m/V1__init.sql", "create table a (id int);\n")
    repo.add()
    found = load(repo.path)
    assert found.added == {"m/V1__init.sql"}
    assert found.empty_base
    assert found.old_content("m/V1__init.sql") is None
    assert found.old_paths("m") == []


def test_nothing_staged(repo: Repo) -> None:
    repo.write("a.sql", "x")
    repo.commit()
    repo.write("b.sql", "unstaged and untracked")
    found = load(repo.path)
    assert found.touched() == frozenset()


def test_staged_adds_edits_renames_and_deletes(repo: Repo) -> None:
    body = "".join(f"select {n};\n" for n in range(40))
    repo.write("m/V1__init.sql", "create table a (id int);\n")
    repo.write("m/V2__orders.sql", body)
    repo.write("m/V3__gone.sql", "drop table x;\n")
    repo.commit("first")
    repo.write("m/V1__init.sql", "create table a (id bigint);\n")
    (repo.path / "m/V2__orders.sql").rename(repo.path / "m/V2__invoices.sql")
    (repo.path / "m/V3__gone.sql").unlink()
    repo.write("m/V4__new.sql", "select 4;\n")
    repo.add()
    found = load(repo.path)
    assert found.added == {"m/V4__new.sql"}
    assert found.modified == {"m/V1__init.sql"}
    assert found.deleted == {"m/V3__gone.sql"}
    assert found.renamed == (("m/V2__orders.sql", "m/V2__invoices.sql"),)
    assert found.old_content("m/V1__init.sql") == b"create table a (id int);\n"
    assert found.old_content("m/V3__gone.sql") == b"drop table x;\n"
    assert found.old_content("m/V4__new.sql") is None
    assert sorted(found.old_paths("m")) == [
        "m/V1__init.sql",
        "m/V2__orders.sql",
        "m/V3__gone.sql",
    ]
    assert found.description == "the staged change"
    assert found.touches("m/V2__orders.sql")
    assert found.written() == {"m/V4__new.sql", "m/V1__init.sql", "m/V2__invoices.sql"}


def test_first_commit_then_detached_head(repo: Repo) -> None:
    repo.write("a.sql", "select 1;\n")
    first = repo.commit()
    repo.write("b.sql", "select 2;\n")
    repo.commit()
    repo.git("checkout", "-q", "--detach", first)
    repo.write("c.sql", "select 3;\n")
    repo.add()
    found = load(repo.path)
    assert found.base == first
    assert found.added == {"c.sql"}


ODD_NAMES = [
    "with space.sql",
    "-leading-dash.sql",
    "per%cent,comma:colon.sql",
    "new\nline.sql",
    "tab\there.sql",
    "ünïcödé.sql",
    'quote"d.sql',
    "back\\slash.sql",
]


def test_odd_file_names(repo: Repo) -> None:
    for name in ODD_NAMES:
        repo.write(f"m/{name}", f"-- {name!r}\n")
    repo.commit()
    for name in ODD_NAMES:
        repo.write(f"m/{name}", f"-- {name!r} edited\n")
    repo.write("m/-- added.sql", "x")
    repo.add()
    found = load(repo.path)
    assert found.modified == {f"m/{name}" for name in ODD_NAMES}
    assert found.added == {"m/-- added.sql"}
    for name in ODD_NAMES:
        assert found.old_content(f"m/{name}") == f"-- {name!r}\n".encode()


def test_subfolder_root_sees_only_its_paths(repo: Repo) -> None:
    repo.write("proj/m/V1__a.sql", "a")
    repo.write("other/V1__a.sql", "a")
    repo.commit()
    repo.write("proj/m/V1__a.sql", "b")
    repo.write("other/V1__a.sql", "b")
    repo.git("mv", "other/V1__a.sql", "proj/m/V2__moved_in.sql")
    repo.add()
    found = load(repo.path / "proj")
    assert found.modified == {"m/V1__a.sql"}
    assert found.added == {"m/V2__moved_in.sql"}
    assert found.old_content("m/V1__a.sql") == b"a"
    assert found.old_paths("m") == ["m/V1__a.sql"]


def _feature_branch(repo: Repo) -> None:
    repo.write("m/V1__a.sql", "a")
    repo.commit("main 1")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("m/V2__committed.sql", "b")
    repo.commit("feature 1")
    repo.git("checkout", "-q", "main")
    repo.write("m/V9__on_main_later.sql", "main moves on")
    repo.commit("main 2")
    repo.git("checkout", "-q", "feature")
    repo.write("m/V3__staged.sql", "c")
    repo.add("m/V3__staged.sql")
    repo.write("m/V4__untracked.sql", "d")
    repo.write("m/V1__a.sql", "edited, not staged")


def test_base_is_the_merge_base_plus_the_working_tree(repo: Repo) -> None:
    _feature_branch(repo)
    found = load(repo.path, "main")
    assert found.added == {
        "m/V2__committed.sql",
        "m/V3__staged.sql",
        "m/V4__untracked.sql",
    }
    assert found.modified == {"m/V1__a.sql"}
    assert "m/V9__on_main_later.sql" not in found.touched()
    assert found.old_paths("m") == ["m/V1__a.sql"]
    assert found.description == "the changes since main"


def test_merge_in_progress_compares_with_the_first_parent(repo: Repo) -> None:
    repo.write("a.sql", "a")
    repo.commit()
    repo.git("checkout", "-q", "-b", "other")
    repo.write("b.sql", "b")
    repo.commit()
    repo.git("checkout", "-q", "main")
    repo.write("c.sql", "c")
    repo.commit()
    repo.git("merge", "-q", "--no-ff", "--no-commit", "other")
    found = load(repo.path)
    assert found.added == {"b.sql"}
    repo.git("commit", "-q", "-m", "merge")
    # After the merge, pull-request mode against main sees nothing new.
    assert load(repo.path, "main").touched() == frozenset()


def test_linked_worktree(repo: Repo, tmp_path: Path) -> None:
    repo.write("a.sql", "a")
    repo.commit()
    tree = tmp_path / "linked"
    repo.git("worktree", "add", "-q", "-b", "wt", str(tree))
    (tree / "b.sql").write_text("b")
    git(tree, "add", "b.sql")
    found = load(tree)
    assert found.added == {"b.sql"}
    assert found.top.resolve() == tree.resolve()
    assert load(repo.path).touched() == frozenset()


def test_pre_push_refs(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write("a.sql", "a")
    old = repo.commit()
    repo.write("b.sql", "b")
    repo.write("a.sql", "a2")
    new = repo.commit()
    repo.write("c.sql", "staged but not pushed")
    repo.add()
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", old)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", new)
    found = load(repo.path)
    assert found.added == {"b.sql"}
    assert found.modified == {"a.sql"}
    assert found.description == "the pushed commits"
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", "0" * 40)
    assert load(repo.path).added == {"a.sql", "b.sql"}


def test_missing_base_names_fetch_depth(repo: Repo) -> None:
    repo.write("a.sql", "a")
    repo.commit()
    with pytest.raises(UsageError, match="fetch-depth"):
        change.load(repo.path, "origin/main")
    with pytest.raises(UsageError, match="not a git revision"):
        change.load(repo.path, "--output=/tmp/x")


def test_base_in_a_repository_without_commits(repo: Repo) -> None:
    with pytest.raises(UsageError, match="fetch-depth"):
        change.load(repo.path, "main")


def _shallow_pair(repo: Repo, tmp_path: Path, *clone_args: str) -> Path:
    repo.write("migration-scripts/V1__a.sql", "a")
    repo.commit("one")
    repo.write("migration-scripts/V2__b.sql", "b")
    repo.commit("two")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("migration-scripts/V3__c.sql", "c")
    repo.commit("three")
    repo.git("checkout", "-q", "main")
    repo.write("migration-scripts/V4__d.sql", "d")
    repo.commit("four")
    clone = tmp_path / "shallow"
    git(
        tmp_path,
        "clone",
        "-q",
        "--depth",
        "1",
        *clone_args,
        "--branch",
        "feature",
        f"file://{repo.path}",
        str(clone),
    )
    return clone


def test_shallow_clone_without_the_base(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clone = _shallow_pair(repo, tmp_path)
    status = main(
        ["check", "--root", str(clone), "--base", "origin/main", "--select", "MG,CH"]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert "fetch-depth" in err
    assert "Traceback" not in err


def test_shallow_clone_without_common_history(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clone = _shallow_pair(repo, tmp_path, "--no-single-branch")
    assert git(clone, "rev-parse", "--verify", "origin/main")
    status = main(
        ["check", "--root", str(clone), "--base", "origin/main", "--select", "MG,CH"]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert "no common ancestor" in err and "fetch-depth" in err
    # Fetching the history mends it.
    git(clone, "fetch", "-q", "--unshallow")
    found = load(clone, "origin/main")
    assert found.added == {"migration-scripts/V3__c.sql"}


def test_git_is_asked_without_a_shell(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    calls: list[tuple[object, dict[str, object]]] = []
    real = subprocess.run

    def spy(*args: object, **kwargs: object) -> object:
        calls.append((args[0], kwargs))
        return real(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "run", spy)
    repo.write("a.sql", "a")
    repo.commit()
    repo.write("$(touch pwned).sql", "b")
    repo.add()
    found = load(repo.path, "main")
    assert found.added == {"$(touch pwned).sql"}
    assert calls and all(
        isinstance(cmd, list) and not kw.get("shell") for cmd, kw in calls
    )
    assert not (repo.path / "pwned").exists()


@pytest.mark.skipif(os.name == "nt", reason="POSIX file names")
def test_undecodable_file_name(repo: Repo) -> None:
    name = os.fsdecode(b"m/bad\xff.sql")
    (repo.path / "m").mkdir()
    (repo.path / name).write_text("x")
    repo.add()
    found = load(repo.path)
    assert found.added == {name}


def test_location_and_head(repo: Repo, tmp_path: Path) -> None:
    from dbdesign.git import head, location

    (repo.path / "db").mkdir()
    assert head(repo.path) is None  # no commits yet
    assert location(repo.path / "db") == (repo.path, "db/")
    sha = repo.commit("first")
    assert head(repo.path / "db") == sha
    outside = tmp_path / "plain"
    outside.mkdir()
    assert location(outside) is None and head(outside) is None


def test_outside_git_in_any_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # git translates "not a git repository"; a German user outside git gets
    # the note, not exit 2.
    monkeypatch.setenv("LANGUAGE", "de")
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert change.load(tmp_path, None) is None


def test_old_paths_of_the_root_folder(repo: Repo) -> None:
    repo.write("V1__a.sql", "a")
    repo.commit("first")
    repo.write("V2__b.sql", "b")
    repo.add()
    found = load(repo.path)
    assert found.old_paths("") == ["V1__a.sql"]
    assert found.old_paths(".") == ["V1__a.sql"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX file names")
def test_newlines_in_the_repository_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # git's line-based answer would split `/x\ny` in two: "cannot run git".
    top = tmp_path / "a\nb"
    top.mkdir()
    git(top, "init", "-q", "-b", "main")
    root = top / "d\nb"
    root.mkdir()
    (root / "database-schema.sql").write_text("CREATE TABLE t (id int PRIMARY KEY);\n")
    git(top, "add", "-A")
    from dbdesign.git import location, toplevel

    assert location(root) == (top, "d\nb/")
    assert location(top) == (top, "")
    assert toplevel(root) == top
    found = change.load(root, None)
    assert found is not None and found.added == {"database-schema.sql"}
    code = main(["check", "--root", str(root), "--select", "MG,CH"])
    err = capsys.readouterr().err
    assert (code, err) == (1, "")
