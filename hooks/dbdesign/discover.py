"""Settings the project shows when the config does not give them: the
migrations folder in the usual places when the default one is absent, and
the dialect of a prisma project (its `migration_lock.toml`'s provider)."""

from __future__ import annotations

import posixpath
from dataclasses import replace
from pathlib import Path

from dbdesign.config import Config

# Where migration tools keep their folders by default.
USUAL = (
    "migrations",
    "db/migrations",
    "prisma/migrations",
    "supabase/migrations",
    "src/main/resources/db/migration",
    "db/migrate",
    "database/migrations",
)


def resolved(root: Path, config: Config) -> Config:
    """CONFIG with the migrations folder and dialect the project shows,
    where the config file left them to their defaults; notes say so."""
    notes = list(config.notes)
    if "migrations_dir" not in config.configured and not _is_dir(
        root, config.migrations_path
    ):
        found = [p for p in (*USUAL, *_sqitch_plans(root)) if _is_dir(root, p)]
        found = list(dict.fromkeys(found))
        if len(found) == 1:
            where = posixpath.relpath(found[0], config.artifacts_dir or ".")
            config = replace(config, migrations_dir=where)
            notes.append(
                f"migrations: {config.migrations_dir} does not exist, so "
                f"{found[0]}/ is checked; set `migrations_dir` to say so"
            )
        elif found:
            notes.append(
                f"migrations: {config.migrations_dir} does not exist and "
                f"{', '.join(f + '/' for f in found)} all hold migrations; set "
                "`migrations_dir` to the one to check"
            )
    if "dialect" not in config.configured:
        from dbdesign import plans

        lock = root / config.migrations_path / "migration_lock.toml"
        try:
            text = lock.read_text(encoding="utf-8") if lock.is_file() else ""
        except (OSError, UnicodeDecodeError):
            text = ""
        dialect = plans.prisma_dialect(text)
        if dialect is not None:
            config = replace(config, dialect=dialect)
    return replace(config, notes=tuple(notes)) if notes else config


def _is_dir(root: Path, relpath: str) -> bool:
    from dbdesign.textio import check_inside

    return check_inside(root, relpath) is None and (root / relpath).is_dir()


def _sqitch_plans(root: Path) -> list[str]:
    """Folders holding a sqitch.plan: the root, or one level down."""
    out = []
    if (root / "sqitch.plan").is_file():
        out.append(".")
    try:
        children = sorted(p for p in root.iterdir() if p.is_dir())
    except OSError:
        return out
    for child in children:
        if not child.name.startswith(".") and (child / "sqitch.plan").is_file():
            out.append(child.name)
    return out
