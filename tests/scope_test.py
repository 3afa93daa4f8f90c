"""SPEC 3b: a run judges the change, not the history. State rules always in
full; content rules only on migrations the change adds and on the lines it
adds or modifies elsewhere; `--all` judges everything; the findings
baseline; warnings seen at `git commit`."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from pathlib import Path

import pytest

import projects
from conftest import CORPUS, Repo, needs_corpus, pre_commit
from dbdesign import cli

M = "migration-scripts"


def check(root: Path, *args: str) -> tuple[int, dict[str, object]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["check", "--root", str(root), "--format", "json", *args])
    document: dict[str, object] = json.loads(out.getvalue())
    return code, document


def codes(document: dict[str, object]) -> list[tuple[str, str, int | None]]:
    found = document["findings"]
    assert isinstance(found, list)
    return sorted((f["code"], f["path"], f["line"]) for f in found)


def hidden(document: dict[str, object]) -> int:
    summary = document["summary"]
    assert isinstance(summary, dict)
    count = summary["out_of_scope"]
    assert isinstance(count, int)
    return count


NOT_NULL = "ALTER TABLE book ADD COLUMN weight integer NOT NULL;\n"


def test_a_committed_bad_migration_never_blocks_a_later_commit(repo: Repo) -> None:
    projects.write(repo.path, {f"{M}/V2__weight.sql": NOT_NULL})
    repo.commit("merged without hooks")
    repo.write("notes.txt", "unrelated\n")
    repo.add()
    code, document = check(repo.path, "--select", "MG,SQ001")
    assert code == 0, document
    assert codes(document) == []
    # The audit still sees it.
    code, document = check(repo.path, "--select", "MG,SQ001", "--all")
    assert code == 1
    assert ("MG011", f"{M}/V2__weight.sql", 1) in codes(document)


def test_config_scope_all_is_the_audit(repo: Repo) -> None:
    projects.write(
        repo.path, {f"{M}/V2__weight.sql": NOT_NULL, ".dbdesign.yaml": "scope: all\n"}
    )
    repo.commit()
    code, document = check(repo.path, "--select", "MG011")
    assert code == 1 and codes(document)


def test_a_new_migration_is_judged(repo: Repo) -> None:
    projects.write(repo.path)
    repo.commit()
    repo.write(f"{M}/V2__weight.sql", NOT_NULL)
    repo.add()
    code, document = check(repo.path, "--select", "MG011")
    assert code == 1
    assert codes(document) == [("MG011", f"{M}/V2__weight.sql", 1)]


def test_an_untracked_migration_is_judged(repo: Repo) -> None:
    # Not yet `git add`-ed: not committed, so it is new work.
    projects.write(repo.path)
    repo.commit()
    repo.write(f"{M}/V2__weight.sql", NOT_NULL)
    _code, document = check(repo.path, "--select", "MG011")
    assert codes(document) == [("MG011", f"{M}/V2__weight.sql", 1)]


def test_without_git_everything_is_judged(tmp_path: Path) -> None:
    projects.write(tmp_path, {f"{M}/V2__weight.sql": NOT_NULL})
    _code, document = check(tmp_path, "--select", "MG011")
    assert codes(document) == [("MG011", f"{M}/V2__weight.sql", 1)]
    assert hidden(document) == 0


SCHEMA = (
    "CREATE TABLE book (\n"
    "  id integer PRIMARY KEY\n"
    ");\n"
    "CREATE TABLE shelf (name text);\n"  # line 4: SQ002, no primary key
)


def test_schema_findings_only_on_changed_lines(repo: Repo) -> None:
    projects.write(
        repo.path,
        {
            "database-schema.sql": SCHEMA,
            ".dbdesign.yaml": "sqlfluff: false\n",
        },
    )
    repo.commit()
    # The change adds a table without a key on a new line 5.
    repo.write("database-schema.sql", SCHEMA + "CREATE TABLE tag (label text);\n")
    repo.add()
    _, document = check(repo.path, "--select", "SQ002")
    assert codes(document) == [("SQ002", "database-schema.sql", 5)]
    assert hidden(document) == 1  # shelf, on a line the change left alone
    _code, document = check(repo.path, "--select", "SQ002", "--all")
    assert [line for _, _, line in codes(document)] == [4, 5]


def test_drift_is_a_state_rule(repo: Repo) -> None:
    projects.write(repo.path, {".dbdesign.yaml": "sqlfluff: false\n"})
    repo.commit()
    repo.write(f"{M}/V2__tag.sql", "CREATE TABLE tag (id integer PRIMARY KEY);\n")
    repo.add()
    _code, document = check(repo.path, "--select", "SQ007")
    assert [c for c, _, _ in codes(document)] == ["SQ007"]


def test_sqlfluff_only_on_changed_lines(repo: Repo) -> None:
    projects.write(
        repo.path,
        {"database-schema.sql": "CREATE TABLE book (id integer primary key);\n"},
    )
    repo.commit()
    repo.write(
        "database-schema.sql",
        "CREATE TABLE book (id integer primary key);\n"
        "create table tag (id integer PRIMARY KEY);\n",
    )
    repo.add()
    _code, document = check(repo.path, "--select", "CP01")
    lines = {line for c, path, line in codes(document) if path == "database-schema.sql"}
    assert lines == {2}, document
    assert hidden(document) > 0


def test_nothing_in_scope_lints_nothing(repo: Repo) -> None:
    projects.write(repo.path, {f"{M}/V2__weight.sql": NOT_NULL})
    repo.commit()
    # `git commit --amend` with nothing staged: no content rule has work.
    _code, document = check(repo.path)
    content = [c for c, _, _ in codes(document) if c[:2] in ("MG", "SQ", "CP")]
    assert content == ["SQ007"]  # drift is a state rule: V2 is not in the schema
    # sqlfluff never ran: its cache (tests point it at tmp_path) is empty.
    cache = Path(os.environ["DBDESIGN_CACHE_DIR"]) / "sqlfluff"
    assert not cache.exists() or not any(cache.rglob("*.json"))


def test_summary_line_counts_what_was_left_out(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    projects.write(
        repo.path,
        {"database-schema.sql": SCHEMA, ".dbdesign.yaml": "sqlfluff: false\n"},
    )
    repo.commit()
    code = cli.main(["check", "--root", str(repo.path), "--select", "SQ002"])
    out = capsys.readouterr().out
    assert code == 0
    assert "1 finding in unchanged code not shown; --all shows them." in out


def test_text_lines_carry_the_severity_word(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    projects.write(
        tmp_path, {"database-schema.sql": SCHEMA, ".dbdesign.yaml": "sqlfluff: false\n"}
    )
    cli.main(["check", "--root", str(tmp_path), "--select", "SQ002"])
    out = capsys.readouterr().out
    assert "database-schema.sql:4:14: error: SQ002 table shelf" in out


# -- the baseline -------------------------------------------------------------


def test_baseline_accepts_todays_findings_and_reports_fixed_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    projects.write(
        tmp_path, {"database-schema.sql": SCHEMA, ".dbdesign.yaml": "sqlfluff: false\n"}
    )
    code, document = check(tmp_path, "--select", "SQ002")
    assert codes(document) == [("SQ002", "database-schema.sql", 4)]

    assert cli.main(["baseline", str(tmp_path)]) == 0
    assert "wrote .dbdesign-baseline.json" in capsys.readouterr().out
    data = json.loads((tmp_path / ".dbdesign-baseline.json").read_text())
    assert {"code": "SQ002", "path": "database-schema.sql"}.items() <= data["findings"][
        0
    ].items()
    code, document = check(tmp_path, "--select", "SQ002,DB")
    assert code == 0 and codes(document) == []

    # Lines inserted above the finding do not break the match.
    (tmp_path / "database-schema.sql").write_text("-- the shop\n\n" + SCHEMA)
    code, document = check(tmp_path, "--select", "SQ002,DB")
    assert codes(document) == []

    # A new finding is reported; the accepted one stays accepted.
    (tmp_path / "database-schema.sql").write_text(
        SCHEMA + "CREATE TABLE tag (label text);\n"
    )
    code, document = check(tmp_path, "--select", "SQ002,DB")
    assert codes(document) == [("SQ002", "database-schema.sql", 5)]

    # Fixed: the entry is stale (DB002) until the baseline is rewritten.
    (tmp_path / "database-schema.sql").write_text(
        SCHEMA.replace("(name text)", "(name text PRIMARY KEY)")
    )
    code, document = check(tmp_path, "--select", "SQ002,DB")
    assert [c for c, _, _ in codes(document)] == ["DB002"]
    assert "run `dbdesign baseline`" in json.dumps(document)
    assert cli.main(["baseline", str(tmp_path)]) == 0
    code, document = check(tmp_path, "--select", "SQ002,DB")
    assert codes(document) == []


@pytest.mark.parametrize(
    "text, why",
    [
        ("{", "not JSON"),
        ('{"version": 9, "findings": []}', '"version": 1'),
        ('{"version": 1, "findings": [{"code": "SQ002"}]}', "entry 1"),
    ],
)
def test_a_broken_baseline_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, why: str
) -> None:
    projects.write(tmp_path, {".dbdesign-baseline.json": text})
    assert cli.main(["check", "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert why in err and "dbdesign baseline" in err


# -- advice fits where the user is -------------------------------------------


def test_changelog_advice_under_pre_commit(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    projects.write(repo.path)
    repo.commit()
    repo.write(f"{M}/V2__tag.sql", "CREATE TABLE tag (id integer PRIMARY KEY);\n")
    repo.add()
    _, document = check(repo.path, "--select", "CH001")
    assert "--allow-no-changelog" in json.dumps(document)
    monkeypatch.setenv("PRE_COMMIT", "1")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        from dbdesign.cli import changelog_main

        changelog_main(["--root", str(repo.path), "--format", "json"])
    assert "SKIP=dbdesign-changelog git commit" in out.getvalue()


def test_a_clean_hook_run_under_pre_commit_prints_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    projects.write(tmp_path)
    monkeypatch.setenv("PRE_COMMIT", "1")
    from dbdesign.cli import checklist_main

    assert checklist_main(["--root", str(tmp_path)]) == 0
    assert capsys.readouterr().out == ""


# -- a real project's history --------------------------------------------------


@needs_corpus
def test_lemmy_history_then_one_new_migration(repo: Repo) -> None:
    shutil.copytree(CORPUS / "lemmy" / "migrations", repo.path / "migrations")
    projects.write(
        repo.path,
        {
            ".dbdesign.yaml": "migrations_dir: migrations\n",
            "database-schema.sql": SCHEMA,
            "migration-scripts/V1__books.sql": None,
        },
    )
    shutil.rmtree(repo.path / M, ignore_errors=True)
    repo.commit("history")
    new = "migrations/2099-01-01-000000_drop_done"
    repo.write(f"{new}/up.sql", "ALTER TABLE person DROP COLUMN bio;\nselect  1;\n")
    repo.write(f"{new}/down.sql", "ALTER TABLE person ADD COLUMN bio text;\n")
    repo.add()
    _code, document = check(repo.path, "--ignore", "CH,AR,ER,SQ007")
    content = [
        (c, p)
        for c, p, _ in codes(document)
        if c[:2] not in ("FW", "CL", "MG") or c >= "MG010"
    ]
    assert content, document
    assert {p for _, p in content} <= {f"{new}/up.sql", f"{new}/down.sql"}, content
    assert ("MG010", f"{new}/up.sql") in content
    assert any(c.startswith(("LT", "CP")) for c, _ in content), content
    assert hidden(document) > 0


# -- warnings at `git commit` --------------------------------------------------


@pytest.mark.e2e
def test_a_new_warning_is_seen_at_git_commit(
    repo: Repo, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    projects.write(repo.path, {".dbdesign.yaml": "sqlfluff: false\n"})
    path, rev = hook_repo
    repo.write(
        ".pre-commit-config.yaml",
        f"repos:\n- repo: {path}\n  rev: {rev}\n  hooks:\n  - id: dbdesign-migrations\n",
    )
    repo.commit("start")
    out = pre_commit(repo.path, pre_commit_home, "install")
    assert out.returncode == 0, out.stderr
    repo.write(f"{M}/V2__drop.sql", "ALTER TABLE book DROP COLUMN title;\n")
    repo.add()
    import subprocess

    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home)}
    commit = subprocess.run(
        ["git", "commit", "-m", "drop a column"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    text = commit.stdout + commit.stderr
    assert commit.returncode == 0, text
    assert "warning: MG010" in text, text
