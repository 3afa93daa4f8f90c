"""`{"version": 1, "findings": [...], "summary": {...}}`, nothing else."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dbdesign.findings import Finding

if TYPE_CHECKING:
    from dbdesign.report import Summary


def render(findings: Sequence[Finding], summary: Summary) -> str:
    document = {
        "version": 1,
        "findings": [item.as_dict() for item in findings],
        "summary": {
            "errors": summary.errors,
            "warnings": summary.warnings,
            "files": summary.files,
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
