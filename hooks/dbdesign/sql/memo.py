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
`memo_records.encode` writes, every number in range for the text it
describes, every op, fact and string of the types `effects.OPS`,
`effects.SAFETY` and `lockfacts.FACTS` give. A record that is anything else
is a miss: the file is parsed again."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from dbdesign import __version__
from dbdesign.sql.fluff_cache import cache_dir, read_json, write_private
from dbdesign.sql.memo_records import decode, encode, encode_verdict
from dbdesign.sql.parsed_file import ParsedFile, Verdict

FORMAT = 1
MAX_PACK_BYTES = 256 << 20
# Keep records of files this run did not read (another hook's, an older
# version of a file) up to this many.
MAX_IDLE = 20_000


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
