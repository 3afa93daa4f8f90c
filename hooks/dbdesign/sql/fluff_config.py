"""Which of the repository's sqlfluff config applies to a file, found the
way sqlfluff finds it (the root, then each folder down to the file's; in a
folder setup.cfg < tox.ini < pep8.ini < .sqlfluff < pyproject.toml), read
safely and without importing sqlfluff, and whether `.sqlfluffignore` or
`ignore_paths` asks for the file to be left alone. Config in the home
folder is not read: results depend on the repository only, so they can be
cached."""

from __future__ import annotations

import configparser
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from dbdesign import textio
from dbdesign.project import Project

CONFIG_FILES = ("setup.cfg", "tox.ini", "pep8.ini", ".sqlfluff", "pyproject.toml")
# dbdesign's sqlfluff settings for a repository that has none of its own
# (no sqlfluff section in any config file on the way to the file): column
# definitions aligned as the bundled templates write them are as good as
# single spaces (LT01 judges every space, so it is off), `name`, `type` and
# `date` are ordinary column names (RF04), and a column with its REFERENCES
# clause fits on a 100-character line.
DEFAULTS: dict[str, dict[str, object]] = {
    "core": {"exclude_rules": "LT01,RF04", "max_line_length": 100}
}
IGNORE_FILE = ".sqlfluffignore"
MAX_CONFIG_BYTES = 1 << 20
_INI_SECTION = re.compile(r"^\s*\[([^\]]*)\]")


@dataclass
class _Folder:
    configs: list[tuple[str, str]] = field(default_factory=list)
    ignores: list[tuple[str, list[str]]] = field(default_factory=list)
    specs: list[tuple[str, Any]] | None = None


class Finder:
    """Config files and ignore patterns per folder, each read once."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.folders: dict[str, _Folder] = {}

    def configs(self, path: str) -> list[tuple[str, str]]:
        """(root-relative config file, what of it sqlfluff reads) for each
        config file that applies to PATH, lowest precedence first."""
        found: list[tuple[str, str]] = []
        for folder in _folders(path):
            found += self._folder(folder).configs
        return found

    def ignored_by(self, path: str) -> str | None:
        """The file (`.sqlfluffignore`, or a config's `ignore_paths`) whose
        patterns exclude PATH from sqlfluff, if any."""
        for folder in _folders(path):
            entry = self._folder(folder)
            if not entry.ignores:
                continue
            if entry.specs is None:
                entry.specs = _specs(entry.ignores)
            inside = path if folder == "." else path[len(folder) + 1 :]
            for source, spec in entry.specs:
                if spec.match_file(inside):
                    return source
        return None

    def _folder(self, folder: str) -> _Folder:
        if folder in self.folders:
            return self.folders[folder]
        entry = _Folder()
        for name in (*CONFIG_FILES, IGNORE_FILE):
            rel = name if folder == "." else f"{folder}/{name}"
            if not (self.project.root / rel).is_file():
                continue
            got = textio.read(self.project.root, rel, max_bytes=MAX_CONFIG_BYTES)
            if not isinstance(got, textio.Text):
                self.project.note(f"{rel} {got.reason}; sqlfluff runs without it")
                continue
            if name == IGNORE_FILE:
                entry.ignores.append((rel, got.lines()))
                continue
            part = sqlfluff_part(name, got.text)
            if part:
                entry.configs.append((rel, part))
                patterns = _ignore_paths(name, got.text)
                if patterns:
                    entry.ignores.append((rel, patterns))
        self.folders[folder] = entry
        return entry


def _folders(path: str) -> list[str]:
    return [p.as_posix() for p in reversed(PurePosixPath(path).parents)]


def _specs(ignores: list[tuple[str, list[str]]]) -> list[tuple[str, Any]]:
    import pathspec

    specs: list[tuple[str, Any]] = []
    for source, lines in ignores:
        # "gitignore" is sqlfluff's choice since pathspec 0.12; older
        # pathspec knows only "gitwildmatch". A bad pattern ignores nothing.
        for style in ("gitignore", "gitwildmatch"):
            try:
                specs.append((source, pathspec.PathSpec.from_lines(style, lines)))
                break
            except Exception:
                continue
    return specs


def sqlfluff_part(name: str, text: str) -> str:
    """What of a config file sqlfluff reads: all of .sqlfluff, the
    `[sqlfluff...]` sections of an ini file, `[tool.sqlfluff]` of
    pyproject.toml. It keys the cache, so unrelated edits keep it warm."""
    if name == ".sqlfluff":
        return text
    if name == "pyproject.toml":
        if "sqlfluff" not in text:
            return ""
        data = _toml(text)
        if data is None:
            return text  # sqlfluff will say what is wrong with it
        section = data.get("tool", {}).get("sqlfluff")
        return json.dumps(section, sort_keys=True, default=str) if section else ""
    kept: list[str] = []
    inside = False
    for line in textio.split_lines(text):
        header = _INI_SECTION.match(line)
        if header:
            inside = header[1].strip().startswith("sqlfluff")
        if inside:
            kept.append(line)
    return "\n".join(kept)


def _ignore_paths(name: str, text: str) -> list[str]:
    """`ignore_paths` of the core section, which sqlfluff reads from
    .sqlfluff and pyproject.toml only."""
    value: object = None
    if name == "pyproject.toml":
        data = _toml(text) or {}
        value = (
            data.get("tool", {}).get("sqlfluff", {}).get("core", {}).get("ignore_paths")
        )
    elif name == ".sqlfluff":
        parser = configparser.ConfigParser(delimiters="=", interpolation=None)
        try:
            parser.read_string(text)
            value = parser.get("sqlfluff", "ignore_paths", fallback=None)
        except configparser.Error:
            return []
    if isinstance(value, str):
        return [p.strip() for p in value.split(",") if p.strip()]
    if isinstance(value, list):
        return [str(p) for p in value]
    return []


def _toml(text: str) -> dict[str, Any] | None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    return data
