"""Size bounds per kind of file (issue 15, item 8): a file over its kind's
bound is a finding at its path at once, by the check's own code, before a
byte of it is read; the README's table says the same as `limits`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import projects
from conftest import REPO_ROOT
from dbdesign import limits, textio
from dbdesign.cli import main
from dbdesign.config import Config


def oversize(path: Path, size: int) -> None:
    """PATH, SIZE bytes long (sparse: nothing is read before the bound)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.truncate(size)


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:  # type: ignore[type-arg]
    code = main(["check", "--root", str(root), "--format", "json", *args])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    assert "internal error" not in err
    return json.loads(out)["findings"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("relpath", "bound", "code"),
    [
        (projects.CHECKLIST, limits.MARKDOWN, "FW003"),
        (projects.PROMPT, limits.MARKDOWN, "FW003"),
        ("entity-relationship-diagram.md", limits.MARKDOWN, "ER001"),
        ("backup-recovery-plan.md", limits.MARKDOWN, "AR002"),
        ("CHANGELOG.md", limits.CHANGELOG, "CH002"),
        ("database-schema.sql", limits.SQL, "SQ001"),
        ("migration-scripts/V2__big.sql", limits.SQL, "SQ001"),
        ("migration-scripts/dbdesign.sum", limits.INTEGRITY, "MG007"),
    ],
)
def test_a_file_over_its_bound_is_a_finding_at_once(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    relpath: str,
    bound: limits.Bound,
    code: str,
) -> None:
    projects.write(tmp_path)
    oversize(tmp_path / relpath, bound.bytes + 1)
    found = [f for f in run(tmp_path, capsys, "--no-cache") if f["path"] == relpath]
    # The artifacts check reads the schema, ERD and changelog too (AR002).
    assert code in [f["code"] for f in found], found
    for item in found:
        message = str(item["message"])
        assert f"is {bound.bytes + 1:,} bytes, over the {bound.bytes:,}-byte" in message
        assert f"bound for {bound.kind}" in message


def test_the_bound_is_inclusive(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"x" * 10)
    assert isinstance(textio.read(tmp_path, "a.md", 10), textio.Text)
    got = textio.read(tmp_path, "a.md", 9, "a Markdown document")
    assert isinstance(got, textio.Unreadable)
    assert "over the 9-byte bound for a Markdown document" in got.reason


def test_kinds_follow_the_config() -> None:
    config = Config(changelog="docs/HISTORY.md", schema="db/schema.ddl")
    assert limits.bound(config, "docs/HISTORY.md") is limits.CHANGELOG
    assert limits.bound(config, "CHANGELOG.md") is limits.MARKDOWN
    assert limits.bound(config, "db/schema.ddl") is limits.SQL
    assert limits.bound(config, "migration-scripts/V1__a.SQL") is limits.SQL
    assert limits.bound(config, "migration-scripts/dbdesign.sum") is limits.INTEGRITY
    assert limits.bound(config, "notes.txt") is limits.OTHER


def test_the_readme_table_states_each_bound() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for bound, files in limits.TABLE:
        row = f"| {files} | {bound.bytes // limits.MIB} MiB |"
        assert row in readme, row
