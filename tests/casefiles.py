"""The rule case files, tests/cases/<check>.yml, in the manner of sqlfluff's
test/fixtures/rules/std_rule_cases: reading them, and building a case's
project in a folder (cases_test.py runs them through the pipeline).

    check: checklist          # the check whose rules they are (= file name)
    defaults: {...}           # case keys every case of the file starts from
    examples: {...}           # what the registry's examples assume (below)
    snippets: {...}           # YAML anchors the cases share; never read
    cases:
      - name: x-marker        # unique in the file
        base: good            # good (tests/projects.py GOOD_FILES) | empty
        files: {PATH: TEXT}   # changes to the base project (below)
        config: {...}         # .dbdesign.yaml (a mapping, or its text)
        args: [--select, CL]  # after `check --root ROOT --format json`
        dialects: [...]       # one run per dialect (config `dialect`)
        committed: {...}      # a git repo: base + files + these, committed
        staged: {...}         # ... then these written and staged
        unstaged: {...}       # ... then these written, not staged
        expected:             # exactly the run's findings, in any order:
          - [CL001, PATH, 5]  # [code, path, line], or with a fourth item,
          - [CL003, PATH, 6, "words"]  # words the message must contain
          - [CL003, PATH, 7, [more, "words"]]  # (a list: all of them)
        status: 1             # default: 1 when a finding fails, else 0
        fixed: {PATH: TEXT}   # files after a second run with --fix
        after_fix: []         # the findings that run leaves (default none)
        xfail: reason         # a known bug: the case must fail, strictly

TEXT is a string, `!!binary` bytes, a list of strings joined (so that
anchored snippets can be shared), null (the file is deleted), or
`{replace: [[OLD, NEW], ...]}`, which edits the file as it is at that
point; each OLD must occur. A case's `files` apply after its defaults'
`files`, so a case may delete or edit what they wrote. Paths are relative to
the project root, which is also the working folder of the run (PATH
arguments are relative to it).

`examples:` says what the registry's bad and good examples of the file's
rules assume: `files` (changes to the good project, as a case's) and
`config`, and `select`, codes that run beside the rule's own (DB001 judges
the suppressions of rules that ran). Each example is the text of the file
its rule's `example_path` names, or the list of files in that folder.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

import projects
from conftest import git

CASES_DIR = Path(__file__).parent / "cases"
CASE_KEYS = frozenset(
    {
        "name",
        "base",
        "files",
        "config",
        "args",
        "dialects",
        "committed",
        "staged",
        "unstaged",
        "expected",
        "status",
        "fixed",
        "after_fix",
        "xfail",
    }
)
FILE_KEYS = frozenset({"check", "defaults", "examples", "snippets", "cases"})
EXAMPLE_KEYS = frozenset({"files", "config", "select"})
BASES: dict[str, Mapping[str, str]] = {"good": projects.GOOD_FILES, "empty": {}}
Files = dict[str, bytes]
# libyaml's safe loader where PyYAML has it: the cases load at collection.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Case:
    source: str  # the case file's name
    name: str
    base: str = "good"
    files: tuple[Mapping[str, Any], ...] = ()  # the defaults', then the case's
    config: Any = None
    args: tuple[str, ...] = ()
    committed: Mapping[str, Any] | None = None
    staged: Mapping[str, Any] | None = None
    unstaged: Mapping[str, Any] | None = None
    expected: tuple[tuple[Any, ...], ...] = ()
    status: int | None = None
    fixed: Mapping[str, Any] | None = None
    after_fix: tuple[tuple[Any, ...], ...] = ()
    xfail: str | None = None

    @property
    def id(self) -> str:
        return f"{self.source.removesuffix('.yml')}/{self.name}"

    @property
    def git(self) -> bool:
        return any(
            stage is not None for stage in (self.committed, self.staged, self.unstaged)
        )


@dataclass(frozen=True)
class CaseFile:
    name: str
    check: str
    cases: tuple[Case, ...]
    examples: Mapping[str, Any]


def _findings(items: Any, where: str) -> tuple[tuple[Any, ...], ...]:
    """[code, path, line] or [code, path, line, words] items, the words
    always as a tuple."""
    assert isinstance(items, list), f"{where}: expected a list of findings"
    out = []
    for item in items:
        assert isinstance(item, list) and len(item) in (3, 4), (
            f"{where}: {item!r} is not [code, path, line] or [code, path, line, words]"
        )
        if len(item) == 4:
            words = item[3]
            item = [*item[:3], (words,) if isinstance(words, str) else tuple(words)]
        out.append(tuple(item))
    return tuple(out)


def _cases(
    source: str, raw: Mapping[str, Any], defaults: Mapping[str, Any]
) -> list[Case]:
    """The case RAW of the file SOURCE, on its file's DEFAULTS: one case, or
    one per dialect when it names `dialects:`."""
    where = f"{source}: case {raw.get('name')!r}"
    unknown = set(raw) - CASE_KEYS
    assert not unknown, f"{where}: unknown keys {sorted(unknown)}"
    merged = {**defaults, **raw}
    merged["files"] = (defaults.get("files") or {}, raw.get("files") or {})
    assert isinstance(merged.get("name"), str), f"{where}: a case needs a name"
    assert "expected" in merged, f"{where}: say what it finds (`expected: []`)"
    assert merged.get("base", "good") in BASES, f"{where}: base is good or empty"
    merged["args"] = tuple(str(arg) for arg in merged.get("args", ()))
    merged["expected"] = _findings(merged["expected"], where)
    merged["after_fix"] = _findings(merged.get("after_fix", []), where)
    dialects = merged.pop("dialects", None)
    case = Case(source=source, **merged)
    if dialects is None:
        return [case]
    config = case.config or {}
    assert isinstance(config, dict), f"{where}: dialects need a config mapping"
    return [
        replace(case, name=f"{case.name}[{d}]", config={**config, "dialect": d})
        for d in dialects
    ]


def load(path: Path) -> CaseFile:
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    assert isinstance(raw, dict), f"{path.name}: not a mapping"
    unknown = set(raw) - FILE_KEYS
    assert not unknown, f"{path.name}: unknown keys {sorted(unknown)}"
    assert raw.get("check") == path.stem, f"{path.name}: `check: {path.stem}`"
    defaults = raw.get("defaults") or {}
    assert "name" not in defaults and "expected" not in defaults
    examples = raw.get("examples") or {}
    assert not set(examples) - EXAMPLE_KEYS, f"{path.name}: examples: unknown keys"
    cases: list[Case] = []
    for item in raw.get("cases") or []:
        cases.extend(_cases(path.name, item, defaults))
    names = Counter(case.name for case in cases)
    twice = [name for name, count in names.items() if count > 1]
    assert not twice, f"{path.name}: cases named twice: {twice}"
    return CaseFile(path.name, raw["check"], tuple(cases), examples)


CASE_FILES = {path.stem: load(path) for path in sorted(CASES_DIR.glob("*.yml"))}
CASES = [case for file in CASE_FILES.values() for case in file.cases]


def _text(value: Any, where: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, list):
        return b"".join(_text(part, where) for part in value)
    raise AssertionError(f"{where}: cannot make a file of {value!r}")


def apply(files: Files, changes: Mapping[str, Any]) -> Files:
    """FILES with CHANGES made (see the module's docstring)."""
    out = dict(files)
    for path, value in changes.items():
        if value is None:
            assert path in out, f"{path}: deleted, but there is no such file"
            del out[path]
        elif isinstance(value, dict):
            assert set(value) == {"replace"}, f"{path}: only `replace:` edits"
            assert path in out, f"{path}: edited, but there is no such file"
            text = out[path].decode("utf-8")
            for old, new in value["replace"]:
                assert old in text, f"{path}: {old!r} is not in the file"
                text = text.replace(old, new)
            out[path] = text.encode("utf-8")
        else:
            out[path] = _text(value, path)
    return out


def write(root: Path, before: Files, after: Files) -> None:
    """Make ROOT hold AFTER where it held BEFORE."""
    for path in before.keys() - after.keys():
        target = root / path
        target.unlink()
        parent = target.parent
        while parent != root and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    for path, data in after.items():
        if before.get(path) != data:
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def config_files(config: Any) -> Files:
    if config is None:
        return {}
    text = config if isinstance(config, str) else yaml.safe_dump(config)
    return {".dbdesign.yaml": text.encode("utf-8")}


def build(case: Case, root: Path) -> Files:
    """The case's project in ROOT (a git repository when the case needs
    history); the files as they stand at the end."""
    start = {path: text.encode("utf-8") for path, text in BASES[case.base].items()}
    files = {**start, **config_files(case.config)}
    for changes in case.files:
        files = apply(files, changes)
    if not case.git:
        write(root, {}, files)
        return files
    git(root, "init", "-q", "-b", "main")
    if case.committed is not None:
        files = apply(files, case.committed)
        write(root, {}, files)
        git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "-m", "base")
    else:  # no commit yet: everything is the change
        write(root, {}, files)
    staged = apply(files, case.staged or {})
    write(root, files, staged)
    git(root, "add", "-A")
    final = apply(staged, case.unstaged or {})
    write(root, staged, final)
    return final
