"""Realistic folders of each migration tool dbdesign reads besides the
classic ones (goose, prisma, Liquibase formatted SQL, sqitch): at least 20
migrations, ups and downs where the tool has them. Each is named without a
finding, runs in its tool's order, and its down sections are neither judged
by the safety rules nor replayed into the drift check."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Repo
from dbdesign import config as config_mod
from dbdesign.checks import migrations, safety
from dbdesign.findings import Finding
from dbdesign.project import Options, Project
from dbdesign.sql.load import replay_catalog
from dbdesign.sql.run_order import migrations as run_order
from dbdesign.views import folder_of

N = 22  # migrations per folder


def write(root: Path, files: dict[str, str]) -> Path:
    for relpath, content in files.items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return root


def project(root: Path) -> Project:
    return Project(root, config_mod.load(root), Options())


def codes(items: list[Finding]) -> list[tuple[str, str]]:
    return [(f.code, f.path) for f in items]


def up(i: int) -> str:
    """Migration I's forward SQL: a table, an index on it, and from the
    second on a nullable column on the previous table (all safe)."""
    sql = (
        f"CREATE TABLE t{i} (id bigint PRIMARY KEY, name text NOT NULL);\n"
        f"CREATE INDEX t{i}_name_idx ON t{i} (name);\n"
    )
    if i:
        sql += f"ALTER TABLE t{i - 1} ADD COLUMN note{i} text;\n"
    return sql


def down(i: int) -> str:
    """Destructive on purpose: a down migration is exempt."""
    sql = f"DROP TABLE t{i};\n"
    if i:
        sql += f"ALTER TABLE t{i - 1} DROP COLUMN note{i};\n"
    return sql


def assert_clean(root: Path, scheme: str, order: list[str]) -> Project:
    """No naming finding, no safety finding, the tool's order, every table
    replayed (a replayed down would have dropped them)."""
    proj = project(root)
    folder = folder_of(proj)
    assert folder is not None and folder.scheme == scheme
    assert codes(list(migrations.check(proj))) == []
    assert codes(list(safety.check(proj))) == []
    forward = [m.path for m in run_order(proj) if m.forward]
    assert forward == order
    catalog = replay_catalog(proj)
    assert catalog is not None
    assert set(catalog.tables) == {f"t{i}" for i in range(N)}
    assert all(f"note{i}" in catalog.tables[f"t{i - 1}"].columns for i in range(1, N))
    return proj


# -- goose ------------------------------------------------------------------------


def goose_folder(root: Path, timestamps: bool = True) -> list[str]:
    files: dict[str, str] = {}
    order = []
    for i in range(N):
        version = f"{20240101000000 + i * 100}" if timestamps else f"{i + 1:05d}"
        path = f"migrations/{version}_step_{i}.sql"
        body = up(i)
        if i == 3:  # a function body between StatementBegin and StatementEnd
            body += (
                "-- +goose StatementBegin\n"
                "CREATE FUNCTION touch() RETURNS trigger AS $$\n"
                "BEGIN NEW.name := lower(NEW.name); RETURN NEW; END;\n"
                "$$ LANGUAGE plpgsql;\n"
                "-- +goose StatementEnd\n"
            )
        files[path] = f"-- +goose Up\n{body}\n-- +goose Down\n{down(i)}"
        order.append(path)
    # a non-transactional migration on an existing table
    files[order[-1]] = (
        "-- +goose NO TRANSACTION\n-- +goose Up\n" + up(N - 1) + "CREATE INDEX "
        "CONCURRENTLY t0_name_lower_idx ON t0 (lower(name));\n"
        "-- +goose Down\nDROP INDEX CONCURRENTLY t0_name_lower_idx;\n" + down(N - 1)
    )
    files["migrations/collation_migrations.md"] = "# Runbook\n\nRun by hand.\n"
    files["migrations/embed.go"] = "package migrations\n"
    write(root, files)
    return order


@pytest.mark.parametrize("timestamps", [True, False], ids=["timestamps", "seq"])
def test_goose_folder(tmp_path: Path, timestamps: bool) -> None:
    order = goose_folder(tmp_path, timestamps)
    proj = assert_clean(tmp_path, "goose", order)
    assert "migrations/ is checked" in " ".join(proj.notes)


def test_goose_down_section_and_missing_marker(tmp_path: Path) -> None:
    order = goose_folder(tmp_path)
    (tmp_path / order[5]).write_text(up(5), encoding="utf-8")  # no marker
    (tmp_path / order[6]).write_text("-- +goose Up\n" + up(6), encoding="utf-8")
    found = codes(list(migrations.check(project(tmp_path))))
    assert found == [("MG001", order[5]), ("MG006", order[6])]


# -- prisma -----------------------------------------------------------------------


def prisma_folder(root: Path, provider: str = "postgresql") -> list[str]:
    files = {
        "prisma/schema.prisma": f'datasource db {{\n  provider = "{provider}"\n}}\n',
        "prisma/migrations/migration_lock.toml": "# Please do not edit this file manually\n"
        f'provider = "{provider}"\n',
    }
    order = []
    for i in range(N):
        path = f"prisma/migrations/{20240101000000 + i * 100}_step_{i}/migration.sql"
        files[path] = f"-- CreateTable\n{up(i)}"
        order.append(path)
    write(root, files)
    return order


def test_prisma_folder(tmp_path: Path) -> None:
    order = prisma_folder(tmp_path)
    proj = assert_clean(tmp_path, "prisma", order)
    assert proj.config.dialect == "postgres"
    assert proj.config.migrations_path == "prisma/migrations"


def test_prisma_provider_is_the_dialect_unless_configured(tmp_path: Path) -> None:
    prisma_folder(tmp_path / "a", "mysql")
    assert config_mod.load(tmp_path / "a").dialect == "mysql"
    prisma_folder(tmp_path / "b", "mysql")
    (tmp_path / "b" / ".dbdesign.yaml").write_text("dialect: postgres\n")
    assert config_mod.load(tmp_path / "b").dialect == "postgres"


def test_prisma_concurrently_needs_a_migration_of_its_own(tmp_path: Path) -> None:
    order = prisma_folder(tmp_path)
    path = (
        order[-1]
        .replace(f"{N - 1}/", f"{N}/")
        .replace(order[-1].split("/")[2].split("_")[0], "20990101000000")
    )
    write(
        tmp_path,
        {path: "SELECT 1;\nCREATE INDEX CONCURRENTLY t0_name2_idx ON t0 (name);\n"},
    )
    found = list(safety.check(project(tmp_path)))
    assert codes(found) == [("MG019", path)]
    assert "Prisma sends the file as one multi-statement string" in found[0].message


# -- Liquibase formatted SQL -------------------------------------------------------


def liquibase_folder(root: Path) -> list[str]:
    folder = "src/main/resources/db/changelog"
    files = {".dbdesign.yaml": f"migrations_dir: {folder}\n"}
    order = []
    # the master changelog includes them newest-name-first: its order wins
    includes = []
    for i in range(N):
        name = f"changes/{N - i:03d}-step-{i}.sql"
        changesets = "".join(
            f"--changeset alice:{i}-{n}\n{stmt}\n--rollback {rollback}\n\n"
            for n, (stmt, rollback) in enumerate(
                zip(
                    up(i).splitlines(),
                    down(i).splitlines() + ["SELECT 1;"] * 3,
                    strict=False,
                )
            )
        )
        files[f"{folder}/{name}"] = f"--liquibase formatted sql\n\n{changesets}"
        includes.append(f'    <include file="{name}" relativeToChangelogFile="true"/>')
        order.append(f"{folder}/{name}")
    files[f"{folder}/changes/{N - 1:03d}-step-1.sql"] += (
        "--changeset alice:concurrent runInTransaction:false\n"
        "CREATE INDEX CONCURRENTLY t0_lower_idx ON t0 (lower(name));\n"
        "--rollback DROP INDEX CONCURRENTLY t0_lower_idx;\n"
    )
    files[f"{folder}/db.changelog-master.xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog>\n'
        + "\n".join(includes)
        + "\n</databaseChangeLog>\n"
    )
    write(root, files)
    return order


def test_liquibase_folder(tmp_path: Path) -> None:
    order = liquibase_folder(tmp_path)
    assert_clean(tmp_path, "liquibase", order)


def test_liquibase_changeset_in_a_transaction(tmp_path: Path) -> None:
    order = liquibase_folder(tmp_path)
    path = tmp_path / order[3]
    path.write_text(
        path.read_text()
        + "--changeset bob:idx\nCREATE INDEX CONCURRENTLY t0_x_idx ON t0 (name);\n",
        encoding="utf-8",
    )
    found = list(safety.check(project(tmp_path)))
    assert codes(found) == [("MG019", order[3])]
    assert "runInTransaction:false" in found[0].message


def test_liquibase_sql_without_header_is_named(tmp_path: Path) -> None:
    order = liquibase_folder(tmp_path)
    (tmp_path / order[2]).write_text(up(2), encoding="utf-8")
    assert codes(list(migrations.check(project(tmp_path)))) == [("MG001", order[2])]


# -- sqitch -----------------------------------------------------------------------


def sqitch_folder(root: Path) -> list[str]:
    plan = ["%syntax-version=1.0.0", "%project=shop", ""]
    files: dict[str, str] = {}
    order = []
    for i in range(N):
        name = f"step_{i}"
        deps = f" [step_{i - 1}]" if i else ""
        plan.append(
            f"{name}{deps} 2024-01-{i % 28 + 1:02d}T00:00:00Z Alice <a@example.com> # step {i}"
        )
        files[f"db/deploy/{name}.sql"] = (
            f"-- Deploy shop:{name}\n\nBEGIN;\n\n{up(i)}\nCOMMIT;\n"
        )
        files[f"db/revert/{name}.sql"] = (
            f"-- Revert shop:{name}\n\nBEGIN;\n\n{down(i)}\nCOMMIT;\n"
        )
        files[f"db/verify/{name}.sql"] = (
            f"BEGIN;\nSELECT id FROM t{i} WHERE false;\nROLLBACK;\n"
        )
        order.append(f"db/deploy/{name}.sql")
        if i == 10:
            plan.append("@v1.0 2024-02-01T00:00:00Z Alice <a@example.com> # release")
    # a reworked change: deployed first from its @v1.0 script
    plan.append(
        "step_5 [step_5@v1.0] 2024-03-01T00:00:00Z Alice <a@example.com> # rework"
    )
    files["db/deploy/step_5@v1.0.sql"] = files["db/deploy/step_5.sql"]
    files["db/revert/step_5@v1.0.sql"] = files["db/revert/step_5.sql"]
    files["db/deploy/step_5.sql"] = (
        "BEGIN;\nALTER TABLE t5 ADD COLUMN reworked text;\nCOMMIT;\n"
    )
    files["db/revert/step_5.sql"] = (
        "BEGIN;\nALTER TABLE t5 DROP COLUMN reworked;\nCOMMIT;\n"
    )
    order[5] = "db/deploy/step_5@v1.0.sql"
    order.append("db/deploy/step_5.sql")
    files["db/sqitch.plan"] = "\n".join(plan) + "\n"
    files["db/sqitch.conf"] = "[core]\n\tengine = pg\n"
    write(root, files)
    return order


def test_sqitch_folder(tmp_path: Path) -> None:
    order = sqitch_folder(tmp_path)
    proj = assert_clean(tmp_path, "sqitch", order)
    assert proj.config.migrations_path == "db"


def test_sqitch_plan_and_scripts_disagree(tmp_path: Path) -> None:
    sqitch_folder(tmp_path)
    write(tmp_path, {"db/deploy/stray.sql": "SELECT 1;\n"})
    (tmp_path / "db/deploy/step_7.sql").unlink()
    found = codes(list(migrations.check(project(tmp_path))))
    assert ("MG001", "db/deploy/stray.sql") in found
    assert ("MG001", "db/sqitch.plan") in found


def test_sqitch_concurrently_after_begin(tmp_path: Path) -> None:
    sqitch_folder(tmp_path)
    plan = tmp_path / "db/sqitch.plan"
    plan.write_text(plan.read_text() + "idx 2024-04-01T00:00:00Z A <a@b.c>\n")
    write(
        tmp_path,
        {
            "db/deploy/idx.sql": "BEGIN;\nCREATE INDEX CONCURRENTLY t0_i ON t0 (name);\nCOMMIT;\n"
        },
    )
    found = list(safety.check(project(tmp_path)))
    assert codes(found) == [("MG019", "db/deploy/idx.sql")]
    assert "BEGIN at line 1" in found[0].message


# -- the folder, the change --------------------------------------------------------


def test_several_usual_folders_ask_for_migrations_dir(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"migrations/1_a.sql": "SELECT 1;\n", "db/migrations/1_a.sql": "SELECT 1;\n"},
    )
    loaded = config_mod.load(tmp_path)
    assert loaded.migrations_path == "migration-scripts"
    assert "set `migrations_dir`" in loaded.notes[0]


def test_golang_migrate_seq_gap(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            f"migrations/{v:06d}_s{v}.{d}.sql": "SELECT 1;\n"
            for v in (1, 2, 4)
            for d in ("up", "down")
        },
    )
    found = list(migrations.check(project(tmp_path)))
    assert codes(found) == [("MG005", "migrations/000004_s4.up.sql")]
    assert "version 3 is missing" in found[0].message


def test_mg002_blames_the_untracked_new_file(repo: Repo) -> None:
    for v in (1, 2):
        repo.write(f"migration-scripts/V{v}__s{v}.sql", "SELECT 1;\n")
    repo.commit()
    # not `git add`-ed yet
    repo.write("migration-scripts/V2__mine.sql", "SELECT 2;\n")
    repo.write("migration-scripts/V2__theirs.sql", "SELECT 2;\n")
    found = list(migrations.check(project(repo.path)))
    blamed = {f.path: f.message for f in found if f.code == "MG002"}
    assert set(blamed) == {
        "migration-scripts/V2__mine.sql",
        "migration-scripts/V2__theirs.sql",
    }
    assert (
        "next free version, 3 (V3__mine.sql)"
        in blamed["migration-scripts/V2__mine.sql"]
    )
    assert (
        "next free version, 4 (V4__theirs.sql)"
        in blamed["migration-scripts/V2__theirs.sql"]
    )
