"""dbdesign-migrations and dbdesign-changelog on 5,000 migrations.

Generates a git repository whose `migration-scripts/` holds 5,000 Flyway
migrations committed over 50 commits, with a `dbdesign.sum` and a
changelog; then stages a new migration (with its changelog line and sum
update) and times each hook's console script as pre-commit runs it (a
subprocess; the median of N runs after a warm-up):

- `dbdesign-migrations` for MG001-MG007 (`--ignore` the SQL-reading safety
  rules MG010-MG020, which have their own benchmark),
- `dbdesign-migrations` as shipped (with the safety rules), for the record,
- `dbdesign-changelog`,
- `dbdesign migrations hash`, which rewrites the sum file.

Target: under 1 s each for the migration rules and the changelog.

    python benchmarks/migrations_bench.py [-n RUNS] [--count N]

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

BIN = Path(sys.executable).parent
ENV = {
    key: value
    for key, value in os.environ.items()
    if key
    not in ("PYTHONDONTWRITEBYTECODE", "PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF")
}
ENV.update(
    {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
        "NO_COLOR": "1",
    }
)
LIMIT = 1.0
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
    subprocess.run(
        [str(BIN / "dbdesign"), "migrations", "hash", str(root)],
        env=ENV,
        check=True,
        capture_output=True,
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "integrity file")
    # The change being committed: one new migration, its changelog line and
    # the rewritten sum file.
    n = count + 1
    (folder / f"V{n}__create_table_{n}.sql").write_text(migration(n))
    changelog.insert(5, f"- table_{n} (V{n}__create_table_{n}.sql)")
    (root / "CHANGELOG.md").write_text("\n".join(changelog) + "\n")
    subprocess.run(
        [str(BIN / "dbdesign"), "migrations", "hash", str(root)],
        env=ENV,
        check=True,
        capture_output=True,
    )
    git(root, "add", "-A")


def timed(
    commands: dict[str, Sequence[str]], cwd: Path, runs: int
) -> dict[str, tuple[float, int]]:
    """Median wall time and exit status of each command (after a warm-up),
    run round-robin so that machine noise spreads evenly."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    status: dict[str, int] = {}
    for name, argv in commands.items():
        status[name] = subprocess.run(
            argv, cwd=cwd, env=ENV, capture_output=True
        ).returncode
    for _ in range(runs):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, cwd=cwd, env=ENV, capture_output=True)
            times[name].append(time.perf_counter() - start)
    return {
        name: (statistics.median(values), status[name])
        for name, values in times.items()
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=5)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument(
        "--with-safety",
        action="store_true",
        help="also time the hook with its SQL safety rules",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dbdesign-bench-") as tmp:
        root = Path(tmp) / "project"
        start = time.perf_counter()
        generate(root, args.count)
        print(
            f"generated {args.count} migrations in {COMMITS} commits "
            f"({time.perf_counter() - start:.1f} s)"
        )
        commands: dict[str, Sequence[str]] = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "dbdesign-migrations (MG001-MG007)": [
                str(BIN / "dbdesign-migrations"),
                "--ignore",
                SAFETY,
            ],
            "dbdesign-migrations --base HEAD~10": [
                str(BIN / "dbdesign-migrations"),
                "--ignore",
                SAFETY,
                "--base",
                "HEAD~10",
            ],
            "dbdesign-changelog": [str(BIN / "dbdesign-changelog")],
            "dbdesign migrations hash": [str(BIN / "dbdesign"), "migrations", "hash"],
        }
        if args.with_safety:
            commands["dbdesign-migrations (with safety)"] = [
                str(BIN / "dbdesign-migrations")
            ]
        results = timed(commands, root, args.runs)
    failed = False
    width = max(len(name) for name in results)
    for name, (seconds, status) in results.items():
        target = name.startswith("dbdesign-") and "safety" not in name
        missed = target and seconds >= LIMIT
        failed |= missed
        mark = " MISSED" if missed else ""
        print(f"{name:<{width}}  {seconds:6.3f} s  (exit {status}){mark}")
    print(f"target: under {LIMIT:.1f} s for each hook's migration and changelog rules")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
