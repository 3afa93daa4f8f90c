"""The migration integrity file, `<migrations>/dbdesign.sum` (MG007), and
`dbdesign migrations hash`, which writes it.

The first line is a hash of the whole list; then one line per migration file
in the order they run: its name inside the folder and a hash of its content
(line endings do not count, so a checkout with CRLF endings still matches).
Two branches that each add a migration both rewrite the first line and
append below the same last line, so git always makes them conflict, as with
Atlas's atlas.sum."""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dbdesign import naming, textio

PREFIX = "h1:"
_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r"}
_UNESCAPE = re.compile(r"\\(\\|n|r|x[0-9a-f]{2})")
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?: |$)")


@dataclass(frozen=True)
class Entry:
    name: str
    digest: str
    line: int = 0  # where it was read from, 0 when computed


@dataclass(frozen=True)
class SumFile:
    total: str
    entries: tuple[Entry, ...]


class SumError(Exception):
    """The file cannot be read as a sum file; LINE is where."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def digest(data: bytes) -> str:
    """The content hash of a migration: sha256 of its bytes with CRLF
    endings as LF, base64."""
    normalised = data.replace(b"\r\n", b"\n")
    return PREFIX + base64.b64encode(hashlib.sha256(normalised).digest()).decode()


_SPECIAL = re.compile(r"[\\\n\r\udc80-\udcff]")


def escape(name: str) -> str:
    if not _SPECIAL.search(name):
        return name
    out = []
    for char in name:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif "\udc80" <= char <= "\udcff":  # an undecodable byte of the name
            out.append(f"\\x{ord(char) - 0xDC00:02x}")
        else:
            out.append(char)
    return "".join(out)


def unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match[1]
        if code.startswith("x"):
            return chr(0xDC00 + int(code[1:], 16))
        return {"\\": "\\", "n": "\n", "r": "\r"}[code]

    return _UNESCAPE.sub(one, text)


def body(entries: Sequence[Entry]) -> str:
    """The lines below the first, whose hash the first line is."""
    return "".join(f"{escape(e.name)} {e.digest}\n" for e in entries)


def render(entries: Sequence[Entry]) -> str:
    """The sum file's text for ENTRIES (in the order given)."""
    lines = body(entries)
    return total_of(lines) + "\n" + lines


def total_of(body: str) -> str:
    data = body.encode("utf-8", "surrogateescape")
    return PREFIX + base64.b64encode(hashlib.sha256(data).digest()).decode()


def parse(text: str) -> SumFile:
    """TEXT as a sum file; SumError at the first line that is not one."""
    lines = textio.split_lines(text)
    if lines and lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        if _CONFLICT.match(line):
            raise SumError(
                number,
                "has git conflict markers: two branches "
                "added migrations; merge or rebase so that every "
                "migration has its own version, then run "
                "`dbdesign migrations hash`",
            )
    if not lines or not lines[0].startswith(PREFIX) or " " in lines[0]:
        raise SumError(
            1,
            f"does not start with the list's hash "
            f"(`{PREFIX}...`); run `dbdesign migrations hash`",
        )
    entries = []
    for number, line in enumerate(lines[1:], start=2):
        name, sep, value = line.rpartition(" ")
        if not sep or not name or not value.startswith(PREFIX):
            raise SumError(
                number, "is not `<file> h1:<hash>`; run `dbdesign migrations hash`"
            )
        entries.append(Entry(unescape(name), value, number))
    return SumFile(lines[0], tuple(entries))


def compute(root: Path, folder: naming.Folder) -> tuple[list[Entry], list[str]]:
    """The entries for FOLDER's migrations as they are on disk, and the
    names that could not be read."""
    entries: list[Entry] = []
    unreadable: list[str] = []
    base = os.path.join(root, folder.path)
    for migration in folder.migrations:
        try:
            data = _read_bytes(os.path.join(base, migration.name))
        except OSError:
            unreadable.append(migration.name)
            continue
        entries.append(Entry(migration.name, digest(data)))
    return entries, unreadable


def _read_bytes(path: str) -> bytes:
    # A raw descriptor: a quarter of the cost of open() on thousands of
    # small files, which is most of this check's time on a big folder.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
