"""The Catalog and the SQ rules alone (no sqlfluff), in process, on the
corpus's largest schemas and migration folders and on a generated dump the
size of lago-api's `structure.sql` (15,000 lines).

- schema: parse the schema file (pglast on PostgreSQL: its syntax and the
  model from one parse), build its Catalog and run SQ001-SQ009 on it
  (`dbdesign.checks.schema` with `sqlfluff: false`), on pagila (3,035
  lines) and osm (3,902 lines);
- replay: parse every migration of lemmy (684 files), replay the forward
  ones into a Catalog and run the schema check (SQ001 on every file);
- safety: MG010-MG020 on lemmy, on the same replay;
- lago: a Rails-style pg_dump of 15,000 lines (generated, the shape of
  lago-api's: SET lines, an extension, an enum, a trigger function, some
  300 tables of uuid keys and 10-20 columns, COMMENT ON, primary keys,
  indexes and foreign keys as `ALTER TABLE ONLY`, triggers, and the
  schema_migrations INSERT), beside pglast's bare parse of it
  (`pglast.parse_sql`, the parse a pglast user calls; `parse_sql_json` is
  shown too).

Each figure is the median CPU time of N runs (in process, one thread: on
an idle machine the wall time; on a shared one the wall clock counts
other jobs too) with a new Project each time: cold, with an empty parse
cache (issue 14) each run; warm, with the cache of the run before. Peak
memory is the Python allocations' peak (tracemalloc) of one more run of
each. Targets: the Catalog and the SQ rules on the largest
corpus schema under 1 s; on the lago-sized dump, cold at most 2x pglast's
bare parse and warm at most 0.2x (issue 14). The machine's load average
is printed: the figures are only as good as the quiet of the machine.

    python benchmarks/schema_bench.py [-n RUNS]

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "hooks"))

from dbdesign.checks import safety, schema  # noqa: E402
from dbdesign.config import Config  # noqa: E402
from dbdesign.project import Options, Project  # noqa: E402

CORPUS = HERE.parent.parent / "shared" / "corpus"
LIMIT = 1.0
COLD_RATIO = 2.0
WARM_RATIO = 0.2
LAGO_LINES = 15_000


def timed(body: Callable[[], object], runs: int) -> float:
    """The median CPU time of BODY (this process's: on a shared machine
    the wall clock also counts other jobs), after a warm-up run."""
    body()  # warm-up: imports, regex compilation, the cache
    samples = []
    for _ in range(runs):
        started = time.process_time()
        body()
        samples.append(time.process_time() - started)
    return statistics.median(samples)


def peak_mb(body: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        body()
        return tracemalloc.get_traced_memory()[1] / (1 << 20)
    finally:
        tracemalloc.stop()


class Cache:
    """Where the runs keep their parse cache: one folder (warm), or a new
    one for every run (cold)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.count = 0

    def warm(self) -> None:
        os.environ["DBDESIGN_CACHE_DIR"] = str(self.base / "warm")

    def cold(self) -> None:
        self.count += 1
        os.environ["DBDESIGN_CACHE_DIR"] = str(self.base / f"cold-{self.count}")


def schema_run(
    root: Path, schema_file: str, before: Callable[[], None]
) -> Callable[[], object]:
    def body() -> object:
        before()
        project = Project(root, Config(schema=schema_file, sqlfluff=False), Options())
        found = list(schema.check(project))
        project.close()
        return found

    return body


def folder_run(
    folder: str,
    migrations_dir: str,
    check: Callable[[Project], object],
    before: Callable[[], None],
) -> Callable[[], object]:
    def body() -> object:
        before()
        project = Project(
            CORPUS / folder,
            Config(schema="absent.sql", sqlfluff=False, migrations_dir=migrations_dir),
            Options(),
        )
        found = list(check(project))  # type: ignore[call-overload]
        project.close()
        return found

    return body


def lago_structure(lines: int = LAGO_LINES, seed: int = 14) -> str:
    """A Rails pg_dump `structure.sql` of LINES lines, shaped like
    lago-api's (see the module's doc)."""
    rnd = random.Random(seed)
    out = [
        "SET statement_timeout = 0;",
        "SET lock_timeout = 0;",
        "SET client_encoding = 'UTF8';",
        "SET standard_conforming_strings = on;",
        "SELECT pg_catalog.set_config('search_path', '', false);",
        "",
        "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;",
        "",
        "CREATE TYPE public.billing_period AS ENUM (\n    'monthly',\n    'yearly'\n);",
        "",
        "CREATE FUNCTION public.touch() RETURNS trigger\n    LANGUAGE plpgsql\n"
        "    AS $$\nBEGIN\n  NEW.updated_at = now();\n  RETURN NEW;\nEND;\n$$;",
        "",
    ]
    types = [
        "uuid",
        "character varying",
        "character varying(255)",
        "integer",
        "bigint",
        "boolean",
        "timestamp(6) without time zone",
        "jsonb",
        "numeric(30,5)",
        "text",
        "date",
        "public.billing_period",
        "text[]",
    ]
    extras = {
        "integer": "DEFAULT 0",
        "bigint": "DEFAULT 0 NOT NULL",
        "boolean": "DEFAULT false NOT NULL",
        "jsonb": "DEFAULT '{}'::jsonb NOT NULL",
        "public.billing_period": "DEFAULT 'monthly'::public.billing_period",
    }
    tables: list[str] = []
    count = sum(x.count("\n") + 1 for x in out)
    while count < lines * 0.4:
        name = f"table_{len(tables) + 1}"
        cols = ["    id uuid DEFAULT gen_random_uuid() NOT NULL"]
        if tables:
            cols.append("    parent_id uuid")
        for c in range(rnd.randint(8, 18)):
            kind = rnd.choice(types)
            extra = extras.get(kind, "") if rnd.random() < 0.5 else ""
            cols.append(f"    col_{c} {kind}{' ' + extra if extra else ''}")
        cols.append("    created_at timestamp(6) without time zone NOT NULL")
        cols.append("    updated_at timestamp(6) without time zone NOT NULL")
        out += [f"CREATE TABLE public.{name} (\n" + ",\n".join(cols) + "\n);", ""]
        out += [f"COMMENT ON TABLE public.{name} IS 'the {name} table';", ""]
        count += len(cols) + 5
        tables.append(name)
    for name in tables:
        out.append(
            f"ALTER TABLE ONLY public.{name}\n    ADD CONSTRAINT {name}_pkey "
            "PRIMARY KEY (id);\n"
        )
    for number, name in enumerate(tables):
        if number:
            out.append(
                f"CREATE INDEX index_{name}_on_parent_id ON public.{name} "
                "USING btree (parent_id);\n"
            )
        out.append(
            f"CREATE INDEX index_{name}_on_created_at ON public.{name} "
            "USING btree (created_at DESC);\n"
        )
    for number, name in enumerate(tables[1:], 1):
        parent = tables[rnd.randrange(number)]
        out.append(
            f"ALTER TABLE ONLY public.{name}\n    ADD CONSTRAINT "
            f"fk_rails_{number:08x} FOREIGN KEY (parent_id) REFERENCES "
            f"public.{parent}(id);\n"
        )
    for name in tables[:40]:
        out.append(
            f"CREATE TRIGGER touch_{name} BEFORE UPDATE ON public.{name} "
            "FOR EACH ROW EXECUTE FUNCTION public.touch();\n"
        )
    out += [
        'SET search_path TO "$user", public;',
        "",
        'INSERT INTO "schema_migrations" (version) VALUES',
    ]
    text = "\n".join(out)
    missing = lines - 1 - text.count("\n") - 1
    rows = [f"('2021{n:010d}')," for n in range(max(missing, 0))]
    return text + "\n" + "\n".join([*rows, "('20250101000000');"]) + "\n"


def lago(runs: int, cache: Cache) -> bool:
    """The lago-sized dump: cold and warm beside pglast's bare parse."""
    import pglast
    from pglast import parser

    with tempfile.TemporaryDirectory(prefix="dbdesign-lago-") as tmp:
        root = Path(tmp)
        text = lago_structure()
        (root / "structure.sql").write_text(text, encoding="utf-8")
        bare = timed(lambda: pglast.parse_sql(text), runs)
        as_json = timed(lambda: parser.parse_sql_json(text), runs)
        cold = schema_run(root, "structure.sql", cache.cold)
        warm = schema_run(root, "structure.sql", cache.warm)
        cold_s, warm_s = timed(cold, runs), timed(warm, runs)
        cold_mb, warm_mb = peak_mb(cold), peak_mb(warm)
    cold_ok = cold_s <= COLD_RATIO * bare
    warm_ok = warm_s <= WARM_RATIO * bare
    print(
        f"lago    {text.count(chr(10)):,} lines: pglast.parse_sql {bare:.3f} s "
        f"(parse_sql_json {as_json:.3f} s)"
    )
    for label, seconds, mb, ratio, ok in (
        ("cold", cold_s, cold_mb, COLD_RATIO, cold_ok),
        ("warm", warm_s, warm_mb, WARM_RATIO, warm_ok),
    ):
        print(
            f"lago    Catalog + SQ rules, {label}  {seconds:6.3f} s  "
            f"{seconds / bare:4.2f}x the bare parse (target {ratio:g}x: "
            f"{'ok' if ok else 'MISSED'})  peak {mb:5.1f} MB"
        )
    return cold_ok and warm_ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=5)
    args = parser.parse_args(argv)
    print(
        f"load average: {os.getloadavg()[0]:.2f} "
        f"({os.cpu_count()} cores); median of {args.runs} runs"
    )
    failed = False
    with tempfile.TemporaryDirectory(prefix="dbdesign-schema-bench-") as tmp:
        cache = Cache(Path(tmp))
        for folder, schema_file in (
            ("pagila", "pagila-schema.sql"),
            ("osm", "db/structure.sql"),
        ):
            for label, before in (("cold", cache.cold), ("warm", cache.warm)):
                body = schema_run(CORPUS / folder, schema_file, before)
                seconds = timed(body, args.runs)
                ok = seconds < LIMIT
                failed |= not ok
                print(
                    f"schema  {folder:<8} Catalog + SQ rules, {label}  "
                    f"{seconds:6.3f} s  (target < {LIMIT:.0f} s: "
                    f"{'ok' if ok else 'MISSED'})  peak {peak_mb(body):5.1f} MB"
                )
        lemmy = ("lemmy", "migrations")
        for label, before in (("cold", cache.cold), ("warm", cache.warm)):
            body = folder_run(*lemmy, schema.check, before)
            print(
                f"replay  lemmy    684 files, SQ rules, {label} "
                f"{timed(body, args.runs):6.3f} s  peak {peak_mb(body):5.1f} MB"
            )
            body = folder_run(*lemmy, safety.check, before)
            print(
                f"safety  lemmy    MG010-MG020, {label}      "
                f"{timed(body, args.runs):6.3f} s  peak {peak_mb(body):5.1f} MB"
            )
        failed |= not lago(args.runs, cache)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
