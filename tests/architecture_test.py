"""The import rules of docs/architecture.md, enforced: a lower layer never
imports a higher one, no import cycles (TYPE_CHECKING imports included), no
check imports another check, the page names every module, and no module
grows past MAX_LINES (pure data excepted)."""

from __future__ import annotations

import ast
import fnmatch
import re
from pathlib import Path

from conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "hooks" / "dbdesign"
DOC = REPO_ROOT / "docs" / "architecture.md"
# A module this long does more than one thing: split it (docs/architecture.md,
# "Where a change goes"). rules.py is the rule registry, data only.
MAX_LINES = 400
PURE_DATA = {"rules"}


def modules() -> dict[str, Path]:
    """Dotted names below the package (`dbdesign` itself is `dbdesign`)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts) or "dbdesign"] = path
    return found


def layers() -> list[tuple[int, list[str]]]:
    """(number, module patterns) per row of the doc's layer table."""
    rows = re.findall(r"^\| (\d+) [^|]*\| (.+) \|$", DOC.read_text(), re.M)
    assert rows, "docs/architecture.md has no layer table"
    return [(int(n), re.findall(r"`([^`]+)`", names)) for n, names in rows]


def layer_of(module: str) -> int | None:
    for number, patterns in layers():
        if any(fnmatch.fnmatchcase(module, p) for p in patterns):
            return number
    return None


def imports(module: str, path: Path) -> list[tuple[str, int]]:
    """(imported module of ours, line) for every import in the file,
    wherever it stands (functions and TYPE_CHECKING blocks too)."""
    names = modules()
    is_package = path.name == "__init__.py"
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ("dbdesign." + module if module != "dbdesign" else module).split(
                    "."
                )
                base = base if is_package else base[:-1]
                base = base[: len(base) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            # `from pkg import sub` imports pkg.sub (pkg's __init__ runs
            # anyway, as for any submodule); `from mod import name`, mod.
            targets = [
                f"{source}.{alias.name}"
                if f"{source}.{alias.name}".removeprefix("dbdesign.") in names
                else source
                for alias in node.names
            ]
        for target in targets:
            if target != "dbdesign" and not target.startswith("dbdesign."):
                continue
            dotted = target.removeprefix("dbdesign.") if target != "dbdesign" else ""
            while dotted and dotted not in names:
                dotted = dotted.rpartition(".")[0]
            resolved = dotted or "dbdesign"
            if resolved != module:
                out.append((resolved, node.lineno))
    return list(dict.fromkeys(out))


def graph() -> dict[str, list[tuple[str, int]]]:
    return {name: imports(name, path) for name, path in modules().items()}


def test_every_module_has_a_layer() -> None:
    missing = [m for m in modules() if layer_of(m) is None]
    assert not missing, f"add these to docs/architecture.md's layer table: {missing}"


def test_the_doc_names_every_module() -> None:
    text = DOC.read_text()
    unnamed = [
        name
        for name, path in modules().items()
        if path.relative_to(PACKAGE).as_posix() not in text and f"`{name}`" not in text
    ]
    assert not unnamed, f"docs/architecture.md does not describe: {unnamed}"


def test_no_module_is_too_long() -> None:
    long = {
        name: n
        for name, path in modules().items()
        if name not in PURE_DATA
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these modules (lines, limit {MAX_LINES}): {long}"


def test_no_import_goes_up_a_layer() -> None:
    wrong = []
    for module, targets in graph().items():
        mine = layer_of(module) or 0
        for target, line in targets:
            theirs = layer_of(target) or 0
            if theirs > mine:
                wrong.append(
                    f"{modules()[module].relative_to(REPO_ROOT)}:{line}: {module} "
                    f"(layer {mine}) imports {target} (layer {theirs})"
                )
    assert not wrong, "imports against docs/architecture.md:\n" + "\n".join(wrong)


def test_no_check_imports_another() -> None:
    wrong = [
        f"{module} imports {target} (line {line})"
        for module, targets in graph().items()
        if module.startswith("checks.")
        for target, line in targets
        if target.startswith("checks.")
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles() -> None:
    edges = {m: {t for t, _ in targets} for m, targets in graph().items()}
    cycles = []
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_rules_catch_a_violation(tmp_path: Path) -> None:
    # The walker sees imports inside functions and TYPE_CHECKING blocks.
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from dbdesign.cli import main\n"
        "def f():\n    from dbdesign.checks import erd\n"
    )
    found = {target for target, _ in imports("textio", probe)}
    assert {"cli", "checks.erd"} <= found
