"""Worker processes for sqlfluff, each task bounded in time: a file that
takes too long has its worker killed (and replaced if work remains), and
comes back as a failure instead of a hang. Our own pool because a standard
one cannot kill the one task that overruns."""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

# Importing sqlfluff takes about half a second; far beyond that, the worker
# is stuck and the files it was meant to lint are reported.
STARTUP_TIMEOUT = 120.0


@dataclass(frozen=True)
class Failure:
    """Why a task has no result: `timeout`, `crash` or `start`."""

    kind: str
    detail: str


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    started: float
    ready: bool = False
    task: int | None = None
    deadline: float = 0.0


def run(
    tasks: Sequence[dict[str, Any]], timeout: float, jobs: int
) -> list[dict[str, Any] | Failure]:
    """Run every task through `fluff_worker.serve` in up to JOBS processes,
    longest text first; each task gets TIMEOUT seconds."""
    results: list[dict[str, Any] | Failure | None] = [None] * len(tasks)
    if not tasks:
        return []
    context = multiprocessing.get_context("spawn")
    pending = deque(sorted(range(len(tasks)), key=lambda i: -len(tasks[i]["text"])))
    jobs = max(1, min(jobs, len(tasks)))
    workers: list[_Worker] = []

    def spawn() -> None:
        from dbdesign.sql import fluff_worker

        ours, theirs = context.Pipe()
        process = context.Process(
            target=fluff_worker.serve,
            args=(theirs,),
            daemon=True,
            name="dbdesign-sqlfluff",
        )
        process.start()
        theirs.close()
        workers.append(_Worker(process, ours, time.monotonic()))

    def retire(worker: _Worker, failure: Failure | None) -> None:
        _stop(worker)
        workers.remove(worker)
        if worker.task is not None and failure is not None:
            results[worker.task] = failure
        if not worker.ready:
            # It never started: sqlfluff cannot be imported here, and no
            # other worker would fare better.
            why = failure or Failure("start", "sqlfluff could not start")
            while pending:
                results[pending.popleft()] = Failure("start", why.detail)
        elif pending and len(workers) < jobs:
            spawn()

    try:
        for _ in range(jobs):
            spawn()
        while workers and (pending or any(w.task is not None for w in workers)):
            now = time.monotonic()
            for worker in workers:
                if worker.ready and worker.task is None and pending:
                    index = pending.popleft()
                    try:
                        worker.conn.send((index, tasks[index]))
                    except OSError:  # it died: retried by its replacement
                        pending.appendleft(index)
                        continue
                    worker.task = index
                    worker.deadline = now + timeout
            _wait(workers, now)
            now = time.monotonic()
            for worker in list(workers):
                message = _receive(worker)
                if message is not None:
                    if message[0] == "ready":
                        worker.ready = True
                    elif message[0] == "done" and worker.task is not None:
                        results[worker.task] = message[2]
                        worker.task = None
                    elif message[0] == "fatal":
                        retire(worker, Failure("start", str(message[1])))
                elif not worker.process.is_alive() or worker.conn.closed:
                    code = worker.process.exitcode
                    retire(
                        worker,
                        Failure(
                            "crash", f"the sqlfluff worker stopped (exit code {code})"
                        ),
                    )
                elif worker.task is not None and now >= worker.deadline:
                    retire(worker, Failure("timeout", f"{timeout:g} s"))
                elif not worker.ready and now >= worker.started + STARTUP_TIMEOUT:
                    retire(
                        worker,
                        Failure(
                            "start",
                            f"sqlfluff did not start within {STARTUP_TIMEOUT:g} s",
                        ),
                    )
    finally:
        for worker in workers:
            _stop(worker)
    return [r if r is not None else Failure("crash", "no result") for r in results]


def _wait(workers: list[_Worker], now: float) -> None:
    from multiprocessing.connection import wait

    deadlines = [
        w.deadline
        if w.task is not None
        else (w.started + STARTUP_TIMEOUT if not w.ready else None)
        for w in workers
    ]
    due = [d for d in deadlines if d is not None]
    limit = max(0.0, min(due) - now) if due else None
    waitables: list[Any] = [w.conn for w in workers]
    waitables += [w.process.sentinel for w in workers]
    wait(waitables, timeout=limit)


def _receive(worker: _Worker) -> tuple[Any, ...] | None:
    try:
        if worker.conn.poll():
            message = worker.conn.recv()
            return message if isinstance(message, tuple) else None
    except (EOFError, OSError):
        worker.conn.close()
    return None


def _stop(worker: _Worker) -> None:
    process = worker.process
    if process.is_alive() and worker.task is None and not worker.conn.closed:
        with contextlib.suppress(OSError):
            worker.conn.send(None)
        process.join(1.0)
    if process.is_alive():
        process.kill()
        process.join(5.0)
    if not worker.conn.closed:
        worker.conn.close()
