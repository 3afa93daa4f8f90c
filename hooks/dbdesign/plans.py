"""The files that tell some migration tools their order or their database:
sqitch's `sqitch.plan`, a Liquibase master changelog's includes, prisma's
`migration_lock.toml`. Read as text, leniently: a line that cannot be read
is skipped, never an error."""

from __future__ import annotations

import re

_PLAN_CHANGE = re.compile(r"^(?P<name>[^\s@#%:\[][^\s#\[]*)")
_PLAN_TAG = re.compile(r"^@(?P<tag>\S+)")


def sqitch_plan(text: str) -> list[str]:
    """The deploy script stems in the order sqitch deploys them: each
    change's name; a change reworked later is deployed first from its
    `<name>@<tag>` script (the tag that follows it)."""
    entries: list[list[str]] = []  # [name, stem]
    pending: list[list[str]] = []  # changes still waiting for a tag
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("%", "#")):
            continue
        tag = _PLAN_TAG.match(line)
        if tag is not None:
            for entry in pending:
                entry[1] = f"{entry[0]}@{tag['tag']}"
            pending = []
            continue
        change = _PLAN_CHANGE.match(line)
        if change is None:
            continue
        entry = [change["name"], change["name"]]
        entries.append(entry)
        pending.append(entry)
    # Only the last occurrence of a reworked name runs from `<name>.sql`.
    last = {name: i for i, (name, _) in enumerate(entries)}
    return [stem if last[name] != i else name for i, (name, stem) in enumerate(entries)]


_INCLUDE = re.compile(r"""(?i)\bfile\s*[=:]\s*["']?(?P<file>[^"'\s>]+\.sql)""")


def liquibase_includes(text: str) -> list[str]:
    """The SQL files a Liquibase changelog (XML, YAML, JSON or SQL)
    includes, in order, as written."""
    return [m["file"] for m in _INCLUDE.finditer(text)]


_PROVIDER = re.compile(r"""(?m)^\s*provider\s*=\s*["'](?P<provider>[^"']+)["']""")
# prisma's providers, as sqlglot dialects
_DIALECTS = {
    "postgresql": "postgres",
    "postgres": "postgres",
    "cockroachdb": "postgres",
    "mysql": "mysql",
    "sqlite": "sqlite",
    "sqlserver": "tsql",
}


def prisma_dialect(text: str) -> str | None:
    """The dialect `migration_lock.toml`'s provider names, if known."""
    m = _PROVIDER.search(text)
    return _DIALECTS.get(m["provider"].lower()) if m else None
