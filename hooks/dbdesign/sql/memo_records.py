"""A parsed file as a record of the SQL cache (`memo.py`) and back: its
statements, syntax errors and the Effects of its statements as plain data
without its text (which keys it), and a schema's Verdict the same way.
`decode` believes nothing it cannot check: every record must have exactly
the shape `encode` writes, every number in range for the text it
describes, every op, fact and string of the types `effects.OPS`,
`effects.SAFETY` and `lockfacts.FACTS` give; anything else is None, a
miss."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dbdesign.sql import lockfacts, snapshot
from dbdesign.sql.effects import OPS, SAFETY, Effects
from dbdesign.sql.glotparse import MAX_STATEMENT
from dbdesign.sql.parsed_file import ParsedFile, SyntaxProblem, Verdict
from dbdesign.sql.split import Statement

MAX_TEXT = MAX_STATEMENT  # no name, note or message is longer
MAX_ITEMS = snapshot.MAX_ITEMS
_UNTERMINATED = frozenset(
    {None, "string", "comment", "quoted name", "dollar-quoted string"}
)
# statements, errors, skipped, unchecked, notes, unreadable, effects
_RECORD_KEYS = frozenset({"s", "e", "k", "u", "n", "r", "f"})


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
