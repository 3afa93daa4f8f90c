"""The one runner of the rule cases: every case of tests/cases/<check>.yml
(the format is in casefiles.py) runs through the pipeline, `dbdesign check
--format json`, and must report exactly its expected findings; every rule
fires in some case and is quiet in another; and the registry's bad and good
examples run the same way, so that neither the tests nor `dbdesign rules`
can drift from what the rules do."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import projects
from casefiles import CASE_FILES, CASES, Case, Files, apply, build, config_files, write
from dbdesign import rules
from dbdesign.cli import main
from replay_fixtures import needs_postgres

# Rules whose example no one file's text can show: the examples say it in
# words, and these cases fire the rule instead.
NOT_A_SNIPPET = {
    "FW001": "a missing folder (framework.yml: no-framework-folder)",
    "FW002": "a missing file (framework.yml: no-checklist)",
    "AR001": "a missing file (artifacts.yml: no-documents)",
    "MG003": "a base commit and a staged change (migrations.yml: MG003-*)",
    "MG004": "a base commit and a staged change (migrations.yml: MG004-*)",
    "CH001": "a base commit and a staged change (changelog.yml: CH001-*)",
    "CH003": "a base commit and a staged change (changelog.yml: CH003-*)",
    "RP006": "the server's version is the machine's (replay.yml: RP006-*)",
}

Finding = dict[str, Any]


def run_check(root: Path, args: Sequence[str]) -> tuple[int, list[Finding]]:
    """`dbdesign check` on ROOT with ARGS: its exit status and its findings.
    The one place the cases meet the product."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["check", "--root", str(root), "--format", "json", *args])
    assert status != 2, f"exit status 2: {err.getvalue()}"
    findings: list[Finding] = json.loads(out.getvalue())["findings"]
    return status, findings


# -- comparing ----------------------------------------------------------------


def _key(item: Sequence[Any]) -> tuple[str, str, int]:
    return (str(item[0]), str(item[1]), -1 if item[2] is None else int(item[2]))


def compare(want: Sequence[Sequence[Any]], got: list[Finding], what: str) -> list[str]:
    """What differs between the expected and the actual findings, as lines
    of a failure message (none when they agree)."""
    triples = sorted(((f["code"], f["path"], f["line"]) for f in got), key=_key)
    wanted = sorted((tuple(item[:3]) for item in want), key=_key)
    problems = []
    if triples != wanted:
        missing = Counter(wanted) - Counter(triples)
        extra = Counter(triples) - Counter(wanted)
        problems.append(f"{what}: the findings differ")
        problems += [f"  missing: {list(item)}" for item in sorted(missing, key=_key)]
        problems += [
            f"  not expected: {list(item)}" for item in sorted(extra, key=_key)
        ]
    unused = list(got)
    for item in want:
        if len(item) < 4:
            continue
        match = next(
            (
                f
                for f in unused
                if (f["code"], f["path"], f["line"]) == tuple(item[:3])
                and all(words in f["message"] for words in item[3])
            ),
            None,
        )
        if match is None:
            problems.append(f"{what}: no {list(item[:3])} says {item[3]!r}")
        else:
            unused.remove(match)
    return problems


def report(case: Case, problems: list[str], got: list[Finding]) -> str:
    lines = [f"tests/cases/{case.source}, case {case.name!r}:", *problems]
    lines.append("  the run found:")
    lines += [
        f"    - [{f['code']}, {f['path']}, {json.dumps(f['line'])}]  "
        f"# {f['severity']}: {f['message']}"
        for f in sorted(got, key=lambda f: _key((f["code"], f["path"], f["line"])))
    ] or ["    (nothing)"]
    return "\n".join(lines)


def fails(found: list[Finding], args: Sequence[str]) -> bool:
    strict = "--strict" in args
    return any(f["severity"] == "error" or strict for f in found)


def _params() -> list[Any]:
    return [
        pytest.param(
            case,
            id=case.id,
            marks=[
                *(
                    [pytest.mark.xfail(reason=case.xfail, strict=True)]
                    if case.xfail
                    else []
                ),
                *([needs_postgres] if case.source == "replay.yml" else []),
            ],
        )
        for case in CASES
    ]


def _server(
    check: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The replay's cases run on the session's PostgreSQL server (by URL),
    not on an ephemeral server each."""
    if check == "replay":
        monkeypatch.setenv("DBDESIGN_DATABASE_URL", request.getfixturevalue("pg_url"))


@pytest.mark.parametrize("case", _params())
def test_case(
    case: Case,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    _server(case.source.removesuffix(".yml"), request, monkeypatch)
    root = tmp_path / "project"
    root.mkdir()
    files = build(case, root)
    monkeypatch.chdir(root)
    status, got = run_check(root, case.args)
    problems = compare(case.expected, got, "expected")
    want_status = case.status if case.status is not None else int(fails(got, case.args))
    if status != want_status:
        problems.append(f"exit status {status}, expected {want_status}")
    if case.fixed is not None and not problems:
        status, got = run_check(root, [*case.args, "--fix"])
        problems += compare(case.after_fix, got, "after --fix")
        if status != 1:
            problems.append(f"--fix: exit status {status}; a fix exits 1")
        wanted = apply(files, case.fixed)
        for path in sorted(wanted.keys() | case.fixed.keys()):
            now = (root / path).read_bytes() if (root / path).exists() else None
            if now != wanted.get(path):
                problems.append(f"--fix: {path} is\n{(now or b'').decode()}")
    assert not problems, report(case, problems, got)


# -- the cases cover the registry ---------------------------------------------


def _enabled(code: str, args: Sequence[str]) -> bool:
    """Whether a run with ARGS judges CODE (its --select and --ignore)."""
    select: list[str] = []
    ignore: list[str] = []
    for flag, value in itertools.pairwise(args):
        if flag in ("--select", "--ignore"):
            codes = [c.strip().upper() for c in value.split(",") if c.strip()]
            (select if flag == "--select" else ignore).extend(codes)
    if select and not rules.matches(code, select):
        return False
    return not rules.matches(code, ignore)


def test_every_rule_fires_in_a_case_and_is_quiet_in_another() -> None:
    fired: set[str] = set()
    quiet: set[str] = set()
    for case in CASES:
        if case.xfail:
            continue
        found = {str(item[0]) for item in case.expected}
        fired |= found
        quiet |= {
            rule.code
            for rule in rules.RULES
            if case.source == f"{rule.check}.yml"
            and rule.code not in found
            and _enabled(rule.code, case.args)
        }
    codes = [rule.code for rule in rules.RULES]
    assert [c for c in codes if c not in fired] == [], "no case fires these"
    assert [c for c in codes if c not in quiet] == [], "no case shows these quiet"


def test_one_case_file_per_check() -> None:
    checks = {rule.check for rule in rules.RULES}
    assert set(CASE_FILES) == checks


# -- the registry's examples --------------------------------------------------


def test_examples_that_are_not_snippets_are_listed() -> None:
    assert {r.code for r in rules.RULES if r.example_path is None} == set(NOT_A_SNIPPET)


def _examples() -> list[Any]:
    return [
        pytest.param(
            rule,
            which,
            id=f"{rule.code}-{which}",
            marks=[needs_postgres] if rule.check == "replay" else [],
        )
        for rule in rules.RULES
        if rule.example_path is not None
        for which in ("bad", "good")
    ]


def place(files: Files, path: str, text: str) -> Files:
    """FILES with TEXT as the file PATH, or, when PATH is a folder (it ends
    with `/`), with the folder holding the files TEXT names, one a line."""
    if not path.endswith("/"):
        return {**files, path: text.encode("utf-8")}
    out = {name: data for name, data in files.items() if not name.startswith(path)}
    for name in text.splitlines():
        out[path + name] = b"SELECT 1;\n"
    return out


@pytest.mark.parametrize(("rule", "which"), _examples())
def test_registry_example(
    rule: rules.Rule,
    which: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """The bad example fires its rule and the good one does not, on the good
    project with what the rule's case file says its examples assume."""
    _server(rule.check, request, monkeypatch)
    context = CASE_FILES[rule.check].examples
    start = {p: t.encode("utf-8") for p, t in projects.GOOD_FILES.items()}
    files = apply(
        {**start, **config_files(context.get("config"))}, context.get("files", {})
    )
    assert rule.example_path is not None
    files = place(files, rule.example_path, getattr(rule, which))
    root = tmp_path / "project"
    write(root, {}, files)
    monkeypatch.chdir(root)
    select = ",".join([rule.code, *context.get("select", [])])
    _, got = run_check(root, ["--select", select])
    codes = [f["code"] for f in got]
    shown = "\n".join(
        f"  {f['code']} {f['path']}:{f['line']}: {f['message']}" for f in got
    )
    if which == "bad":
        assert rule.code in codes, (
            f"{rule.code}'s bad example does not fire it:\n{shown}"
        )
    else:
        assert rule.code not in codes, f"{rule.code}'s good example fires it:\n{shown}"
