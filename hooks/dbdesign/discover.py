"""Settings the project shows when the config does not give them: the
migrations folder in the usual places when the default one is absent, and
the dialect of a prisma project (its `migration_lock.toml`'s provider)."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

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


def resolved(
    root: Path,
    migrations_path: str,
    configured: Collection[str],
) -> tuple[dict[str, str], list[str]]:
    """The settings (key: value) the project shows where the config file
    left them to their defaults, and notes that say so. MIGRATIONS_PATH is
    the root-relative folder the config names (or its default); a folder
    found is root-relative too, as config paths are."""
    found_settings: dict[str, str] = {}
    notes: list[str] = []
    where = migrations_path
    if "migrations_dir" not in configured and not _is_dir(root, where):
        found = [p for p in (*USUAL, *_sqitch_plans(root)) if _is_dir(root, p)]
        found = list(dict.fromkeys(found))
        if len(found) == 1:
            found_settings["migrations_dir"] = found[0]
            where = found[0]
            notes.append(
                f"migrations: {migrations_path} does not exist, so {found[0]}/ "
                "is checked; set `migrations_dir` to say so"
            )
        elif found:
            notes.append(
                f"migrations: {migrations_path} does not exist and "
                f"{', '.join(f + '/' for f in found)} all hold migrations; set "
                "`migrations_dir` to the one to check"
            )
    if "dialect" not in configured:
        from dbdesign import plans

        lock = root / where / "migration_lock.toml"
        try:
            text = lock.read_text(encoding="utf-8") if lock.is_file() else ""
        except (OSError, UnicodeDecodeError):
            text = ""
        dialect = plans.prisma_dialect(text)
        if dialect is not None:
            found_settings["dialect"] = dialect
    return found_settings, notes


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
