"""The sqlfluff cache believes nothing it reads back (issue 15, item 4): the
cache folder may be writable by others, so every entry that is not exactly
what dbdesign writes is a miss, and the file is linted again."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from dbdesign.config import Config
from dbdesign.findings import Finding
from dbdesign.project import Options, Project
from dbdesign.sql import fluff_cache
from dbdesign.sql import lint as sqllint

BAD = "select a,b from t where x=1\n"


def _lint(root: Path, path: str = "a.sql") -> list[Finding]:
    return list(sqllint.lint(Project(root, Config(), Options()), [path]))


def _entries() -> list[Path]:
    return sorted((fluff_cache.cache_dir() / "sqlfluff").rglob("*.json"))


def _project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "a.sql").write_text(BAD, encoding="utf-8")
    return root


@pytest.fixture
def warm(tmp_path: Path, calls: list[int]) -> tuple[Path, list[Finding], Path]:
    """(project, its findings, its one cache entry) after a first run."""
    root = _project(tmp_path / "p")
    found = _lint(root)
    (entry,) = _entries()
    assert calls == [1] and found
    return root, found, entry


def _document(entry: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(entry.read_bytes())
    return data


def _item(**change: object) -> list[object]:
    fields = ["kind", "code", "line", "column", "message", "fixable", "name"]
    item: dict[str, object] = dict(
        zip(
            fields,
            ["v", "LT01", 1, 10, "poisoned", True, "layout.spacing"],
            strict=True,
        )
    )
    item.update(change)
    return list(item.values())


def _with_items(document: dict[str, Any], *items: object) -> dict[str, Any]:
    return {**document, "result": {**document["result"], "items": list(items)}}


POISONS: dict[str, Any] = {
    # The case: well-typed, but a line no file has.
    "negative line": lambda d: _with_items(d, _item(line=-5)),
    "line zero": lambda d: _with_items(d, _item(line=0)),
    "column zero": lambda d: _with_items(d, _item(column=0)),
    "line past the end": lambda d: _with_items(d, _item(line=2_000_000)),
    "column past the end": lambda d: _with_items(d, _item(column=10**9)),
    "a column without a line": lambda d: _with_items(d, _item(line=None)),
    "a bool for a line": lambda d: _with_items(d, _item(line=True)),
    "a float for a line": lambda d: _with_items(d, _item(line=1.5)),
    "a string for a line": lambda d: _with_items(d, _item(line="1")),
    "our own code": lambda d: _with_items(d, _item(code="SQ002")),
    "a code that is no code": lambda d: _with_items(d, _item(code="::error::x")),
    "a note that is not SQ009": lambda d: _with_items(d, _item(kind="n")),
    "an unknown kind": lambda d: _with_items(d, _item(kind="x")),
    "an empty message": lambda d: _with_items(d, _item(message="")),
    "a huge message": lambda d: _with_items(d, _item(message="x" * 100_000)),
    "a NUL in the message": lambda d: _with_items(d, _item(message="a\0b")),
    "a control character in the name": lambda d: _with_items(
        d, _item(name="x\x1b[31m")
    ),
    "a string for fixable": lambda d: _with_items(d, _item(fixable="yes")),
    "a short item": lambda d: _with_items(d, ["v", "LT01", 1]),
    "a long item": lambda d: _with_items(d, [*_item(), "extra"]),
    "items not a list": lambda d: {**d, "result": {**d["result"], "items": {}}},
    "ignored not strings": lambda d: {
        **d,
        "result": {**d["result"], "ignored": [1]},
    },
    "too many ignored": lambda d: {
        **d,
        "result": {**d["result"], "ignored": ["library_path"] * 1000},
    },
    "a dialect that is no name": lambda d: {
        **d,
        "result": {**d["result"], "dialect": "postgres; rm -rf /"},
    },
    "an unknown result key": lambda d: {
        **d,
        "result": {**d["result"], "extra": 1},
    },
    "an unknown top key": lambda d: {**d, "extra": 1},
    "a foreign format": lambda d: {**d, "format": 1},
    "no format (the first version's entries)": lambda d: {
        k: v for k, v in d.items() if k != "format"
    },
    "another key": lambda d: {**d, "key": "0" * 64},
    "a list": lambda d: [d],
    "null": lambda d: None,
}


@pytest.mark.parametrize("name", POISONS)
def test_a_poisoned_entry_is_a_miss(
    warm: tuple[Path, list[Finding], Path], calls: list[int], name: str
) -> None:
    root, first, entry = warm
    entry.write_text(json.dumps(POISONS[name](_document(entry))), encoding="utf-8")
    assert _lint(root) == first
    assert calls == [1, 1]
    # The entry is written anew, and the next run believes it.
    assert fluff_cache.load(entry.stem, BAD) is not None
    assert _lint(root) == first and calls == [1, 1]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"{",
        b'{"format": 2, "key": "',  # truncated
        b"\xff\xfe not UTF-8",
        b"[" * 100_000 + b"]" * 100_000,  # nested past the recursion limit
        b'{"format": ' + b"9" * 10_000 + b"}",  # a number too long to read
    ],
    ids=["empty", "brace", "truncated", "binary", "deep", "long number"],
)
def test_a_corrupt_entry_is_a_miss(
    warm: tuple[Path, list[Finding], Path], calls: list[int], data: bytes
) -> None:
    root, first, entry = warm
    entry.write_bytes(data)
    assert _lint(root) == first
    assert calls == [1, 1]


def test_a_huge_entry_is_not_read(
    warm: tuple[Path, list[Finding], Path], calls: list[int]
) -> None:
    root, first, entry = warm
    with entry.open("r+b") as handle:
        handle.truncate(fluff_cache.MAX_ENTRY_BYTES + 1)  # sparse: instant
    assert _lint(root) == first
    assert calls == [1, 1]


def test_an_entry_that_is_a_link_or_a_fifo_is_a_miss(
    warm: tuple[Path, list[Finding], Path], calls: list[int], tmp_path: Path
) -> None:
    root, first, entry = warm
    elsewhere = tmp_path / "planted.json"
    shutil.copy(entry, elsewhere)
    entry.unlink()
    entry.symlink_to(elsewhere)
    assert _lint(root) == first
    assert calls == [1, 1] and not entry.is_symlink()
    if not hasattr(os, "mkfifo"):
        return
    entry.unlink()
    os.mkfifo(entry)
    # Opened without waiting for a writer: a FIFO never hangs the run.
    assert fluff_cache.load(entry.stem, BAD) is None


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="giving a file to another user needs root",
)
def test_an_entry_another_user_wrote_is_a_miss(
    warm: tuple[Path, list[Finding], Path], calls: list[int]
) -> None:
    root, first, entry = warm
    os.chown(entry, 65534, 65534)
    assert fluff_cache.load(entry.stem, BAD) is None
    assert _lint(root) == first and calls == [1, 1]


def test_one_projects_entries_do_not_answer_for_another(
    tmp_path: Path, calls: list[int]
) -> None:
    first = _lint(_project(tmp_path / "one"))
    second = _lint(_project(tmp_path / "two"))
    assert first == second
    assert calls == [1, 1] and len(_entries()) == 2
    # Nor does the same text under another name in the same project.
    (tmp_path / "one" / "b.sql").write_text(BAD, encoding="utf-8")
    _lint(tmp_path / "one", "b.sql")
    assert calls == [1, 1, 1] and len(_entries()) == 3


def test_a_read_only_cache_folder_is_no_error(tmp_path: Path, calls: list[int]) -> None:
    root = _project(tmp_path / "p")
    folder = fluff_cache.cache_dir()
    folder.mkdir(parents=True)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        first = _lint(root)
        assert _lint(root) == first and first
        if os.geteuid() != 0:  # root writes anyway
            assert _entries() == [] and calls == [1, 1]
    finally:
        folder.chmod(stat.S_IRWXU)


def test_a_cache_folder_that_is_a_file_is_no_error(
    tmp_path: Path, calls: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("DBDESIGN_CACHE_DIR", str(blocker / "cache"))
    root = _project(tmp_path / "p")
    assert _lint(root) == _lint(root)
    assert calls == [1, 1]


def test_the_cache_is_private_to_its_user(
    warm: tuple[Path, list[Finding], Path],
) -> None:
    _root, _found, entry = warm
    for path in (entry.parent, entry.parent.parent, fluff_cache.cache_dir()):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path


def test_what_fails_validation_is_never_written(tmp_path: Path) -> None:
    key = "cd" * 32
    fluff_cache.store(key, {"items": [_item(line=-1)], "ignored": []}, BAD)
    assert not fluff_cache.entry_path(key).exists()
    good = {"items": [_item()], "ignored": [], "dialect": "postgres"}
    fluff_cache.store(key, good, BAD)
    assert fluff_cache.load(key, BAD) == good
    # The same entry read for another text: its positions may not fit.
    assert fluff_cache.load(key, "") is None


def test_a_poisoned_line_never_reaches_sarif(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], chdir: Any
) -> None:
    from dbdesign.cli import main

    root = tmp_path / "p"
    root.mkdir()
    (root / "database-schema.sql").write_text(BAD, encoding="utf-8")
    # sqlfluff's own defaults (LT01 too), not dbdesign's: three findings.
    (root / ".sqlfluff").write_text("[sqlfluff]\n", encoding="utf-8")
    chdir(root)
    args = ["check", "--select", "LT", "--format", "sarif", "database-schema.sql"]
    main(args)
    capsys.readouterr()
    (entry,) = _entries()
    entry.write_text(
        json.dumps(_with_items(_document(entry), _item(line=-3, column=-1))),
        encoding="utf-8",
    )
    main(args)
    sarif = json.loads(capsys.readouterr().out)
    regions = [
        location["physicalLocation"]["region"]
        for result in sarif["runs"][0]["results"]
        for location in result["locations"]
    ]
    assert len(regions) >= 3
    assert all(v >= 1 for region in regions for v in region.values())
