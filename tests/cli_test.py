from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import projects
from conftest import REPO_ROOT, Repo
from dbdesign import __version__, cli, pipeline, rules
from dbdesign.cli import artifacts_main, checklist_main, framework_main, main
from projects import CHECKLIST, PROMPT

# Errors: FW003 (the prompt), CL001 at 5 and CL003 at 6; a warning: AR003.
BROKEN = {
    PROMPT: "",
    CHECKLIST: "# C\n\n## Phase 0\n\n- [X] a\n- [!] b\n" + projects.phases(1),
    "backup-recovery-plan.md": "# Backup\n\n## RPO\n\nFive minutes.\n",
}


def codes(out: str) -> list[str]:
    """The codes of the finding lines of a text report."""
    return sorted(
        line.split(": ", 2)[2].split(" ", 1)[0]
        for line in out.splitlines()
        if ": " in line and not line.startswith(("Found ", "All ", "[*] "))
    )


@pytest.fixture(autouse=True)
def _our_checks_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # `dbdesign check` runs every check; these tests are about the pipeline
    # and the three checks of the foundation, not the SQL ones.
    monkeypatch.setattr(cli, "CHECKS", ("framework", "checklist", "artifacts"))


@pytest.fixture
def broken(repo: Repo) -> Repo:
    projects.write(repo.path, BROKEN)
    return repo


def check(
    capsys: pytest.CaptureFixture[str], repo: Repo, *args: str
) -> tuple[int, str, str]:
    code = main(["check", "--root", str(repo.path), *args])
    out, err = capsys.readouterr()
    return code, out, err


# -- rules --------------------------------------------------------------------


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["code", "check", "severity", "fix", "summary"]
    assert [line.split()[0] for line in lines[1:]] == [r.code for r in rules.RULES]
    cl001 = next(line for line in lines if line.startswith("CL001"))
    assert cl001.split()[1:4] == ["checklist", "error", "yes"]
    assert "malformed progress marker" in cl001


def test_rules_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in listed] == [r.code for r in rules.RULES]
    assert set(listed[0]) >= {
        "code",
        "name",
        "check",
        "severity",
        "fixable",
        "summary",
        "why",
        "bad",
        "good",
    }


@pytest.mark.parametrize("code", ["CL001", "cl001"])
def test_rules_explains_one(capsys: pytest.CaptureFixture[str], code: str) -> None:
    assert main(["rules", code]) == 0
    out = capsys.readouterr().out
    assert out.startswith("CL001 (malformed-marker)\n")
    assert "hook dbdesign-checklist" in out
    assert "fixable: yes" in out
    where = "(.claude/database/database-checklist.md)"
    assert f"Bad {where}:\n    - [X] Identify entities\n    - [v] Define keys" in out
    assert f"Good {where}:\n    - [x] Identify entities\n    - [ ] Define keys" in out
    assert "Why it matters:" in out


def test_every_rule_has_its_explanation(capsys: pytest.CaptureFixture[str]) -> None:
    for rule in rules.RULES:
        assert main(["rules", rule.code]) == 0
        out = capsys.readouterr().out
        assert rule.summary in out and "\nBad" in out and "\nGood" in out
        # An example may be an empty file (FW003), shown as such.
        assert (rule.bad.strip() or rule.example_path) and rule.good.strip()
        assert rule.why.strip() and rule.bad != rule.good


def test_rules_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "BAD"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "dbdesign: error: unknown rule 'BAD'; `dbdesign rules` lists them\n"


def test_rules_json_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "AR003", "--format", "json"]) == 0
    explained = json.loads(capsys.readouterr().out)
    assert explained["severity"] == "warning"
    assert explained["help_uri"] == "https://github.com/dbdesign/dbdesign#ar003"


def test_every_rule_has_its_readme_anchor() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    for rule in rules.RULES:
        assert f'<a id="{rule.code.lower()}"></a>{rule.code} |' in readme


@pytest.mark.parametrize("prefix", ["MG", "mg", "SQ00", "CH"])
def test_rules_prefix_lists_its_family(
    capsys: pytest.CaptureFixture[str], prefix: str
) -> None:
    assert main(["rules", prefix]) == 0
    lines = capsys.readouterr().out.splitlines()
    family = [r.code for r in rules.RULES if r.code.startswith(prefix.upper())]
    assert [line.split()[0] for line in lines[1:]] == family


def test_rules_explains_a_sqlfluff_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "LT01"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "LT01 (layout.spacing), a sqlfluff rule\n\nInappropriate Spacing.\n"
    )
    assert "fixable: yes (`dbdesign check --fix`)" in out
    assert "dbdesign's defaults exclude LT01" in out
    # sqlfluff's own documentation, as plain text.
    assert "Anti-pattern" in out and "Best practice" in out
    assert ".. code-block::" not in out and "``" not in out
    assert out.endswith(
        "Docs: https://docs.sqlfluff.com/en/stable/reference/rules/layout#rule-LT01\n"
    )


def test_rules_lists_a_sqlfluff_family(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "cp", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in listed][:2] == ["CP01", "CP02"]
    assert {r["check"] for r in listed} == {"sqlfluff"}
    assert all(r["summary"] and r["doc"] for r in listed)


@pytest.mark.parametrize(
    "code, words",
    [
        ("PRS", "sqlfluff's parser could not read this part"),
        ("LT99", "sqlfluff"),
    ],
)
def test_rules_sqlfluff_edges(
    capsys: pytest.CaptureFixture[str], code: str, words: str
) -> None:
    status = main(["rules", code])
    out, err = capsys.readouterr()
    if code == "PRS":
        assert status == 0 and words in out
    else:
        assert status == 2 and out == ""
        assert (
            err.startswith("dbdesign: error: sqlfluff ") and "has no rule 'LT99'" in err
        )


# -- selection ----------------------------------------------------------------


def test_all_of_our_three_checks(
    broken: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = check(capsys, broken)
    assert code == 1
    assert codes(out) == ["AR003", "CL001", "CL003", "FW003"]


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--select", "CL"], ["CL001", "CL003"]),
        (["--select", "CL00"], ["CL001", "CL003"]),
        (["--select", "cl001,fw"], ["CL001", "FW003"]),
        (["--select", "CL", "--ignore", "CL003"], ["CL001"]),
        (["--ignore", "CL,FW"], ["AR003"]),
        (["--ignore", "AR, FW003"], ["CL001", "CL003"]),
    ],
)
def test_select_and_ignore(
    broken: Repo,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    expected: list[str],
) -> None:
    code, out, _ = check(capsys, broken, *args)
    assert codes(out) == expected
    assert code == (1 if expected != ["AR003"] else 0)


def test_config_ignore_and_severity(
    broken: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    (broken.path / ".dbdesign.yaml").write_text(
        "ignore: [FW]\nseverity:\n  CL001: warning\n  CL003: warning\n"
        "per_file_ignores:\n  '*.md': [AR003]\n"
    )
    code, out, _ = check(capsys, broken)
    assert codes(out) == ["CL001", "CL003"]
    assert code == 0
    assert "Found 2 warnings" in out


@pytest.mark.parametrize("value", ["XX", "CL9", "MG999", "", "Q"])
def test_unknown_selector(
    broken: Repo, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    if not value:
        code, out, err = check(capsys, broken, "--ignore", ",")
        assert code == 1  # nothing to ignore is fine
        return
    code = main(["check", "--root", str(broken.path), "--select", value])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert (
        err == f"dbdesign: error: --select: unknown rule code or prefix "
        f"{value!r}; `dbdesign rules` lists them\n"
    )


def test_strict(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    projects.write(
        repo.path, {"backup-recovery-plan.md": BROKEN["backup-recovery-plan.md"]}
    )
    assert artifacts_main(["--root", str(repo.path)]) == 0
    assert artifacts_main(["--root", str(repo.path), "--strict"]) == 1
    capsys.readouterr()


def test_quiet(broken: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, broken, "-q")
    assert code == 1
    assert codes(out) == ["CL001", "CL003", "FW003"]  # not the warning
    code, out, _ = check(capsys, broken, "-q", "--select", "AR")
    assert (code, out) == (0, "")
    code, out, _ = check(capsys, broken, "--quiet", "--select", "AR", "--strict")
    assert code == 1 and codes(out) == ["AR003"]


def test_output(
    broken: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "report.json"
    code, out, err = check(capsys, broken, "--format", "json", "--output", str(target))
    assert (code, out, err) == (1, "", "")
    summary = json.loads(target.read_text())["summary"]
    assert summary == {"errors": 3, "warnings": 1, "files": 10, "out_of_scope": 0}


@pytest.mark.parametrize(
    "entry", [main, framework_main, checklist_main, artifacts_main]
)
def test_version(entry: object, capsys: pytest.CaptureFixture[str]) -> None:
    assert callable(entry)
    with pytest.raises(SystemExit) as exc:
        entry(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"dbdesign {__version__}\n"


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        checklist_main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for option in (
        "--root",
        "--config",
        "--select",
        "--ignore",
        "--format",
        "--output",
        "--base",
        "--fix",
        "--no-cache",
        "--strict",
        "--quiet",
        "--version",
    ):
        assert option in out


def test_python_m_dbdesign(broken: Repo) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "dbdesign", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (out.returncode, out.stdout) == (0, f"dbdesign {__version__}\n")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "dbdesign",
            "check",
            "--root",
            str(broken.path),
            "--select",
            "CL001",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 1
    assert out.stdout.startswith(f"{CHECKLIST}:5:3: error: CL001 ")


# -- exit statuses ------------------------------------------------------------


def test_exit_0_1_2(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    projects.write(repo.path)
    assert check(capsys, repo)[0] == 0
    projects.write(repo.path, BROKEN)
    assert check(capsys, repo)[0] == 1
    (repo.path / ".dbdesign.yaml").write_text("nope: 1\n")
    assert check(capsys, repo)[0] == 2


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--nope"],
        ["check", "--format", "xml"],
        ["nope"],
        [],
    ],
)
def test_bad_usage_is_exit_2(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err


def test_internal_error_never_prints_a_traceback(
    broken: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    module = pipeline.check_module("checklist")

    def explode(project: object) -> object:
        raise RuntimeError("boom\n::error::injected")

    monkeypatch.setattr(module, "check", explode)
    code = checklist_main(["--root", str(broken.path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(
        "dbdesign: internal error: RuntimeError: "
        "boom\\n::error::injected; this is a bug, please "
        "report it at "
    )
    assert "DBDESIGN_DEBUG=1" in err and "Traceback" not in err
    monkeypatch.setenv("DBDESIGN_DEBUG", "1")
    with pytest.raises(RuntimeError):
        checklist_main(["--root", str(broken.path)])


def test_internal_error_in_a_subprocess(broken: Repo, tmp_path: Path) -> None:
    # A real console script that hits a bug: stderr is one line, exit 2.
    code = (
        "import sys\nfrom dbdesign.checks import framework\n"
        "def explode(project):\n    raise KeyError('x')\n"
        "framework.check = explode\nfrom dbdesign.cli import framework_main"
        "\nsys.exit(framework_main(sys.argv[1:]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, "--root", str(broken.path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2
    assert out.stderr.startswith("dbdesign: internal error: KeyError: 'x'")
    assert out.stderr.count("\n") == 1


def test_paths_outside_the_root_are_ignored(
    broken: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    other = tmp_path / "elsewhere.md"
    other.write_text("- [X] a\n")
    assert checklist_main(["--root", str(broken.path), str(other)]) == 0
    capsys.readouterr()


def test_output_that_cannot_be_written(
    broken: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "file").write_text("")
    target = tmp_path / "file" / "report.txt"  # a file is in the way
    code, out, err = check(capsys, broken, "--output", str(target))
    assert (code, out) == (2, "")
    assert err.startswith(f"dbdesign: error: --output {target}: cannot write")
    assert err.count("\n") == 1


def test_option_values_that_start_with_a_dash(
    broken: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(broken.path)
    (broken.path / "-team.yaml").write_text("ignore: [CL003]\n")
    # An option's value stays its value; a file name is a path.
    assert checklist_main(["--config=-team.yaml", CHECKLIST]) == 1
    assert codes(capsys.readouterr().out) == ["CL001"]
    # argparse's own rule: a separate value may not start with a dash.
    with pytest.raises(SystemExit) as exc:
        checklist_main(["--config", "-team.yaml", CHECKLIST])
    assert exc.value.code == 2
    assert "--config: expected one argument" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--select", "--ignore"])
def test_a_typo_in_a_code_is_exit_2_not_a_silent_pass(
    tmp_path: Path, flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--root", str(tmp_path), flag, "MG,ZZ999"]) == 2
    assert "ZZ999" in capsys.readouterr().err


def test_a_severity_for_an_unknown_code_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".dbdesign.yaml").write_text("severity:\n  ZZ001: error\n")
    assert main(["check", "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert ".dbdesign.yaml:2: severity.ZZ001" in err


def test_a_path_outside_the_root_is_noted_not_silently_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "project"
    root.mkdir()
    main(
        ["check", "--root", str(root), "--select", "CL", str(tmp_path / "elsewhere.md")]
    )
    out = capsys.readouterr().out
    assert f"note: {tmp_path / 'elsewhere.md'} is outside the project root" in out


def test_rules_code_says_where_the_rule_is_implemented(capsys) -> None:
    assert cli.main(["rules", "MG011"]) == 0
    assert "Implemented in: dbdesign.checks.safety." in capsys.readouterr().out


def test_every_rule_leads_to_its_code() -> None:
    from dbdesign.commands.rules import implemented_at

    lost = [rule.code for rule in rules.RULES if not implemented_at(rule.code)]
    assert not lost, f"no function names these codes: {lost}"
