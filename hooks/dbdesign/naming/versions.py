"""Migration versions and their order: versions compare as numbers,
segment by segment, so that `1.10` > `1.9`, and leading zeros (and trailing
zero segments, as Flyway does: `1.0` is `1`) do not count; and the next free
version after the newest, written the folder's way."""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass


@functools.total_ordering
@dataclass(frozen=True, eq=False)
class Version:
    """A migration version as written (RAW) and as compared (KEY: its
    digit runs as numbers, trailing zero segments dropped)."""

    raw: str
    key: tuple[int, ...]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __lt__(self, other: Version) -> bool:
        return self.key < other.key

    def __str__(self) -> str:
        return self.raw


def parse_version(raw: str) -> Version | None:
    """RAW's numeric segments (any non-digits separate them); None when RAW
    has no digit."""
    segments = [int(run) for run in re.findall(r"\d+", raw)]
    if not segments:
        return None
    while segments and segments[-1] == 0:
        segments.pop()
    return Version(raw, tuple(segments))


# -- suggesting a version ------------------------------------------------------------


def next_version(
    scheme: str | None, newest: Version, now: datetime.datetime | None = None
) -> str:
    """The next free version after NEWEST, written the folder's way: the
    first number plus one (zero padding kept), or for dated versions the
    current time (NOW) in the same shape, or one second after NEWEST."""
    raw = newest.raw
    shape = _dated_shape(raw)
    if shape is not None or scheme in ("diesel", "timestamp"):
        if shape is not None:
            moment = now or datetime.datetime.now(datetime.timezone.utc)
            stamped = moment.strftime(shape) + raw[len(moment.strftime(shape)) :]
            version = parse_version(stamped)
            if version is not None and version > newest:
                return stamped
        return _later_timestamp(raw)
    match = re.match(r"\d+", raw)
    if match is None:  # pragma: no cover - versions always have digits
        return raw
    return str(int(match[0]) + 1).zfill(len(match[0]))


_DATED = (
    # diesel's folders, with or without its `-0000` suffix
    (re.compile(r"(19|20)\d\d-\d\d-\d\d-\d{6}(-\d{4})?"), "%Y-%m-%d-%H%M%S"),
    # Rails, dbmate, goose: YYYYMMDDHHMMSS
    (re.compile(r"(19|20)\d{12}"), "%Y%m%d%H%M%S"),
)


def _dated_shape(raw: str) -> str | None:
    """The strftime format RAW is written in, when it is a date-time."""
    for pattern, shape in _DATED:
        if pattern.fullmatch(raw):
            return shape
    return None


def _later_timestamp(raw: str) -> str:
    """RAW's last digit run plus one second's worth: keeps the shape and
    is always later; people usually take the current time instead."""
    runs = list(re.finditer(r"\d+", raw))
    if not runs:  # pragma: no cover
        return raw
    last = runs[-1]
    if len(runs) > 1 and int(last[0]) == 0 and len(last[0]) == 4:
        # diesel's `-0000` suffix: bump the time before it
        last = runs[-2]
    bumped = str(int(last[0]) + 1).zfill(len(last[0]))
    return raw[: last.start()] + bumped + raw[last.end() :]
