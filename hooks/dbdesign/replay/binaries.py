"""Where PostgreSQL's programs are: the folder with the server programs
(`replay.postgres_bin`, PATH, pg_config, Debian's layout) and the major
version a program reports (pg_dump must be at least the server's)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from pathlib import Path


def find_bindir(configured: str | None, root: Path | None = None) -> Path | None:
    """The folder with initdb and pg_ctl: `replay.postgres_bin`, else PATH,
    else `pg_config --bindir`, else the newest /usr/lib/postgresql/<major>/bin
    (Debian's and GitHub's Ubuntu runners' layout)."""
    if configured:
        path = Path(configured).expanduser()
        if root is not None and not path.is_absolute():
            path = root / path
        return path if _has_server(path) else None
    initdb = shutil.which("initdb")
    if initdb:
        # Debian links the programs into PATH: the real folder also holds
        # pg_dump of the same version.
        for folder in (Path(initdb).resolve().parent, Path(initdb).parent):
            if _has_server(folder):
                return folder
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
            candidate = Path(out.stdout.strip())
            if out.returncode == 0 and _has_server(candidate):
                return candidate
    found = []
    for folder in Path("/usr/lib/postgresql").glob("*/bin"):
        if folder.parent.name.isdigit() and _has_server(folder):
            found.append((int(folder.parent.name), folder))
    return max(found)[1] if found else None


def _has_server(folder: Path) -> bool:
    return all(
        os.access(folder / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres")
    )


def tool_major(binary: Path) -> int | None:
    """The major version a PostgreSQL program reports (`pg_dump (PostgreSQL)
    15.18` -> 15)."""
    try:
        out = subprocess.run(
            [str(binary), "--version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"\)\s*(\d+)", out.stdout)
    return int(m[1]) if m else None
