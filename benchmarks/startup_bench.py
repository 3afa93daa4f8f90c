"""Startup cost of the three hooks that read no SQL.

Times each hook's console script (a subprocess, as pre-commit runs it; the
median of N runs) on a copy of examples/bookshop and on a generated project
whose checklist has 5,000 tasks, beside `python -c pass` and the floor,
`python -c 'import markdown_it'` (the Markdown parser the hooks cannot do
without). Targets: each hook within 1.5x of the floor on the example, and
under 0.5 s on the 5,000-task checklist.

    python benchmarks/startup_bench.py [-n RUNS]

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from dbdesign.markdown import PHASES

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = REPO_ROOT / "examples" / "bookshop"
BIN = Path(sys.executable).parent
HOOKS = ("dbdesign-framework", "dbdesign-checklist", "dbdesign-artifacts")
# Bytecode on, as in a real install (pip compiles it; pre-commit's hook
# environments keep it): PYTHONDONTWRITEBYTECODE would time the compiler.
# The .pyc files go to a temporary PYTHONPYCACHEPREFIX, not the checkout.
ENV = {
    key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"
}
ENV.update(
    {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
    }
)
FLOOR_RATIO = 1.5
BIG_LIMIT = 0.5


def timed(
    commands: dict[str, tuple[Sequence[str], Path]], runs: int
) -> dict[str, tuple[float, float]]:
    """The median wall time and the median CPU time (user + system) of each
    (command, cwd), after one warm-up run of each. Runs go round-robin so
    that a busy moment on a shared machine lands on every command alike;
    CPU time says what the hook costs when the wall clock is disturbed."""
    walls: dict[str, list[float]] = {label: [] for label in commands}
    cpus: dict[str, list[float]] = {label: [] for label in commands}
    for n in range(runs + 1):
        for label, (cmd, cwd) in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(
                cmd,
                cwd=cwd,
                env=ENV,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if n:  # the first run warms the page cache and writes .pyc files
                walls[label].append(wall)
                cpus[label].append(
                    after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
                )
    return {
        label: (statistics.median(walls[label]), statistics.median(cpus[label]))
        for label in commands
    }


def git_init(path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(path)], env=ENV, check=True)


def copy_example(tmp: Path) -> Path | None:
    if not EXAMPLE.is_dir():
        return None
    target = tmp / "bookshop"
    shutil.copytree(EXAMPLE, target, symlinks=True)
    git_init(target)
    return target


def generated(tmp: Path, tasks: int = 5000) -> Path:
    """A clean project whose checklist has TASKS tasks over the 8 phases."""
    root = tmp / "big"
    folder = root / ".claude" / "database"
    folder.mkdir(parents=True)
    (folder / "database-prompt.md").write_text(
        "# Prompt\n\nDesign for correctness first.\n"
    )
    (folder / "database-template.md").write_text(
        "# Template\n\n## Overview\n\nWhat the database is for.\n"
    )
    per_phase = tasks // len(PHASES)
    out = ["# Database Design Checklist\n"]
    for number, title in enumerate(PHASES):
        out.append(f"\n## Phase {number}: {title}\n\n")
        marker = "x" if number == 0 else " "
        out.extend(
            f"- [{marker}] Task {number}.{n} of the phase, written out as a sentence\n"
            for n in range(per_phase)
        )
    (folder / "database-checklist.md").write_text("".join(out))
    (root / "database-schema.sql").write_text(
        "CREATE TABLE book (id integer PRIMARY KEY);\n"
    )
    (root / "entity-relationship-diagram.md").write_text(
        "# ERD\n\n```mermaid\nerDiagram\n  BOOK {\n    int id PK\n  }\n```\n"
    )
    (root / "migration-scripts").mkdir()
    docs = {
        "performance-optimization.md": "## Indexes\n\nEvery foreign key.\n",
        "security-configuration.md": "## Access control\n\nRoles.\n\n"
        "## Encryption\n\nTLS and at rest.\n",
        "backup-recovery-plan.md": "## RPO\n\n5 minutes.\n\n## RTO\n\n1 hour.\n",
        "monitoring-setup.md": "## Alerts\n\nReplication lag.\n",
        "CHANGELOG.md": "# Changelog\n\n## [Unreleased]\n\n- Books.\n",
    }
    for name, body in docs.items():
        (root / name).write_text(f"# {name}\n\n{body}")
    git_init(root)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=15)
    args = parser.parse_args(argv)
    python = sys.executable
    ok = True
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        ENV["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        example = copy_example(tmp)
        big = generated(tmp)
        commands: dict[str, tuple[Sequence[str], Path]] = {
            "bare": ([python, "-c", "pass"], tmp),
            "floor": ([python, "-c", "import markdown_it"], tmp),
        }
        projects = [("bookshop", example), ("5,000 tasks", big)]
        for label, root in projects:
            for hook in HOOKS:
                if root is not None:
                    commands[f"{hook} on {label}"] = ([str(BIN / hook)], root)
        times = timed(commands, args.runs)
        (bare, bare_cpu), (floor, floor_cpu) = times["bare"], times["floor"]
        print(
            f"runs per figure: {args.runs} (median); wall time, then CPU "
            "time (user + system)"
        )
        print(f"{'python -c pass':<42} {bare * 1000:7.1f} ms {bare_cpu * 1000:7.1f} ms")
        print(
            f"{'python -c import markdown_it (floor)':<42} "
            f"{floor * 1000:7.1f} ms {floor_cpu * 1000:7.1f} ms  "
            f"(+{(floor - bare) * 1000:.1f} ms over bare)"
        )
        for label, root in projects:
            if root is None:
                print(f"{label}: skipped, {EXAMPLE} does not exist yet")
                continue
            for hook in HOOKS:
                seconds, cpu = times[f"{hook} on {label}"]
                ratio = seconds / floor
                if label == "bookshop":
                    target = f"target <= {FLOOR_RATIO}x floor"
                    passed = ratio <= FLOOR_RATIO
                else:
                    target = f"target < {BIG_LIMIT} s"
                    passed = seconds < BIG_LIMIT
                ok = ok and passed
                print(
                    f"{hook + ' on ' + label:<42} {seconds * 1000:7.1f} ms "
                    f"{cpu * 1000:7.1f} ms  {ratio:4.2f}x floor "
                    f"({cpu / floor_cpu:4.2f}x CPU)  {target}: "
                    f"{'ok' if passed else 'MISSED'}"
                )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
