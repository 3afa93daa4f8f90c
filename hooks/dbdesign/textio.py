"""Reading untrusted files safely, and the one atomic writer that fixes,
`init` and `erd --write` go through."""

from __future__ import annotations

import contextlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

BOM = "\ufeff"
MAX_BYTES = 64 << 20  # no design artifact is this large; refuse to load more
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Text:
    """A decoded text file: TEXT has no BOM; line endings are as on disk."""

    path: str
    text: str
    bom: bool

    def lines(self) -> list[str]:
        """Lines without their endings, split where markdown-it and people
        split them (\\n, \\r\\n or a lone \\r)."""
        return split_lines(self.text)


@dataclass(frozen=True)
class Unreadable:
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


def read(root: Path, relpath: str, max_bytes: int = MAX_BYTES) -> Text | Unreadable:
    """Read ROOT/RELPATH as UTF-8 text without trusting it: links that leave
    the root or loop, non-regular files, NUL bytes, bad UTF-8 and huge files
    come back as Unreadable with a reason, never as an exception."""
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
        return Unreadable(
            relpath,
            f"is {info.st_size} bytes, over the {max_bytes} byte limit for a text file",
        )
    try:
        with open(path, "rb") as handle:
            # Asking for max_bytes at once would allocate that much for
            # every file: ask for its size, and more only if it grew.
            data = handle.read(min(info.st_size, max_bytes) + 1)
            if len(data) > info.st_size:
                data += handle.read(max(max_bytes + 1 - len(data), 0))
    except OSError as exc:
        return Unreadable(relpath, f"cannot be read ({exc.strerror})")
    return decode(relpath, data)


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


def write_atomic(path: Path, data: bytes, durable: bool = True) -> None:
    """Write DATA to PATH through a temporary file in the same folder and a
    rename, keeping PATH's mode: an interrupted write leaves the old file
    whole, and a racing reader sees the old file or the new one. DURABLE
    also flushes it to disk (not worth it for a cache entry)."""
    import tempfile  # here: only fixes and init write, and it is slow to import

    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
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


def one_line(text: str, limit: int | None = None, ellipsis: str = "…") -> str:
    """TEXT on one printable line (whitespace runs, line breaks too, become
    one space), cut to LIMIT characters."""
    flat = printable(" ".join(text.split()))
    if limit is not None and len(flat) > limit:
        flat = flat[: limit - len(ellipsis)].rstrip() + ellipsis
    return flat
