"""A time bound on work that a repository can make slow, such as a regular
expression from its config that backtracks catastrophically.

Python's `re` checks for signals while it matches, so a timer signal stops
a runaway match: SIGALRM where there is one, else a watchdog thread that
interrupts the main thread. Off the main thread no signal can reach the
work and it runs unbounded (dbdesign runs its checks on the main thread)."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType


class Timeout(Exception):
    """The bounded work ran past its time."""


@contextlib.contextmanager
def bounded(seconds: float) -> Iterator[None]:
    """Run the body; raise Timeout in it once SECONDS have passed."""
    if seconds <= 0:
        raise Timeout
    if hasattr(signal, "setitimer"):
        with _alarm(seconds):
            yield
    else:  # pragma: no cover - Windows
        with _watchdog(seconds):
            yield


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def ring(signum: int, frame: FrameType | None) -> None:
        raise Timeout

    try:
        previous = signal.signal(signal.SIGALRM, ring)
    except ValueError:  # not the main thread: nothing can interrupt it
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _watchdog(seconds: float) -> Iterator[None]:  # pragma: no cover - Windows
    import _thread
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired = threading.Event()

    def ring() -> None:
        fired.set()
        _thread.interrupt_main()

    timer = threading.Timer(seconds, ring)
    timer.start()
    try:
        yield
    except KeyboardInterrupt:
        if fired.is_set():
            raise Timeout from None
        raise
    finally:
        timer.cancel()
        timer.join()
    if fired.is_set():
        # The body ended as the timer rang: take the interrupt here, where
        # it means nothing, rather than somewhere later.
        with contextlib.suppress(KeyboardInterrupt):
            for _ in range(1000):
                pass
