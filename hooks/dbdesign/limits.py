"""How large a file of each kind dbdesign reads (README: Limits).

Time and memory grow with a file's size (a Markdown parse holds some forty
times the file in memory), so every file is read only up to a bound for its
kind, set well above what real projects have: the corpus's largest schema is
0.1 MB (0.6 MB with its data), the framework's checklist 4 KB. A larger
file is a finding at its path at once, by the check's own code, before a
byte of it is read."""

from __future__ import annotations

from typing import NamedTuple

from dbdesign.config import MAX_CONFIG_BYTES, Config

MIB = 1 << 20


class Bound(NamedTuple):
    kind: str  # for messages: "a SQL file"
    bytes: int


MARKDOWN = Bound("a Markdown document", 2 * MIB)
CHANGELOG = Bound("a changelog", 8 * MIB)
SQL = Bound("a SQL file", 8 * MIB)
INTEGRITY = Bound("an integrity file", 8 * MIB)
CONFIG = Bound("a config file", MAX_CONFIG_BYTES)
OTHER = Bound("a text file", 64 * MIB)

# The README's table is written from this.
TABLE = (
    (MARKDOWN, "the checklist, the framework files, the ERD, the design documents"),
    (CHANGELOG, "the changelog"),
    (SQL, "the schema file, each migration"),
    (INTEGRITY, "`dbdesign.sum`"),
    (CONFIG, "`.dbdesign.yaml`, `pyproject.toml`, `.sqlfluff`"),
    (OTHER, "any other file read as text"),
)


def bound(config: Config, relpath: str) -> Bound:
    """The bound for the file at RELPATH (root-relative) under CONFIG."""
    lower = relpath.lower()
    if relpath == config.changelog_path:
        return CHANGELOG
    if relpath == config.schema_path or lower.endswith(".sql"):
        return SQL
    if lower.endswith((".md", ".markdown")):
        return MARKDOWN
    if lower.rsplit("/", 1)[-1] == "dbdesign.sum":
        return INTEGRITY
    return OTHER
