"""Worker processes for sqlfluff, each task bounded in time: a file that
takes too long has its worker killed (and replaced if work remains), and
comes back as a failure instead of a hang. Our own pool because a standard
one cannot kill the one task that overruns.

No file of the repository may stand in for a module in a worker (a
`multiprocessing/` folder or a `types.py` at the repository's top would
otherwise run in every one, SPEC 3a). So a worker is a plain interpreter
started by us, not by multiprocessing (whose children, and its resource
tracker, import their first modules from the current folder): isolated
(`-I`: neither the current folder nor a script's folder on sys.path, no
PYTHON* variables, no user site), given this process's sys.path without
the entries that mean "the current folder", and started in an empty
folder of its own. Tasks and answers are JSON lines on its stdin and
stdout: nothing is unpickled on either side."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

# Importing sqlfluff takes about half a second; far beyond that, the worker
# is stuck and the files it was meant to lint are reported.
STARTUP_TIMEOUT = 120.0

# Run with `python -I -c BOOT PATH...`: sys.path is exactly PATH.
BOOT = (
    "import sys; sys.path[:] = sys.argv[1:]; "
    "from dbdesign.sql.fluff_worker import main; main()"
)


@dataclass(frozen=True)
class Failure:
    """Why a task has no result: `timeout`, `crash` or `start`."""

    kind: str
    detail: str


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    started: float
    ready: bool = False
    task: int | None = None
    deadline: float = 0.0
    reader: threading.Thread | None = field(default=None, repr=False)


def command(cwd: str) -> list[str]:
    """The command line of a worker that will run in CWD."""
    return [sys.executable, "-I", "-c", BOOT, *module_path(cwd)]


def module_path(cwd: str) -> list[str]:
    """This process's sys.path for a worker: without `''` and relative
    entries (the worker's current folder), without the folders that are
    only there because they were current or held the script (this
    process's working folder and its `sys.path[0]`), and with the folder
    dbdesign itself came from, so that it imports what this process
    imported and nothing the repository holds."""
    import dbdesign

    here = os.path.dirname(os.path.dirname(os.path.abspath(dbdesign.__file__)))
    implicit = {_same(cwd)}
    with contextlib.suppress(OSError):  # a current folder since removed
        implicit.add(_same(os.getcwd()))
    if sys.path and sys.path[0] and not getattr(sys.flags, "safe_path", False):
        implicit.add(_same(sys.path[0]))
    entries = [
        entry
        for entry in sys.path
        if entry and os.path.isabs(entry) and _same(entry) not in implicit
    ]
    if _same(here) not in {_same(entry) for entry in entries}:
        # Imported from the current folder (a checkout of dbdesign itself):
        # this process already runs that code, so the worker may too.
        entries.append(here)
    return list(dict.fromkeys(entries))


def _same(path: str) -> str:
    return os.path.normcase(os.path.normpath(os.path.abspath(path)))


def run(
    tasks: Sequence[dict[str, Any]],
    timeout: float,
    jobs: int,
    cwd: Path | None = None,
    done: Callable[[], None] | None = None,
) -> list[dict[str, Any] | Failure]:
    """Run every task through `fluff_worker.serve` in up to JOBS processes,
    longest text first; each task gets TIMEOUT seconds. Workers run in CWD
    (a trusted sqlfluff config's project folder), else in an empty
    temporary folder. DONE is called as each task ends (progress)."""
    if not tasks:
        return []
    if cwd is not None:
        return _run(tasks, timeout, jobs, str(cwd), done)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="dbdesign-sqlfluff-") as empty:
        return _run(tasks, timeout, jobs, empty, done)


def _run(
    tasks: Sequence[dict[str, Any]],
    timeout: float,
    jobs: int,
    cwd: str,
    done: Callable[[], None] | None,
) -> list[dict[str, Any] | Failure]:
    results: list[dict[str, Any] | Failure | None] = [None] * len(tasks)

    def finish(index: int, result: dict[str, Any] | Failure) -> None:
        results[index] = result
        if done is not None:
            done()

    pending = deque(sorted(range(len(tasks)), key=lambda i: -len(tasks[i]["text"])))
    jobs = max(1, min(jobs, len(tasks)))
    workers: list[_Worker] = []
    events: queue.Queue[tuple[_Worker, list[Any] | None]] = queue.Queue()
    argv = command(cwd)

    def spawn() -> None:
        try:
            process = subprocess.Popen(
                argv,
                cwd=cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            while pending:
                finish(pending.popleft(), Failure("start", str(exc.strerror)))
            return
        worker = _Worker(process, time.monotonic())
        assert process.stdout is not None
        worker.reader = threading.Thread(
            target=_read, args=(worker, process.stdout, events), daemon=True
        )
        worker.reader.start()
        workers.append(worker)

    def retire(worker: _Worker, failure: Failure | None) -> None:
        _stop(worker)
        workers.remove(worker)
        if worker.task is not None and failure is not None:
            finish(worker.task, failure)
        if not worker.ready:
            # It never started: sqlfluff cannot be imported here, and no
            # other worker would fare better.
            why = failure or Failure("start", "sqlfluff could not start")
            while pending:
                finish(pending.popleft(), Failure("start", why.detail))
        elif pending and len(workers) < jobs:
            spawn()

    def crashed(worker: _Worker) -> Failure:
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.process.wait(1.0)
        code = worker.process.returncode
        return Failure("crash", f"the sqlfluff worker stopped (exit code {code})")

    def handle(worker: _Worker, message: list[Any]) -> None:
        kind = message[0] if message else None
        if kind == "ready":
            worker.ready = True
        elif (
            kind == "done"
            and len(message) == 3
            and worker.task is not None
            and message[1] == worker.task
            and isinstance(message[2], dict)
        ):
            finish(worker.task, message[2])
            worker.task = None
        elif kind == "fatal" and len(message) == 2:
            retire(worker, Failure("start", str(message[1])))
        else:  # the end of its output, or garbage: it is gone
            retire(worker, crashed(worker))

    try:
        for _ in range(jobs):
            spawn()
        while workers and (pending or any(w.task is not None for w in workers)):
            now = time.monotonic()
            for worker in workers:
                if worker.ready and worker.task is None and pending:
                    index = pending.popleft()
                    if not _send(worker, [index, tasks[index]]):
                        # It died: retried by its replacement.
                        pending.appendleft(index)
                        continue
                    worker.task = index
                    worker.deadline = now + timeout
            try:
                worker, message = events.get(timeout=_limit(workers, now))
            except queue.Empty:
                pass
            else:
                if worker in workers:
                    handle(worker, message or [])
            now = time.monotonic()
            for worker in list(workers):
                if worker.task is not None and now >= worker.deadline:
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


def _limit(workers: list[_Worker], now: float) -> float | None:
    deadlines = [
        w.deadline
        if w.task is not None
        else (w.started + STARTUP_TIMEOUT if not w.ready else None)
        for w in workers
    ]
    due = [d for d in deadlines if d is not None]
    return max(0.0, min(due) - now) if due else None


def _read(
    worker: _Worker,
    stream: IO[bytes],
    events: queue.Queue[tuple[_Worker, list[Any] | None]],
) -> None:
    """Forward each JSON line the worker writes; None at its end (or at a
    line that is not a JSON list: a worker that garbles is as good as
    dead)."""
    try:
        for line in stream:
            try:
                message = json.loads(line)
            except (ValueError, RecursionError):
                break
            if not isinstance(message, list):
                break
            events.put((worker, message))
    except (OSError, ValueError):
        pass
    events.put((worker, None))


def _send(worker: _Worker, message: list[Any]) -> bool:
    stdin = worker.process.stdin
    if stdin is None:
        return False
    try:
        stdin.write(json.dumps(message).encode("ascii") + b"\n")
        stdin.flush()
    except (OSError, ValueError):
        return False
    return True


def _stop(worker: _Worker) -> None:
    process = worker.process
    if process.poll() is None and worker.task is None and process.stdin:
        # An idle worker ends at the end of its input.
        with contextlib.suppress(OSError, ValueError):
            process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(1.0)
    if process.poll() is None:
        process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5.0)
    if worker.reader is not None:
        # Dead, the worker's output ends: its reader sees the end and stops.
        worker.reader.join(1.0)
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                stream.close()
