"""The hooks dbdesign ships and the checks each runs: the one list that
`.pre-commit-hooks.yaml`, the console scripts and `dbdesign check` follow
(`python -m dbdesign.manifest` regenerates the manifest from it)."""

from __future__ import annotations

from typing import NamedTuple


class Hook(NamedTuple):
    """A pre-commit hook: its id (= console script = entry), the checks it
    runs, and how pre-commit should call it. `.pre-commit-hooks.yaml` is
    generated from HOOKS."""

    id: str
    name: str
    description: str
    checks: tuple[str, ...]
    pass_filenames: bool = False
    always_run: bool = True
    files: str | None = None
    types: tuple[str, ...] = ()


HOOKS: tuple[Hook, ...] = (
    Hook(
        "dbdesign-framework",
        "dbdesign framework files",
        "The Database Design Framework files are present and readable.",
        ("framework",),
    ),
    Hook(
        "dbdesign-checklist",
        "dbdesign checklist",
        "Checklist markers are well formed and phases are done in order.",
        ("checklist",),
        pass_filenames=True,
        always_run=False,
        files=r"(^|/)database-checklist\.md$",
    ),
    Hook(
        "dbdesign-artifacts",
        "dbdesign design artifacts",
        "The design artifacts exist and are not stubs.",
        ("artifacts",),
    ),
    Hook(
        "dbdesign-migrations",
        "dbdesign migrations",
        "Migration scripts are named, ordered, never rewritten, and match "
        "their integrity file.",
        ("migrations", "safety"),
    ),
    Hook(
        "dbdesign-schema",
        "dbdesign schema",
        "Schema and migration SQL parses, has keys and indexes, follows the "
        "naming convention, and replaying the migrations gives the schema.",
        ("schema",),
    ),
    Hook(
        "dbdesign-erd",
        "dbdesign ERD",
        "The ERD's mermaid erDiagram parses and shows the schema's tables, "
        "foreign keys and columns; --fix regenerates it.",
        ("erd",),
    ),
    Hook(
        "dbdesign-changelog",
        "dbdesign changelog",
        "A change to the schema or migrations is recorded in the changelog.",
        ("changelog",),
    ),
    Hook(
        "dbdesign-replay",
        "dbdesign replay",
        "The migrations and the schema file run on a real database "
        "(PostgreSQL or SQLite): failures, exact drift, reversibility and "
        "observed locks.",
        ("replay",),
    ),
)

# The order in which `dbdesign check` runs the checks.
CHECKS: tuple[str, ...] = (
    "framework",
    "checklist",
    "artifacts",
    "migrations",
    "safety",
    "schema",
    "erd",
    "changelog",
    "replay",
)
