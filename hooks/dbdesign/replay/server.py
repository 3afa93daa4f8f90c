"""Where the replay runs: a server named by URL (on which each run makes a
throwaway database and always drops it), or an ephemeral server of our own
(initdb into a temporary folder, a Unix socket only, fsync off), always
stopped and removed: on success, failure, Ctrl-C and SIGTERM. PostgreSQL
refuses to run as root, so as root the server runs as an unprivileged
account."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass

PORT = 5432  # only names the socket file: the server listens on no TCP port
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes with the file name in it


class NoServer(Exception):
    """No PostgreSQL server can be had; str() says why and how to provide
    one, in one sentence."""


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived during a replay: raised from the handler so
    that every `finally` (stop the server, drop the database) runs."""


HOW_TO_PROVIDE = (
    "install PostgreSQL's server (e.g. `apt-get install postgresql`), set "
    "`replay.postgres_bin` to the folder with initdb and pg_ctl, or pass "
    "--database-url (or $DBDESIGN_DATABASE_URL)"
)


@dataclass(frozen=True)
class Target:
    """A server on which throwaway databases are made: ADMIN connects to
    its maintenance database; BINDIR holds pg_dump for --write-schema."""

    admin: Mapping[str, str]
    bindir: Path | None
    ephemeral: bool
    version: int = 0  # server_version_num, e.g. 150018
    log: Path | None = field(default=None, compare=False)

    @property
    def major(self) -> int:
        return self.version // 10000


# -- signals ------------------------------------------------------------------------


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise Terminated (once: a second
    signal does not interrupt the clean-up), so that servers are stopped and
    databases dropped as on Ctrl-C. Only the main thread can set handlers;
    elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {sig: signal.getsignal(sig) for sig in wanted}
    fired = False

    def handler(signum: int, frame: object) -> None:
        nonlocal fired
        if fired:
            return
        fired = True
        raise Terminated(signal.Signals(signum).name)

    for sig in wanted:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


# -- the ephemeral server -------------------------------------------------------------


def _account() -> tuple[int, int] | None:
    """(uid, gid) of the unprivileged account the server runs as when we are
    root: `postgres` where the distribution made one, else `nobody`; None
    when we are not root."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import pwd

    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        if entry.pw_uid != 0:
            return entry.pw_uid, entry.pw_gid
    raise NoServer(
        "running as root, and no unprivileged account (postgres or nobody) "
        "exists to run PostgreSQL, which refuses root; create one "
        "(`useradd postgres`) or pass --database-url"
    )


def _temp_parent(account: tuple[int, int] | None) -> str | None:
    """Where the temporary folder goes: the usual place, unless its path is
    too long for a Unix socket or the server's account cannot reach it."""
    import tempfile

    base = tempfile.gettempdir()
    too_long = len(os.path.join(base, "dbdesign-pg-XXXXXXXX", ".s.PGSQL.5432")) > (
        _SOCKET_PATH_MAX
    )
    if too_long or (account is not None and not _world_reachable(Path(base))):
        return "/tmp"
    return None


def _world_reachable(path: Path) -> bool:
    for folder in [path, *path.parents]:
        try:
            if not folder.stat().st_mode & 0o001:
                return False
        except OSError:
            return False
    return True


def _as_account(account: tuple[int, int] | None) -> dict[str, Any]:
    """subprocess arguments that run a child as ACCOUNT (no supplementary
    groups: root's must not leak into the server)."""
    if account is None:
        return {}
    uid, gid = account
    return {"user": uid, "group": gid, "extra_groups": []}


def _die_with_parent() -> Callable[[], None] | None:
    """For the server's child process: stop (SIGQUIT, PostgreSQL's immediate
    shutdown) if dbdesign dies without cleaning up (SIGKILL). Linux only;
    set after the uid change, which would clear it. Loaded here, in the
    parent: a forked child must not import."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    quit_signal = int(signal.SIGQUIT)

    def set_death_signal() -> None:
        prctl(1, quit_signal)  # PR_SET_PDEATHSIG

    return set_death_signal


@contextlib.contextmanager
def ephemeral(bindir: Path) -> Iterator[Target]:
    """A fresh PostgreSQL server from BINDIR in a temporary folder, on a
    Unix socket only, stopped and removed on the way out whatever
    happens."""
    import tempfile

    account = _account()
    tmp = Path(tempfile.mkdtemp(prefix="dbdesign-pg-", dir=_temp_parent(account)))
    process: subprocess.Popen[bytes] | None = None
    try:
        if account is not None:
            os.chown(tmp, *account)
        data = tmp / "data"
        log = tmp / "server.log"
        env = {**os.environ, "LC_ALL": "C", "TZ": "UTC"}
        for key in ("PGDATA", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE"):
            env.pop(key, None)
        init = [
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]
        try:
            out = subprocess.run(
                init,
                capture_output=True,
                text=True,
                errors="replace",
                env=env,
                cwd=tmp,
                timeout=300,
                check=False,
                **_as_account(account),
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise NoServer(
                f"initdb in {bindir} could not run ({exc}); {HOW_TO_PROVIDE}"
            ) from None
        if out.returncode != 0:
            raise NoServer(
                f"initdb in {bindir} failed ({last_line(out.stderr or out.stdout)}); "
                f"{HOW_TO_PROVIDE}"
            )
        with open(log, "wb") as sink:
            process = subprocess.Popen(
                [
                    str(bindir / "postgres"),
                    "-D",
                    str(data),
                    "-k",
                    str(tmp),
                    "-p",
                    str(PORT),
                    "-F",  # fsync off: the database is thrown away
                    "-c",
                    "listen_addresses=",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "max_connections=20",
                    "-c",
                    "shared_buffers=32MB",
                    "-c",
                    "unix_socket_permissions=0700",
                    "-c",
                    "max_locks_per_transaction=256",
                ],
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=tmp,
                # Its own session: a Ctrl-C in the terminal reaches us, and we
                # stop the server in order.
                start_new_session=True,
                preexec_fn=_die_with_parent(),
                **_as_account(account),
            )
        admin = {"host": str(tmp), "port": str(PORT), "user": "postgres"}
        version = _wait_ready(process, admin, log)
        yield Target(admin, bindir, True, version, log)
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(tmp, ignore_errors=True)


def _wait_ready(
    process: subprocess.Popen[bytes], admin: Mapping[str, str], log: Path
) -> int:
    import psycopg

    deadline = time.monotonic() + START_TIMEOUT
    socket = Path(admin["host"]) / f".s.PGSQL.{admin['port']}"
    delay = 0.01
    while True:
        if process.poll() is not None:
            raise NoServer(
                "the ephemeral PostgreSQL server stopped at start-up "
                f"({last_line(_tail(log))}); {HOW_TO_PROVIDE}"
            )
        if socket.exists():
            try:
                with psycopg.connect(
                    dsn({**admin, "dbname": "postgres"}),
                    autocommit=True,
                    connect_timeout=5,
                ) as conn:
                    return int(conn.info.server_version)
            except psycopg.OperationalError:
                pass
        if time.monotonic() > deadline:
            raise NoServer(
                f"the ephemeral PostgreSQL server did not start within "
                f"{START_TIMEOUT:.0f} s ({last_line(_tail(log))}); {HOW_TO_PROVIDE}"
            )
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL."""
    for sig, wait in (
        (signal.SIGINT, STOP_TIMEOUT),
        (signal.SIGQUIT, 5.0),
        (signal.SIGKILL, 5.0),
    ):
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            process.send_signal(sig)
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-2000:]
    except OSError:
        return ""


def last_line(text: str) -> str:
    """TEXT's last non-blank line, stripped (\"no message\" when none)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def dsn(params: Mapping[str, str]) -> str:
    """PARAMS as a libpq connection string."""
    from psycopg import conninfo

    return conninfo.make_conninfo(**params)
