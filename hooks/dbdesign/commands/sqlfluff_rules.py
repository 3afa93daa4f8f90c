"""`dbdesign rules LT01` and `dbdesign rules LT`: sqlfluff's rules, explained
from sqlfluff's own rule documentation (the rule classes' docstrings, which
its reference is generated from). sqlfluff is imported here only."""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

from dbdesign import rules
from dbdesign.errors import UsageError
from dbdesign.sql import fluff_config

# Codes sqlfluff reports that are no rule: a part it could not read.
NOT_RULES = {
    "PRS": "sqlfluff's parser could not read this part of the file in the "
    "configured dialect, so its rules skipped it. If the database accepts the "
    "SQL, silence it with `-- dbdesign: ignore[PRS]` on the line above; "
    "dbdesign's own parse check (SQ001) says whether the SQL is valid.",
    "TMP": "sqlfluff's templater could not render the file (Jinja, "
    "placeholders); give it what it needs in .sqlfluff, e.g. "
    "`[sqlfluff:templater:jinja:context]`.",
    "LXR": "sqlfluff's lexer met characters it cannot split into tokens in "
    "the configured dialect; check the dialect (config `dialect`).",
}


def main(code: str, fmt: str) -> int:
    if code in NOT_RULES:
        return _show(
            {
                "code": code,
                "name": "",
                "summary": NOT_RULES[code],
                "fixable": False,
                "doc": "",
            },
            fmt,
        )
    found = [r for r in _rules() if r["code"].startswith(code)]
    if not found:
        raise UsageError(
            f"sqlfluff {_version()} has no rule {code!r}; `dbdesign rules "
            f"{code[:2]}` lists its family"
        )
    exact = [r for r in found if r["code"] == code]
    if exact:
        return _show(exact[0], fmt)
    if fmt == "json":
        print(json.dumps([_public(r) for r in found], indent=2))
        return 0
    width = max(len(r["name"]) for r in found)
    print(f"{'code':<6} {'name':<{width}} fix  summary")
    for rule in found:
        fix = "yes" if rule["fixable"] else "-"
        print(f"{rule['code']:<6} {rule['name']:<{width}} {fix:<4} {rule['summary']}")
    return 0


def _show(rule: dict[str, Any], fmt: str) -> int:
    if fmt == "json":
        print(json.dumps(_public(rule), indent=2))
        return 0
    if rule["name"]:
        print(f"{rule['code']} ({rule['name']}), a sqlfluff rule\n")
    else:
        print(f"{rule['code']}, what sqlfluff reports where it could not lint\n")
    print(rule["summary"])
    fixable = "yes (`dbdesign check --fix`)" if rule["fixable"] else "no"
    print(
        "\nCheck: sqlfluff (hook dbdesign-schema); default severity: warning; "
        f"fixable: {fixable}."
    )
    excluded = str(fluff_config.DEFAULTS["core"]["exclude_rules"]).split(",")
    if rule["code"] in excluded:
        print(
            "Off unless the repository configures sqlfluff: dbdesign's defaults "
            f"exclude {', '.join(excluded)}."
        )
    if rule["doc"]:
        print("\n" + rule["doc"])
    print(f"\nDocs: {rules.help_uri(rule['code'])}")
    return 0


def _public(rule: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": rule["code"],
        "name": rule["name"],
        "check": "sqlfluff",
        "severity": rules.WARNING,
        "fixable": rule["fixable"],
        "summary": rule["summary"],
        "doc": rule["doc"],
        "help_uri": rules.help_uri(rule["code"]),
    }


def _rules() -> list[dict[str, Any]]:
    try:
        from sqlfluff.core.plugin.host import get_plugin_manager
    except ImportError as exc:
        raise UsageError(
            f"sqlfluff cannot be imported ({exc}); reinstall it with `pip "
            "install sqlfluff` to read its rules"
        ) from None
    found = []
    for group in get_plugin_manager().hook.get_rules():
        for rule in group:
            summary, _, body = (rule.__doc__ or "").partition("\n")
            found.append(
                {
                    "code": rule.code,
                    "name": rule.name,
                    "summary": summary.strip(),
                    "fixable": bool(getattr(rule, "is_fix_compatible", False)),
                    "doc": plain(body),
                }
            )
    return sorted(found, key=lambda r: str(r["code"]))


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("sqlfluff")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "(not installed)"


_ROLE = re.compile(r":(?:[\w-]+:)?(?:ref|code|sqlfluff:ref):`([^`<]*?)(?:\s*<[^>]*>)?`")


def plain(rst: str) -> str:
    """A rule docstring's reStructuredText as plain text for a terminal:
    directives dropped, inline markup to backticks, the lines sqlfluff
    generates about itself (name, aliases, groups, `sqlfluff fix`)
    left out, since dbdesign states them its own way."""
    kept = []
    for line in inspect.cleandoc(rst).splitlines():
        stripped = line.strip()
        if stripped.startswith((".. ", ":force:")) or stripped.startswith(
            ("This rule is ``sqlfluff fix`` compatible", "**Name**", "**Groups**")
        ):
            continue
        kept.append(line)
    text = "\n".join(kept)
    text = _ROLE.sub(r"`\1`", text)
    text = re.sub(r"``([^`]+)``", r"`\1`", text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"\1", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
