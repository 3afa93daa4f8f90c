"""The cache of sqlfluff results (SPEC 7): one JSON file per linted file,
named by a key over everything that decides the result (the text, the
sqlfluff config that applies, the dialect, the tool versions, and the
project: its real root and the file's path in it, so that one project's
entries never answer for another's).

The cache folder may be shared, or writable by other users of the
machine, so nothing read back is believed unchecked: an entry is used only
when it is a regular file owned by this user, within a size bound, JSON
(never a pickle) of the one shape the workers answer with, its key and
format ours, every line and column inside the file linted, every code one
sqlfluff could have given, every string bounded. Anything else is a miss:
the file is linted again, and its entry written anew."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dbdesign import rules, textio

FORMAT = 2
# The largest real entry (a 2 MB schema with a finding on every line) is a
# few megabytes; anything far beyond that is not ours.
MAX_ENTRY_BYTES = 32 << 20
MAX_MESSAGE = 2000  # sqlfluff's descriptions and our notes are far shorter
MAX_NAME = 200  # a rule's name, a dropped setting's name
MAX_IGNORED = 64
RESULT_KEYS = frozenset({"items", "ignored", "dialect"})
# sqlfluff's codes (LT01, PRS) and its plugins' (Example_L001).
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]{1,39}\Z")
_DIALECT = re.compile(r"[a-z][a-z0-9_]{0,39}\Z")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def cache_dir() -> Path:
    """`$DBDESIGN_CACHE_DIR`, else `$XDG_CACHE_HOME/dbdesign`, else
    `~/.cache/dbdesign` (SPEC 7)."""
    explicit = os.environ.get("DBDESIGN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "dbdesign"
    return Path.home() / ".cache" / "dbdesign"


def key(parts: Iterable[str]) -> str:
    """The key of an entry: a hash of PARTS, each kept apart."""
    digest = hashlib.sha256(f"v{FORMAT}".encode())
    for part in parts:
        digest.update(b"\0")
        digest.update(part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def entry_path(key: str) -> Path:
    return cache_dir() / "sqlfluff" / key[:2] / f"{key}.json"


def load(key: str, text: str) -> dict[str, Any] | None:
    """The cached result for KEY (the lint of TEXT), or None when there is
    none or it is anything but what `store` writes."""
    document = read_json(entry_path(key))
    if (
        not isinstance(document, dict)
        or set(document) != {"format", "key", "result"}
        or document["format"] != FORMAT
        or document["key"] != key
    ):
        return None
    result = document["result"]
    if not valid(result, text):
        return None
    assert isinstance(result, dict)
    return result


def read_json(path: Path, bound: int = MAX_ENTRY_BYTES) -> object:
    """The JSON document of the entry at PATH (`read_private`), or None
    when there is none or it is not JSON."""
    data = read_private(path, bound)
    if data is None:
        return None
    try:
        return json.loads(data)
    except (ValueError, RecursionError):  # not JSON, too deep, huge numbers
        return None


def read_private(path: Path, bound: int = MAX_ENTRY_BYTES) -> bytes | None:
    """PATH's bytes, if it is a cache entry to believe: not reached through
    a link, not a FIFO (which would block), not a file another user wrote,
    not beyond BOUND bytes. None otherwise (and when it cannot be read).
    Shared by every cache of dbdesign (`memo.py`)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > bound:
            return None
        if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= bound:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
        return None  # it grew past the bound while being read
    except OSError:
        return None
    finally:
        os.close(fd)


def valid(result: object, text: str) -> bool:
    """Whether RESULT has the shape a worker answers with for TEXT: what
    `load` requires of an entry, and `store` of what it writes."""
    if not isinstance(result, dict) or not set(result) <= RESULT_KEYS:
        return False
    items, ignored = result.get("items"), result.get("ignored")
    if not isinstance(items, list) or not isinstance(ignored, list):
        return False
    dialect = result.get("dialect")
    if dialect is not None and not (
        isinstance(dialect, str) and _DIALECT.match(dialect)
    ):
        return False
    if len(ignored) > MAX_IGNORED or not all(_name(n, 1) for n in ignored):
        return False
    lines = len(textio.split_lines(text)) + 1
    columns = len(text) + 2
    return all(_item(item, lines, columns) for item in items)


def _item(item: object, lines: int, columns: int) -> bool:
    if not isinstance(item, list) or len(item) != 7:
        return False
    kind, code, line, column, message, fixable, name = item
    if kind == "n":
        if code != "SQ009":
            return False
    elif kind != "v" or not (
        isinstance(code, str) and _CODE.match(code) and rules.get(code) is None
    ):
        return False
    if not _number(line, lines) or not _number(column, columns):
        return False
    if line is None and column is not None:
        return False
    return (
        isinstance(message, str)
        and 0 < len(message) <= MAX_MESSAGE
        and "\0" not in message
        and isinstance(fixable, bool)
        and _name(name, 0)
    )


def _number(value: object, bound: int) -> bool:
    if value is None:
        return True
    return (
        isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= bound
    )


def _name(value: object, shortest: int) -> bool:
    return (
        isinstance(value, str)
        and shortest <= len(value) <= MAX_NAME
        and not _CONTROL.search(value)
    )


def store(key: str, result: dict[str, Any], text: str) -> None:
    """Write RESULT (the lint of TEXT) as KEY's entry, if it is one `load`
    would believe. Atomic: a racing run reads the old entry or the new one,
    never half of one. A cache that cannot be written is no error."""
    if not valid(result, text):
        return
    target = entry_path(key)
    data = json.dumps({"format": FORMAT, "key": key, "result": result}).encode()
    if len(data) > MAX_ENTRY_BYTES:
        return
    write_private(target, data)


def write_private(target: Path, data: bytes) -> None:
    """Write a cache entry atomically (a racing run reads the old entry or
    the new one, never half of one), its folders made for this user alone.
    A cache that cannot be written is no error."""
    try:
        _folders(target.parent)
        textio.write_atomic(target, data, durable=False, follow=False)
    except OSError:
        pass


def _folders(folder: Path) -> None:
    # Made for this user alone (mkdir's `parents` would leave the mode of
    # all but the last to the umask).
    missing: list[Path] = []
    while not folder.is_dir():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700, exist_ok=True)
