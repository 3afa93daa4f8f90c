"""Hostile input (issue 15, items 5, 7 and 8): time and peak memory of one
`dbdesign check` on files built to be deep, many or large.

Each case writes a small project into a temporary git repository, runs the
installed `dbdesign` in a child process and reads the child's own resource
use from `os.wait4` (peak resident memory of the child and the processes it
waited for). A case that runs past the timeout is killed and shown as `>T`.

- config-yaml-flow-N: `.dbdesign.yaml` with N nested flow sequences
  (`ignore: [[[...]]]`); config-yaml-block-N: N nested block mappings;
  config-toml-N: `[tool.dbdesign]` with an array N deep.
- replay-N: one migration of N `CREATE TABLE` statements (MG rules, which
  replay the migrations and record what each statement created).
- fix-N: a checklist with N fixable `[X]` markers, `--fix` (nofix-N: the
  same checklist checked without it).
- checklist-MB / changelog-MB (with `--base`) / schema-MB: one file of about
  that size, made of ordinary lines (so the size bound, not a parse error, is
  what is measured); schema-ddl-MB: a schema of CREATE TABLE statements (the
  slowest SQL to read: every one is modelled), a byte under the size.

    python benchmarks/hostile_bench.py [CASE ...] [--timeout S]

`--list` shows the cases; with no CASE every case runs (several minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "hooks"))
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from measure import GIT_ENV  # noqa: E402

from projects import GOOD_FILES, phases  # noqa: E402

MB = 1 << 20

Case = Callable[[Path], list[str]]  # writes the project, returns the args


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args],
        cwd=root,
        check=True,
        capture_output=True,
        env={**os.environ, **GIT_ENV},
    )


def _project(root: Path, files: dict[str, str | bytes]) -> None:
    for relpath, content in {**GOOD_FILES, **files}.items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        target.write_bytes(data)


def _filled(head: str, line: str, size: int) -> bytes:
    """HEAD, then LINE repeated up to SIZE bytes."""
    count = max(0, (size - len(head)) // len(line))
    return (head + line * count).encode()


def yaml_flow(depth: int) -> Case:
    def case(root: Path) -> list[str]:
        _project(root, {".dbdesign.yaml": "ignore: " + "[" * depth + "]" * depth})
        return ["--select", "FW"]

    return case


def yaml_block(depth: int) -> Case:
    def case(root: Path) -> list[str]:
        lines = [" " * n + "a:" for n in range(depth)]
        _project(root, {".dbdesign.yaml": "artifacts:\n" + "\n".join(lines) + " 1\n"})
        return ["--select", "FW"]

    return case


def toml_array(depth: int) -> Case:
    def case(root: Path) -> list[str]:
        value = "[" * depth + "]" * depth
        _project(root, {"pyproject.toml": f"[tool.dbdesign]\nignore = {value}\n"})
        return ["--select", "FW"]

    return case


def replay(count: int) -> Case:
    def case(root: Path) -> list[str]:
        body = "".join(
            f"CREATE TABLE t{n} (id integer PRIMARY KEY);\n" for n in range(count)
        )
        _project(root, {"migration-scripts/V1__books.sql": body})
        return ["--select", "MG", "--all"]

    return case


def fixes(count: int, fix: bool = True) -> Case:
    def case(root: Path) -> list[str]:
        tasks = "- [X] a task\n" * (count // 8)
        text = "# Checklist\n" + phases(0, tasks)
        _project(root, {".claude/database/database-checklist.md": text})
        return ["--select", "CL", *(["--fix"] if fix else [])]

    return case


def checklist(size: int) -> Case:
    def case(root: Path) -> list[str]:
        head = "# Checklist\n" + phases(0)
        data = _filled(head, "- [ ] a task that has to be done\n", size)
        _project(root, {".claude/database/database-checklist.md": data})
        return ["--select", "CL,FW"]

    return case


def changelog(size: int) -> Case:
    def case(root: Path) -> list[str]:
        _project(root, {})
        _git(root, "init", "-q", "-b", "main")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "base")
        head = "# Changelog\n\n## [Unreleased]\n\n"
        data = _filled(head, "- Fixed the ordering of a report.\n", size)
        (root / "CHANGELOG.md").write_bytes(data)
        # Migrations the changelog does not name: CH003 looks for each.
        for n in range(2, 12):
            (root / f"migration-scripts/V{n}__more.sql").write_text(
                f"CREATE TABLE more{n} (id integer PRIMARY KEY);\n"
            )
        return ["--select", "CH", "--base", "HEAD", "--strict"]

    return case


def schema(size: int) -> Case:
    def case(root: Path) -> list[str]:
        data = _filled(
            "", "INSERT INTO book (id) VALUES (1), (2), (3), (4), (5);\n", size
        )
        _project(root, {"database-schema.sql": data})
        return ["--select", "SQ", "--no-cache"]

    return case


def ddl(size: int) -> Case:
    def case(root: Path) -> list[str]:
        line = (
            "CREATE TABLE t{n} (id integer PRIMARY KEY, name text NOT NULL, "
            "parent_id integer REFERENCES t{n} (id));\n"
        )
        count = size // len(line.format(n=10**6))
        data = "".join(line.format(n=n) for n in range(count))
        _project(root, {"database-schema.sql": data})
        return ["--select", "SQ", "--no-cache"]

    return case


CASES: dict[str, Case] = {
    **{f"config-yaml-flow-{n}": yaml_flow(n) for n in (500, 1000, 8000)},
    **{f"config-yaml-block-{n}": yaml_block(n) for n in (500, 1000)},
    **{f"config-toml-{n}": toml_array(n) for n in (500, 1000, 8000)},
    **{f"replay-{n}": replay(n) for n in (10_000, 20_000, 40_000)},
    **{f"fix-{n}": fixes(n) for n in (40_000, 80_000)},
    **{f"nofix-{n}": fixes(n, fix=False) for n in (40_000, 80_000)},
    # at the bounds (README: Limits), a byte under, and the sizes
    **{f"checklist-{n}MB": checklist(n * MB - 1) for n in (2,)},
    **{f"checklist-{n}MB": checklist(n * MB) for n in (48,)},
    **{f"changelog-{n}MB": changelog(n * MB - 1) for n in (8,)},
    **{f"changelog-{n}MB": changelog(n * MB) for n in (63,)},
    **{f"schema-{n}MB": schema(n * MB - 1) for n in (8,)},
    **{f"schema-{n}MB": schema(n * MB) for n in (50,)},
    **{f"schema-ddl-{n}MB": ddl(n * MB - 1) for n in (1, 2, 8)},
}


def run(name: str, timeout: float) -> tuple[str, str, str, str, str]:
    """(seconds, CPU seconds, peak MB, exit status, what it said) for case
    NAME. CPU time counts the child and what it waited for: on a busy
    machine it moves less than the wall clock."""
    folder = Path(tempfile.mkdtemp(prefix="dbdesign-hostile-"))
    root = folder / "repo"
    root.mkdir()
    try:
        # Built in a child: a child forked from a process that held the big
        # file would count that memory as its own peak.
        built = subprocess.run(
            [sys.executable, __file__, "--build", str(root), name],
            check=True,
            capture_output=True,
            text=True,
        )
        args = json.loads(built.stdout)
        exe = Path(sys.executable).with_name("dbdesign")
        env = {
            **os.environ,
            **GIT_ENV,
            "NO_COLOR": "1",
            "DBDESIGN_CACHE_DIR": str(folder / "cache"),
        }
        started = time.perf_counter()
        with tempfile.TemporaryFile() as out:
            child = subprocess.Popen(
                [str(exe), "check", "--root", str(root), "-q", *args],
                cwd=root,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
            status = _wait(child, timeout)
            elapsed = time.perf_counter() - started
            out.seek(0)
            said = out.read().decode("utf-8", "replace").strip().splitlines()
        if status is None:
            return f">{timeout:.0f}", "-", "-", "killed", ""
        code, cpu, peak_kb = status
        return (
            f"{elapsed:.2f}",
            f"{cpu:.2f}",
            f"{peak_kb / 1024:.0f}",
            str(code),
            said[-1][:90] if said else "",
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _wait(
    child: subprocess.Popen[bytes], timeout: float
) -> tuple[int, float, int] | None:
    """(exit status, CPU seconds, peak KB), or None past TIMEOUT."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            child.returncode = os.waitstatus_to_exitcode(status)
            cpu = usage.ru_utime + usage.ru_stime
            return child.returncode, cpu, usage.ru_maxrss
        if time.monotonic() > deadline:
            os.killpg(child.pid, signal.SIGKILL)
            os.wait4(child.pid, 0)
            child.returncode = -9
            return None
        time.sleep(0.02)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cases", nargs="*", metavar="CASE")
    parser.add_argument("--timeout", type=float, default=90.0)
    parser.add_argument("--list", action="store_true", help="list the cases")
    parser.add_argument("--build", metavar="ROOT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:
        root = Path(args.build)
        print(json.dumps(CASES[args.cases[0]](root)))
        if not (root / ".git").exists():
            _git(root, "init", "-q", "-b", "main")
        return 0
    if args.list:
        print("\n".join(CASES))
        return 0
    unknown = [c for c in args.cases if c not in CASES]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}; see --list")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'case':<22} {'seconds':>8} {'CPU s':>8} {'peak MB':>8} {'exit':>6}  said")
    for name in args.cases or CASES:
        seconds, cpu, peak, code, said = run(name, args.timeout)
        print(
            f"{name:<22} {seconds:>8} {cpu:>8} {peak:>8} {code:>6}  {said}", flush=True
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
