"""What a replay found (Result) and how it says it: the messages that the
PostgreSQL and the SQLite replays share."""

from __future__ import annotations

from dataclasses import dataclass, field

from dbdesign.findings import Finding
from dbdesign.project import Project
from dbdesign.replay import compare
from dbdesign.replay.run import Traced


@dataclass
class Result:
    ran: bool = False  # the migrations were replayed on a real database
    compared: bool = False  # RP003 compared both databases (SQ007 retires)
    findings: list[Finding] = field(default_factory=list)
    traced: dict[tuple[str, int], Traced] = field(default_factory=dict)
    server_major: int | None = None


def stopped(project: Project, path: str, left: int) -> None:
    """The note that says how many migrations a failure left unrun."""
    if left:
        plural = "migration was" if left == 1 else "migrations were"
        project.note(f"replay stopped at {path}: the {left} later {plural} not run")


def drift(item: compare.Difference, path: str) -> str:
    what = f"{item.kind} {item.name}"
    if item.right_name is not None:
        return (
            f"{item.kind} `{compare.short(item.left or '')}` is named "
            f"{item.right_name} in {path} but {item.name} after the "
            "migrations; use one name on both sides"
        )
    if item.right is None:
        return (
            f"{what} is created by the migrations but not by {path} "
            f"(`{compare.short(item.left or '')}`); add it to the schema file, "
            "or a migration that drops it"
        )
    if item.left is None:
        return (
            f"{what} is in {path} but the migrations do not create it "
            f"(`{compare.short(item.right)}`); add a migration that does, or "
            "remove it from the schema file"
        )
    return (
        f"{what} differs: `{compare.short(item.right)}` in {path}, "
        f"`{compare.short(item.left)}` after the migrations; add a migration "
        "or correct the schema file"
    )


def down(up: str, item: compare.Difference) -> str:
    what = f"{item.kind} {item.name}"
    if item.left is None:
        return (
            f"after {up} and its down, {what} is left behind "
            f"(`{compare.short(item.right or '')}`); drop it in the down migration"
        )
    if item.right is None:
        return (
            f"after {up} and its down, {what} is gone "
            f"(it was `{compare.short(item.left)}`); recreate it in the down "
            "migration"
        )
    if item.right_name is not None:
        return (
            f"after {up} and its down, {item.kind} {item.name} is named "
            f"{item.right_name}; restore its name in the down migration"
        )
    return (
        f"after {up} and its down, {what} is `{compare.short(item.right or '')}`"
        f" instead of `{compare.short(item.left)}`; restore it in the down migration"
    )
