"""`dbdesign rules [CODE]`: list every rule, or explain one (with where it
is implemented, so that any code leads to its code in one command); a
prefix (`MG`) lists its family; sqlfluff's codes and families are
explained from sqlfluff's own rule documentation (`sqlfluff_rules.py`)."""

from __future__ import annotations

import argparse
import ast
import functools
import json
import re
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from dbdesign import rules
from dbdesign.errors import UsageError
from dbdesign.hooks import HOOKS

_PACKAGE = Path(__file__).resolve().parent.parent
# Modules that name every code as data, not where a rule is decided.
_REGISTRY = ("rules.py", "manifest.py")
_CODE = re.compile(r"[A-Z]{2}\d{3}")


def main(args: argparse.Namespace) -> int:
    if args.code is None:
        return _list(args.format, rules.RULES)
    code = args.code.upper()
    rule = rules.get(code)
    if rule is None:
        family = [r for r in rules.RULES if r.code.startswith(code)]
        if family:
            return _list(args.format, family)
        if code in rules.SQLFLUFF_PREFIXES or rules.is_known_code(code):
            from dbdesign.commands import sqlfluff_rules

            return sqlfluff_rules.main(code, args.format)
        raise UsageError(f"unknown rule {args.code!r}; `dbdesign rules` lists them")
    where = implemented_at(rule.code)
    if args.format == "json":
        print(
            json.dumps(
                {
                    **asdict(rule),
                    "implemented_at": where,
                    "help_uri": rules.help_uri(rule.code),
                },
                indent=2,
            )
        )
        return 0
    hook = next((h.id for h in HOOKS if rule.check in h.checks), "dbdesign")
    print(f"{rule.code} ({rule.name})\n")
    print(rule.summary)
    print(
        f"\nCheck: {rule.check} (hook {hook}); default severity: "
        f"{rule.severity}; fixable: {'yes' if rule.fixable else 'no'}."
    )
    if where:
        print("Implemented in: " + ", ".join(where) + ".")
    print(f"\nWhy it matters:\n  {rule.why}")
    print(f"\nBad{rule.example_place}:\n" + _indent(rule.bad or rules.EMPTY))
    print(f"\nGood{rule.example_place}:\n" + _indent(rule.good or rules.EMPTY))
    print(f"\nDocs: {rules.help_uri(rule.code)}")
    return 0


def _list(fmt: str, listed: Sequence[rules.Rule]) -> int:
    if fmt == "json":
        print(json.dumps([asdict(rule) for rule in listed], indent=2))
        return 0
    width = max(len(rule.check) for rule in listed)
    print(f"{'code':<6} {'check':<{width}} {'severity':<8} fix  summary")
    for rule in listed:
        fix = "yes" if rule.fixable else "-"
        print(
            f"{rule.code:<6} {rule.check:<{width}} {rule.severity:<8} "
            f"{fix:<4} {rule.summary}"
        )
    return 0


def implemented_at(code: str) -> list[str]:
    """Where CODE is decided: `module.function` for each function of the
    package whose body names the code as a string (the function that makes
    the finding), read from the source, so it can never go stale."""
    return _index().get(code, [])


@functools.cache
def _index() -> dict[str, list[str]]:
    """Every code-like string constant of the package: where it appears."""
    index: dict[str, list[str]] = {}
    for path in sorted(_PACKAGE.rglob("*.py")):
        if path.name in _REGISTRY and path.parent == _PACKAGE:
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, ValueError):
            continue
        module = ".".join(path.relative_to(_PACKAGE.parent).with_suffix("").parts)
        for name, node in _definitions(tree):
            for code in dict.fromkeys(_codes(node)):
                index.setdefault(code, []).append(f"{module}.{name}")
    return index


def _definitions(tree: ast.Module) -> list[tuple[str, ast.AST]]:
    """(name, node) for the module's functions and methods; other top-level
    statements count as `<module>`."""
    out: list[tuple[str, ast.AST]] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.append((node.name, node))
        elif isinstance(node, ast.ClassDef):
            out.extend(
                (f"{node.name}.{item.name}", item)
                for item in node.body
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
            )
        else:
            out.append(("<module>", node))
    return out


def _codes(node: ast.AST) -> list[str]:
    return [
        sub.value
        for sub in ast.walk(node)
        if isinstance(sub, ast.Constant)
        and isinstance(sub.value, str)
        and _CODE.fullmatch(sub.value)
    ]


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())
