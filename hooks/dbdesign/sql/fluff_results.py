"""sqlfluff's results as findings: a worker's items keep sqlfluff's codes
(with a message that says how to mend them), a file or part of one that
sqlfluff could not check is SQ009, and a `Failure` (time bound, crash, no
start) says why sqlfluff's rules were not checked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dbdesign import rules
from dbdesign.findings import Finding, external, finding
from dbdesign.project import Project
from dbdesign.sql.fluff_pool import Failure

CHECK = "sqlfluff"


def findings(
    project: Project, path: str, result: dict[str, Any] | Failure, dialect: str
) -> Iterator[Finding]:
    if not isinstance(result, dict):
        yield finding("SQ009", path, _failure_message(result), 1)
        return
    if result["ignored"]:
        names = ", ".join(f"`{name}`" for name in result["ignored"])
        project.note(
            f"sqlfluff: ignored {names} from the repository's "
            "sqlfluff config (it would run code from the "
            "repository); set `sqlfluff_trust_config: true` to "
            "allow it"
        )
    severity = project.config.severity
    dialect = str(result.get("dialect") or dialect)
    for kind, code, line, column, desc, fixable, name in result["items"]:
        if kind == "n":
            yield finding("SQ009", path, desc, line, column)
            continue
        yield external(
            code,
            CHECK,
            path,
            _message(code, desc, fixable, name, dialect),
            line,
            column,
            severity.get(code, rules.WARNING),
            fixable=bool(fixable),  # `--fix` applies sqlfluff's fix
        )


def _message(code: str, desc: str, fixable: bool, name: str, dialect: str) -> str:
    desc = desc.rstrip(". ")
    if code == "PRS":
        return (
            f"{desc}; sqlfluff's {dialect} grammar cannot parse it, so "
            "its rules skip this part (if the database accepts it, "
            "`-- dbdesign: ignore[PRS]` on the line above silences it)"
        )
    if code == "TMP":
        return (
            f"{desc}; give the templater what it needs in .sqlfluff "
            "(for Jinja, `[sqlfluff:templater:jinja:context]`)"
        )
    rule = f" ({name})" if name else ""
    if fixable:
        return f"{desc}{rule}; `dbdesign check --fix` mends it"
    return f"{desc}{rule}; mend it by hand or configure {code} in .sqlfluff"


def _failure_message(failure: Failure) -> str:
    kind, detail = failure.kind, failure.detail
    if kind == "timeout":
        return (
            f"sqlfluff did not finish linting this file within {detail}, "
            "so its sqlfluff rules were not checked; raise "
            "DBDESIGN_SQLFLUFF_TIMEOUT or run `sqlfluff lint` on it "
            "directly"
        )
    if kind == "start":
        return (
            f"sqlfluff could not run ({detail}), so sqlfluff's rules were "
            "not checked; reinstall it with `pip install sqlfluff`"
        )
    return (
        f"sqlfluff stopped while linting this file ({detail}), so its "
        "sqlfluff rules were not checked; run `sqlfluff lint` on it to "
        "see why"
    )
