"""dbdesign-migrations and dbdesign-changelog on 5,000 migrations.

Generates a git repository whose `migration-scripts/` holds 5,000 Flyway
migrations committed over 50 commits, with a `dbdesign.sum` and a
changelog; then stages a new migration (with its changelog line and sum
update) and times each hook's console script as pre-commit runs it (a
subprocess in the repository, git scope: the content rules judge the staged
migration, the replay reads all 5,001; the median of N runs after a
warm-up, with CPU time and peak memory):

- `dbdesign-migrations` for MG001-MG007 (`--ignore` the SQL-reading safety
  rules MG010-MG020),
- `dbdesign-migrations` as shipped (MG001-MG020), warm: the parse cache
  (issue 14) holds every migration,
- the same, cold: an empty cache (one run),
- the same after adding one migration: each run stages a new migration
  (with its sum line) and runs the hook once on the warm cache,
- `dbdesign-changelog`,
- `dbdesign migrations hash`, which rewrites the sum file.

Targets: under 1 s each for the migration rules and the changelog, and for
the whole hook warm; under 1.2 s after adding one migration.

    python benchmarks/migrations_bench.py [-n RUNS] [--count N]

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import GIT_ENV, Sample, median, row, run

BIN = Path(sys.executable).parent
ENV = {
    key: value
    for key, value in os.environ.items()
    if key
    not in ("PYTHONDONTWRITEBYTECODE", "PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF")
}
ENV.update({**GIT_ENV, "NO_COLOR": "1"})
LIMIT = 1.0
ADDED_LIMIT = 1.2
SAFETY = "MG01,MG02"
COMMITS = 50


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=ENV, check=True, capture_output=True)


def migration(n: int) -> str:
    return (
        f"CREATE TABLE table_{n} (\n    id bigint PRIMARY KEY,\n"
        f"    name text NOT NULL\n);\n"
        f"CREATE INDEX table_{n}_name_idx ON table_{n} (name);\n"
    )


def generate(root: Path, count: int) -> None:
    folder = root / "migration-scripts"
    folder.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    changelog = ["# Changelog", "", "## [Unreleased]", "", "### Added"]
    per_commit = max(1, count // COMMITS)
    for start in range(1, count + 1, per_commit):
        for n in range(start, min(count, start + per_commit - 1) + 1):
            (folder / f"V{n}__create_table_{n}.sql").write_text(migration(n))
            changelog.append(f"- table_{n} (V{n}__create_table_{n}.sql)")
        (root / "CHANGELOG.md").write_text("\n".join(changelog) + "\n")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"migrations from {start}")
    hash_and_stage(root, ENV)
    git(root, "commit", "-q", "-m", "integrity file")
    # The change being committed: one new migration, its changelog line and
    # the rewritten sum file.
    n = count + 1
    (folder / f"V{n}__create_table_{n}.sql").write_text(migration(n))
    changelog.insert(5, f"- table_{n} (V{n}__create_table_{n}.sql)")
    (root / "CHANGELOG.md").write_text("\n".join(changelog) + "\n")
    hash_and_stage(root, ENV)


def hash_and_stage(root: Path, env: dict[str, str]) -> None:
    """Rewrite the sum file, and stage everything."""
    subprocess.run(
        [str(BIN / "dbdesign"), "migrations", "hash", str(root)],
        env=env,
        check=True,
        capture_output=True,
    )
    git(root, "add", "-A")


def timed(
    commands: dict[str, Sequence[str]], cwd: Path, runs: int, env: dict[str, str]
) -> dict[str, Sample]:
    """The median run of each command (after a warm-up), run round-robin so
    that machine noise spreads evenly."""
    samples: dict[str, list[Sample]] = {name: [] for name in commands}
    for argv in commands.values():
        run(argv, cwd, env)
    for _ in range(runs):
        for name, argv in commands.items():
            samples[name].append(run(argv, cwd, env))
    return {name: median(values) for name, values in samples.items()}


def added(root: Path, count: int, runs: int, env: dict[str, str]) -> Sample:
    """The hook as shipped, once per run, each after staging one more
    migration (its sum line too, as a developer would)."""
    folder = root / "migration-scripts"
    samples = []
    for n in range(count + 2, count + 2 + runs):
        (folder / f"V{n}__create_table_{n}.sql").write_text(migration(n))
        hash_and_stage(root, env)
        samples.append(run([str(BIN / "dbdesign-migrations")], root, env))
    return median(samples)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=5)
    parser.add_argument("--count", type=int, default=5000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dbdesign-bench-") as tmp:
        root = Path(tmp) / "project"
        env = {**ENV, "DBDESIGN_CACHE_DIR": str(Path(tmp) / "cache")}
        start = time.perf_counter()
        generate(root, args.count)
        print(
            f"generated {args.count} migrations in {COMMITS} commits "
            f"({time.perf_counter() - start:.1f} s); one more staged "
            "(git scope: the change)"
        )
        shipped = [str(BIN / "dbdesign-migrations")]
        cold_env = {**env, "DBDESIGN_CACHE_DIR": str(Path(tmp) / "cold-cache")}
        results = {"python -c pass": run([sys.executable, "-c", "pass"], root, env)}
        results["dbdesign-migrations (as shipped), cold"] = run(shipped, root, cold_env)
        commands: dict[str, Sequence[str]] = {
            "dbdesign-migrations (MG001-MG007)": [*shipped, "--ignore", SAFETY],
            "dbdesign-migrations --base HEAD~10": [
                *shipped,
                "--ignore",
                SAFETY,
                "--base",
                "HEAD~10",
            ],
            "dbdesign-migrations (as shipped), warm": shipped,
            "dbdesign-changelog": [str(BIN / "dbdesign-changelog")],
            "dbdesign migrations hash": [str(BIN / "dbdesign"), "migrations", "hash"],
        }
        results.update(timed(commands, root, args.runs, env))
        results["dbdesign-migrations (as shipped), one added"] = added(
            root, args.count, args.runs, env
        )
    failed = False
    width = max(len(name) for name in results)
    for name, sample in results.items():
        limit = {
            "dbdesign-migrations (MG001-MG007)": LIMIT,
            "dbdesign-migrations --base HEAD~10": LIMIT,
            "dbdesign-migrations (as shipped), warm": LIMIT,
            "dbdesign-changelog": LIMIT,
            "dbdesign-migrations (as shipped), one added": ADDED_LIMIT,
        }.get(name)
        missed = limit is not None and sample.wall >= limit
        failed |= missed
        print(row(name, sample, width, " MISSED" if missed else ""))
    print(
        f"targets: under {LIMIT:.1f} s for the migration rules, the changelog "
        f"and the whole hook warm; under {ADDED_LIMIT:.1f} s after adding one "
        "migration"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
