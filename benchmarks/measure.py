"""What the benchmarks measure of a command: wall time, CPU time (user +
system: what the command costs when a shared machine disturbs the wall
clock) and peak memory (its own maximum resident set, from wait4), with
its exit status."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# git in the throwaway repositories the benchmarks build: a fixed author,
# no user or system config, no templates.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TEMPLATE_DIR": "",
}


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    cpu: float  # seconds, user + system
    peak_mb: float  # maximum resident set
    status: int
    stdout: bytes = b""


# Peak memory (ru_maxrss) survives exec, and a child starts with its
# parent's: a benchmark that has imported dbdesign would lend every command
# it starts its own size. So commands start from this small launcher, which
# times them, and writes what wait4 says on its stderr.
LAUNCHER = """
import json, os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        os.execvp(sys.argv[1], sys.argv[1:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
cpu = usage.ru_utime + usage.ru_stime
code = os.waitstatus_to_exitcode(status)
sys.stderr.write(json.dumps([wall, cpu, usage.ru_maxrss, code]))
"""


def run(argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> Sample:
    """Run ARGV in CWD once, its output captured."""
    import json
    import sys

    out = subprocess.run(
        [sys.executable, "-I", "-S", "-c", LAUNCHER, *argv],
        cwd=cwd,
        env=dict(env) if env is not None else None,
        capture_output=True,
        check=False,
    )
    wall, cpu, peak_kb, status = json.loads(out.stderr)
    return Sample(wall, cpu, peak_kb / 1024, status, out.stdout)  # KiB on Linux


def median(samples: Sequence[Sample]) -> Sample:
    """The sample of median wall time (its CPU and memory with it)."""
    ordered = sorted(samples, key=lambda s: s.wall)
    return ordered[len(ordered) // 2]


def row(name: str, sample: Sample, width: int, note: str = "") -> str:
    return (
        f"{name:<{width}}  {sample.wall:7.3f} s  cpu {sample.cpu:6.3f} s  "
        f"peak {sample.peak_mb:6.1f} MB  (exit {sample.status}){note}"
    )
