"""`{"version": 1, "findings": [...], "summary": {...}, "notes": [...]}`,
nothing else. `notes` (an addition to SPEC 3's shape, which readers that
know only the three keys can ignore) carries what the text format prints as
`note:` lines, such as change rules skipped outside git."""

from __future__ import annotations

import json
from collections.abc import Sequence

from dbdesign.findings import Counts, Finding
from dbdesign.textio import inert_json


def render(
    findings: Sequence[Finding], summary: Counts, notes: Sequence[str] = ()
) -> str:
    document = {
        "version": 1,
        "findings": [item.as_dict() for item in findings],
        "summary": {
            "errors": summary.errors,
            "warnings": summary.warnings,
            "files": summary.files,
            "out_of_scope": summary.out_of_scope,
        },
        "notes": list(notes),
    }
    # inert: the same data, but a CI log that shows it obeys nothing in it.
    return inert_json(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
