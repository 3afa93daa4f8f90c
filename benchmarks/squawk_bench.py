"""dbdesign's migration safety rules beside squawk's, on the corpus.

Runs squawk (the `squawk-cli` package, `--pg-version` as dbdesign's
`postgres_version`) and dbdesign's safety check on the forward migrations
of each PostgreSQL migration folder in ../shared/corpus, and prints, per
family of rules the two share, the agreement: files flagged by both over
files flagged by either. Every disagreement is listed (file, line, which
side, the statement) to be read: where squawk flags a table the same
migration created, dbdesign is right not to.

    python benchmarks/squawk_bench.py [--corpus DIR] [--pg-version 13]
        [--disagreements FILE]

Then the time of each on lemmy's folder (outside git: every migration is
judged), side by side (the median of 6 rounds, each running the three in
turn): squawk's full run beside dbdesign's full run
(`dbdesign-migrations --select MG01,MG02`, a subprocess, as a hook runs)
with an empty parse cache (cold) and with the cache of the run before
(warm), with CPU time and peak memory; and dbdesign's safety check alone,
in process (what issue 14 first measured). Targets (issue 14): warm at
most 3x squawk's full run, cold at most 8x.

Exit status 2 when squawk is not installed, 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "hooks"))

sys.path.insert(0, str(REPO / "benchmarks"))

from measure import Sample, median, row, run  # noqa: E402

from dbdesign import rules  # noqa: E402
from dbdesign.checks import safety  # noqa: E402
from dbdesign.config import Config  # noqa: E402
from dbdesign.project import Options, Project  # noqa: E402
from dbdesign.sql.run_order import migrations  # noqa: E402

# corpus folder: (project root inside it, migrations folder)
FOLDERS = {
    "harbor": ("make/migrations", "postgresql"),
    "conductor": (
        "postgres-persistence/src/main/resources/db",
        "migration_postgres",
    ),
    "lemmy": (".", "migrations"),
}


def family_of() -> dict[str, str]:
    """squawk rule name -> the dbdesign code of the same family."""
    out: dict[str, str] = {}
    for rule in rules.RULES:
        for name in rule.squawk:
            out.setdefault(name, rule.code)
    return out


def squawk(files: list[Path], version: int) -> dict[tuple[str, str], list[int]]:
    """(file, family) -> lines squawk reports."""
    exe = shutil.which("squawk") or str(Path(sys.executable).parent / "squawk")
    out = subprocess.run(
        [exe, "--reporter", "json", f"--pg-version={version}.0", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    families = family_of()
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    for item in json.loads(out.stdout or "[]"):
        code = families.get(item["rule_name"])
        # squawk's constraint-missing-not-valid also fires on UNIQUE and
        # PRIMARY KEY, which cannot be NOT VALID: the index-build family
        text = statement_at(item["file"], item["line"] + 1).upper()
        if item["rule_name"] == "constraint-missing-not-valid" and (
            "UNIQUE" in text or "PRIMARY KEY" in text
        ):
            code = "MG017"
        if code is not None:
            found[(str(Path(item["file"]).resolve()), code)].append(item["line"] + 1)
    return found


def dbdesign(
    root: Path, folder: str, version: int
) -> tuple[list[Path], dict[tuple[str, str], list[int]]]:
    config = Config(
        migrations_dir=folder,
        sqlfluff=False,
        postgres_version=version,
        require_lock_timeout=True,
    )
    project = Project(root, config)
    files = [root / m.path for m in migrations(project) if m.forward]
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    for item in safety.check(project):
        found[(str((root / item.path).resolve()), item.code)].append(item.line or 0)
    return files, found


WARM_RATIO = 3.0
COLD_RATIO = 8.0
RUNS = 6


def timings(root: Path, folder: str, version: int, files: list[Path]) -> bool:
    """Print squawk's and dbdesign's times on FOLDER; False when a target
    is missed."""
    import os
    import tempfile

    exe = shutil.which("squawk") or str(Path(sys.executable).parent / "squawk")
    hook = str(Path(sys.executable).parent / "dbdesign-migrations")
    with tempfile.TemporaryDirectory(prefix="dbdesign-squawk-") as tmp:
        config = Path(tmp) / "dbdesign.yaml"
        config.write_text(
            f"migrations_dir: {folder}\nsqlfluff: false\n"
            f"postgres_version: {version}\nrequire_lock_timeout: true\n",
            encoding="utf-8",
        )
        env = {**os.environ, "DBDESIGN_CACHE_DIR": str(Path(tmp) / "cache")}
        argv = [hook, "--root", str(root), "--config", str(config)]
        argv += ["--select", "MG01,MG02", "--format", "json"]
        squawk_argv = [exe, "--reporter", "json", f"--pg-version={version}.0"]
        squawk_argv += map(str, files)
        cold, warm, theirs = [], [], []
        for number in range(RUNS):  # round-robin: noise lands on each alike
            cold_env = {**env, "DBDESIGN_CACHE_DIR": str(Path(tmp) / f"cold{number}")}
            theirs.append(run(squawk_argv, root))
            cold.append(run(argv, root, cold_env))
            warm.append(run(argv, root, env))
        samples: dict[str, Sample] = {
            "squawk (full run)": median(theirs),
            "dbdesign (full run), cold": median(cold),
            "dbdesign (full run), warm": median(warm[1:]),  # the first filled it
        }
        in_process = {}
        for label in ("cold", "warm"):
            os.environ["DBDESIGN_CACHE_DIR"] = str(Path(tmp) / "in-process")
            project = Project(
                root,
                Config(
                    migrations_dir=folder,
                    sqlfluff=False,
                    postgres_version=version,
                    require_lock_timeout=True,
                ),
                Options(),
            )
            started = time.perf_counter()
            list(safety.check(project))
            project.close()
            in_process[label] = time.perf_counter() - started
    squawk_s = samples["squawk (full run)"].wall
    width = max(len(name) for name in samples)
    ok = True
    for name, sample in samples.items():
        note = ""
        if name.startswith("dbdesign"):
            limit = WARM_RATIO if name.endswith("warm") else COLD_RATIO
            ratio = sample.wall / squawk_s
            missed = ratio > limit
            ok &= not missed
            mark = " MISSED" if missed else ""
            note = f"  {ratio:4.1f}x squawk (target {limit:g}x){mark}"
        print(row(name, sample, width, note))
    print(
        f"dbdesign's safety check in process: cold {in_process['cold']:.3f} s, "
        f"warm {in_process['warm']:.3f} s"
    )
    return ok


def statement_at(path: str, line: int) -> str:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    return lines[line - 1].strip()[:120] if 0 < line <= len(lines) else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    parser.add_argument("--pg-version", type=int, default=13)
    parser.add_argument("--disagreements", default=None)
    args = parser.parse_args(argv)
    if (
        shutil.which("squawk") is None
        and not (Path(sys.executable).parent / "squawk").exists()
    ):
        print("squawk is not installed: pip install squawk-cli", file=sys.stderr)
        return 2
    corpus = Path(args.corpus)
    both: dict[str, int] = defaultdict(int)
    either: dict[str, int] = defaultdict(int)
    lines = []
    for name, (root_part, folder) in FOLDERS.items():
        root = corpus / name / root_part
        if not (root / folder).is_dir():
            continue
        started = time.perf_counter()
        files, ours = dbdesign(root, folder, args.pg_version)
        ours_s = time.perf_counter() - started
        started = time.perf_counter()
        theirs = squawk(files, args.pg_version)
        theirs_s = time.perf_counter() - started
        print(
            f"{name}: {len(files)} forward migrations; dbdesign {ours_s:.2f} s, "
            f"squawk {theirs_s:.2f} s"
        )
        for key in sorted(set(ours) | set(theirs)):
            path, code = key
            either[code] += 1
            if key in ours and key in theirs:
                both[code] += 1
                continue
            side = "dbdesign only" if key in ours else "squawk only"
            at = (ours.get(key) or theirs.get(key) or [0])[0]
            rel = Path(path).relative_to(corpus.resolve())
            lines.append(f"{code}\t{side}\t{rel}:{at}\t{statement_at(path, at)}")
    print()
    print("| family | squawk's rules | both | either | agreement |")
    print("|---|---|---|---|---|")
    total_both = total_either = 0
    for rule in rules.RULES:
        if rule.check != "safety" or not rule.squawk:
            continue
        b, e = both.get(rule.code, 0), either.get(rule.code, 0)
        total_both, total_either = total_both + b, total_either + e
        ratio = f"{b / e:.0%}" if e else "-"
        print(f"| {rule.code} | {', '.join(rule.squawk)} | {b} | {e} | {ratio} |")
    if total_either:
        ratio = f"{total_both / total_either:.0%}"
        print(f"| all | | {total_both} | {total_either} | {ratio} |")
    print(f"\n{len(lines)} disagreements (file and family)")
    if args.disagreements:
        Path(args.disagreements).write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        for line in lines:
            print(line)
    root_part, folder = FOLDERS["lemmy"]
    root = corpus / "lemmy" / root_part
    if not (root / folder).is_dir():
        return 0
    files, _ = dbdesign(root, folder, args.pg_version)
    print(f"\nlemmy, {len(files)} forward migrations, outside git (all judged):")
    return 0 if timings(root, folder, args.pg_version, files) else 1


if __name__ == "__main__":
    sys.exit(main())
