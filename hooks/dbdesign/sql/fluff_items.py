"""The items of a sqlfluff worker's result (`fluff_worker.Result`): each of
sqlfluff's violations kept with its code, line and column, or one SQ009
note where a template, a parse bound or templated SQL kept sqlfluff from
checking. It runs in the worker, so it imports nothing of dbdesign; it reads
the violations sqlfluff hands it without importing sqlfluff."""

from __future__ import annotations

import re
from typing import Any

_BOUND = re.compile(
    r"Maximum parse (?P<what>depth|node count) exceeded \(limit (?P<limit>\d+)\)"
)
# Go `{{ .X }}`, Jinja `{% ... %}` and `{{ x }}`, Flyway `${x}`.
_TEMPLATE_MARK = re.compile(r"\{\{|\{%|\$\{")
FAILS = ("PRS", "LXR", "TMP")


def note(line: int | None, message: str) -> list[Any]:
    return ["n", "SQ009", line, None, message, False, ""]


def classify(
    text: str, rendered: bool, violations: list[Any], templater: str
) -> list[list[Any]]:
    """Turn sqlfluff's violations into result items: a failed template, a
    parse bound, or templated SQL sqlfluff cannot read become one SQ009
    note; everything else keeps sqlfluff's code."""
    items: list[list[Any]] = []
    if not rendered:
        first = next((v for v in violations if v.rule_code() == "TMP"), None)
        why = _short_desc(first) if first is not None else "no output"
        return [
            note(
                _line(first),
                f"sqlfluff's {templater} templater cannot "
                f"render this file ({why}), so sqlfluff's rules were not "
                "checked; set `templater` in .sqlfluff to one that reads "
                "it (raw, placeholder), or ignore SQ009 for this file",
            )
        ]
    templated = _TEMPLATE_MARK.search(text) is not None
    failures = [
        v for v in violations if v.rule_code() in FAILS and not _BOUND.search(v.desc())
    ]
    if templated and failures:
        items.append(
            note(
                _line(failures[0]),
                (
                    f"templated SQL that sqlfluff's {templater} templater leaves "
                    f"unreadable: {len(failures)} section(s) were not linted "
                    f"(first: {_short_desc(failures[0])}); set `templater` in "
                    ".sqlfluff (for `${...}` placeholders: `templater = placeholder`)"
                ),
            )
        )
    for violation in violations:
        code = violation.rule_code()
        desc = violation.desc()
        bound = _BOUND.search(desc)
        if code == "PRS" and bound:
            items.append(note(_line(violation), _bound_message(bound)))
            continue
        if templated and code in FAILS:
            continue
        rule = getattr(violation, "rule", None)
        line, column = _position(violation)
        items.append(
            [
                "v",
                code,
                line,
                column,
                desc,
                bool(getattr(violation, "fixable", False)),
                str(getattr(rule, "name", "") or ""),
            ]
        )
    return items


def _bound_message(match: re.Match[str]) -> str:
    if match["what"] == "depth":
        return (
            f"SQL nested deeper than sqlfluff's max_parse_depth "
            f"({match['limit']}) was not parsed, so sqlfluff's rules were "
            "not checked on it; raise `max_parse_depth` in .sqlfluff or "
            "simplify the nesting"
        )
    return (
        f"the file has more than {match['limit']} parse nodes "
        "(sqlfluff's max_parse_nodes), so sqlfluff's rules were not "
        "checked; split the file or raise `max_parse_nodes` in .sqlfluff"
    )


def _position(violation: Any) -> tuple[int | None, int | None]:
    # sqlfluff says 0 where it knows no position (a templater error): no
    # position, never a line 0 that SARIF and editors reject.
    line, column = _line_or_none(violation, "line_no"), None
    if line is not None:
        column = _line_or_none(violation, "line_pos")
    return line, column


def _line_or_none(violation: Any, name: str) -> int | None:
    value = getattr(violation, name, None)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return None
    return value


def _line(violation: Any) -> int | None:
    if violation is None:
        return 1
    line = getattr(violation, "line_no", None)
    return line if isinstance(line, int) and line > 0 else 1


def _short_desc(violation: Any) -> str:
    return short(violation.desc())


def short(exc: object, limit: int = 160) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
