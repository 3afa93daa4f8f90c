"""MG010-MG013 beyond the rule cases of tests/cases/safety.yml: one replay
serves drift and safety, and any sequence of DDL is judged without a
crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbdesign.checks import safety
from dbdesign.config import Config
from dbdesign.findings import Finding
from dbdesign.project import Options, Project

V1 = (
    "migration-scripts/V1__users.sql",
    "CREATE TABLE users (id int PRIMARY KEY, email text, name text);\n",
)


def run(
    root: Path, files: dict[str, str], dialect: str = "postgres", **config: object
) -> list[Finding]:
    for relpath, content in files.items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    project = Project(
        root,
        Config(dialect=dialect, sqlfluff=False, **config),  # type: ignore[arg-type]
        Options(),
    )
    return list(safety.check(project))


def test_one_replay_serves_drift_and_safety(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dbdesign.checks import schema
    from dbdesign.sql import build

    applied: list[str] = []
    statement = build._Builder.statement

    def counting(self: build._Builder, tree: object) -> None:
        applied.append(self.path)
        statement(self, tree)

    monkeypatch.setattr(build._Builder, "statement", counting)
    (tmp_path / "schema.sql").write_text(V1[1], encoding="utf-8")
    bad = "ALTER TABLE users RENAME COLUMN name TO full_name;\n"
    (tmp_path / "migration-scripts").mkdir()
    for relpath, content in (V1, ("migration-scripts/V2__x.sql", bad)):
        (tmp_path / relpath).write_text(content, encoding="utf-8")
    project = Project(tmp_path, Config(schema="schema.sql", sqlfluff=False), Options())
    codes = [f.code for f in schema.check(project)]
    codes += [f.code for f in safety.check(project)]
    assert "SQ007" in codes and "MG013" in codes
    assert applied == [
        "schema.sql",
        "migration-scripts/V1__users.sql",
        "migration-scripts/V2__x.sql",
    ]


_DDL = [
    "CREATE TABLE a (id int PRIMARY KEY, b_id int)",
    "CREATE TABLE b (id int PRIMARY KEY, x text)",
    "ALTER TABLE a RENAME TO b",
    "ALTER TABLE b RENAME COLUMN id TO x",
    "ALTER TABLE a ADD COLUMN n int NOT NULL",
    "ALTER TABLE a DROP COLUMN b_id",
    "ALTER TABLE b ALTER COLUMN x TYPE bigint",
    "DROP TABLE a",
    "TRUNCATE b",
    "DELETE FROM a",
    "CREATE INDEX i ON b (x)",
    "RENAME TABLE a TO c",
    "(",
    "'",
]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    first=st.lists(st.sampled_from(_DDL), max_size=6),
    second=st.lists(st.sampled_from(_DDL), max_size=6),
)
def test_any_ddl_sequence_is_judged(
    tmp_path: Path, first: list[str], second: list[str]
) -> None:
    files = {
        "migration-scripts/V1__a.sql": ";\n".join(first) + ";\n",
        "migration-scripts/V2__b.sql": ";\n".join(second) + ";\n",
    }
    for item in run(tmp_path, files):
        assert item.code in {"MG010", "MG011", "MG012", "MG013"}
        assert (
            item.path == "migration-scripts/V2__b.sql"
            or item.path == "migration-scripts/V1__a.sql"
        )
        assert item.line is not None and item.line >= 1
