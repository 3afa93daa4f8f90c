"""No workflow command from the repository reaches GitHub's runner: under
GitHub Actions (and with `--format github` anywhere) everything dbdesign
prints on stdout and stderr is escaped, or fenced by stop-commands, for
hostile file names, config keys and values, task text and SQL names.
The runner is modelled in workflow_commands.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Repo
from workflow_commands import assert_inert, obeyed, parse_line

# What a pull request from a fork may put in a name or a text.
HOSTILE = [
    "::error title=pwned::A",
    "##[warning title=pwned]B",
    "  ::set-output name=x::C",
    "x\n::error::D",
    "x\r::error::E",
    "\x1b[31mF\x07",
    "%0A::error::G",
    "\u00a0::add-mask::H",
    "\x9b2J\u202eI",
    "::stop-commands::J",
]
FRAMEWORK = "fw ##[error]K\n::error::L"


# -- the model itself -----------------------------------------------------------


def test_the_model_reads_commands_as_the_runner_does() -> None:
    # The runner's own parser tests (LoggingCommandL0), and its quirks.
    assert parse_line("##[do-something k1=v1;]msg").name == "do-something"
    legacy = parse_line("text before ##[set-output name=x%3By]va%5Dl")
    assert legacy is not None and legacy.legacy
    assert (legacy.properties, legacy.data) == ({"name": "x;y"}, "va]l")
    command = parse_line("  \t::warning file=a%2Cb,line=3::m%0Ax")
    assert command is not None and not command.legacy
    assert (command.properties, command.data) == ({"file": "a,b", "line": "3"}, "m\nx")
    assert parse_line("text ::error::x") is None
    assert parse_line("::no end") is None
    stream = (
        "::stop-commands::t1\n::error::fenced\n##[error]fenced\n::T1::\n::error::out\n"
    )
    assert [c.data for c in obeyed(stream)] == ["out"]
    # A lone \r ends a line for the runner (not for str.splitlines alone).
    assert [c.data for c in obeyed("note\r::error::cr")] == ["cr"]
    with pytest.raises(AssertionError):
        obeyed("::stop-commands::t\nnever resumed\n")


# -- the CLI --------------------------------------------------------------------


def hostile_project(repo: Repo) -> Path:
    root = repo.path
    (root / ".dbdesign.yaml").write_text(
        json.dumps(
            {
                "framework_dir": FRAMEWORK,
                "artifacts": {h.replace("\n", "_") + ".md": ["x"] for h in HOSTILE},
            }
        )
    )
    (root / FRAMEWORK).mkdir(parents=True)
    tasks = "".join(
        f"- [!] {h.splitlines()[-1]}\n- [X] {h.splitlines()[-1]}\n" for h in HOSTILE
    )
    (root / FRAMEWORK / "database-checklist.md").write_text(f"## Phase 0: x\n\n{tasks}")
    migrations = root / "migration-scripts"
    migrations.mkdir()
    for n, h in enumerate(HOSTILE):
        (migrations / f"V{n}__{h}.sql").write_text("select 1;\n")
        (migrations / h).write_text("x")
    (migrations / os.fsdecode(b"bad\xff.sql")).write_text("x")
    first = HOSTILE[0]
    (root / "database-schema.sql").write_text(
        "".join(
            f'CREATE TABLE "{h}" ("{h}c" int, c int REFERENCES "{first}" ("{first}c"));\n'
            f"-- {h}\n"
            for h in HOSTILE
        )
    )
    (root / "entity-relationship-diagram.md").write_text(
        "# ERD\n\n```mermaid\nerDiagram\n"
        + "".join(f'    "{h.splitlines()[-1]}"\n' for h in HOSTILE)
        + "    ##[error]M\n```\n"
    )
    return root


def dbdesign(*args: str, actions: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if actions:
        env["GITHUB_ACTIONS"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args],
        capture_output=True,
        text=True,
        errors="surrogateescape",
        env=env,
        check=False,
    )


COMMANDS = {
    "check github": ["check", "--format", "github"],
    "check github fix": ["check", "--format", "github", "--fix"],
    "check text": ["check"],
    "check text fix": ["check", "--fix"],
    "check json": ["check", "--format", "json"],
    "check sarif": ["check", "--format", "sarif"],
    "status": ["status", "{root}"],
    "status json": ["status", "{root}", "--format", "json"],
    "init": ["init", "{root}", "--dry-run"],
    "erd": ["erd", "{root}"],
    "erd write": ["erd", "{root}", "--write"],
    "migrations hash": ["migrations", "hash", "{root}"],
    "rules": ["rules", HOSTILE[1]],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_nothing_printed_is_obeyed(repo: Repo, name: str) -> None:
    root = hostile_project(repo)
    args = [arg.replace("{root}", str(root)) for arg in COMMANDS[name]]
    if args[0] == "check":
        args += ["--root", str(root)]
    out = dbdesign(*args)
    assert out.returncode in (0, 1, 2), out.stderr
    assert "internal error" not in out.stderr
    assert_inert(out.stdout, out.stderr, name)


@pytest.mark.parametrize(
    "hook", ["dbdesign-checklist", "dbdesign-migrations", "dbdesign-schema"]
)
def test_hooks_in_github_format(repo: Repo, hook: str) -> None:
    root = hostile_project(repo)
    code = (
        f"import sys; from dbdesign.cli import hook_main; sys.exit(hook_main({hook!r}))"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "--root",
            str(root),
            "--format",
            "github",
            "--fix",
        ],
        capture_output=True,
        text=True,
        errors="surrogateescape",
        check=False,
    )
    assert out.returncode in (0, 1), out.stderr
    assert_inert(out.stdout, out.stderr, hook)


@pytest.mark.parametrize("actions", [True, False])
@pytest.mark.parametrize(
    "command",
    [
        ["check", "--format", "github"],
        ["check", "--format", "json"],
        ["status"],
        ["erd"],
        ["init", "--dry-run"],
        ["migrations", "hash"],
    ],
)
def test_an_unknown_config_key_cannot_inject(
    repo: Repo, command: list[str], actions: bool
) -> None:
    # The exit-2 line quotes the key; stderr is read by the runner too.
    for hostile in ("##[warning title=pwned]INJECTED", "  ::error::INJECTED"):
        (repo.path / ".dbdesign.yaml").write_text(json.dumps({hostile: 1}))
        args = [*command, "--root" if command[0] == "check" else str(repo.path)]
        if command[0] == "check":
            args.append(str(repo.path))
        out = dbdesign(*args, actions=actions)
        assert out.returncode == 2
        assert out.stderr.startswith("dbdesign: error: .dbdesign.yaml:1: ")
        assert "INJECTED: unknown key" in out.stderr
        assert_inert(out.stdout, out.stderr, " ".join(command))


def test_text_output_under_actions_is_fenced_and_readable(repo: Repo) -> None:
    root = hostile_project(repo)
    out = dbdesign("status", str(root))
    lines = out.stdout.splitlines()
    assert lines[0].startswith("::stop-commands::")
    assert lines[-1] == f"::{lines[0].removeprefix('::stop-commands::')}::"
    assert "  line 5 (Phase 0): ##[warning title=pwned]B" in lines
    # Outside GitHub Actions, and into a file, the text is as it was.
    plain = dbdesign("status", str(root), actions=False)
    assert plain.stdout == "\n".join(lines[1:-1]) + "\n"
    with open(root / "status.txt", "w") as handle:
        subprocess.run(
            [sys.executable, "-m", "dbdesign", "status", str(root)],
            stdout=handle,
            env={**os.environ, "GITHUB_ACTIONS": "true"},
            check=True,
        )
    assert (root / "status.txt").read_text() == plain.stdout


def test_json_stays_the_same_data(repo: Repo) -> None:
    root = hostile_project(repo)
    out = dbdesign("check", "--root", str(root), "--format", "json")
    assert "##[" not in out.stdout and "##\\u005b" in out.stdout
    paths = {f["path"] for f in json.loads(out.stdout)["findings"]}
    assert "##[warning title=pwned]B.md" in paths
