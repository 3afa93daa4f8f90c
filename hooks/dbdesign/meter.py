"""A progress line for long runs (issue 14): on a terminal, once a run has
taken more than about two seconds, one line on stderr says what it is
doing (the phase, and files done out of the total), redrawn in place and
erased when the run ends. Never in other output: the pipeline starts a
real meter only when stderr is a terminal and the report is text.

A quiet thread redraws the line while a single step takes long (a big
file in sqlfluff); the work itself only sets counters. Standard library
only, cheap to import."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import threading

DELAY = 2.0  # seconds before the line appears
INTERVAL = 0.25  # seconds between redraws


class Meter:
    """What the run is doing. A Meter without a stream does nothing."""

    def __init__(
        self, stream: TextIO | None = None, delay: float = DELAY, width: int = 80
    ) -> None:
        self.stream = stream
        self.delay = delay
        self.width = max(width - 1, 20)
        self.started = time.monotonic()
        self.what = ""
        self.done = 0
        self.total = 0
        self._shown = 0  # characters on screen
        self._drawn_at = 0.0
        self._thread: threading.Thread | None = None
        if stream is not None:
            # here: a hook that shows no line never imports threading
            import threading

            self._lock = threading.Lock()
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()

    def phase(self, what: str, total: int = 0) -> None:
        """A new phase: WHAT, over TOTAL files (0: not counted)."""
        self.what, self.done, self.total = what, 0, total
        self._maybe_draw()

    def step(self, count: int = 1) -> None:
        """COUNT more files of the phase are done."""
        self.done += count
        if self.stream is not None:
            self._maybe_draw()

    def close(self) -> None:
        """Stop, and erase the line if one is shown."""
        if self.stream is None:
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join(1.0)
        with self._lock:
            if self._shown:
                self._write("\r" + " " * self._shown + "\r")
                self._shown = 0
            self.stream = None

    # -- drawing ---------------------------------------------------------

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        count = f" {self.done}/{self.total} files" if self.total else ""
        text = f"dbdesign: {self.what}{count} ({elapsed:.0f} s)"
        return text[: self.width]

    def _tick(self) -> None:
        while not self._stop.wait(INTERVAL):
            self._maybe_draw(force=True)

    def _maybe_draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.stream is None or not self.what or now - self.started < self.delay:
            return
        if not force and now - self._drawn_at < INTERVAL:
            return
        with self._lock:
            if self.stream is None:
                return
            text = self.line()
            pad = " " * max(self._shown - len(text), 0)
            self._write("\r" + text + pad)
            self._shown = len(text)
            self._drawn_at = now

    def _write(self, text: str) -> None:
        assert self.stream is not None
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken terminal
            self._stop.set()


NULL = Meter()


def for_terminal(stream: TextIO) -> Meter:
    """A meter drawing on STREAM when it is a terminal, else one that does
    nothing. `DBDESIGN_PROGRESS_AFTER` (seconds) moves when the line first
    appears."""
    try:
        if not stream.isatty():
            return NULL
        width = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return NULL
    try:
        delay = float(os.environ.get("DBDESIGN_PROGRESS_AFTER", DELAY))
    except ValueError:
        delay = DELAY
    return Meter(stream, delay if 0 <= delay < 1e6 else DELAY, width or 80)
