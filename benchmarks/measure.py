"""What the benchmarks measure of a command: wall time, CPU time (user +
system: what the command costs when a shared machine disturbs the wall
clock) and peak memory (the child's own maximum resident set, from
wait4), with its exit status."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    cpu: float  # seconds, user + system
    peak_mb: float  # maximum resident set
    status: int
    stdout: bytes = b""


def run(argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> Sample:
    """Run ARGV in CWD once, its output captured."""
    start = time.perf_counter()
    process = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    stdout = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    return Sample(
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,  # KiB on Linux
        process.returncode,
        stdout,
    )


def median(samples: Sequence[Sample]) -> Sample:
    """The sample of median wall time (its CPU and memory with it)."""
    ordered = sorted(samples, key=lambda s: s.wall)
    return ordered[len(ordered) // 2]


def row(name: str, sample: Sample, width: int, note: str = "") -> str:
    return (
        f"{name:<{width}}  {sample.wall:7.3f} s  cpu {sample.cpu:6.3f} s  "
        f"peak {sample.peak_mb:6.1f} MB  (exit {sample.status}){note}"
    )
