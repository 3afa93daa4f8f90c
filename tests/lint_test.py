from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dbdesign import rules
from dbdesign.config import Config
from dbdesign.findings import Finding
from dbdesign.project import Options, Project
from dbdesign.sql import fluff_cache, fluff_worker
from dbdesign.sql import lint as sqllint

BAD = "select a,b from t where x=1\n"
# Quiet under every default sqlfluff rule (postgres, sqlite, mysql).
GOOD = """\
SELECT
    a,
    b
FROM t
WHERE x = 1;
"""
GOOD_DDL = """\
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL
);

CREATE INDEX users_email_idx ON users (email);
"""


def _project(root: Path, no_cache: bool = False, **config: Any) -> Project:
    return Project(root, Config(**config), Options(no_cache=no_cache))


def _lint(
    root: Path, *paths: str, no_cache: bool = False, **config: Any
) -> tuple[list[Finding], Project]:
    project = _project(root, no_cache=no_cache, **config)
    return list(sqllint.lint(project, list(paths))), project


def _write(root: Path, relpath: str, text: str) -> Path:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _cache_files() -> list[Path]:
    return sorted((sqllint.cache_dir() / "sqlfluff").rglob("*.json"))


def test_bad_file_keeps_sqlfluff_codes_and_lines(tmp_path: Path) -> None:
    _write(tmp_path, "schema.sql", GOOD + BAD)
    found, _ = _lint(tmp_path, "schema.sql")
    got = {(f.code, f.line, f.column) for f in found}
    assert ("LT09", 6, 1) in got
    assert ("CP01", 6, 12) in got
    assert ("LT14", 6, 19) in got
    # dbdesign's defaults (the repository has no sqlfluff config): no LT01.
    assert "LT01" not in {code for code, _, _ in got}
    assert all(
        f.check == "sqlfluff" and f.severity == "warning" and f.path == "schema.sql"
        for f in found
    )
    cp01 = next(f for f in found if f.code == "CP01")
    assert cp01.message.endswith("; `dbdesign check --fix` mends it")


def test_configured_severity(tmp_path: Path) -> None:
    _write(tmp_path, "schema.sql", BAD)
    found, _ = _lint(tmp_path, "schema.sql", severity={"LT09": "error"})
    assert {f.severity for f in found if f.code == "LT09"} == {"error"}
    assert {f.severity for f in found if f.code != "LT09"} == {"warning"}


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
def test_good_sql_is_quiet(tmp_path: Path, dialect: str) -> None:
    _write(tmp_path, "schema.sql", GOOD_DDL)
    _write(tmp_path, "m/001_q.sql", GOOD)
    found, _ = _lint(tmp_path, "schema.sql", "m/001_q.sql", dialect=dialect)
    assert found == []


def test_sqlfluff_off(tmp_path: Path, calls: list[int]) -> None:
    _write(tmp_path, "schema.sql", BAD)
    found, _ = _lint(tmp_path, "schema.sql", sqlfluff=False)
    assert found == [] and calls == []


def test_unreadable_files_are_left_to_the_caller(
    tmp_path: Path, calls: list[int]
) -> None:
    (tmp_path / "bin.sql").write_bytes(b"SELECT\0 1;")
    found, _ = _lint(tmp_path, "bin.sql", "missing.sql")
    assert found == [] and calls == []


def test_second_run_comes_from_the_cache(tmp_path: Path, calls: list[int]) -> None:
    _write(tmp_path, "a.sql", BAD)
    _write(tmp_path, "b.sql", GOOD)
    first, _ = _lint(tmp_path, "a.sql", "b.sql")
    assert calls == [2] and len(_cache_files()) == 2
    second, _ = _lint(tmp_path, "a.sql", "b.sql")
    assert calls == [2]
    assert second == first
    # A changed file is linted again; the other still comes from the cache.
    _write(tmp_path, "b.sql", "-- changed\n" + BAD)
    third, _ = _lint(tmp_path, "a.sql", "b.sql")
    assert calls == [2, 1]
    assert {f.path for f in third} == {"a.sql", "b.sql"}


def test_cache_key_covers_config_and_dialect(tmp_path: Path, calls: list[int]) -> None:
    _write(tmp_path, "a.sql", BAD)
    _lint(tmp_path, "a.sql")
    _lint(tmp_path, "a.sql", dialect="mysql")
    _write(tmp_path, ".sqlfluff", "[sqlfluff]\nexclude_rules = LT01\n")
    found, _ = _lint(tmp_path, "a.sql")
    assert calls == [1, 1, 1]
    assert "LT01" not in {f.code for f in found}
    # Unrelated edits of a shared config file keep the cache warm.
    _write(tmp_path, "setup.cfg", "[flake8]\nmax-line-length = 99\n")
    _lint(tmp_path, "a.sql")
    assert calls == [1, 1, 1]


def test_corrupt_cache_is_ignored(tmp_path: Path, calls: list[int]) -> None:
    _write(tmp_path, "a.sql", BAD)
    first, _ = _lint(tmp_path, "a.sql")
    (entry,) = _cache_files()
    for garbage in (
        b"{not json",
        b"[]",
        json.dumps(
            {"key": entry.stem, "result": {"items": [["v"]], "ignored": []}}
        ).encode(),
        b"",
    ):
        entry.write_bytes(garbage)
        again, _ = _lint(tmp_path, "a.sql")
        assert again == first
    assert calls == [1] * 5
    assert json.loads(entry.read_bytes())["key"] == entry.stem


def test_no_cache_neither_reads_nor_writes(tmp_path: Path, calls: list[int]) -> None:
    _write(tmp_path, "a.sql", BAD)
    _lint(tmp_path, "a.sql", no_cache=True)
    assert _cache_files() == []
    _lint(tmp_path, "a.sql")
    _lint(tmp_path, "a.sql", no_cache=True)
    assert calls == [1, 1, 1]


def test_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DBDESIGN_CACHE_DIR", str(tmp_path / "c"))
    assert sqllint.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("DBDESIGN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert sqllint.cache_dir() == tmp_path / "x" / "dbdesign"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert sqllint.cache_dir() == Path.home() / ".cache" / "dbdesign"


def test_repository_sqlfluff_config_is_honoured(tmp_path: Path) -> None:
    _write(tmp_path, ".sqlfluff", "[sqlfluff]\nexclude_rules = LT01\n")
    _write(tmp_path, "m/.sqlfluff", "[sqlfluff]\nexclude_rules = LT09\n")
    _write(
        tmp_path, "p/pyproject.toml", '[tool.sqlfluff.core]\nexclude_rules = "LT14"\n'
    )
    _write(tmp_path, "p/setup.cfg", "[sqlfluff]\nexclude_rules = LT09\n")
    for name in ("a.sql", "m/b.sql", "p/c.sql"):
        _write(tmp_path, name, BAD)
    found, _ = _lint(tmp_path, "a.sql", "m/b.sql", "p/c.sql")
    codes = {(f.path, f.code) for f in found}
    # Deeper folders win; in a folder pyproject.toml outranks setup.cfg.
    assert codes == {
        ("a.sql", "LT09"),
        ("a.sql", "LT14"),
        ("m/b.sql", "LT01"),
        ("m/b.sql", "LT14"),
        ("p/c.sql", "LT01"),
        ("p/c.sql", "LT09"),
    }


def test_dialect_from_config_and_from_sqlfluff(tmp_path: Path) -> None:
    # Backticks are identifiers in MySQL and an unparsable section elsewhere.
    _write(tmp_path, "a.sql", "SELECT `a` FROM t;\n")
    found, _ = _lint(tmp_path, "a.sql", dialect="mysql")
    assert "PRS" not in {f.code for f in found}
    found, _ = _lint(tmp_path, "a.sql", dialect="postgres")
    assert "PRS" in {f.code for f in found}
    _write(tmp_path, ".sqlfluff", "[sqlfluff]\ndialect = mysql\n")
    found, _ = _lint(tmp_path, "a.sql", dialect="postgres")
    assert "PRS" not in {f.code for f in found}


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("postgres", "postgres"),
        ("tsql", "tsql"),
        ("spark", "sparksql"),
        ("presto", "trino"),
        ("fabric", "tsql"),
        ("prql", "ansi"),
    ],
)
def test_dialect_names(ours: str, theirs: str) -> None:
    assert sqllint.fluff_dialect(ours) == theirs


SENTINEL_LIBRARY = """\
import pathlib
pathlib.Path({target!r}).write_text("ran")
"""


def _hostile_repo(root: Path) -> Path:
    sentinel = root / "SENTINEL"
    _write(root, "lib/__init__.py", SENTINEL_LIBRARY.format(target=str(sentinel)))
    _write(
        root,
        ".sqlfluff",
        "[sqlfluff]\nlibrary_path = lib\n"
        "[sqlfluff:templater:jinja]\nload_macros_from_path = macros\n",
    )
    _write(root, "a.sql", "SELECT {{ 1 }} AS one;\n")
    # Inline settings may name the library too.
    _write(
        root, "b.sql", f"-- sqlfluff:library_path:{root / 'lib'}\nSELECT {{{{ 1 }}}};\n"
    )
    return sentinel


def test_repository_code_never_runs(tmp_path: Path) -> None:
    sentinel = _hostile_repo(tmp_path)
    found, project = _lint(tmp_path, "a.sql", "b.sql")
    assert not sentinel.exists()
    assert "SQ009" not in {f.code for f in found}
    assert any(
        "library_path" in note and "sqlfluff_trust_config" in note
        for note in project.notes
    )


def test_trusted_config_may_run_code(tmp_path: Path) -> None:
    sentinel = _hostile_repo(tmp_path)
    (tmp_path / ".sqlfluff").write_text("[sqlfluff]\nlibrary_path = lib\n")
    _lint(tmp_path, "a.sql", sqlfluff_trust_config=True)
    assert sentinel.exists()
    # Trusted code may read anything, so its results are not cached.
    assert _cache_files() == []


def test_large_file_is_linted(tmp_path: Path) -> None:
    body = "".join(f"SELECT col_{i} FROM table_{i};\n" for i in range(900))
    assert len(body) > 20_000
    _write(tmp_path, "big.sql", body + BAD)
    found, _ = _lint(tmp_path, "big.sql")
    assert "SQ009" not in {f.code for f in found}
    assert ("LT09", 901) in {(f.code, f.line) for f in found}


def test_file_over_the_size_bound_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calls: list[int]
) -> None:
    monkeypatch.setattr(sqllint, "MAX_BYTES", 100)
    _write(tmp_path, "big.sql", GOOD * 10)
    found, _ = _lint(tmp_path, "big.sql")
    assert [(f.code, f.line) for f in found] == [("SQ009", 1)]
    assert "bytes" in found[0].message and calls == []


def test_timeout_is_sq009_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBDESIGN_SQLFLUFF_TIMEOUT", "0.001")
    _write(tmp_path, "a.sql", GOOD * 200)
    _write(tmp_path, "b.sql", GOOD * 200)
    found, _ = _lint(tmp_path, "a.sql", "b.sql")
    assert [(f.path, f.code) for f in found] == [("a.sql", "SQ009"), ("b.sql", "SQ009")]
    assert "did not finish" in found[0].message
    assert "DBDESIGN_SQLFLUFF_TIMEOUT" in found[0].message
    # A timeout says nothing about the file: it is not cached.
    assert _cache_files() == []


def test_timeout_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBDESIGN_SQLFLUFF_TIMEOUT", "12.5")
    assert sqllint.timeout() == 12.5
    for bad in ("", "soon", "-1", "0", "nan", "inf"):
        monkeypatch.setenv("DBDESIGN_SQLFLUFF_TIMEOUT", bad)
        assert sqllint.timeout() == sqllint.DEFAULT_TIMEOUT


def test_files_in_parallel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqllint, "BYTES_PER_WORKER", 1)
    names = [f"m/{i:03}_x.sql" for i in range(4)]
    for name in names:
        _write(tmp_path, name, BAD)
    found, _ = _lint(tmp_path, *names)
    assert {f.path for f in found if f.code == "LT09"} == set(names)


def test_jobs_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dbdesign import cli
    from dbdesign.sql import fluff_pool

    asked: list[int] = []
    real = fluff_pool.run

    def recording(tasks: Any, timeout: float, jobs: int, **options: Any) -> Any:
        asked.append(jobs)
        return real(tasks, timeout, jobs, **options)

    monkeypatch.setattr(fluff_pool, "run", recording)
    for i in range(3):
        _write(tmp_path, f"migration-scripts/V{i + 1}__x.sql", BAD)
    argv = ["--root", str(tmp_path), "--all", "--no-cache", "--select", "LT01"]
    cli.schema_main([*argv, "--jobs", "2"])
    cli.schema_main(argv)
    # --jobs as given; else one per CPU, fewer for this little SQL
    assert asked[0] == 2 and asked[1] == 1
    with pytest.raises(SystemExit) as stop:
        cli.schema_main([*argv, "--jobs", "many"])
    assert stop.value.code == 2
    assert "'many' is not a number of processes" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("INSERT INTO t VALUES ({{ .Value }});\n", "cannot render"),
        ("{% include 'other.sql' %}\nSELECT 1;\n", "cannot render"),
        (
            "INSERT INTO ${schema}.t VALUES (1);\nINSERT INTO ${schema}.u "
            "VALUES (2);\n",
            "templated SQL",
        ),
    ],
)
def test_templated_sql_is_one_note(tmp_path: Path, text: str, why: str) -> None:
    _write(tmp_path, "t.sql", text)
    found, _ = _lint(tmp_path, "t.sql")
    notes = [f for f in found if f.code == "SQ009"]
    assert len(notes) == 1 and why in notes[0].message
    assert not {f.code for f in found} & {"PRS", "TMP", "LXR"}


def test_parse_bound_is_sq009(tmp_path: Path) -> None:
    _write(tmp_path, "deep.sql", "SELECT " + "(" * 300 + "1" + ")" * 300 + ";\n")
    found, _ = _lint(tmp_path, "deep.sql")
    assert [f.code for f in found] == ["SQ009"]
    assert "max_parse_depth" in found[0].message


def test_unparsable_sql_keeps_prs(tmp_path: Path) -> None:
    _write(tmp_path, "a.sql", GOOD + "SELEC oops;\n")
    found, _ = _lint(tmp_path, "a.sql")
    prs = [f for f in found if f.code == "PRS"]
    assert prs and prs[0].line == 6 and "ignore[PRS]" in prs[0].message


def test_broken_repository_config_is_sq009(tmp_path: Path) -> None:
    _write(tmp_path, ".sqlfluff", "[sqlfluff]\ndialect = klingon\n")
    _write(tmp_path, "a.sql", BAD)
    found, _ = _lint(tmp_path, "a.sql")
    assert [f.code for f in found] == ["SQ009"]
    assert "klingon" in found[0].message


def test_importing_lint_does_not_import_sqlfluff() -> None:
    code = "import sys, dbdesign.sql.lint; sys.exit('sqlfluff' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_sanitise_drops_code_settings() -> None:
    configs = {
        "core": {"library_path": "lib", "templater": "dbt"},
        "templater": {
            "jinja": {
                "load_macros_from_path": "m",
                "loader_search_path": "s",
                "context": {"x": 1},
            }
        },
    }
    dropped = fluff_worker.sanitise(configs)
    assert configs == {
        "core": {"templater": "jinja"},
        "templater": {"jinja": {"context": {"x": 1}}},
    }
    assert set(dropped) == {
        "library_path",
        "templater = dbt",
        "templater:jinja:load_macros_from_path",
        "templater:jinja:loader_search_path",
    }
    python = {"core": {"templater": "python"}}
    fluff_worker.sanitise(python)
    assert python["core"]["templater"] == "raw"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                *"SELECT from();,'\"`$-{}%#\n\t ab1*/",
                "{{",
                "{%",
                "--",
                "/*",
                "CREATE TABLE ",
                "SELECT ",
            ]
        ),
        max_size=60,
    ).map("".join)
)
@example("{#")  # sqlfluff asserted on an unclosed Jinja comment
def test_any_text_gives_results_not_exceptions(text: str) -> None:
    task = {
        "path": "x.sql",
        "fname": "x.sql",
        "text": text,
        "dialect": "postgres",
        "trust": False,
        "config_files": [],
    }
    result = fluff_worker.lint_task(task, {})
    assert fluff_cache.valid(json.loads(json.dumps(result)), text)


@pytest.mark.parametrize("code", ["LT", "LT01", "CP", "PRS", "TMP", "LXR"])
def test_sqlfluff_codes_can_be_selected(code: str) -> None:
    assert rules.is_known_pattern(code)


@pytest.mark.parametrize(
    "code", ["SQ999", "SQX", "ZZ", "ZZ999", "AB12", "XYZ1", "lt01", "LT01X", "L"]
)
def test_unknown_codes_are_still_refused(code: str) -> None:
    assert not rules.is_known_pattern(code)


def test_sqlfluff_families_are_known() -> None:
    from sqlfluff.core import Linter

    families = {rule.code[:2] for rule in Linter(dialect="ansi").get_rulepack().rules}
    assert families <= rules.SQLFLUFF_PREFIXES


def test_sqlfluffignore_and_ignore_paths_are_honoured(
    tmp_path: Path, calls: list[int]
) -> None:
    _write(tmp_path, ".sqlfluffignore", "# generated\nvendor/\n")
    _write(tmp_path, ".sqlfluff", "[sqlfluff]\nignore_paths = gen_*.sql\n")
    _write(tmp_path, "m/.sqlfluffignore", "old.sql\n")
    names = ["vendor/a.sql", "gen_b.sql", "m/old.sql", "m/new.sql", "c.sql"]
    for name in names:
        _write(tmp_path, name, BAD)
    found, project = _lint(tmp_path, *names)
    assert {f.path for f in found} == {"m/new.sql", "c.sql"}
    assert calls == [2]
    (note,) = [n for n in project.notes if "not linted" in n]
    assert "vendor/a.sql (.sqlfluffignore)" in note
    assert "gen_b.sql (.sqlfluff)" in note
    assert "m/old.sql (m/.sqlfluffignore)" in note


def test_pyproject_ignore_paths(tmp_path: Path) -> None:
    _write(
        tmp_path, "pyproject.toml", '[tool.sqlfluff.core]\nignore_paths = ["legacy"]\n'
    )
    _write(tmp_path, "legacy/a.sql", BAD)
    found, _ = _lint(tmp_path, "legacy/a.sql")
    assert found == []


def test_workers_print_nothing(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # sqlfluff logs malformed inline settings, quoting the file: text from
    # the repository must reach people only through the escaping reporters.
    _write(tmp_path, "a.sql", "-- sqlfluff:rules=injected\n" + BAD)
    found, _ = _lint(tmp_path, "a.sql")
    assert found
    out, err = capfd.readouterr()
    assert "injected" not in out + err


def test_racing_writers_never_leave_half_an_entry() -> None:
    import threading

    key = "ab" * 32
    results = [
        {"items": [["v", "LT01", n, 1, "x" * 1000, True, "r"]] * 50, "ignored": []}
        for n in range(1, 9)
    ]
    seen: list[object] = []

    def write(result: dict[str, Any]) -> None:
        for _ in range(20):
            fluff_cache.store(key, result, "SELECT 1;\n" * 10)
            seen.append(fluff_cache.load(key, "SELECT 1;\n" * 10))

    threads = [threading.Thread(target=write, args=(r,)) for r in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(item in results for item in seen)
    assert list(fluff_cache.entry_path(key).parent.glob("*.tmp")) == []


def test_through_the_command_line(
    tmp_path: Path, chdir: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from dbdesign.cli import main

    bad = "select a,b from t;\n"
    _write(
        tmp_path,
        "database-schema.sql",
        "SELECT 1;\n" + bad + "-- dbdesign: ignore[LT09]\n" + bad,
    )
    chdir(tmp_path)
    code = main(["check", "--select", "CP01,LT09", "database-schema.sql"])
    out = capsys.readouterr().out
    assert code == 0
    assert "database-schema.sql:2:1: warning: LT09 " in out
    assert "database-schema.sql:2:12: warning: CP01 " in out
    assert "database-schema.sql:4:12: warning: CP01 " in out
    assert ":4:1: warning: LT09" not in out  # suppressed
    assert main(["check", "--select", "CP01", "--strict", "database-schema.sql"]) == 1


def test_a_killed_worker_leaves_nothing_behind(tmp_path: Path) -> None:
    # Killed mid-parse, a worker must not leak a semaphore, which Python's
    # resource tracker would report on stderr when the run ends.
    _write(tmp_path, "big.sql", GOOD_DDL * 300)
    code = (
        "import sys; from pathlib import Path\n"
        "from dbdesign.config import Config\n"
        "from dbdesign.project import Options, Project\n"
        "from dbdesign.sql.lint import lint\n"
        "p = Project(Path(sys.argv[1]), Config(), Options(no_cache=True))\n"
        "print(*[f.code for f in lint(p, ['big.sql'])])\n"
    )
    env = {**os.environ, "DBDESIGN_SQLFLUFF_TIMEOUT": "0.5"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert out.stdout.split() == ["SQ009"]
    assert out.stderr == ""


def test_dialect_sqlfluff_lacks_is_a_note(tmp_path: Path) -> None:
    _write(tmp_path, "a.sql", GOOD)
    found, project = _lint(tmp_path, "a.sql", dialect="drill")
    assert found == []
    assert any("no drill dialect" in note for note in project.notes)
