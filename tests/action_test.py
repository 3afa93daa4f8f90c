"""The GitHub Action: action.yml's `run:` steps executed as the runner
would (bash, the env each step declares, GITHUB_* files and an event
payload) on throwaway repositories with a base and a head commit, hostile
names included; zizmor on action.yml and the example workflow."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from conftest import REPO_ROOT, Repo
from dbdesign import action, action_workflow
from hostile import plant, ran
from replay_fixtures import needs_postgres
from workflow_commands import assert_inert, obeyed

ACTION = REPO_ROOT / "action.yml"
WORKFLOW = REPO_ROOT / "examples" / "workflows" / "dbdesign.yml"
SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
SHA = re.compile(r"^[0-9a-f]{40}$")
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def action_steps() -> list[dict[str, object]]:
    data = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert data["runs"]["using"] == "composite"
    return list(data["runs"]["steps"])


def action_inputs() -> dict[str, str]:
    data = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return {name: str(spec.get("default", "")) for name, spec in data["inputs"].items()}


def parse_outputs(text: str) -> dict[str, str]:
    """$GITHUB_OUTPUT as the runner reads it: NAME=VALUE lines and
    NAME<<DELIMITER heredocs."""
    out: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            while lines[i] != delimiter:
                body.append(lines[i])
                i += 1
            i += 1
            out[name] = "\n".join(body)
        else:
            name, value = line.split("=", 1)
            out[name] = value
    return out


def obeyed_commands(stdout: str) -> list[str]:
    """The lines the runner would take as workflow commands (the model in
    workflow_commands.py: `::name ...` also indented, legacy `##[name]`
    anywhere), except between `::stop-commands::TOKEN` and `::TOKEN::`."""
    return [command.line.strip() for command in obeyed(stdout)]


def unescape(value: str) -> str:
    for code, char in (
        ("%0D", "\r"),
        ("%0A", "\n"),
        ("%3A", ":"),
        ("%2C", ","),
        ("%25", "%"),
    ):
        value = value.replace(code, char)
    return value


_ANNOTATION = re.compile(
    r"^::(error|warning) file=([^,:]*)(?:,line=(\d+))?(?:,col=(\d+))?"
    r",title=([^,:]*)::(.*)$"
)


def annotations(stdout: str) -> list[tuple[str, str, int | None, str, str]]:
    """(severity, file, line, code, message) of every annotation, failing
    on any other command the runner would obey."""
    found = []
    for text in obeyed_commands(stdout):
        match = _ANNOTATION.match(text)
        assert match, f"not an annotation: {text!r}"
        kind, path, line, _col, title, message = match.groups()
        assert "\n" not in message and "\r" not in message
        found.append(
            (
                kind,
                unescape(path),
                int(line) if line else None,
                unescape(title),
                unescape(message),
            )
        )
    return found


def check_sarif(document: dict[str, object]) -> None:
    """DOCUMENT is valid SARIF 2.1.0 (the OASIS schema, shipped in
    tests/data) with what GitHub code scanning needs of each result."""
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(
        schema, format_checker=jsonschema.FormatChecker()
    )
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)
    ]
    assert errors == []
    (run,) = document["runs"]  # type: ignore[index]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert run["tool"]["driver"]["name"] == "dbdesign"
    assert len(rules) == len(set(rules))
    for result in run["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert uri and not uri.startswith("/") and ":" not in uri
        assert not re.search(r"[\s\\#?]", uri), uri
        assert physical["region"]["startLine"] >= 1
        assert physical["region"].get("startColumn", 1) >= 1


# -- running the composite's steps ---------------------------------------------------


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str


# The replay tier has tests of its own (below and in replay_test.py); the
# other tests would each start a PostgreSQL server for nothing.
TEST_DEFAULTS = {"replay": "off"}


@dataclass
class Runner:
    """The runner's side of a job: workspace, event, temp folder, and
    the outputs of the steps run so far."""

    workspace: Path
    temp: Path
    action_path: Path
    event: dict[str, object]
    inputs: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    venv_python: Path | None = None
    history: list[Run] = field(default_factory=list)  # every step run

    def expression(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            expr = match.group(1)
            if expr.startswith("inputs."):
                name = expr.removeprefix("inputs.")
                return self.inputs.get(
                    name, TEST_DEFAULTS.get(name, action_inputs()[name])
                )
            if expr == "github.action_path":
                return str(self.action_path)
            step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
            if step:
                return self.outputs.get(step[1], {}).get(step[2], "")
            raise AssertionError(f"unknown expression {expr!r}")

        return EXPRESSION.sub(value, text)

    def env(self, step: dict[str, object], index: int) -> dict[str, str]:
        event_path = self.temp / "event.json"
        event_path.write_text(json.dumps(self.event), encoding="utf-8")
        env = dict(os.environ)
        env.update(
            {
                "CI": "true",
                "GITHUB_ACTIONS": "true",
                "GITHUB_ACTION_PATH": str(self.action_path),
                "GITHUB_EVENT_NAME": "pull_request",
                "GITHUB_EVENT_PATH": str(event_path),
                "GITHUB_WORKSPACE": str(self.workspace),
                "GITHUB_REPOSITORY": "octo-org/octo-repo",
                "GITHUB_SERVER_URL": "https://github.com",
                "GITHUB_SHA": "0" * 40,
                "GITHUB_HEAD_REF": str(
                    _dig(self.event, "pull_request", "head", "ref") or ""
                ),
                "GITHUB_BASE_REF": "main",
                "GITHUB_OUTPUT": str(self.temp / f"output-{index}"),
                "GITHUB_STEP_SUMMARY": str(self.temp / f"summary-{index}"),
                "RUNNER_TEMP": str(self.temp),
                "RUNNER_OS": "Linux",
                "RUNNER_ARCH": "X64",
            }
        )
        for name, raw in dict(step.get("env") or {}).items():
            env[name] = self.expression(str(raw))
        return env

    def run_step(self, step: dict[str, object], index: int) -> Run:
        assert step.get("shell") == "bash"
        script = str(step["run"])
        assert "${{" not in script, "inputs reach run: only through env:"
        env = self.env(step, index)
        path = self.temp / f"step-{index}.sh"
        path.write_text(script, encoding="utf-8")
        for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
            Path(env[name]).write_text("", encoding="utf-8")
        out = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        outputs = parse_outputs(Path(env["GITHUB_OUTPUT"]).read_text(encoding="utf-8"))
        if step.get("id"):
            self.outputs[str(step["id"])] = outputs
        result = Run(
            out.returncode,
            out.stdout,
            out.stderr,
            outputs,
            Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8"),
        )
        self.history.append(result)
        return result

    def run(self, install: bool = False) -> Run:
        """Every step in order (the cache action is the runner's, and is
        skipped); without INSTALL, the venv is this test session's Python,
        stamped so that the install step sees it as restored."""
        last = None
        for index, step in enumerate(action_steps()):
            if "uses" in step:
                assert SHA.match(str(step["uses"]).split("@")[1].split()[0])
                continue
            if step.get("id") == "install" and not install:
                self._fake_venv()
            last = self.run_step(step, index)
            if last.returncode != 0 and step.get("id") != "report":
                raise AssertionError(
                    f"step {step.get('id')} failed: {last.stdout}{last.stderr}"
                )
        assert last is not None
        return last

    def _fake_venv(self) -> None:
        prepared = self.outputs["prepare"]
        python = Path(prepared["python"])
        python.parent.mkdir(parents=True, exist_ok=True)
        python.write_text(
            f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8"
        )
        python.chmod(0o755)
        (Path(prepared["venv"]) / ".dbdesign-key").write_text(
            prepared["key"] + "\n", encoding="utf-8"
        )


def _dig(data: object, *keys: str) -> object:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def pull_request_event(
    base_sha: str,
    head_sha: str,
    *,
    title: str = "Add orders",
    head_ref: str = "feature/orders",
    labels: tuple[str, ...] = (),
) -> dict[str, object]:
    """A pull_request event payload as GitHub sends it (the fields that
    matter, with the shape of the real thing)."""
    repo = {
        "id": 1,
        "name": "octo-repo",
        "full_name": "octo-org/octo-repo",
        "private": False,
        "fork": False,
        "html_url": "https://github.com/octo-org/octo-repo",
    }
    user = {"login": "octocat", "id": 1, "type": "User"}
    return {
        "action": "synchronize",
        "number": 42,
        "pull_request": {
            "url": "https://api.github.com/repos/octo-org/octo-repo/pulls/42",
            "id": 1,
            "number": 42,
            "state": "open",
            "locked": False,
            "title": title,
            "user": user,
            "body": "Please review.",
            "html_url": "https://github.com/octo-org/octo-repo/pull/42",
            "labels": [
                {"id": n, "name": name, "color": "ededed", "default": False}
                for n, name in enumerate(labels)
            ],
            "draft": False,
            "head": {
                "label": f"octocat:{head_ref}",
                "ref": head_ref,
                "sha": head_sha,
                "user": user,
                "repo": repo,
            },
            "base": {
                "label": "octo-org:main",
                "ref": "main",
                "sha": base_sha,
                "user": user,
                "repo": repo,
            },
            "merged": False,
            "commits": 1,
            "additions": 10,
            "deletions": 0,
            "changed_files": 2,
        },
        "repository": repo,
        "sender": user,
    }


@pytest.fixture
def runner(tmp_path: Path, repo: Repo) -> Iterator[Runner]:
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    yield Runner(workspace=repo.path, temp=temp, action_path=REPO_ROOT, event={})


CHECKLIST_LINE = "- [y] Sign off the data dictionary"


def make_project(repo: Repo, where: str = "") -> None:
    (repo.path / where).mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "dbdesign", "init", str(repo.path / where)],
        check=True,
        capture_output=True,
    )


def pull_request(
    repo: Repo,
    runner: Runner,
    *,
    head_ref: str = "feature/x",
    title: str = "Add orders",
    labels: tuple[str, ...] = (),
    migration: str = "V2__add_orders.sql",
    where: str = "",
) -> tuple[str, str]:
    """Base: a scaffolded project; head: a malformed checklist marker, a
    blocked task with its reason, and a new migration."""
    make_project(repo, where)
    base = repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    checklist = repo.path / where / ".claude/database/database-checklist.md"
    text = checklist.read_text(encoding="utf-8")
    checklist.write_text(
        text + f"\n{CHECKLIST_LINE}\n- [!] Load test the orders table "
        "(blocked by: the staging database is not ready)\n",
        encoding="utf-8",
    )
    repo.write(
        f"{where}migration-scripts/{migration}",
        "CREATE TABLE orders (id integer PRIMARY KEY);\n",
    )
    head = repo.commit("head")
    runner.event = pull_request_event(
        base, head, title=title, head_ref=head_ref, labels=labels
    )
    return base, head


def checklist_line(repo: Repo, where: str = "") -> int:
    lines = (
        (repo.path / where / ".claude/database/database-checklist.md")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    return lines.index(CHECKLIST_LINE) + 1


# -- the action end to end -----------------------------------------------------------


def test_pull_request_with_findings(repo: Repo, runner: Runner) -> None:
    _base, _head = pull_request(repo, runner)
    runner.inputs = {"sarif": "reports/dbdesign.sarif"}
    result = runner.run()

    assert result.returncode == 1, result.stdout + result.stderr
    found = annotations(result.stdout)
    line = checklist_line(repo)
    assert (
        "error",
        ".claude/database/database-checklist.md",
        line,
        "CL001",
        found[[a[3] for a in found].index("CL001")][4],
    ) in found
    errors = sum(1 for a in found if a[0] == "error")
    warnings = len(found) - errors
    assert errors >= 1
    # Errors come first: GitHub shows only the first few annotations.
    assert [a[0] for a in found] == sorted(a[0] for a in found)

    assert result.outputs["errors"] == str(errors)
    assert result.outputs["warnings"] == str(warnings)
    sarif_file = Path(result.outputs["sarif-file"])
    assert sarif_file == repo.path / "reports" / "dbdesign.sarif"
    sarif = json.loads(sarif_file.read_text(encoding="utf-8"))
    assert len(sarif["runs"][0]["results"]) == len(found)
    check_sarif(sarif)
    listed = json.loads(Path(result.outputs["json-file"]).read_text(encoding="utf-8"))
    assert listed["summary"]["errors"] == errors

    head = repo.git("rev-parse", "HEAD").strip()
    summary = result.summary
    assert summary.startswith(f"## ❌ dbdesign: {errors} error")
    assert "pull request #42 Add orders" in summary
    assert (
        "https://github.com/octo-org/octo-repo/blob/"
        f"{head}/.claude/database/database-checklist.md#L{line}"
    ) in summary
    assert "| Phase | Progress |" in summary and "**Overall**" in summary
    assert "Load test the orders table" in summary
    assert "the staging database is not ready" in summary
    assert "**Migrations added (1)**" in summary
    assert "migration-scripts/V2\\_\\_add\\_orders.sql" in summary
    assert "```mermaid\nerDiagram" in summary or "_ERD not shown: " in summary
    # The log's own lines are fenced off from the runner's command parser.
    assert "::stop-commands::" in result.stdout


def test_clean_pull_request_passes(repo: Repo, runner: Runner) -> None:
    make_project(repo)
    base = repo.commit("base")
    repo.write("notes.txt", "unrelated\n")
    head = repo.commit("head")
    runner.event = pull_request_event(base, head)
    runner.inputs = {"select": "CL,FW", "fail-on": "warning"}
    result = runner.run()

    assert result.returncode == 0, result.stdout + result.stderr
    assert annotations(result.stdout) == []
    assert result.outputs["errors"] == "0"
    assert result.outputs["warnings"] == "0"
    assert result.outputs["sarif-file"] == ""
    assert result.summary.startswith("## ✅ dbdesign: no findings")
    assert "### Findings" not in result.summary
    assert "No migrations added." in result.summary


def test_fail_on_never_and_summary_off(repo: Repo, runner: Runner) -> None:
    pull_request(repo, runner)
    runner.inputs = {"fail-on": "never", "summary": "false"}
    result = runner.run()
    assert result.returncode == 0
    assert int(result.outputs["errors"]) >= 1
    assert result.summary == ""


def test_label_allows_no_changelog(repo: Repo, runner: Runner) -> None:
    pull_request(repo, runner, labels=("no-changelog",))
    runner.inputs = {"select": "CH", "fail-on": "warning"}
    without = runner.run()
    assert "CH001" in {a[3] for a in annotations(without.stdout)}
    runner.inputs["allow-no-changelog-label"] = "no-changelog"
    with_label = runner.run()
    assert "CH001" not in {a[3] for a in annotations(with_label.stdout)}
    assert "waived by the pull request's label" in with_label.summary


def test_monorepo_roots_each_with_its_config(repo: Repo, runner: Runner) -> None:
    make_project(repo, "services/billing")
    make_project(repo, "services/shop")
    repo.write("services/shop/.dbdesign.yaml", "ignore: [CL001]\n")
    base = repo.commit("base")
    for where in ("services/billing", "services/shop"):
        path = repo.path / where / ".claude/database/database-checklist.md"
        path.write_text(
            path.read_text(encoding="utf-8") + f"\n{CHECKLIST_LINE}\n", encoding="utf-8"
        )
    head = repo.commit("head")
    runner.event = pull_request_event(base, head)
    runner.inputs = {"root": "services/billing\nservices/shop\n", "select": "CL"}
    result = runner.run()

    found = annotations(result.stdout)
    assert {(a[1], a[3]) for a in found} == {
        ("services/billing/.claude/database/database-checklist.md", "CL001")
    }
    assert result.returncode == 1
    assert "Checked 2 projects" in result.summary
    assert "### Project <code>services/billing</code>" in result.summary
    assert "### Project <code>services/shop</code>" in result.summary


def test_missing_base_commit_names_fetch_depth(repo: Repo, runner: Runner) -> None:
    make_project(repo)
    head = repo.commit("base")
    runner.event = pull_request_event("1" * 40, head)
    result = runner.run()
    assert result.returncode == 2
    (only,) = obeyed_commands(result.stdout)
    assert only.startswith("::error title=dbdesign::")
    assert "fetch-depth" in only
    assert "could not be checked" in result.summary
    assert "fetch-depth" in result.summary


def test_bad_input_is_exit_2(repo: Repo, runner: Runner) -> None:
    make_project(repo)
    head = repo.commit("base")
    runner.event = pull_request_event(head, head)
    runner.inputs = {"fail-on": "sometimes"}
    result = runner.run()
    assert result.returncode == 2
    assert obeyed_commands(result.stdout) == [
        "::error title=dbdesign::fail-on: 'sometimes' is not one of error, "
        "warning, never"
    ]


def test_a_root_outside_the_workspace_is_refused(repo: Repo, runner: Runner) -> None:
    make_project(repo)
    head = repo.commit("base")
    runner.event = pull_request_event(head, head)
    runner.inputs = {"root": "..\n/"}
    result = runner.run()
    assert result.returncode == 2
    assert "not a folder in the workspace" in result.stdout
    assert obeyed_commands(result.stdout)[0].startswith("::error")


def test_sarif_is_not_written_through_a_link_out_of_the_workspace(
    repo: Repo, runner: Runner, tmp_path: Path
) -> None:
    # A pull request may add `reports` as a link to a folder of the
    # runner's; the step must not write there.
    make_project(repo)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (repo.path / "reports").symlink_to(outside)
    head = repo.commit("base")
    runner.event = pull_request_event(head, head)
    runner.inputs = {"sarif": "reports/dbdesign.sarif"}
    result = runner.run()
    assert result.returncode == 2
    assert "leads out of the workspace" in result.stdout
    assert list(outside.iterdir()) == []


def test_sarif_is_not_written_through_its_own_link_out(
    repo: Repo, runner: Runner, tmp_path: Path
) -> None:
    make_project(repo)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n", encoding="utf-8")
    (repo.path / "dbdesign.sarif").symlink_to(victim)
    head = repo.commit("base")
    runner.event = pull_request_event(head, head)
    runner.inputs = {"sarif": "dbdesign.sarif"}
    result = runner.run()
    assert result.returncode == 2
    assert "leads out of the workspace" in result.stdout
    assert victim.read_text(encoding="utf-8") == "keep\n"
    assert (repo.path / "dbdesign.sarif").is_symlink()


def test_sarif_is_written_through_a_link_inside_the_workspace(
    repo: Repo, runner: Runner
) -> None:
    # One rule for every writer: a link inside is written through and
    # stays a link.
    make_project(repo)
    (repo.path / "reports").mkdir()
    (repo.path / "dbdesign.sarif").symlink_to("reports/dbdesign.sarif")
    head = repo.commit("base")
    runner.event = pull_request_event(head, head)
    runner.inputs = {"sarif": "dbdesign.sarif"}
    result = runner.run()
    assert result.returncode in (0, 1)
    assert (repo.path / "dbdesign.sarif").is_symlink()
    target = repo.path / "reports/dbdesign.sarif"
    check_sarif(json.loads(target.read_text(encoding="utf-8")))


def test_action_steps_import_nothing_from_the_workspace(
    repo: Repo, runner: Runner, tmp_path: Path
) -> None:
    # The workspace holds the pull request's files: every step (prepare,
    # install's check of a restored venv, the report step, the `dbdesign
    # check` it starts, its sqlfluff workers and git) must not import them.
    pull_request(repo, runner)
    repo.write("migration-scripts/V2__add_orders.sql", "select a,b from t\n")
    sentinels = tmp_path / "sentinels"
    plant(repo.path, sentinels)
    repo.commit("hostile")
    runner.event["pull_request"]["head"]["sha"] = (  # type: ignore[index]
        repo.git("rev-parse", "HEAD").strip()
    )
    result = runner.run()
    assert ran(sentinels) == []
    assert result.returncode == 1, result.stdout + result.stderr
    codes = {a[3] for a in annotations(result.stdout)}
    assert {"CL001", "LT09"} <= codes and "SQ009" not in codes


SECRET = "TOPSECRET_VALUE_abc123"


@pytest.mark.parametrize("config", ["team.yaml", "conf/secret.yaml"])
def test_config_input_never_follows_a_link_out_of_the_workspace(
    repo: Repo, runner: Runner, tmp_path: Path, config: str
) -> None:
    secret = tmp_path / "outside" / "secret.yaml"
    secret.parent.mkdir()
    secret.write_text(f"{SECRET}: hunter2\n", encoding="utf-8")
    make_project(repo)
    (repo.path / "team.yaml").symlink_to(secret)
    (repo.path / "conf").symlink_to(secret.parent, target_is_directory=True)
    head = repo.commit("base")
    runner.event = pull_request_event(head, head)
    runner.inputs = {"config": config}
    result = runner.run()
    assert result.returncode == 2
    for text in (result.stdout, result.stderr, result.summary, *result.outputs):
        assert SECRET not in text
    assert obeyed_commands(result.stdout) == [
        f"::error title=dbdesign::config: {config} leads out of the workspace "
        "through a symbolic link, so it is not read; commit the config file "
        "itself, or name a file outside the workspace directly"
    ]


def test_config_input_may_link_within_the_workspace(
    repo: Repo, runner: Runner, tmp_path: Path
) -> None:
    # A monorepo's project links to the team's config elsewhere in the
    # workspace; a config the workflow names outside it is its own.
    make_project(repo, "db")
    repo.write("shared/team.yaml", "ignore: [CL001]\n")
    (repo.path / "db" / "team.yaml").symlink_to("../shared/team.yaml")
    base = repo.commit("base")
    checklist = repo.path / "db/.claude/database/database-checklist.md"
    checklist.write_text(
        checklist.read_text(encoding="utf-8") + f"\n{CHECKLIST_LINE}\n",
        encoding="utf-8",
    )
    head = repo.commit("head")
    runner.event = pull_request_event(base, head)
    outside = tmp_path / "workflow-config.yaml"
    outside.write_text("ignore: [CL001]\n", encoding="utf-8")
    for config in ("db/team.yaml", str(outside), ""):
        runner.inputs = {"root": "db", "select": "CL", "config": config}
        result = runner.run()
        assert "could not check" not in result.stdout, result.stdout
        codes = {a[3] for a in annotations(result.stdout)}
        assert ("CL001" in codes) == (config == ""), config


def test_extras_come_from_this_process(repo: Repo) -> None:
    from dbdesign.action_run import _with_extras
    from dbdesign.report.job_context import Section

    make_project(repo)
    repo.write(
        "database-schema.sql",
        "CREATE TABLE users (id integer "
        "PRIMARY KEY);\nCREATE TABLE orders (id integer PRIMARY KEY, "
        "user_id integer REFERENCES users (id));\n",
    )
    section = _with_extras(Section("."), repo.path, repo.path, None, None)
    assert isinstance(section.status, dict)
    assert section.status["path"] == ".claude/database/database-checklist.md"
    diagram, why = section.erd
    assert diagram.startswith("erDiagram") and "orders" in diagram, why
    assert section.migrations == ("no base commit to compare with (not a pull request)")
    (repo.path / ".claude/database/database-checklist.md").unlink()
    section = _with_extras(Section("."), repo.path, repo.path, None, None)
    assert isinstance(section.status, str) and "dbdesign init" in section.status


def test_fails_follows_fail_on() -> None:
    from dbdesign.report.job_context import fails

    assert fails(1, 0, "error") and not fails(0, 3, "error")
    assert fails(0, 1, "warning") and not fails(0, 0, "warning")
    assert not fails(5, 5, "never")


HOSTILE_BRANCH = 'x";touch "$HOME/pwned-branch";echo "$(touch pwned-sub)'
HOSTILE_TITLE = (
    "::error::injected\n##[warning]legacy %0A::set-output "
    "name=errors::0 <script>alert(1)</script> | `x` "
    "[link](https://evil.example) $(touch pwned-title)"
)
HOSTILE_MIGRATION = "V3__a\n::warning file=x::injected,%0A$(touch pwned).sql"


def test_hostile_names_run_nothing_and_inject_nothing(
    repo: Repo, runner: Runner, tmp_path: Path
) -> None:
    pull_request(
        repo,
        runner,
        head_ref=HOSTILE_BRANCH,
        title=HOSTILE_TITLE,
        migration=HOSTILE_MIGRATION,
    )
    repo.write("::error::evil,%0A.md", "stray\n")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "more")
    runner.event["pull_request"]["head"]["sha"] = (  # type: ignore[index]
        repo.git("rev-parse", "HEAD").strip()
    )
    runner.inputs = {"sarif": "dbdesign.sarif"}
    result = runner.run()

    assert result.returncode == 1
    # Nothing in a name or title ran.
    assert not list(tmp_path.rglob("pwned*"))
    # Every command the runner obeys is one of our annotations, and each
    # names a real file of the repository.
    found = annotations(result.stdout)
    tracked = set(repo.git("ls-files", "-z").split("\0"))
    for _kind, path, _line, _code, _message in found:
        assert path in tracked, path
    # The migration's name, newline and all, came through as one escaped
    # file property (MG001: it follows no naming scheme).
    assert f"migration-scripts/{HOSTILE_MIGRATION}" in {a[1] for a in found}
    # Outputs are ours alone, with their real values.
    assert set(result.outputs) == {"errors", "warnings", "sarif-file", "json-file"}
    assert result.outputs["errors"] == str(sum(1 for a in found if a[0] == "error"))
    # The summary shows the title and names as text, never as markup.
    summary = result.summary
    assert "<script>" not in summary
    assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in summary
    assert "[link](https" not in summary
    assert "\n::" not in summary and "\n##[" not in summary
    assert "V3\\_\\_a ::warning file=x::injected,%0A\\$\\(touch pwned\\).sql" in summary
    sarif = json.loads((repo.path / "dbdesign.sarif").read_text(encoding="utf-8"))
    check_sarif(sarif)


def test_no_step_prints_a_command_from_the_repository(
    repo: Repo, runner: Runner
) -> None:
    # Two roots: one full of hostile names and texts, one whose config has
    # a hostile unknown key (its exit-2 line is echoed as an error).
    from log_injection_test import hostile_project

    hostile_project(repo)
    (repo.path / "b").mkdir()
    (repo.path / "b/.dbdesign.yaml").write_text('"##[warning title=pwned]X": 1\n')
    head = repo.commit("base")
    runner.event = pull_request_event(head, head, title="##[error]title")
    runner.inputs = {"root": ".\nb", "sarif": "dbdesign.sarif"}
    result = runner.run()
    assert result.returncode == 2
    assert "dbdesign could not check b" in result.stdout
    for step in runner.history:
        assert_inert(step.stdout, step.stderr)
    assert not list(repo.path.rglob("pwned*"))


def test_sarif_schema_and_code_scanning_needs() -> None:
    from dbdesign.findings import Finding, external, finding
    from dbdesign.report import sarif

    findings = [
        finding(
            "CL001",
            ".claude/database/database-checklist.md",
            "malformed marker `[y]`",
            3,
            5,
        ),
        finding("CH001", "CHANGELOG.md", "no entry for the change"),
        external("LT01", "schema", "db/a b#?%.sql", "spacing", 2, 9),
        Finding(
            "MG001",
            "error",
            "migrations",
            "m/x\n::error::y:z,.sql",
            None,
            None,
            "not a migration <b>",
        ),
        external("CP01", "schema", "-leading.sql", "case", 1, None, severity="error"),
    ]
    document = json.loads(sarif.render(findings))
    check_sarif(document)
    assert json.loads(sarif.render([]))["runs"][0]["results"] == []
    check_sarif(json.loads(sarif.render([])))


# -- the install step ----------------------------------------------------------------


@pytest.mark.e2e
def test_install_step_builds_and_reuses_the_venv(tmp_path: Path, repo: Repo) -> None:
    checkout = tmp_path / "action"
    checkout.mkdir()
    for name in ("action.yml", "pyproject.toml", "README.md"):
        shutil.copy2(REPO_ROOT / name, checkout / name)
    shutil.copytree(
        REPO_ROOT / "hooks" / "dbdesign",
        checkout / "hooks" / "dbdesign",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    make_project(repo)
    # `python -m venv` and `-m pip` run from the workspace would import
    # these.
    sentinels = tmp_path / "sentinels"
    plant(repo.path, sentinels)
    head = repo.commit("base")
    runner = Runner(
        workspace=repo.path,
        temp=temp,
        action_path=checkout,
        event=pull_request_event(head, head),
        inputs={"select": "FW"},
    )
    result = runner.run(install=True)
    assert result.returncode == 0, result.stdout + result.stderr
    python = Path(runner.outputs["prepare"]["python"])
    assert python.is_relative_to(temp)
    index, install = next(
        (n, s) for n, s in enumerate(action_steps()) if s.get("id") == "install"
    )
    again = runner.run_step(install, index)
    assert "restored from the cache" in again.stdout
    assert ran(sentinels) == []


def test_prepare_keys_the_venv_by_the_sources(tmp_path: Path) -> None:
    checkout = tmp_path / "action"
    shutil.copytree(
        REPO_ROOT / "hooks" / "dbdesign",
        checkout / "hooks" / "dbdesign",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy2(REPO_ROOT / "pyproject.toml", checkout / "pyproject.toml")
    env = {
        "GITHUB_ACTION_PATH": str(checkout),
        "RUNNER_TEMP": str(tmp_path),
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
    }
    first = action.plan(env)
    assert first == action.plan(env)
    assert first.venv.parent == tmp_path
    (checkout / "hooks" / "dbdesign" / "action.py").write_text(
        "# changed\n", encoding="utf-8"
    )
    second = action.plan(env)
    assert second.key != first.key and second.venv != first.venv


def test_the_cache_folder_is_kept_between_runs(repo: Repo, runner: Runner) -> None:
    pull_request(repo, runner)
    runner.run()
    prepared = runner.outputs["prepare"]
    folder = Path(prepared["cache-dir"])
    # the report step wrote dbdesign's cache where actions/cache keeps it
    assert folder.parent == runner.temp and any((folder / "sql").rglob("*.json"))
    assert prepared["cache-key"].startswith(prepared["cache-restore"])
    step = next(s for s in action_steps() if s.get("id") == "report")
    assert step["env"]["DBDESIGN_CACHE_DIR"] == "${{ steps.prepare.outputs.cache-dir }}"
    cached = [
        s["with"]["path"]
        for s in action_steps()
        if "actions/cache" in str(s.get("uses"))
    ]
    assert "${{ steps.prepare.outputs.cache-dir }}" in cached


def test_prepare_keys_the_cache_by_the_action_and_the_config(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    (workspace / "app").mkdir(parents=True)
    outside = tmp_path / "secret.yaml"
    outside.write_text("a: 1\n", encoding="utf-8")
    env = {
        "GITHUB_ACTION_PATH": str(REPO_ROOT),
        "GITHUB_WORKSPACE": str(workspace),
        "RUNNER_TEMP": str(tmp_path / "temp"),
        "GITHUB_RUN_ID": "7",
        "INPUT_ROOT": "app",
    }
    first = action.plan(env)
    assert first.cache_key == first.cache_restore + "7-1"
    assert action.plan({**env, "GITHUB_RUN_ID": "8"}).cache_restore == (
        first.cache_restore
    )
    (workspace / "app" / ".dbdesign.yaml").write_text("dialect: mysql\n")
    changed = action.plan(env)
    assert changed.cache_restore != first.cache_restore
    # a config that is a link out of the workspace is never read
    (workspace / "app" / ".sqlfluff").symlink_to(outside)
    linked = action.plan(env).cache_restore
    outside.write_text("a: 2\n", encoding="utf-8")
    assert action.plan(env).cache_restore == linked


# -- pieces --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "3",
        "",
        "a\nb",
        "x\r\ny",
        "ghadelimiter_x\n",
        "=<<\n<<EOF\nEOF",
    ],
)
def test_outputs_round_trip(value: str) -> None:
    lines = action_workflow.output_lines
    text = lines("name", value) + lines("n2", "v")
    assert parse_outputs(text) == {"name": value, "n2": "v"}


def test_inputs() -> None:
    inputs = action.read_inputs(
        {
            "INPUT_ROOT": " a \n\nb\na\n",
            "INPUT_SELECT": "MG,\nSQ004 ",
            "INPUT_FAIL_ON": "Warning",
            "INPUT_SUMMARY": "false",
        }
    )
    assert inputs.roots == ("a", "b")
    assert inputs.select == "MG,SQ004"
    assert inputs.fail_on == "warning"
    assert not inputs.summary
    defaults = action.read_inputs({})
    assert defaults.roots == (".",) and defaults.summary
    assert defaults.fail_on == "error" and defaults.base is None
    with pytest.raises(action.InputError, match="summary"):
        action.read_inputs({"INPUT_SUMMARY": "maybe"})


def test_event_base_and_labels() -> None:
    event = pull_request_event("b" * 40, "h" * 40, labels=("x", "y"))
    assert action_workflow.event_base(event, {}) == "b" * 40
    assert action_workflow.event_labels(event) == {"x", "y"}
    push = {"before": "c" * 40}
    assert action_workflow.event_base(push, {"GITHUB_EVENT_NAME": "push"}) == "c" * 40
    assert (
        action_workflow.event_base({"before": "0" * 40}, {"GITHUB_EVENT_NAME": "push"})
        is None
    )
    assert action_workflow.event_base({}, {}) is None
    assert action_workflow.event_labels({"pull_request": {"labels": "x"}}) == set()


def test_main_unknown_step(capsys: pytest.CaptureFixture[str]) -> None:
    assert action.main(["deploy"]) == 2
    assert capsys.readouterr().out.startswith("::error title=dbdesign::")


# -- static checks of the YAML -------------------------------------------------------


def test_run_steps_take_inputs_only_through_env() -> None:
    for step in action_steps():
        if "run" in step:
            assert "${{" not in str(step["run"])
            assert step["shell"] == "bash"


def test_third_party_actions_are_pinned_by_sha() -> None:
    texts = [ACTION.read_text(encoding="utf-8"), WORKFLOW.read_text(encoding="utf-8")]
    uses = [m for text in texts for m in re.findall(r"uses:\s*(\S+)(.*)", text)]
    assert uses
    for ref, comment in uses:
        assert SHA.match(ref.split("@")[1]), ref
        assert re.search(r"# v\d", comment), f"{ref}: no version comment"


def test_example_workflow_shape() -> None:
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert "pull_request" in flow[True]  # YAML 1.1 reads `on` as True
    assert flow["permissions"] == {"contents": "read"}
    steps = flow["jobs"]["dbdesign"]["steps"]
    checkout = steps[0]
    assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}
    names = set(action_inputs())
    for step in steps:
        if step.get("id") == "dbdesign":
            assert set(step["with"]) <= names


def _zizmor() -> str:
    found = shutil.which("zizmor") or str(Path(sys.executable).parent / "zizmor")
    if not Path(found).exists():
        pytest.fail("zizmor is not installed: pip install -e '.[test]'")
    return found


@pytest.mark.parametrize("persona", ["regular", "pedantic"])
def test_zizmor_offline_reports_nothing(persona: str, tmp_path: Path) -> None:
    out = subprocess.run(
        [
            _zizmor(),
            "--offline",
            "--no-config",
            f"--persona={persona}",
            "--format=json",
            "--no-progress",
            str(ACTION),
            str(WORKFLOW),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)},
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout) == []


def test_findings_from_json_get_the_root_prefix() -> None:
    from dbdesign.action_run import finding_of

    item = {
        "code": "MG001",
        "severity": "error",
        "check": "migrations",
        "path": "migration-scripts/x.sql",
        "line": 3,
        "column": None,
        "message": "m",
        "fixable": False,
    }
    found = finding_of(item, "services/a/")
    assert found.path == "services/a/migration-scripts/x.sql"
    assert (found.line, found.column, found.severity) == (3, None, "error")
    for bad in (
        {**item, "severity": "fatal"},
        {**item, "line": "3"},
        {**item, "path": None},
        [item],
    ):
        with pytest.raises(ValueError):
            finding_of(bad, "")


def test_migrations_added_are_what_the_naming_scheme_calls_migrations(
    repo: Repo,
) -> None:
    from dbdesign.action_run import _migrations
    from dbdesign.config import Config
    from dbdesign.project import Project

    repo.write("migration-scripts/V1__init.sql", "SELECT 1;\n")
    base = repo.commit("base")
    repo.write("migration-scripts/V2__orders.sql", "SELECT 2;\n")
    repo.write("migration-scripts/README.md", "notes\n")
    repo.write("migration-scripts/add_users.sql", "SELECT 3;\n")  # MG001
    repo.commit("head")
    assert _migrations(Project(repo.path, Config()), base, "db/") == (
        "db/migration-scripts/V2__orders.sql",
    )


@needs_postgres
def test_replay_through_a_database_url(repo: Repo, runner: Runner, pg_url: str) -> None:
    """A `services: postgres` container, as the README's workflow shows it:
    the URL input; what the server says reaches the annotations and the
    job summary."""
    pull_request(repo, runner)
    repo.write(
        "migration-scripts/V3__broken.sql",
        "\nALTER TABLE orders ADD COLUMN total numeric CHECK (totl > 0);\n",
    )
    repo.commit("a broken migration")
    runner.inputs = {"replay": "on", "database-url": pg_url, "select": "RP"}
    result = runner.run()
    assert result.returncode == 1, result.stdout + result.stderr
    found = annotations(result.stdout)
    assert [(a[0], a[1], a[2], a[3]) for a in found if a[3] != "RP006"] == [
        ("error", "migration-scripts/V3__broken.sql", 2, "RP001")
    ]
    assert "RP001" in result.summary
    assert "pg_url" not in result.stdout and "postgres@" not in result.stdout
