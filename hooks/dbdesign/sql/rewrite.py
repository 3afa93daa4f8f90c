"""The column type changes PostgreSQL makes without rewriting the table
or its indexes (MG013, `checks/safety.py`)."""

from __future__ import annotations

import re

_PARAMS = re.compile(r"^(?P<base>[a-z ]+?)(?:\((?P<params>[\d,]+)\))?$")


def no_rewrite(old: str, new: str) -> bool:
    """Whether PostgreSQL changes a column from OLD to NEW (normalised
    types) without rewriting the table or its indexes: a longer or
    unbounded varchar, varchar to text and back, a wider numeric
    precision at the same scale or an unconstrained numeric, a longer bit
    varying, cidr to inet."""
    if (old, new) == ("cidr", "inet"):
        return True
    a, b = _PARAMS.match(old), _PARAMS.match(new)
    if a is None or b is None:
        return False
    text_like = ("character varying", "text")
    if a["base"] in text_like and b["base"] in text_like:
        if b["base"] == "text" or b["params"] is None:
            return True  # to text, or to an unbounded varchar
        return a["base"] != "text" and _wider(a["params"], b["params"])
    if a["base"] == b["base"] and a["base"] in ("numeric", "bit varying"):
        if b["params"] is None:
            return True
        if a["params"] is None:
            return False
        old_p = [int(x) for x in a["params"].split(",")]
        new_p = [int(x) for x in b["params"].split(",")]
        same_scale = (old_p[1:] or [0]) == (new_p[1:] or [0])
        return same_scale and new_p[0] >= old_p[0]
    return False


def _wider(old: str | None, new: str | None) -> bool:
    if old is None:
        return new is None
    return new is None or int(new) >= int(old)
