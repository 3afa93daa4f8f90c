"""Which file is the project's config (`--config`, `.dbdesign.yaml`,
`[tool.dbdesign]`), never read through a link out of the root, and the
notes on how it was resolved."""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import replace
from pathlib import Path

from dbdesign.config.formats import load_toml, load_yaml
from dbdesign.config.model import (
    DEFAULT_PATHS,
    MAX_CONFIG_BYTES,
    Config,
    ConfigError,
    join,
)


def load(root: Path, explicit: str | None = None) -> Config:
    """The project's Config: `--config` if given, else `.dbdesign.yaml`,
    else `[tool.dbdesign]` in pyproject.toml, else the defaults; then what
    the project shows where the file left a default (`discover`)."""
    from dbdesign.discover import resolved

    config = _load(root, explicit)
    found, notes = resolved(root, config.migrations_path, config.configured)
    if not (found or notes):
        return config
    return replace(
        config,
        migrations_dir=found.get("migrations_dir", config.migrations_dir),
        dialect=found.get("dialect", config.dialect),
        notes=(*config.notes, *notes),
    )


def _load(root: Path, explicit: str | None = None) -> Config:
    if explicit is not None:
        path = Path(explicit)
        if not path.is_absolute() and not os.path.lexists(path):
            path = root / explicit
        _named_inside(root, path, explicit)
        if not os.path.lexists(path):
            raise ConfigError(
                f"{explicit}: config file not found; check the --config path"
            )
        if path.suffix == ".toml":
            loaded = load_toml(path, explicit, required=True)
        else:
            loaded = load_yaml(path, explicit)
        return replace(loaded, notes=tuple(_moved_paths(root, loaded)))
    # Whatever stands at a config's name is the config: a folder or a FIFO
    # there is an error, never a silent fall back to the defaults.
    for name in (".dbdesign.yaml", ".dbdesign.yml"):
        if os.path.lexists(root / name):
            _inside(root, name)
            loaded = load_yaml(root / name, name)
            notes = _moved_paths(root, loaded)
            if _has_tool_table(root / "pyproject.toml"):
                notes.insert(
                    0,
                    f"pyproject.toml's [tool.dbdesign] is ignored: {name} takes "
                    "precedence; move its settings into one place",
                )
            return replace(loaded, notes=tuple(notes))
    pyproject = root / "pyproject.toml"
    if os.path.lexists(pyproject):
        _inside(root, "pyproject.toml")
        loaded = load_toml(pyproject, "pyproject.toml", required=False)
        return replace(loaded, notes=tuple(_moved_paths(root, loaded)))
    return Config()


def _has_tool_table(pyproject: Path) -> bool:
    from dbdesign.textio import check_inside

    if check_inside(pyproject.parent, pyproject.name):
        return False  # a link out of the root is never read
    try:
        if not pyproject.is_file() or pyproject.stat().st_size > MAX_CONFIG_BYTES:
            return False
        text = pyproject.read_bytes().decode("utf-8", "replace")
    except OSError:
        return False
    return re.search(r"(?m)^\s*\[\s*tool\.dbdesign\s*[\].]", text) is not None


def _moved_paths(root: Path, config: Config) -> list[str]:
    """Paths were once relative to artifacts_dir and are relative to the root
    now: when one names nothing at the root but a file under artifacts_dir,
    say how to write it."""
    base = posixpath.normpath(config.artifacts_dir)
    if base == ".":
        return []
    notes = []
    for key in DEFAULT_PATHS:
        value = getattr(config, key)
        if value is None or (root / value).exists():
            continue
        moved = join(base, value)
        if (root / moved).exists():
            notes.append(
                f"{config.source}: {key}: {value} is relative to the project root "
                f"and is not there, but {moved} is; write `{key}: {moved}` (paths "
                "in the config are no longer relative to artifacts_dir)"
            )
    return notes


def _inside(root: Path, name: str) -> None:
    """The project's own config is never read through a link out of the
    root: on a pull request from a fork its error messages (which quote
    keys and values) would print a runner's file to the public log."""
    from dbdesign.textio import check_inside

    why = check_inside(root, name)
    if why:
        raise ConfigError(f"{name}: {why}")


def _named_inside(root: Path, path: Path, shown: str) -> None:
    """`--config FILE` may name a file outside the root (a team's shared
    config), but one named inside it must stay inside: a link the
    repository holds must not make us read, and quote in an error, a file
    of the machine that runs us."""
    from dbdesign.textio import leaves

    why = leaves(root, path)
    if why:
        raise ConfigError(
            f"{shown}: the config file {why}, so it is not read; name the "
            "file it points to instead, or replace the link with the file"
        )
