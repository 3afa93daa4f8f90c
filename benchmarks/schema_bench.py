"""The Catalog and the SQ rules alone (no sqlfluff), in process, on the
corpus's largest schemas and migration folders.

- schema: parse the schema file (pglast for syntax, sqlglot for the DDL),
  build its Catalog and run SQ001-SQ009 on it (`dbdesign.checks.schema`
  with `sqlfluff: false`), on pagila (3,035 lines) and osm (3,902 lines);
- replay: parse every migration of lemmy (684 files), replay the forward
  ones into a Catalog and run the schema check (SQ001 on every file);
- safety: MG010-MG013 on lemmy, which replays the migrations again.

Each figure is the median of N fresh runs (a new Project each time, so
nothing is cached between runs). Target (issue 4): the Catalog and the SQ
rules on the largest schema under 1 s. The machine's load average is
printed: the figures are only as good as the quiet of the machine.

    python benchmarks/schema_bench.py [-n RUNS]

Exit status 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "hooks"))

from dbdesign.checks import safety, schema  # noqa: E402
from dbdesign.config import Config  # noqa: E402
from dbdesign.project import Options, Project  # noqa: E402

CORPUS = HERE.parent.parent / "shared" / "corpus"
LIMIT = 1.0


def timed(body: Callable[[], object], runs: int) -> float:
    body()  # warm-up: imports, regex compilation
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        body()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def schema_run(folder: str, schema_file: str) -> Callable[[], object]:
    def body() -> object:
        project = Project(
            CORPUS / folder, Config(schema=schema_file, sqlfluff=False), Options()
        )
        return list(schema.check(project))

    return body


def folder_run(
    folder: str, migrations_dir: str, check: Callable[[Project], object]
) -> Callable[[], object]:
    def body() -> object:
        project = Project(
            CORPUS / folder,
            Config(schema="absent.sql", sqlfluff=False, migrations_dir=migrations_dir),
            Options(),
        )
        return list(check(project))  # type: ignore[call-overload]

    return body


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=5)
    args = parser.parse_args(argv)
    print(
        f"load average: {os.getloadavg()[0]:.2f} "
        f"({os.cpu_count()} cores); median of {args.runs} runs"
    )
    failed = False
    for folder, schema_file in (
        ("pagila", "pagila-schema.sql"),
        ("osm", "db/structure.sql"),
    ):
        seconds = timed(schema_run(folder, schema_file), args.runs)
        ok = seconds < LIMIT
        failed |= not ok
        print(
            f"schema  {folder:<8} Catalog + SQ rules  {seconds:6.3f} s  "
            f"(target < {LIMIT:.0f} s: {'ok' if ok else 'MISSED'})"
        )
    lemmy = ("lemmy", "migrations")
    seconds = timed(folder_run(*lemmy, schema.check), args.runs)
    print(f"replay  lemmy    684 files, SQ rules {seconds:6.3f} s")
    seconds = timed(folder_run(*lemmy, safety.check), args.runs)
    print(f"safety  lemmy    MG010-MG013         {seconds:6.3f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
