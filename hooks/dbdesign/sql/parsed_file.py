"""What parsing one SQL file says, as plain data: `ParsedFile` (its
statements, syntax errors, and the Effects of the statements the Catalog
and the safety rules read), its `Verdict` and each `SyntaxProblem`; and the
tests both parsers (`parse.py`, `glotparse.py`) share: which statements
they read (`is_ddl`) and which text no parser can read (`templated`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dbdesign.sql.effects import Effects
from dbdesign.sql.split import Statement
from dbdesign.textio import line_starts

POSTGRES_LIKE = frozenset({"postgres"})

# Templating no parser can read: Go templates, Jinja, Flyway placeholders.
_TEMPLATE_OPEN = re.compile(r"\{\{|\{%|\$\{(?=[A-Za-z_])")
_TEMPLATE_CLOSE = {"{{": "}}", "{%": "%}", "${": "}"}
TEMPLATE_SPAN = 400  # a template tag closes within this many characters
# Statements the Catalog and the safety rules look at.
_DDL = re.compile(
    r"(?is)\A(?:create\s+(?:or\s+replace\s+)?(?:(?:global|local)\s+)?"
    r"(?:(?:temp|temporary|unlogged)\s+)?(?:unique\s+)?(?:clustered\s+|"
    r"nonclustered\s+)?(?:table|index)\b"
    r"|alter\s+(?:table|index)\b|drop\s+(?:table|index|schema)\b"
    r"|truncate\b|rename\s+table\b)"
)


@dataclass(frozen=True)
class SyntaxProblem:
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Verdict:
    """What the syntax check said of a file (SQ001, SQ009, notes), without
    its statements: all that a check of one file needs."""

    dialect: str
    errors: list[SyntaxProblem]
    skipped: str | None
    unchecked: list[tuple[int, str]]
    notes: list[str]


@dataclass
class ParsedFile:
    path: str
    dialect: str
    text: str
    statements: list[Statement] = field(default_factory=list)
    errors: list[SyntaxProblem] = field(default_factory=list)
    # why the file was not (fully) checked: templated SQL, a time bound
    skipped: str | None = None
    # statement index -> what it does, for the statements that need it
    effects: dict[int, Effects] = field(default_factory=dict)
    # statements the Catalog would need but sqlglot could not read:
    # (line, short text)
    unreadable: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # statements the syntax check could not judge: (line, why)
    unchecked: list[tuple[int, str]] = field(default_factory=list)
    # False when a time bound cut the reading short: not worth keeping
    cacheable: bool = True
    _starts: list[int] | None = field(default=None, repr=False)

    def verdict(self) -> Verdict:
        return Verdict(
            self.dialect, self.errors, self.skipped, self.unchecked, self.notes
        )

    def position(self, offset: int) -> tuple[int, int]:
        import bisect

        if self._starts is None:
            self._starts = line_starts(self.text)
        starts = self._starts
        index = bisect.bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1


def templated(text: str) -> str | None:
    """The first template tag in TEXT, if any. Each opener looks for its
    closer within TEMPLATE_SPAN characters, so a file full of `{{` stays
    linear."""
    for m in _TEMPLATE_OPEN.finditer(text):
        closer = _TEMPLATE_CLOSE[m[0]]
        end = text.find(closer, m.end(), m.end() + TEMPLATE_SPAN)
        if end < 0:
            continue
        tag = text[m.start() : end + len(closer)]
        inner = text[m.end() : end]
        if m[0] == "${" and not re.fullmatch(r"[A-Za-z_][\w.:-]*", inner):
            continue
        # `'{{1,2},{3,4}}'` is a PostgreSQL array literal, not a template
        if "{" in inner or "}" in inner or not re.search(r"[A-Za-z_.]", inner):
            continue
        return tag[:40]
    return None


def is_ddl(statement: Statement) -> bool:
    return bool(_DDL.match(statement.text))
