"""A small clean framework project, written into a folder, for the tests of
the framework, checklist and artifacts checks to break one piece at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from dbdesign import config as config_mod
from dbdesign.findings import Finding
from dbdesign.markdown import PHASES
from dbdesign.project import Options, Project

FRAMEWORK = ".claude/database"
CHECKLIST = f"{FRAMEWORK}/database-checklist.md"
PROMPT = f"{FRAMEWORK}/database-prompt.md"
TEMPLATE = f"{FRAMEWORK}/database-template.md"
SECRET = "root:x:0:0:TOP-SECRET-RUNNER-FILE"

TITLES = PHASES  # the framework's phase names, from the parser


def phases(first: int = 0, tasks: str = "- [ ] a task\n") -> str:
    """Phase headings FIRST..7, each with TASKS."""
    return "".join(f"\n## Phase {n}: {TITLES[n]}\n\n{tasks}" for n in range(first, 8))


GOOD_CHECKLIST = (
    "# Database Design Checklist\n\n"
    "Markers: `[ ]` todo, `[~]` in progress, `[x]` done, `[!]` blocked.\n"
    "\n## Phase 0: Data Requirements & Analysis\n\n"
    "- [x] Identify the entities and their natural keys\n"
    "- [x] Estimate data volumes\n"
    "\n## Phase 1: Database Design & Modeling\n\n"
    "- [x] Draw the ERD\n"
    "- [~] Normalise to third normal form\n"
    "  - [x] customers\n"
    "  - [ ] orders\n"
    "\n## Phase 2: Schema Implementation & Migration\n\n"
    "- [ ] Write the first migration\n"
    "- [!] Choose the partitioning key, blocked by the traffic estimate\n" + phases(3)
)

# Every phase under way and none complete: every artifact is due (AR002).
STARTED_CHECKLIST = "# Checklist\n" + phases(0, "- [x] a task\n- [ ] another task\n")


def checklist(**states: str) -> str:
    """A checklist whose phase N has the tasks STATES["pN"] (default: one
    `[ ]` task), e.g. `checklist(p0="- [x] a\n", p5="- [~] b\n")`."""
    return "# Checklist\n" + "".join(
        f"\n## Phase {n}: {TITLES[n]}\n\n{states.get(f'p{n}', '- [ ] a task' + chr(10))}"
        for n in range(8)
    )


DOCUMENTS = {
    "performance-optimization.md": "# Performance\n\n## Indexes\n\nEvery foreign key has an index.\n",
    "security-configuration.md": "# Security\n\n## Access control\n\nOne role per service.\n\n"
    "## Encryption\n\nTLS in transit, AES-256 at rest.\n",
    "backup-recovery-plan.md": "# Backup\n\n## RPO\n\nFive minutes.\n\n## RTO\n\nOne hour.\n",
    "monitoring-setup.md": "# Monitoring\n\n## Alerts\n\nPage on replication lag over 30 s.\n",
}

GOOD_FILES = {
    PROMPT: "# Database prompt\n\nDesign for correctness first.\n",
    TEMPLATE: "# Template\n\n## Overview\n\nWhat the database is for.\n",
    CHECKLIST: GOOD_CHECKLIST,
    "database-schema.sql": "-- The shop.\nCREATE TABLE book (\n  id integer PRIMARY KEY\n);\n",
    "entity-relationship-diagram.md": "# ERD\n\n```mermaid\nerDiagram\n  BOOK {\n    int id PK\n  }\n```\n",
    "migration-scripts/V1__books.sql": "CREATE TABLE book (id integer PRIMARY KEY);\n",
    "CHANGELOG.md": "# Changelog\n\n## [Unreleased]\n\n- Add books.\n",
    **DOCUMENTS,
}


def write(
    root: Path,
    files: dict[str, str | bytes | None] | None = None,
    base: dict[str, str] = GOOD_FILES,
) -> Path:
    """The clean project in ROOT, with FILES changed (None deletes)."""
    merged: dict[str, str | bytes | None] = {**base, **(files or {})}
    for relpath, content in merged.items():
        target = root / relpath
        if content is None:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        target.write_bytes(content)
    return root


def run(
    check: Callable[[Project], Iterable[Finding]],
    root: Path,
    paths: tuple[str, ...] | None = None,
) -> list[Finding]:
    """The core: CHECK on ROOT with its config, as the pipeline calls it."""
    project = Project(root, config_mod.load(root), Options(paths=paths))
    return list(check(project))


def where(found: Iterable[Finding]) -> list[tuple[str, str, int | None]]:
    """(code, path, line) of each finding, sorted."""
    return sorted((f.code, f.path, f.line) for f in found)
