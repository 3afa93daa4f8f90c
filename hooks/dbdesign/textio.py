"""Reading untrusted files safely, and the one atomic writer that fixes,
`init` and `erd --write` go through."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from pathlib import Path
from typing import NamedTuple

BOM = "\ufeff"
MAX_BYTES = 64 << 20  # no design artifact is this large; refuse to load more
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class Text(NamedTuple):
    """A decoded text file: TEXT has no BOM; line endings are as on disk."""

    path: str
    text: str
    bom: bool

    def lines(self) -> list[str]:
        """Lines without their endings, split where markdown-it and people
        split them (\\n, \\r\\n or a lone \\r)."""
        return split_lines(self.text)


class Unreadable(NamedTuple):
    """Why a file could not be read as text; REASON reads after the path
    ("is not UTF-8 (invalid byte at offset 12)")."""

    path: str
    reason: str
    missing: bool = False


def split_lines(text: str) -> list[str]:
    return _LINE_BREAK.split(text)


def line_starts(text: str) -> list[int]:
    """Offsets where each line of TEXT begins (line 1 is index 0)."""
    return [0] + [m.end() for m in _LINE_BREAK.finditer(text)]


def check_inside(root: Path, relpath: str) -> str | None:
    """None when ROOT/RELPATH stays inside ROOT after links are followed;
    else why not. Never reads the target."""
    if _no_link_below(root, relpath):
        return None  # the common case, without resolving the whole path
    path = root / relpath
    try:
        resolved = path.resolve(strict=False)
    except (RuntimeError, OSError):
        return "is a symbolic link loop; remove or replace the link"
    except ValueError:
        return "is not a valid file name (a NUL character)"
    try:
        real_root = root.resolve()
    except OSError:  # pragma: no cover - the root was readable a moment ago
        real_root = root
    if resolved != real_root and real_root not in resolved.parents:
        return (
            "is a symbolic link that leaves the project root; it is not "
            "followed, replace it with the file itself"
        )
    return None


def _no_link_below(root: Path, relpath: str, known: int = 0) -> bool:
    """True when no part of RELPATH below ROOT is a link (nor `..`): then
    ROOT/RELPATH is inside ROOT whatever ROOT itself is. False when that
    cannot be told cheaply (and on Windows, whose junctions are not links
    to lstat). The last KNOWN parts are known not to be links."""
    if os.name == "nt":
        return False
    parts = relpath.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return False
    current = os.fspath(root)
    for part in parts[: len(parts) - known]:
        current = os.path.join(current, part)
        try:
            if stat.S_ISLNK(os.lstat(current).st_mode):
                return False
        except (OSError, ValueError):
            return False
    return True


def leaves(boundary: Path, path: Path, what: str = "the project root") -> str | None:
    """None when PATH, once links are followed, stays inside BOUNDARY
    (called WHAT in the answer), or when PATH is named outside BOUNDARY to
    begin with (a file the person running us chose); else why not. How a
    path that comes from an option, an input or a config value is vetted
    before anything reads it."""
    try:
        named = os.path.normpath(path.absolute())
        top = os.path.normpath(boundary.absolute())
        if not Path(named).is_relative_to(top):
            return None
        real, real_top = path.resolve(), boundary.resolve()
    except (RuntimeError, OSError):
        return "is a symbolic link loop"
    except ValueError:
        return "is not a valid file name (a NUL character)"
    if real == real_top or real_top in real.parents:
        return None
    return f"leads out of {what} through a symbolic link"


def read(
    root: Path, relpath: str, max_bytes: int = MAX_BYTES, kind: str = "a text file"
) -> Text | Unreadable:
    """Read ROOT/RELPATH as UTF-8 text without trusting it: links that leave
    the root or loop, non-regular files, NUL bytes, bad UTF-8 and files over
    MAX_BYTES (the bound for KIND, see `limits`) come back as Unreadable
    with a reason, never as an exception."""
    path = os.path.join(root, relpath)  # strings: thousands of files a run
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return Unreadable(relpath, "does not exist", missing=True)
    except OSError as exc:
        return Unreadable(relpath, f"cannot be read ({exc.strerror})")
    except ValueError:  # a NUL in the name: no file can be called that
        return Unreadable(
            relpath, "is not a valid file name (a NUL character)", missing=True
        )
    # A link anywhere on the way (the file or a folder above it) may leave
    # the root: check where the path really goes before opening it.
    plain = not stat.S_ISLNK(info.st_mode) and _no_link_below(root, relpath, 1)
    outside = None if plain else check_inside(root, relpath)
    if outside:
        return Unreadable(relpath, outside)
    if stat.S_ISLNK(info.st_mode):
        try:
            info = os.stat(path)
        except OSError:
            return Unreadable(relpath, "is a broken symbolic link")
    if stat.S_ISDIR(info.st_mode):
        return Unreadable(relpath, "is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        return Unreadable(relpath, "is not a regular file")
    if info.st_size > max_bytes:
        return _too_large(relpath, info.st_size, max_bytes, kind)
    try:
        with open(path, "rb") as handle:
            # Asking for max_bytes at once would allocate that much for
            # every file: ask for its size, and more only if it grew.
            data = handle.read(min(info.st_size, max_bytes) + 1)
            if len(data) > info.st_size:
                data += handle.read(max(max_bytes + 1 - len(data), 0))
    except OSError as exc:
        return Unreadable(relpath, f"cannot be read ({exc.strerror})")
    if len(data) > max_bytes:  # it grew since the stat
        return _too_large(relpath, len(data), max_bytes, kind)
    return decode(relpath, data)


def _too_large(relpath: str, size: int, max_bytes: int, kind: str) -> Unreadable:
    return Unreadable(
        relpath,
        f"is {size:,} bytes, over the {max_bytes:,}-byte bound for {kind} "
        "(README: Limits); make it smaller or split it",
    )


def decode(relpath: str, data: bytes) -> Text | Unreadable:
    nul = data.find(b"\0")
    if nul >= 0:
        return Unreadable(
            relpath, f"is binary (a NUL byte at offset {nul}); save it as UTF-8 text"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Unreadable(
            relpath,
            f"is not UTF-8 (invalid byte at offset {exc.start}); save it as UTF-8",
        )
    bom = text.startswith(BOM)
    return Text(relpath, text[1:] if bom else text, bom)


def encode(text: str, bom: bool) -> bytes:
    return ((BOM if bom else "") + text).encode("utf-8")


# The temporary file of an atomic write: `.<name>.dbdesign-<random>.tmp`
# (tempfile's eight random characters). A run killed while it writes leaves
# one behind: it is never a finding, and a later write in the folder removes
# it once it is STALE_SECONDS old (a younger one may be another run's).
TEMPORARY = re.compile(r"\.(?P<target>.+)\.dbdesign-[a-z0-9_]{8}\.tmp")
STALE_SECONDS = 600


def is_temporary(name: str) -> bool:
    """Whether NAME (a path; its last part counts) is a temporary file of
    our atomic writer."""
    return TEMPORARY.fullmatch(name.rsplit("/", 1)[-1]) is not None


def remove_stale(folder: Path, now: float | None = None) -> list[str]:
    """Remove the temporary files of our atomic writer in FOLDER that are
    older than STALE_SECONDS: regular files (never a link) of this user
    whose name is exactly ours. Returns the names removed."""
    import time

    now = time.time() if now is None else now
    uid = os.getuid() if hasattr(os, "getuid") else None
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if not is_temporary(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if (
                stat.S_ISREG(info.st_mode)
                and uid in (None, info.st_uid)
                and now - info.st_mtime > STALE_SECONDS
            ):
                os.unlink(entry.path)
                removed.append(entry.name)
        except OSError:
            continue  # gone already, or not ours to remove
    return removed


class LeavesRoot(OSError):
    """A write that would go through a symbolic link out of the root, or
    into a link loop; strerror says which."""


def write_target(path: Path, root: Path | None = None) -> Path:
    """Where writing PATH lands: a symbolic link is written through, to
    its target, so that it stays a link (as editors, ruff and black do);
    with ROOT, a target outside ROOT (or a loop) is LeavesRoot, never
    written."""
    if root is not None:
        why = leaves(root, path)
        if why:
            raise LeavesRoot(
                errno.EXDEV,
                f"{path.name} {why}; it is not written, replace the link "
                "with the file itself",
            )
    if not path.is_symlink():
        return path
    try:
        return path.resolve(strict=False)
    except (RuntimeError, OSError):
        raise LeavesRoot(
            errno.ELOOP, f"{path.name} is a symbolic link loop; it is not written"
        ) from None


def write_atomic(
    path: Path,
    data: bytes,
    durable: bool = True,
    root: Path | None = None,
    follow: bool = True,
) -> None:
    """Write DATA to PATH through a temporary file in the same folder and a
    rename, keeping PATH's mode: an interrupted write leaves the old file
    whole (and a temporary file that a later write removes), and a racing
    reader sees the old file or the new one. DURABLE also flushes it to disk
    and sweeps the folder's stale temporary files (neither is worth it for a
    cache entry). A link at PATH is written through (write_target); ROOT,
    where given, is the folder no write may leave. Without FOLLOW a link at
    PATH is replaced (a cache entry: a link there was planted, not made by
    the user)."""
    import tempfile  # here: only fixes and init write, and it is slow to import

    if follow:
        path = write_target(path, root)
    if _special(path):
        # `--output /dev/null` or a FIFO: written as a shell redirection
        # would; renaming over it would replace the device with a file.
        with open(path, "wb") as handle:
            handle.write(data)
        return
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    if durable:
        remove_stale(folder)
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.dbdesign-", suffix=".tmp", dir=folder
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _special(path: Path) -> bool:
    """Whether PATH exists and is neither a regular file nor a folder (a
    device, a FIFO, a socket)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def printable(text: str) -> str:
    """TEXT with control characters (a newline in a file name, an escape
    sequence) shown as escapes, so that one finding stays one line and no
    file name can drive the terminal."""
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


def inert(text: str) -> str:
    """TEXT as printable() shows it, and with nothing a CI runner obeys as
    a workflow command: GitHub's runner reads `##[name]` anywhere in a line
    of stdout or stderr, and `::name::` after leading blanks. For the one
    line messages (errors, `Fixing <path>`) that quote repository text."""
    text = printable(text).replace("##[", "#\\x23[")
    blank = len(text) - len(text.lstrip())
    if text.startswith("::", blank):
        text = text[:blank] + "\\x3a" + text[blank + 1 :]
    return text


def inert_json(document: str) -> str:
    """A JSON DOCUMENT that decodes to the same data but shows a CI log no
    workflow command (`##[` can only occur inside a string, where `\\u005b`
    reads as `[`) and no control character (json escapes C0, not DEL, C1
    or format characters such as U+202E, nor a lone surrogate from an
    undecodable file name)."""
    document = document.replace("##[", "##\\u005b")
    if document.isascii():
        return document.replace("\x7f", "\\u007f")
    return _UNPRINTABLE.sub(_json_escape, document)


_UNPRINTABLE = re.compile(r"[^\x00-\x7e]")


def _json_escape(match: re.Match[str]) -> str:
    import unicodedata

    ch = match.group()
    if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp"):
        return ch
    code = ord(ch)
    if code < 0x10000:  # a lone surrogate too: JSON can say it
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON escapes are UTF-16 code units
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def one_line(text: str, limit: int | None = None, ellipsis: str = "…") -> str:
    """TEXT on one printable line (whitespace runs, line breaks too, become
    one space), cut to LIMIT characters."""
    flat = printable(" ".join(text.split()))
    if limit is not None and len(flat) > limit:
        flat = flat[: limit - len(ellipsis)].rstrip() + ellipsis
    return flat
