"""What a commit costs on a project with a long history (issue 10).

lemmy's 342 diesel migrations are committed as history in a throwaway
repository with a schema file; then one new migration is staged (a DROP
COLUMN and a style slip). Measured in one run, each as a fresh process:

- the migrations and schema hooks together on that commit, cold sqlfluff
  cache and warm;
- the same with `--all` (the audit: everything, history included), cold
  and warm;
- squawk on the one new file, as a squawk user would run it at commit.

    python benchmarks/scope_bench.py [--corpus DIR]

Ratios matter more than seconds: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from measure import GIT_ENV  # noqa: E402

BIN = Path(sys.executable).parent
NEW = "migrations/2099-01-01-000000_drop_bio"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env={**os.environ, **GIT_ENV},
    )


def setup(corpus: Path, where: Path) -> Path:
    root = where / "lemmy"
    shutil.copytree(corpus / "lemmy" / "migrations", root / "migrations")
    (root / ".dbdesign.yaml").write_text("migrations_dir: migrations\n")
    (root / "database-schema.sql").write_text(
        "CREATE TABLE person (id serial PRIMARY KEY, name text NOT NULL);\n"
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "history")
    (root / NEW).mkdir(parents=True)
    (root / NEW / "up.sql").write_text(
        "ALTER TABLE person DROP COLUMN bio;\nselect  1;\n"
    )
    (root / NEW / "down.sql").write_text("ALTER TABLE person ADD COLUMN bio text;\n")
    git(root, "add", "-A")
    return root


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
    return time.perf_counter() - start


def hooks(root: Path, cache: Path, *extra: str) -> float:
    env = {**os.environ, **GIT_ENV, "DBDESIGN_CACHE_DIR": str(cache)}
    return sum(
        timed([str(BIN / hook), "--root", str(root), *extra], root, env)
        for hook in ("dbdesign-migrations", "dbdesign-schema")
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=REPO.parent / "shared" / "corpus"
    )
    args = parser.parse_args()
    if not (args.corpus / "lemmy").is_dir():
        print(f"no lemmy corpus at {args.corpus}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        root = setup(args.corpus, Path(tmp))
        rows = []
        cache = Path(tmp) / "cache-change"
        rows.append(("hooks, the commit, cold", hooks(root, cache)))
        rows.append(("hooks, the commit, warm", hooks(root, cache)))
        cache = Path(tmp) / "cache-all"
        rows.append(("hooks --all, cold", hooks(root, cache, "--all")))
        rows.append(("hooks --all, warm", hooks(root, cache, "--all")))
        squawk = shutil.which("squawk") or str(BIN / "squawk")
        if Path(squawk).exists():
            rows.append(
                (
                    "squawk on the new file",
                    timed([squawk, str(root / NEW / "up.sql")], root, dict(os.environ)),
                )
            )
        base = rows[1][1]
        print(f"{'case':<28} {'seconds':>8} {'x commit warm':>14}")
        for name, seconds in rows:
            print(f"{name:<28} {seconds:>8.2f} {seconds / base:>14.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
