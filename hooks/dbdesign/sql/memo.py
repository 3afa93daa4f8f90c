"""The cache of parsed SQL files (issue 14): what each file says (its
statements, syntax errors, and the Effects of the statements the Catalog
and the safety rules read), so that a run parses only the files that are
new or changed. Migrations never change once applied (MG004), so a
migration is parsed once, ever; the schema file once per content.

Each record is content-addressed: its key is a hash of the file's text,
the dialect, the format and the versions of dbdesign, sqlglot and pglast
(nothing else decides what parsing says). The records of one project live
in 16 entries by the first digit of their key (a handful of files to read
on a warm run, however many migrations), `sql/<key>-<digit>.json` in the
cache folder, keyed by the project's real root, the dialect and the
versions; beside them, `sql/<key>-replay.json` holds the replay's state
after the migrations the last run did not judge (`snapshot.py`), keyed
by the chain of their paths and record keys. A run that parsed a file
writes its entry again, atomically: a run racing it reads the old entry
or the new one.

Never a pickle: the cache folder may be writable by others, so nothing read
back is believed unchecked (`fluff_cache.read_private`: a regular file of
this user, within a bound), and every record must have exactly the shape
`encode` writes, every number in range for the text it describes, every
op, fact and string of the types `effects.OPS`, `effects.SAFETY` and
`lockfacts.FACTS` give. A record that is anything else is a miss: the file is
parsed again."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dbdesign import __version__
from dbdesign.sql import lockfacts, snapshot
from dbdesign.sql.effects import OPS, SAFETY, Effects
from dbdesign.sql.fluff_cache import cache_dir, read_json, write_private
from dbdesign.sql.glotparse import MAX_STATEMENT
from dbdesign.sql.parsed_file import ParsedFile, SyntaxProblem, Verdict
from dbdesign.sql.split import Statement

FORMAT = 1
MAX_PACK_BYTES = 256 << 20
MAX_TEXT = MAX_STATEMENT  # no name, note or message is longer
MAX_ITEMS = snapshot.MAX_ITEMS
# Keep records of files this run did not read (another hook's, an older
# version of a file) up to this many.
MAX_IDLE = 20_000
_UNTERMINATED = frozenset(
    {None, "string", "comment", "quoted name", "dollar-quoted string"}
)
# statements, errors, skipped, unchecked, notes, unreadable, effects
_RECORD_KEYS = frozenset({"s", "e", "k", "u", "n", "r", "f"})


def versions() -> str:
    """What decides how a file is parsed, besides its text and dialect:
    the versions of dbdesign and of the parsers, read from the installed
    distributions' folder names (importlib.metadata costs a tenth of a
    second to import, more than a warm run's whole budget for it)."""
    found = {"sqlglot": "missing", "pglast": "missing"}
    wanted = set(found)
    for entry in sys.path:
        if not wanted:
            break
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            m = _DIST_INFO.match(name)
            if m and m["name"].lower() in wanted:
                found[m["name"].lower()] = m["version"]
                wanted.discard(m["name"].lower())
    parts = [f"dbdesign={__version__}", *(f"{k}={v}" for k, v in found.items())]
    return ",".join(parts)


_DIST_INFO = re.compile(r"(?P<name>[A-Za-z0-9_.]+)-(?P<version>[^-]+)\.dist-info\Z")


class Memo:
    """The records of one project and dialect, in SHARDS entries by the
    first digit of their key (a run that needs a few records reads a
    sixteenth of them), each read once and written back when this run
    parsed a file of it (`flush`); and the replay state the last run
    kept (`replayed`)."""

    def __init__(self, root: Path, dialect: str) -> None:
        self.dialect = dialect
        self.versions = versions()
        self.key = _hash(("pack", self.versions, dialect, str(root.resolve())))
        self.folder = cache_dir() / "sql" / self.key[:2]
        self.shards: dict[str, dict[str, object]] = {}  # as read back
        self.used: dict[str, object] = {}  # records of this run
        self.dirty: set[str] = set()  # shards to write back
        self.hits = self.misses = 0

    def record_key(self, text: str) -> str:
        return _hash(("file", self.versions, self.dialect, text))

    def _shard(self, shard: str) -> dict[str, object]:
        if shard not in self.shards:
            name = f"{self.key}-{shard}"
            loaded = _load(self.folder / f"{name}.json", name)
            self.shards[shard] = loaded if isinstance(loaded, dict) else {}
        return self.shards[shard]

    def get(self, path: str, text: str) -> ParsedFile | None:
        """PATH (whose text as written is TEXT) as it was parsed before, or
        None."""
        key = self.record_key(text)
        record = self.used.get(key) or self._shard(key[0]).get(key)
        found = None if record is None else decode(path, self.dialect, text, record)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self.used[key] = record
        return found

    def put(self, parsed: ParsedFile, text: str) -> None:
        """Keep PARSED, parsed from TEXT as written (its down sections, if
        any, blanked: no statement moves)."""
        if not parsed.cacheable:
            return
        key = self.record_key(text)
        self.used[key] = encode(parsed)
        self.dirty.add(key[0])

    def flush(self) -> None:
        """Write back the shards this run parsed a file of: this run's
        records, and the others read back while they are not too many."""
        for shard in sorted(self.dirty):
            stored = self._shard(shard)
            records = {k: v for k, v in self.used.items() if k[0] == shard}
            idle = [k for k in stored if k not in records]
            if len(idle) <= MAX_IDLE // SHARDS:
                for key in idle:
                    records[key] = stored[key]
            name = f"{self.key}-{shard}"
            _store(self.folder / f"{name}.json", name, records)
            self.shards[shard] = records
        self.dirty.clear()

    # -- the replay's state after its first N migrations --------------------

    def replayed(self) -> dict[str, Any] | None:
        """The replay state kept last: `count`, `chain` and `state`, or
        None (`snapshot.decode` checks the state itself)."""
        name = f"{self.key}-replay"
        document = _load(self.folder / f"{name}.json", name)
        if (
            not isinstance(document, dict)
            or document.keys() != {"count", "chain", "state"}
            or type(document["count"]) is not int
            or not isinstance(document["chain"], str)
        ):
            return None
        return document

    def keep_replayed(self, count: int, chain: str, state: dict[str, Any]) -> None:
        name = f"{self.key}-replay"
        document = {"count": count, "chain": chain, "state": state}
        _store(self.folder / f"{name}.json", name, document)

    # -- the schema file's Catalog, by the schema's content ------------------

    def schema_kept(self, key: str) -> dict[str, Any] | None:
        """The schema file's verdict and Catalog state kept for the text of
        record KEY, or None."""
        name = f"{self.key}-schema"
        document = _load(self.folder / f"{name}.json", name)
        if (
            not isinstance(document, dict)
            or document.keys() != {"file", "verdict", "state"}
            or document["file"] != key
        ):
            return None
        return document

    def keep_schema(self, key: str, verdict: Verdict, state: dict[str, Any]) -> None:
        name = f"{self.key}-schema"
        document = {"file": key, "verdict": encode_verdict(verdict), "state": state}
        _store(self.folder / f"{name}.json", name, document)


SHARDS = 16


def chain(before: str, path: str, key: str) -> str:
    """The key of a replay's first N+1 files: that of the first N, BEFORE,
    and the next file's PATH and record KEY."""
    return _hash(("chain", before, path, key))


def _hash(parts: tuple[str, ...]) -> str:
    digest = hashlib.sha256(f"dbdesign-sql-v{FORMAT}".encode())
    for part in parts:
        digest.update(b"\0")
        digest.update(part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _store(path: Path, key: str, content: object) -> None:
    document = {"format": FORMAT, "key": key, "content": content}
    data = json.dumps(document, separators=(",", ":")).encode("utf-8")
    if len(data) <= MAX_PACK_BYTES:
        write_private(path, data)


def _load(path: Path, key: str) -> object:
    """The content of the entry at PATH if it is one `_store` wrote under
    KEY, else None."""
    document = read_json(path, MAX_PACK_BYTES)
    # The collector would walk these objects again at every generation-2
    # pass of the run (seconds, for thousands of migrations); they live
    # until the process ends anyway.
    gc.freeze()
    if (
        not isinstance(document, dict)
        or document.keys() != {"format", "key", "content"}
        or document["format"] != FORMAT
        or document["key"] != key
    ):
        return None
    return document["content"]


# -- records -------------------------------------------------------------------


def encode(parsed: ParsedFile) -> dict[str, object]:
    """PARSED as plain data, without its text (which keys it)."""
    return {
        "s": [
            [st.start, len(st.text), st.line, st.column, st.depth, st.unterminated]
            for st in parsed.statements
        ],
        "e": [[e.line, e.column, e.message] for e in parsed.errors],
        "k": parsed.skipped,
        "u": [list(item) for item in parsed.unchecked],
        "n": list(parsed.notes),
        "r": [list(item) for item in parsed.unreadable],
        "f": [
            [
                index,
                list(e.ops),
                e.create,
                e.alter,
                None if e.drop is None else list(e.drop),
                e.safety,
                e.locks,
            ]
            for index, e in sorted(parsed.effects.items())
        ],
    }


def decode(path: str, dialect: str, text: str, record: object) -> ParsedFile | None:
    """The ParsedFile RECORD says PATH (with TEXT) is, or None when RECORD
    is anything but what `encode` writes for a text like TEXT."""
    try:
        return _decode(path, dialect, text, record)
    except _Invalid:
        return None


_Invalid = snapshot.Invalid


def _decode(path: str, dialect: str, text: str, record: object) -> ParsedFile:
    if type(record) is not dict or record.keys() != _RECORD_KEYS:
        raise _Invalid
    lines = text.count("\n") + text.count("\r") - text.count("\r\n") + 1
    check = _Checker(lines, len(text) + 2)
    parsed = ParsedFile(path, dialect, text)
    parsed.statements = _statements(record["s"], text, check)
    verdict = _verdict(dialect, record, check)
    parsed.errors, parsed.skipped = verdict.errors, verdict.skipped
    parsed.unchecked, parsed.notes = verdict.unchecked, verdict.notes
    parsed.unreadable = [
        check.line_and_text(item) for item in check.rows(record["r"], 2)
    ]
    last = -1
    count = len(parsed.statements)
    fact = check.fact
    for item in check.rows(record["f"], 7):
        index, ops, create, alter, drop, safety, lock_facts = item
        if type(index) is not int or not last < index < count:
            raise _Invalid
        last = index
        op_check = check.op
        for op in check.rows(ops):
            op_check(op)
        if type(create) is not bool:
            raise _Invalid
        if alter is not None:
            check.text(alter)
        if drop is not None:
            fact(["drop", *drop] if type(drop) is list else drop, _DROP)
            drop = (drop[0], tuple(drop[1]), drop[2])
        if safety is not None:
            fact(safety, SAFETY)
            safety = tuple(safety)
        if lock_facts is not None:
            fact(lock_facts, lockfacts.FACTS)
            lock_facts = tuple(lock_facts)
        parsed.effects[index] = Effects(
            tuple(map(tuple, ops)), create, alter, drop, safety, lock_facts
        )
    return parsed


_DROP: Mapping[str, tuple[object, ...]] = {"drop": ("s", "l", "b")}


def encode_verdict(verdict: Verdict) -> dict[str, object]:
    return {
        "e": [[e.line, e.column, e.message] for e in verdict.errors],
        "k": verdict.skipped,
        "u": [list(item) for item in verdict.unchecked],
        "n": list(verdict.notes),
    }


def decode_verdict(dialect: str, text: str, data: object) -> Verdict | None:
    """The Verdict DATA (as `encode_verdict` writes it) says TEXT has, or
    None when DATA is anything else."""
    if type(data) is not dict or data.keys() != {"e", "k", "u", "n"}:
        return None
    lines = text.count("\n") + text.count("\r") - text.count("\r\n") + 1
    try:
        return _verdict(dialect, data, _Checker(lines, len(text) + 2))
    except _Invalid:
        return None


def _verdict(dialect: str, record: dict[str, Any], check: _Checker) -> Verdict:
    errors = []
    for line, column, message in check.rows(record["e"], 3):
        check.line(line)
        check.column(column)
        check.text(message, 1)
        errors.append(SyntaxProblem(line, column, message))
    if record["k"] is not None:
        check.text(record["k"], 1)
    unchecked = [check.line_and_text(item) for item in check.rows(record["u"], 2)]
    for note in check.rows(record["n"]):
        check.text(note, 1)
    return Verdict(dialect, errors, record["k"], unchecked, list(record["n"]))


def _statements(rows: object, text: str, check: _Checker) -> list[Statement]:
    out = []
    end = 0
    size = len(text)
    for row in check.rows(rows, 6):
        start, length, line, column, depth, unterminated = row
        if not (
            type(start) is int
            and type(length) is int
            and type(depth) is int
            and end <= start
            and 0 < length <= size - start
            and 0 <= depth <= size
            and unterminated in _UNTERMINATED
        ):
            raise _Invalid
        check.line(line)
        check.column(column)
        end = start + length
        out.append(Statement(text[start:end], start, line, column, depth, unterminated))
    return out


class _Checker:
    """Type and range checks against the text a record describes; each
    failure raises _Invalid. Written for speed: a warm run checks some ten
    facts for each of thousands of migrations."""

    def __init__(self, lines: int, columns: int) -> None:
        self.lines = lines
        self.columns = columns

    rows = staticmethod(snapshot.rows)

    def text(self, value: object, shortest: int = 0) -> None:
        if type(value) is not str or not shortest <= len(value) <= MAX_TEXT:
            raise _Invalid

    def line(self, value: object) -> None:
        if type(value) is not int or not 1 <= value <= self.lines:
            raise _Invalid

    def column(self, value: object) -> None:
        if type(value) is not int or not 1 <= value <= self.columns:
            raise _Invalid

    def line_and_text(self, item: list[Any]) -> tuple[int, str]:
        self.line(item[0])
        self.text(item[1], 1)
        return item[0], item[1]

    def op(self, value: object) -> None:
        """An op of `effects.OPS`; the ones a schema is made of (a column,
        most of all) checked in one go, the others by `fact`."""
        if type(value) is list and len(value) == 8 and value[0] == "column":
            _, table, name, kind, nullable, default, origin, spelled = value
            if not (
                type(table) is str
                and type(name) is str
                and type(kind) is str
                and type(nullable) is bool
                and (default is None or type(default) is str)
                and type(spelled) is str
            ):
                raise _Invalid
            if origin is not None:
                if type(origin) is not list or len(origin) != 2:
                    raise _Invalid
                line, column = origin
                if (
                    type(line) is not int
                    or not 1 <= line <= self.lines
                    or not (
                        column is None
                        or (type(column) is int and 1 <= column <= self.columns)
                    )
                ):
                    raise _Invalid
            return
        self.fact(value, OPS)

    def fact(self, value: object, specs: Mapping[str, tuple[object, ...]]) -> None:
        """VALUE is `[tag, item...]` with the items SPECS[tag] gives: a code
        (`s` text, `s?` text or None, `b` bool, `b?` bool or None, `i` a
        count, `o` an origin, `l` a list of texts), or a mapping (a list of
        the facts it describes). Texts are bounded by the entry's size."""
        if type(value) is not list or not value or type(value[0]) is not str:
            raise _Invalid
        spec = specs.get(value[0])
        if spec is None or len(value) != len(spec) + 1:
            raise _Invalid
        index = 0
        for code in spec:
            index += 1  # noqa: SIM113 - zip() would copy the list
            item = value[index]
            kind = type(item)
            if code == "s":
                if kind is not str:
                    raise _Invalid
            elif code == "b":
                if kind is not bool:
                    raise _Invalid
            elif code == "s?":
                if item is not None and kind is not str:
                    raise _Invalid
            elif code == "o":
                if item is not None:
                    if kind is not list or len(item) != 2:
                        raise _Invalid
                    self.line(item[0])
                    if item[1] is not None:
                        self.column(item[1])
            elif code == "l":
                if kind is not list:
                    raise _Invalid
                for text in item:
                    if type(text) is not str:
                        raise _Invalid
            elif code == "b?":
                if item is not None and kind is not bool:
                    raise _Invalid
            elif code == "i":
                if kind is not int or not 0 <= item <= MAX_ITEMS:
                    raise _Invalid
            elif isinstance(code, Mapping):
                for inner in self.rows(item):
                    self.fact(inner, code)
            else:
                raise _Invalid
