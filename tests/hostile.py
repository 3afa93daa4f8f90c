"""Files that would run, as Python, if a process of ours imported a module
from the repository (issue 15): each writes a sentinel when it runs, and
the sentinel must never exist."""

from __future__ import annotations

from pathlib import Path

# A package and a module file that stand in for the standard library (the
# first modules a `-c` child imports, and what our workers use), for
# dbdesign's own package and for sqlfluff; the site hooks; the modules the
# action's install step runs with `-m`; and a .pth file (read only in site
# folders, but planted anyway).
HOSTILE = (
    "multiprocessing/__init__.py",
    "json/__init__.py",
    "encodings/__init__.py",
    "types.py",
    "queue.py",
    "dbdesign/__init__.py",
    "dbdesign/sql/__init__.py",
    "sqlfluff/__init__.py",
    "sitecustomize.py",
    "usercustomize.py",
    "venv/__init__.py",
    "venv/__main__.py",
    "pip/__init__.py",
    "pip/__main__.py",
    "ensurepip/__init__.py",
    "ensurepip/__main__.py",
)


def plant(root: Path, sentinels: Path) -> None:
    """The hostile files in ROOT, each writing SENTINELS/<its name> when it
    runs (with the built-in open: it may replace any module)."""
    sentinels.mkdir(exist_ok=True)
    for name in HOSTILE:
        target = sentinels / name.replace("/", "_")
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"open({str(target)!r}, 'w').write('ran')\n", encoding="utf-8")
    pth = f"import builtins; builtins.open({str(sentinels / 'pth')!r}, 'w')\n"
    (root / "dbdesign-evil.pth").write_text(pth, encoding="utf-8")


def ran(sentinels: Path) -> list[str]:
    """The hostile files that ran."""
    return sorted(path.name for path in sentinels.iterdir())
