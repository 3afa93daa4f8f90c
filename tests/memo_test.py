"""The cache of parsed SQL (issue 14): a hit finds what a miss finds, a
migration edited in place is parsed again, and an entry that is anything
but what dbdesign writes (corrupt, truncated, another format, poisoned) is
a miss, never a crash; so is a cache that cannot be written; two runs at
once on one cache folder both succeed; `--no-cache` neither reads nor
writes it."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import CORPUS, Repo, needs_corpus
from dbdesign import cli
from dbdesign.checks import safety, schema
from dbdesign.config import Config
from dbdesign.findings import Finding
from dbdesign.project import Options, Project
from dbdesign.sql import fluff_cache, load
from dbdesign.sql.memo import Memo

FOLDERS = {  # corpus folder: (project root inside it, migrations folder)
    "lemmy": (".", "migrations"),
    "harbor": ("make/migrations", "postgresql"),
    "conductor": ("postgres-persistence/src/main/resources/db", "migration_postgres"),
}
M = "migration-scripts"
V1 = "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);\n"
V2 = "CREATE INDEX users_email ON users (email);\n"


def _run(root: Path, config: Config, no_cache: bool = False) -> tuple[Any, Memo | None]:
    """(findings of the safety and schema checks, the run's cache), the
    project closed as the pipeline closes it."""
    project = Project(root, config, Options(no_cache=no_cache, all=True))
    found: list[Finding] = [*safety.check(project), *schema.check(project)]
    replayed = load.replay_catalog(project)
    project.close()
    return (found, replayed, project.notes), project.cache.get("sql.memo")


def _entries() -> list[Path]:
    """The record entries (the shards; not the kept states)."""
    return sorted(
        path
        for path in (fluff_cache.cache_dir() / "sql").rglob("*.json")
        if path.stem[-2] == "-" and path.stem[-1] in "0123456789abcdef"
    )


@needs_corpus
@pytest.mark.parametrize("name", FOLDERS)
def test_a_hit_finds_what_a_miss_finds(name: str, tmp_path: Path) -> None:
    inside, folder = FOLDERS[name]
    root = tmp_path / name
    shutil.copytree(CORPUS / name / inside / folder, root / folder)
    config = Config(
        migrations_dir=folder,
        sqlfluff=False,
        require_lock_timeout=True,
        schema="absent.sql",
    )
    fresh, none = _run(root, config, no_cache=True)
    cold, first = _run(root, config)
    warm, second = _run(root, config)
    assert none is None and first is not None and second is not None
    # (files with the same text, as empty down.sql files, hit in the first)
    assert first.misses > 0
    assert second.misses == 0 and second.hits == first.misses + first.hits
    assert fresh == cold == warm
    assert fresh[0], "the corpus has findings to compare"


def _project(root: Path, files: dict[str, str]) -> Config:
    for relpath, content in files.items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return Config(sqlfluff=False, require_lock_timeout=True)


def _json(root: Path, *args: str) -> tuple[int, list[tuple[str, str, int]]]:
    """`dbdesign-migrations --all --format json` in ROOT, in process."""
    out = Path(root / "out.json")
    code = cli.migrations_main(
        ["--root", str(root), "--all", "--format", "json", "--output", str(out), *args]
    )
    document = json.loads(out.read_text(encoding="utf-8"))
    return code, sorted(
        (f["code"], f["path"].rsplit("/", 1)[-1], f["line"])
        for f in document["findings"]
    )


def test_a_migration_edited_in_place_is_read_again(repo: Repo) -> None:
    _project(repo.path, {f"{M}/V1__users.sql": V1, f"{M}/V2__index.sql": V2})
    repo.commit()
    code, first = _json(repo.path)
    assert code == 0 and ("MG012", "V2__index.sql", 1) in first  # a warning
    # MG004: V2 was applied, and someone rewrites it in place.
    repo.write(f"{M}/V2__index.sql", "ALTER TABLE users DROP COLUMN email;\n")
    repo.add()
    code, second = _json(repo.path)
    assert code == 1
    assert ("MG004", "V2__index.sql", 1) in [(c, p, 1) for c, p, _ in second]
    assert ("MG010", "V2__index.sql", 1) in second
    assert ("MG012", "V2__index.sql", 1) not in second


def _records() -> dict[str, Any]:
    """Every record of every shard."""
    records: dict[str, Any] = {}
    for entry in _entries():
        records.update(json.loads(entry.read_bytes())["content"])
    return records


def _each(
    change: Callable[[dict[str, Any]], None],
) -> Callable[[dict[str, Any]], Any]:
    def poison(document: dict[str, Any]) -> Any:
        for record in document["content"].values():
            change(record)
        return document

    return poison


def _first_op(record: dict[str, Any]) -> list[Any]:
    """The first op of the record's first statement (a dummy one when that
    is not V1's CREATE TABLE, so that only V1's record is poisoned)."""
    op: list[Any] = record["f"][0][1][0]
    return op if op[0] == "table" else [None] * 7


POISONS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "another format": lambda d: {**d, "format": 999},
    "another key": lambda d: {**d, "key": "0" * 64},
    "an unknown top key": lambda d: {**d, "extra": 1},
    "records not a mapping": lambda d: {**d, "content": []},
    "a list": lambda d: [d],
    "null": lambda d: None,
    "a record that is a string": _each(lambda r: r.update(s="x")),
    "a record without its effects": _each(lambda r: r.pop("f")),
    "a record with an extra key": _each(lambda r: r.update(x=1)),
    "a statement past the end": _each(lambda r: r["s"][0].__setitem__(1, 10**6)),
    "a negative statement start": _each(lambda r: r["s"][0].__setitem__(0, -1)),
    "a statement line past the end": _each(lambda r: r["s"][0].__setitem__(2, 10**6)),
    "a bool for a line": _each(lambda r: r["s"][0].__setitem__(2, True)),
    "an unknown unterminated kind": _each(
        lambda r: r["s"][0].__setitem__(5, "heredoc")
    ),
    "an origin past the end": _each(lambda r: _first_op(r).__setitem__(3, [10**6, 1])),
    "a string for a bool": _each(lambda r: _first_op(r).__setitem__(4, "yes")),
    "an unknown op": _each(lambda r: _first_op(r).__setitem__(0, "os.system")),
    "a short op": _each(lambda r: r["f"][0][1].__setitem__(0, ["table", "t"])),
    "an effect past the last statement": _each(lambda r: r["f"][0].__setitem__(0, 99)),
    "a safety fact of another shape": _each(
        lambda r: r["f"][0].__setitem__(5, ["drop_tables", "users"])
    ),
    "a lock fact of another shape": _each(
        lambda r: r["f"][0].__setitem__(6, ["alter", "users", True, [["other"]]])
    ),
    "an error on line zero": _each(lambda r: r.update(e=[[0, 1, "x"]])),
    "a number for a note": _each(lambda r: r.update(n=[1])),
}


def _warm(root: Path) -> tuple[Any, Path]:
    config = _project(
        root,
        {
            f"{M}/V1__users.sql": V1,
            f"{M}/V2__more.sql": "ALTER TABLE users ADD COLUMN plan text NOT NULL;\n"
            "DROP TABLE IF EXISTS nothing;\n",
        },
    )
    found, memo = _run(root, config)
    assert memo is not None and memo.misses == 2
    assert _entries()
    return found, _entries()


@pytest.mark.parametrize("name", POISONS)
def test_a_poisoned_entry_is_a_miss(name: str, tmp_path: Path) -> None:
    first, entries = _warm(tmp_path)
    for entry in entries:
        document = json.loads(entry.read_bytes())
        entry.write_text(json.dumps(POISONS[name](document)), encoding="utf-8")
    again, memo = _run(tmp_path, Config(sqlfluff=False, require_lock_timeout=True))
    assert memo is not None and memo.misses >= 1
    assert again == first


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: b"\x80not json" + data, id="corrupt"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: b"[" * 100_000, id="too deep"),
    ],
)
def test_a_corrupt_entry_is_a_miss(
    damage: Callable[[bytes], bytes], tmp_path: Path
) -> None:
    first, entries = _warm(tmp_path)
    for entry in entries:
        entry.write_bytes(damage(entry.read_bytes()))
    again, memo = _run(tmp_path, Config(sqlfluff=False, require_lock_timeout=True))
    assert memo is not None and memo.misses == 2 and again == first
    # and it is written whole again
    assert len(_records()) == 2


def test_an_entry_that_is_a_folder_is_a_miss(tmp_path: Path) -> None:
    first, entries = _warm(tmp_path)
    for entry in entries:
        entry.unlink()
        entry.mkdir()
    again, memo = _run(tmp_path, Config(sqlfluff=False, require_lock_timeout=True))
    assert memo is not None and memo.misses == 2 and again == first


def test_a_read_only_cache_folder_is_no_error(tmp_path: Path) -> None:
    config = _project(tmp_path / "p", {f"{M}/V1__users.sql": V1})
    folder = fluff_cache.cache_dir()
    folder.mkdir(parents=True)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        first, _ = _run(tmp_path / "p", config)
        again, memo = _run(tmp_path / "p", config)
        assert again == first and memo is not None
        if os.geteuid() != 0:  # root writes anyway
            assert _entries() == [] and memo.misses == 1
    finally:
        folder.chmod(stat.S_IRWXU)


def test_a_cache_folder_that_is_a_file_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("DBDESIGN_CACHE_DIR", str(blocker / "cache"))
    config = _project(tmp_path / "p", {f"{M}/V1__users.sql": V1})
    first, _ = _run(tmp_path / "p", config)
    again, memo = _run(tmp_path / "p", config)
    assert again == first and memo is not None and memo.misses == 1


def test_no_cache_neither_reads_nor_writes(tmp_path: Path) -> None:
    first, entries = _warm(tmp_path)
    for entry in entries:
        entry.write_text("poison", encoding="utf-8")
    again, memo = _run(
        tmp_path, Config(sqlfluff=False, require_lock_timeout=True), no_cache=True
    )
    assert memo is None and again == first
    assert {e.read_text(encoding="utf-8") for e in _entries()} == {"poison"}


def test_the_cache_is_private_to_its_user(tmp_path: Path) -> None:
    _first, entries = _warm(tmp_path)
    for path in (entries[0].parent, entries[0].parent.parent):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path


def test_records_a_run_did_not_read_are_kept(tmp_path: Path) -> None:
    # the ERD hook reads the schema, the migrations hook the migrations:
    # neither run forgets what the other parsed
    config = _project(
        tmp_path,
        {"database-schema.sql": V1, f"{M}/V1__users.sql": V1 + "SELECT 1;\n"},
    )
    _run(tmp_path, config)
    project = Project(tmp_path, config, Options())
    load.parsed(project, f"{M}/V1__users.sql")
    (tmp_path / "database-schema.sql").write_text(V1 + V2, encoding="utf-8")
    load.parsed(project, "database-schema.sql")
    project.close()
    assert len(_records()) == 3


def test_two_runs_at_once_on_one_cache_both_succeed(tmp_path: Path) -> None:
    root = tmp_path / "p"
    files = {
        f"{M}/V{n}__t{n}.sql": f"CREATE TABLE t{n} (id int PRIMARY KEY);\n"
        f"ALTER TABLE t{max(n - 1, 1)} ADD COLUMN c{n} int NOT NULL;\n"
        for n in range(1, 301)
    }
    _project(root, files)
    exe = Path(sys.executable).parent / "dbdesign-migrations"
    argv = [str(exe), "--all", "--format", "json"]
    runs = [
        subprocess.Popen(argv, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [1, 1], outs
    assert outs[0][0] == outs[1][0] and not outs[0][1] and not outs[1][1]
    third = subprocess.run(argv, cwd=root, capture_output=True, check=False)
    assert third.stdout == outs[0][0]
    assert len(_records()) == len(files)


def _scoped(root: Path) -> tuple[list[Finding], int, Memo]:
    """The safety and drift findings of a commit's run (git scope), where
    its replay started, and its cache."""
    project = Project(root, Config(sqlfluff=False, schema="absent.sql"), Options())
    found = [*safety.check(project), *schema.check(project)]
    start = load.replay_of(project).start
    project.close()
    memo = project.cache.get("sql.memo")
    assert memo is not None
    return found, start, memo


def test_the_history_is_restored_not_replayed(repo: Repo) -> None:
    history = {
        f"{M}/V1__t.sql": "CREATE TABLE t (id int PRIMARY KEY, c int);\n",
        f"{M}/V2__check.sql": "ALTER TABLE t ADD CONSTRAINT t_c_nn "
        "CHECK (c IS NOT NULL) NOT VALID;\n",
        f"{M}/V3__valid.sql": "ALTER TABLE t VALIDATE CONSTRAINT t_c_nn;\n",
    }
    _project(repo.path, history)
    repo.commit()
    # the change: SET NOT NULL is quiet (the history validated a CHECK),
    # ADD COLUMN NOT NULL is not (t has rows)
    _project(
        repo.path,
        {
            f"{M}/V4__nn.sql": "ALTER TABLE t ALTER COLUMN c SET NOT NULL;\n"
            "ALTER TABLE t ADD COLUMN d int NOT NULL;\n"
        },
    )
    repo.add()
    first, start, memo = _scoped(repo.path)
    assert start == 3 and memo.misses == 4
    assert [f.code for f in first] == ["MG011"], first
    again, start, memo = _scoped(repo.path)
    # the three old migrations come from the kept state: only V4 is read
    assert start == 3 and memo.hits == 1 and memo.misses == 0
    assert again == first
    # a kept state that is not what dbdesign writes is not used
    (kept,) = (fluff_cache.cache_dir() / "sql").rglob("*-replay.json")
    document = json.loads(kept.read_bytes())
    document["content"]["state"]["tables"][0][2] = [0, 99, 1]  # line 99 of V1
    kept.write_text(json.dumps(document), encoding="utf-8")
    third, start, memo = _scoped(repo.path)
    assert start == 3 and memo.hits == 4 and third == first


SCHEMAS = {"pagila": "pagila-schema.sql", "osm": "db/structure.sql"}


@needs_corpus
@pytest.mark.parametrize("name", SCHEMAS)
def test_the_schema_from_the_cache_finds_what_a_parse_finds(
    name: str, tmp_path: Path
) -> None:
    schema_file = SCHEMAS[name]
    root = tmp_path / name
    (root / schema_file).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(CORPUS / name / schema_file, root / schema_file)
    config = Config(schema=schema_file, sqlfluff=False)

    def run(no_cache: bool = False) -> tuple[Any, Memo | None]:
        project = Project(root, config, Options(no_cache=no_cache))
        found = list(schema.check(project))
        catalog = load.schema_catalog(project)
        project.close()
        return (found, catalog, project.notes), project.cache.get("sql.memo")

    fresh, _ = run(no_cache=True)
    cold, first = run()
    warm, second = run()
    assert fresh == cold == warm
    assert first is not None and first.misses == 1
    # the warm run read neither the schema's statements nor parsed it
    assert second is not None and second.hits == second.misses == 0
    # a kept Catalog that is not what dbdesign writes is not used
    (kept,) = (fluff_cache.cache_dir() / "sql").rglob("*-schema.json")
    document = json.loads(kept.read_bytes())
    document["content"]["state"]["tables"][0][0] = 7  # a number for a name
    kept.write_text(json.dumps(document), encoding="utf-8")
    again, third = run()
    assert again == fresh and third is not None and third.hits == 1
