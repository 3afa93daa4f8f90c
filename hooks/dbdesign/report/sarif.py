"""SARIF 2.1.0 for GitHub code scanning: one run, tool `dbdesign`, one rule
per code (ours from the registry, sqlfluff's as they appear)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from dbdesign import __version__, rules
from dbdesign.findings import Finding
from dbdesign.textio import inert_json

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/dbdesign/dbdesign"


def _rule(code: str, sample: Finding | None) -> dict[str, object]:
    rule = rules.get(code)
    if rule is None:
        summary = f"sqlfluff rule {code}"
        return {
            "id": code,
            "name": code,
            "shortDescription": {"text": summary},
            "fullDescription": {"text": summary},
            "help": {"text": f"See `dbdesign rules {code}`."},
            "helpUri": rules.help_uri(code),
            "defaultConfiguration": {"level": sample.severity if sample else "warning"},
            "properties": {"tags": ["sqlfluff"]},
        }
    help_text = (
        f"{rule.summary}\n\nWhy: {rule.why}\n\n"
        f"Bad{rule.example_place}:\n{rule.bad or rules.EMPTY}\n\n"
        f"Good{rule.example_place}:\n{rule.good or rules.EMPTY}"
    )
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.summary} {rule.why}"},
        "help": {"text": help_text, "markdown": help_text},
        "helpUri": rules.help_uri(rule.code),
        "defaultConfiguration": {"level": rule.severity},
        "properties": {"tags": [rule.check]},
    }


def render(findings: Sequence[Finding]) -> str:
    codes = [rule.code for rule in rules.RULES]
    samples: dict[str, Finding] = {}
    for item in findings:
        samples.setdefault(item.code, item)
        if item.code not in codes:
            codes.append(item.code)
    index = {code: n for n, code in enumerate(codes)}
    results = []
    for item in findings:
        # GitHub code scanning places a result by its region's startLine:
        # a finding about a whole file (a missing section, a stale
        # changelog) is shown at its first line.
        region = {"startLine": item.line if item.line else 1}
        if item.line and item.column:
            region["startColumn"] = item.column
        location: dict[str, object] = {
            "artifactLocation": {"uri": _uri(item.path), "uriBaseId": "%SRCROOT%"},
            "region": region,
        }
        results.append(
            {
                "ruleId": item.code,
                "ruleIndex": index[item.code],
                "level": item.severity,
                "message": {"text": item.message},
                "locations": [{"physicalLocation": location}],
            }
        )
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dbdesign",
                        "version": __version__,
                        "informationUri": INFO_URI,
                        "rules": [_rule(code, samples.get(code)) for code in codes],
                    }
                },
                "results": results,
            }
        ],
    }
    return inert_json(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def _uri(path: str) -> str:
    from urllib.parse import quote

    # An undecodable name keeps its bytes (as surrogates): a URI says them.
    return quote(path.encode("utf-8", "surrogateescape"), safe="/")
