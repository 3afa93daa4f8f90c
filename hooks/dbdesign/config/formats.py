"""Reading one config file: its bytes (safely), YAML or TOML within the
nesting bound, and the line of each key for the messages."""

from __future__ import annotations

import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

from dbdesign import nesting
from dbdesign.config.mapping import from_mapping
from dbdesign.config.model import MAX_CONFIG_BYTES, Config, ConfigError
from dbdesign.config.values import Where


def _read(path: Path, shown: str) -> str:
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then
        # says what was opened (no race between a check and the open).
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                what = (
                    "a folder"
                    if stat.S_ISDIR(info.st_mode)
                    else "a FIFO"
                    if stat.S_ISFIFO(info.st_mode)
                    else "not a regular file"
                )
                raise ConfigError(
                    f"{shown}: the config is {what}; replace it with a "
                    "config file or remove it"
                )
            if info.st_size > MAX_CONFIG_BYTES:
                raise ConfigError(
                    f"{shown}: config file is {info.st_size} bytes, over "
                    f"the {MAX_CONFIG_BYTES} byte limit"
                )
            return handle.read(MAX_CONFIG_BYTES + 1).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{shown}: not UTF-8 (byte {exc.start}); save it as UTF-8"
        ) from None
    except FileNotFoundError:
        raise ConfigError(
            f"{shown}: the config is a broken symbolic link; replace it with "
            "a config file or remove it"
        ) from None
    except IsADirectoryError:
        raise ConfigError(
            f"{shown}: the config is a folder; replace it with a config file "
            "or remove it"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read: {exc.strerror}") from None


def load_yaml(path: Path, shown: str) -> Config:
    import yaml

    text = _read(path, shown)
    try:
        # Refuse aliases at the line of the alias itself (the composed node
        # would only tell where its anchor is), and nesting too deep for
        # the composer's recursion, before composing.
        depth = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                at = f":{mark.line + 1}" if mark is not None else ""
                raise ConfigError(
                    f"{shown}{at}: YAML aliases "
                    "(*name) are not allowed in the config; write the value "
                    "out"
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > nesting.MAX_DEPTH:
                    mark = event.start_mark
                    assert mark is not None  # the pure-Python parser marks all
                    raise _too_deep(shown, mark.line + 1, mark.column + 1)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{shown}{line}: invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{shown}: invalid YAML: {exc}") from None
    lines: dict[tuple[str, ...], int] = {}
    # An empty file (or only comments) composes to no node at all.
    data = None if node is None else _plain(node, (), lines, shown, set())
    return from_mapping(data, Where(shown, lines))


def _too_deep(shown: str, line: int, column: int) -> ConfigError:
    return ConfigError(
        f"{shown}:{line}: nested more than {nesting.MAX_DEPTH} levels deep "
        f"(column {column}); no dbdesign setting nests more than 3, so "
        "flatten it"
    )


_YAML_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


def _plain(
    node: Any,
    path: tuple[str, ...],
    lines: dict[tuple[str, ...], int],
    shown: str,
    seen: set[int],
) -> object:
    """Turn a composed YAML node into plain data, refusing aliases (the
    'billion laughs') and explicit tags, and noting each key's line."""
    import yaml

    at = f"{shown}:{node.start_mark.line + 1}"
    if id(node) in seen:
        raise ConfigError(
            f"{at}: YAML aliases (*name) are not allowed in "
            "the config; write the value out"
        )
    seen.add(id(node))
    if node.tag == "tag:yaml.org,2002:timestamp" and isinstance(node.value, str):
        dotted = ".".join(path)
        raise ConfigError(
            f"{at}: {dotted + ': ' if dotted else ''}{node.value} reads as a date "
            f"in YAML; quote it: '{node.value}'"
        )
    if node.tag not in _YAML_TAGS:
        raise ConfigError(f"{at}: YAML tag {node.tag!r} is not allowed in the config")
    if isinstance(node, yaml.MappingNode):
        out: dict[object, object] = {}
        for key_node, value_node in node.value:
            key = _plain(key_node, path, lines, shown, seen)
            if isinstance(key, (dict, list)):
                raise ConfigError(f"{at}: a config key must be a plain name")
            sub = (*path, str(key))
            lines[sub] = key_node.start_mark.line + 1
            if key in out:
                raise ConfigError(
                    f"{shown}:{lines[sub]}: {'.'.join(sub)}: duplicate key"
                )
            out[key] = _plain(value_node, sub, lines, shown, seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, path, lines, shown, seen) for item in node.value]
    return yaml.SafeLoader(" ").construct_object(node)


def load_toml(path: Path, shown: str, required: bool) -> Config:
    text = _read(path, shown)
    if not required and "dbdesign" not in text:
        # Someone else's pyproject.toml: no need to pay for the TOML parser.
        return Config()
    # Imported here: most hooks never read a TOML file (SPEC 7).
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    deep = nesting.toml_too_deep(text)
    if deep is not None:
        raise _too_deep(shown, *deep)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        if "(at line" not in message:  # "(at end of document)"
            message += f" (line {text.count(chr(10)) + 1}, the end of the file)"
        raise ConfigError(f"{shown}: invalid TOML: {message}") from None
    tool = data.get("tool")
    section = tool.get("dbdesign") if isinstance(tool, dict) else None
    if section is None:
        if required:
            raise ConfigError(f"{shown}: no [tool.dbdesign] table")
        return Config()
    return from_mapping(section, Where(shown, _toml_lines(text)))


def _toml_lines(text: str) -> dict[tuple[str, ...], int]:
    """Best-effort key lines inside [tool.dbdesign] (tomllib keeps none)."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"^\[\s*tool\.dbdesign(?:\.([^\]]+))?\s*\]", stripped)
        if header:
            table = tuple(header[1].strip().strip('"').split(".")) if header[1] else ()
            if table:
                lines.setdefault(table, number)
            continue
        if stripped.startswith("["):
            table = None
            continue
        key = re.match(r'^("[^"]+"|[A-Za-z0-9_.-]+)\s*=', stripped)
        if table is not None and key:
            lines.setdefault((*table, key[1].strip('"')), number)
    return lines
