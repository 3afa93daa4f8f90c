"""RP001-RP006: the migrations and the schema file run on a real database
(SPEC 8; the work is in dbdesign.replay). With `replay.mode: off` (the
default for `dbdesign check`) this module costs nothing: the replay
package, and psycopg with it, are imported only when a replay runs.

`revise` runs after every check of the run: when the replay compared both
databases, SQ007 (the model's drift) gives way to RP003; and a static
MG012-MG018 verdict on a statement the replay traced is withdrawn when the
server showed nothing of what it feared, or says "confirmed by replay"."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace

from dbdesign import rules
from dbdesign.findings import Finding
from dbdesign.project import Project

# The static lock rules a trace can judge (those that exist in this
# version of the registry), and what confirms each: `took` (the statement
# took a lock that blocks writes: the harm is the lock itself, whatever the
# table's size) or `heavy` (it rewrote the table, or scanned it under such
# a lock: the harm grows with the table).
LOCK_RULES = tuple(f"MG0{n}" for n in range(12, 19))
_TOOK = frozenset({"MG012", "MG018"})
# MG013 is also about renames, which break code rather than lock: only its
# type changes are the trace's to judge.
_TYPE_CHANGE = re.compile(
    r"(?is)\balter\s+(?:column\s+)?\S+\s+(?:set\s+data\s+)?type\b|\bmodify\b"
)


def check(project: Project) -> Iterator[Finding]:
    if _mode(project) == "off":
        return
    from dbdesign.replay import engine

    yield from engine.result(project).findings


def _mode(project: Project) -> str:
    # engine.mode, without importing the replay package when it is off
    given = getattr(project.options, "replay", None)
    if given:
        return str(given)
    env = os.environ.get("DBDESIGN_REPLAY", "").strip().lower()
    return env if env in ("off", "auto", "on") else project.config.replay.mode


def revise(project: Project, found: Sequence[Finding]) -> list[Finding]:
    """FOUND as the replay leaves it (see the module's docstring)."""
    if _mode(project) == "off":
        return list(found)
    from dbdesign.replay import engine

    result = engine.cache_only(project)
    if result is None or not result.ran:
        return list(found)
    withdraw_ok = _same_behaviour(result.server_major, project.config.postgres_version)
    out: list[Finding] = []
    for item in found:
        if item.code == "SQ007" and result.compared:
            continue
        if item.code in LOCK_RULES and item.code in rules.BY_CODE and item.line:
            traced = result.traced.get((item.path, item.line))
            if traced is not None and (
                item.code != "MG013" or _TYPE_CHANGE.search(traced.text)
            ):
                evidence = [
                    seen
                    for seen in traced.seen
                    if (seen.took_blocking if item.code in _TOOK else seen.heavy)
                ]
                if evidence:
                    from dbdesign.replay.locks import describe

                    seen_text = "; ".join(describe(s) for s in evidence)
                    message = item.message.rstrip(".")
                    item = replace(
                        item,
                        message=f"{message} (confirmed by replay: {seen_text})",
                    )
                elif withdraw_ok:
                    continue
        out.append(item)
    return out


def _same_behaviour(server: int | None, configured: int) -> bool:
    """Whether a trace on SERVER speaks for `postgres_version` CONFIGURED:
    the same major, or both 12 or later (11 stopped rewriting for constant
    defaults, 12 let a valid CHECK spare SET NOT NULL its scan; nothing
    these rules judge changed since)."""
    if server is None:
        return False
    return server == configured or (server >= 12 and configured >= 12)
