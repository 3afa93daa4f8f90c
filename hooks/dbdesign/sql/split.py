"""Split a SQL file into statements with exact positions, without a parser:
quotes, dollar quotes, nested comments, parentheses, trigger bodies
(BEGIN ... END), psql meta-commands and `COPY ... FROM stdin` data, MySQL's
DELIMITER and T-SQL's GO are all respected. Never raises; linear time."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dbdesign.textio import line_starts

_EOL = re.compile(r"[\r\n]")  # a lone CR ends a line too


@dataclass(frozen=True)
class Statement:
    text: str  # from the first token to the terminator (excluded)
    start: int  # character offset of the first token in the file
    line: int  # 1-based
    column: int  # 1-based
    depth: int = 0  # deepest parenthesis nesting seen
    unterminated: str | None = None  # "string", "comment", ... at end of file


# Dialects whose double quotes and backticks are strings or identifiers, and
# whose backslash escapes inside quotes.
_BACKSLASH = {
    "mysql",
    "singlestore",
    "doris",
    "starrocks",
    "hive",
    "spark",
    "spark2",
    "databricks",
    "bigquery",
    "clickhouse",
    "drill",
}
_HASH_COMMENT = {"mysql", "singlestore", "doris", "starrocks", "clickhouse", "bigquery"}
_NESTED_COMMENTS = {
    "postgres",
    "redshift",
    "materialize",
    "risingwave",
    "duckdb",
    "snowflake",
    "tsql",
    "fabric",
}
_DOLLAR = {"postgres", "redshift", "materialize", "risingwave", "duckdb", "snowflake"}
_BRACKETS = {"tsql", "fabric", "sqlite"}

_TRIGGER_HEAD = re.compile(
    r"(?is)\s*create\s+(?:or\s+replace\s+)?(?:definer\s*=\s*\S+\s+)?"
    r"(?:temp(?:orary)?\s+)?(?:trigger|procedure|function|event)\b"
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_ATOMIC = re.compile(r"(?i)begin\s+atomic\b")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_DELIMITER = re.compile(r"(?im)^[ \t]*delimiter[ \t]+(\S+)[ \t]*$")
_GO = re.compile(r"(?im)^[ \t]*go[ \t]*$")
_COPY_STDIN = re.compile(r"(?is)copy\b.*\bfrom\s+stdin\b")


def comments(text: str, dialect: str = "postgres") -> list[tuple[int, int]]:
    """The (start, end) offsets of every comment in TEXT, in order: what
    looks like a comment inside a string, a quoted name, COPY data or a
    dollar-quoted body is not one."""
    splitter = _Splitter(text, dialect)
    splitter.run()
    return splitter.comments


def split(text: str, dialect: str = "postgres") -> list[Statement]:
    """The statements of TEXT in order. Comments and blank space between
    statements belong to no statement; psql meta-commands and COPY data are
    skipped."""
    return _Splitter(text, dialect).run()


class _Splitter:
    def __init__(self, text: str, dialect: str) -> None:
        self.text = text
        self.dialect = dialect
        self.starts = line_starts(text)
        self.out: list[Statement] = []
        self.delimiter = ";"
        self.comments: list[tuple[int, int]] = []

    def comment(self, start: int, end: int) -> int:
        self.comments.append((start, end))
        return end

    def position(self, offset: int) -> tuple[int, int]:
        import bisect

        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def emit(
        self, start: int, end: int, depth: int, unterminated: str | None = None
    ) -> None:
        body = self.text[start:end].rstrip()
        if not body.strip():
            return
        line, column = self.position(start)
        self.out.append(Statement(body, start, line, column, depth, unterminated))

    def run(self) -> list[Statement]:
        text, n = self.text, len(self.text)
        i = 0
        while i < n:
            i = self.skip_space(i)
            if i >= n:
                break
            ch = text[i]
            # psql meta-command (\connect, \restrict, ...): one line
            if ch == "\\" and self.dialect in _DOLLAR:
                i = self.line_end(i)
                continue
            if self.dialect in ("mysql", "singlestore"):
                m = _DELIMITER.match(text, self.line_start(i))
                if m and m.start(1) > i:
                    self.delimiter = m[1]
                    i = m.end()
                    continue
            if self.dialect in ("tsql", "fabric"):
                m = _GO.match(text, self.line_start(i))
                if m and m.end() > i:
                    i = m.end()
                    continue
            i = self.statement(i)
        return self.out

    def line_start(self, i: int) -> int:
        return self.text.rfind("\n", 0, i) + 1

    def line_end(self, i: int) -> int:
        """Past the end of the line at I: LF, CR LF or a lone CR, as
        PostgreSQL ends a `--` comment."""
        end = _EOL.search(self.text, i)
        return end.end() if end else len(self.text)

    def skip_space(self, i: int) -> int:
        """Past blanks and comments before a statement's first token."""
        text, n = self.text, len(self.text)
        while i < n:
            ch = text[i]
            if ch.isspace():
                i += 1
            elif text.startswith("--", i) or (
                ch == "#" and self.dialect in _HASH_COMMENT
            ):
                i = self.comment(i, self.line_end(i))
            elif text.startswith("/*", i):
                end = self.block_comment(i)
                if end < 0:
                    return i  # unterminated: let statement() report it
                i = self.comment(i, end)
            else:
                break
        return i

    def block_comment(self, i: int) -> int:
        """The offset after the comment starting at I, or -1."""
        text = self.text
        if self.dialect not in _NESTED_COMMENTS:
            end = text.find("*/", i + 2)
            return -1 if end < 0 else end + 2
        depth, j = 0, i
        pattern = re.compile(r"/\*|\*/")
        while True:
            m = pattern.search(text, j)
            if m is None:
                return -1
            depth += 1 if m[0] == "/*" else -1
            j = m.end()
            if depth == 0:
                return j

    def statement(self, start: int) -> int:
        """Scan one statement from START; emit it; return where the next
        one may begin."""
        text, n, dialect = self.text, len(self.text), self.dialect
        delimiter = self.delimiter
        block = bool(_TRIGGER_HEAD.match(text, start)) and delimiter == ";"
        atomic = dialect in _DOLLAR
        depth = max_depth = begin = 0
        i = start
        interesting = _interesting(dialect, delimiter, block or atomic)
        while True:
            m = interesting.search(text, i)
            if m is None:
                self.emit(start, n, max_depth)
                return n
            i = m.start()
            token = m[0]
            if token == delimiter and depth <= 0 and begin <= 0:
                self.emit(start, i, max_depth)
                end = i + len(delimiter)
                if dialect in _DOLLAR and _COPY_STDIN.match(text, start, i):
                    end = self.copy_data(end)
                return end
            if token == "(":
                depth += 1
                max_depth = max(max_depth, depth)
                i += 1
            elif token == ")":
                depth = max(depth - 1, 0)
                i += 1
            elif token in ("--", "#"):
                i = self.comment(i, self.line_end(i))
            elif token == "/*":
                end = self.block_comment(i)
                if end < 0:
                    self.comment(i, n)
                    self.emit(start, n, max_depth, "comment")
                    return n
                i = self.comment(i, end)
            elif token[0] in "'\"`[":
                end = self.quoted(i, token[0])
                if end < 0:
                    what = "string" if token[0] == "'" else "quoted name"
                    self.emit(start, n, max_depth, what)
                    return n
                i = end
            elif token[0] == "$":
                tag = _DOLLAR_TAG.match(text, i)
                if tag is None or (
                    i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")
                ):
                    i += 1
                    continue
                end = text.find(tag[0], tag.end())
                if end < 0:
                    self.emit(start, n, max_depth, "dollar-quoted string")
                    return n
                i = end + len(tag[0])
            elif token == delimiter:
                i += len(delimiter)
            else:  # a word, in a block-aware statement
                word = token.lower()
                prev = text[i - 1] if i else " "
                if not (prev.isalnum() or prev in "_$."):
                    if word == "begin":
                        opens = block or bool(_ATOMIC.match(text, i))
                    else:
                        opens = word == "case" and (block or begin > 0)
                    if opens:
                        begin += 1
                    elif word == "end" and begin > 0:
                        begin -= 1
                i += len(token)

    def quoted(self, i: int, quote: str) -> int:
        """The offset after the quoted text starting at I, or -1."""
        text = self.text
        close = "]" if quote == "[" else quote
        if quote == "[" and self.dialect not in _BRACKETS:
            return i + 1
        backslash = (self.dialect in _BACKSLASH and quote != "`") or (
            quote == "'"
            and i > 0
            and text[i - 1] in "eE"
            and self.dialect in _DOLLAR
            and (i < 2 or not (text[i - 2].isalnum() or text[i - 2] == "_"))
        )
        j = i + 1
        while True:
            end = text.find(close, j)
            if end < 0:
                return -1
            if backslash:
                slashes = 0
                k = end - 1
                while k > i and text[k] == "\\":
                    slashes += 1
                    k -= 1
                if slashes % 2:
                    j = end + 1
                    continue
            if text.startswith(close * 2, end) and close != "]":
                j = end + 2
                continue
            return end + 1

    def copy_data(self, i: int) -> int:
        """Skip `COPY ... FROM stdin;` data up to the `\\.` line."""
        m = re.compile(r"(?m)^\\\.[ \t]*$").search(self.text, i)
        return len(self.text) if m is None else m.end()


_PATTERNS: dict[tuple[str, str, bool], re.Pattern[str]] = {}


def _interesting(dialect: str, delimiter: str, words: bool) -> re.Pattern[str]:
    key = (dialect, delimiter, words)
    if key not in _PATTERNS:
        parts = [re.escape(delimiter), r"\(", r"\)", "--", r"/\*", "'", '"']
        if dialect in _HASH_COMMENT:
            parts.append("#")
        if dialect not in ("postgres", "redshift", "materialize"):
            parts.append("`")
        if dialect in _BRACKETS:
            parts.append(r"\[")
        if dialect in _DOLLAR:
            parts.append(r"\$")
        if words:
            parts.append(r"\b(?i:begin|end|case)\b")
        _PATTERNS[key] = re.compile("|".join(parts))
    return _PATTERNS[key]
