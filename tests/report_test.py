from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO_ROOT, Repo
from dbdesign import report, rules
from dbdesign.cli import main
from dbdesign.findings import Finding, external, finding
from dbdesign.report import github, sarif, text

SARIF_SCHEMA = REPO_ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
# Every character a property or a data value must escape, and then some.
NASTY = "we%ird, na:me\r\n-x ##[error]::warning::.md"

FINDINGS = [
    finding("CL001", "b.md", "malformed marker `[X]`; use `[x]`", 9, 3),
    finding("AR003", "a.md", "a.md has no section on RPO; add one", 1, 1),
    finding("AR001", "a.md", "required artifact a.md is missing"),
    finding("CL004", "b.md", "Phase 1 task is `[x]` too early", 2, 3),
    external("LT01", "sqlfluff", "db.sql", "Expected single whitespace", 4, 7),
]


# -- text ---------------------------------------------------------------------


def test_text_sorted_one_line_each_with_summary() -> None:
    out = report.render("text", FINDINGS, files=3)
    assert out.splitlines() == [
        "a.md: error: AR001 required artifact a.md is missing",
        "a.md:1:1: warning: AR003 a.md has no section on RPO; add one",
        "b.md:2:3: error: CL004 Phase 1 task is `[x]` too early",
        "b.md:9:3: error: CL001 [*] malformed marker `[X]`; use `[x]`",
        "db.sql:4:7: warning: LT01 Expected single whitespace",
        "Found 3 errors and 2 warnings (3 files checked).",
        "[*] 1 fixable with the `--fix` option.",
    ]


def test_text_clean_summary() -> None:
    assert report.render("text", [], files=1) == "All checks passed (1 file checked).\n"


def test_text_control_characters_stay_on_one_line() -> None:
    item = finding("AR001", NASTY, f"required artifact {NASTY} is missing")
    [first, _summary] = report.render("text", [item], 0).splitlines()
    assert first.startswith(
        "we%ird, na:me\\r\\n-x ##[error]::warning::.md: error: AR001 "
    )
    assert "\x1b" not in text.printable("a\x1b[31mred")


def test_text_colour_only_when_asked() -> None:
    coloured = report.render("text", FINDINGS, 3, color=True)
    assert "\x1b[31m" in coloured and "\x1b[33m" in coloured
    assert "\x1b" not in report.render("text", FINDINGS, 3, color=False)


def bad_checklist(repo: Repo) -> None:
    repo.write(
        ".claude/database/database-checklist.md", "# C\n\n## Phase 0\n\n- [X] a\n"
    )


def test_colour_on_a_tty_without_no_color(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bad_checklist(repo)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR")
    assert main(["check", "--root", str(repo.path), "--select", "CL001"]) == 1
    assert "\x1b[" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "")
    main(["check", "--root", str(repo.path), "--select", "CL001"])
    assert "\x1b[" not in capsys.readouterr().out


def test_no_colour_off_a_tty(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bad_checklist(repo)
    monkeypatch.delenv("NO_COLOR")
    main(["check", "--root", str(repo.path), "--select", "CL001"])
    assert "\x1b[" not in capsys.readouterr().out


# -- json ---------------------------------------------------------------------


def test_json_exact_shape() -> None:
    document = json.loads(report.render("json", FINDINGS[:2], files=2))
    assert document == {
        "version": 1,
        "findings": [
            {
                "code": "AR003",
                "severity": "warning",
                "check": "artifacts",
                "path": "a.md",
                "line": 1,
                "column": 1,
                "message": "a.md has no section on RPO; add one",
                "fixable": False,
            },
            {
                "code": "CL001",
                "severity": "error",
                "check": "checklist",
                "path": "b.md",
                "line": 9,
                "column": 3,
                "message": "malformed marker `[X]`; use `[x]`",
                "fixable": True,
            },
        ],
        "summary": {"errors": 1, "warnings": 1, "files": 2, "out_of_scope": 0},
        "notes": [],
    }


def test_json_through_main_is_all_of_stdout(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    bad_checklist(repo)
    code = main(["check", "--root", str(repo.path), "--format", "json", "--fix"])
    out, err = capsys.readouterr()
    assert code == 1
    document = json.loads(out)  # nothing else on stdout
    assert set(document) == {"version", "findings", "summary", "notes"}
    assert err == "Fixing .claude/database/database-checklist.md\n"
    for item in document["findings"]:
        assert set(item) == {
            "code",
            "severity",
            "check",
            "path",
            "line",
            "column",
            "message",
            "fixable",
        }
    codes = {item["code"] for item in document["findings"]}
    assert "CL001" not in codes  # fixed
    assert {"FW002", "AR001", "CL002"} <= codes
    summary = document["summary"]
    assert summary["errors"] == len(document["findings"])
    assert summary["warnings"] == 0


# -- github -------------------------------------------------------------------


def test_github_escaping() -> None:
    assert github.escape_data("100%\r\nnext: a, b") == "100%25%0D%0Anext: a, b"
    assert github.escape_property("100%\r\nnext: a, b") == "100%25%0D%0Anext%3A a%2C b"
    item = finding("AR001", NASTY, f"artifact {NASTY} is missing\n::error::x", 3, 2)
    assert github.annotation(item) == (
        "::error file=we%25ird%2C na%3Ame%0D%0A-x ##[error]%3A%3Awarning"
        "%3A%3A.md,line=3,col=2,title=AR001::artifact we%25ird, na:me%0D%0A-x "
        "##[error]::warning::.md is missing%0A::error::x"
    )


def test_github_warning_and_no_location() -> None:
    item = finding("AR003", "x.md", "no RPO")
    assert github.annotation(item) == "::warning file=x.md,title=AR003::no RPO"


def split_github(out: str) -> tuple[list[str], str, list[str]]:
    """(annotations, token, the lines inside the stop-commands block)."""
    lines = out.split("\n")
    assert lines[-1] == ""
    lines = lines[:-1]
    start = next(
        n for n, line in enumerate(lines) if line.startswith("::stop-commands::")
    )
    token = lines[start][len("::stop-commands::") :]
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    assert lines[-1] == f"::{token}::"
    inside = lines[start + 1 : -1]
    assert f"::{token}::" not in inside
    return lines[:start], token, inside


ANNOTATION = re.compile(
    r"::(error|warning) file=[^,:\r\n]*(,line=\d+(,col=\d+)?)?,"
    r"title=[A-Z0-9]+::[^\r\n]*"
)


def assert_no_injection(out: str) -> list[str]:
    annotations, _, inside = split_github(out)
    for line in annotations:
        assert ANNOTATION.fullmatch(line), line
    return inside


def test_github_prose_is_inside_stop_commands() -> None:
    out = report.render(
        "github", FINDINGS, 3, notes=[f"skipped {NASTY}", "::error::from a note"]
    )
    inside = assert_no_injection(out)
    assert inside == [
        "note: skipped we%ird, na:me\\r\\n-x ##[error]::warning::.md",
        "note: ::error::from a note",
        "Found 3 errors and 2 warnings (3 files checked).",
    ]
    # A fresh token every run: the repository cannot guess it.
    tokens = {split_github(report.render("github", [], 0))[1] for _ in range(5)}
    assert len(tokens) == 5


def weird_project(repo: Repo) -> None:
    """A project whose config names files with every troublesome character:
    one exists (a stub, AR002), one is missing (AR001)."""
    repo.write(
        ".dbdesign.yaml",
        'framework_dir: "-fw%,:\\n::error::x"\n'
        "artifacts:\n"
        f"  {json.dumps(NASTY)}: [Intro]\n"
        '  "-lead, 100%: \\n##[warning]no.md": [Intro]\n',
    )
    repo.write(NASTY, "# TODO\n")


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_weird_file_names_in_every_format(
    repo: Repo, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    weird_project(repo)
    code = main(["check", "--root", str(repo.path), "--format", fmt])
    out, err = capsys.readouterr()
    assert (code, err) == (1, "")
    if fmt == "text":
        lines = out.splitlines()
        assert (
            "-fw%,:\\n::error::x: error: FW001 the framework folder is missing; "
            "run `dbdesign init` to create it with the prompt, template and "
            "checklist" in lines
        )
        assert any(
            line.startswith(
                "we%ird, na:me\\r\\n-x ##[error]::warning::.md:1:1: error: AR002 "
            )
            for line in lines
        )
        assert not any(
            line.startswith("::") or line.lstrip().startswith("##[") for line in lines
        )
    elif fmt == "json":
        paths = {item["path"] for item in json.loads(out)["findings"]}
        assert {NASTY, "-fw%,:\n::error::x", "-lead, 100%: \n##[warning]no.md"} <= paths
    elif fmt == "github":
        assert_no_injection(out)
        assert "file=-fw%25%2C%3A%0A%3A%3Aerror%3A%3Ax,title=FW001::" in out
    else:
        uris = {
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for result in json.loads(out)["runs"][0]["results"]
        }
        assert "-fw%25%2C%3A%0A%3A%3Aerror%3A%3Ax" in uris
        assert all("\n" not in uri and ":" not in uri for uri in uris)


def test_fixing_line_cannot_inject_either(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(".dbdesign.yaml", 'framework_dir: "x\\n::error::pwned"\n')
    repo.write("x\n::error::pwned/database-checklist.md", "## Phase 0\n\n- [X] a\n")
    main(
        [
            "check",
            "--root",
            str(repo.path),
            "--format",
            "github",
            "--fix",
            "--select",
            "CL001",
        ]
    )
    out, err = capsys.readouterr()
    assert err == "Fixing x\\n::error::pwned/database-checklist.md\n"
    assert_no_injection(out)


def test_config_error_cannot_inject(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(".dbdesign.yaml", '"a\\n::error::pwned": 1\n')
    assert main(["check", "--root", str(repo.path), "--format", "github"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("dbdesign: error: .dbdesign.yaml:1: a\\n::error::")


# -- sarif --------------------------------------------------------------------


def test_sarif_structure() -> None:
    document = json.loads(report.render("sarif", FINDINGS, 3))
    assert document["version"] == "2.1.0"
    assert document["$schema"].endswith("sarif-2.1.0.json")
    [run] = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "dbdesign"
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids[: len(rules.RULES)] == [rule.code for rule in rules.RULES]
    assert ids[len(rules.RULES) :] == ["LT01"]  # foreign codes as they appear
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"]
        assert rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning")
    cl001 = driver["rules"][ids.index("CL001")]
    assert (
        "Bad (.claude/database/database-checklist.md):\n- [X] Identify entities"
        in cl001["help"]["text"]
    )
    # Every rule links to its documentation: ours to the README's rules
    # table (an anchor per code), sqlfluff's to sqlfluff's reference.
    assert cl001["helpUri"] == "https://github.com/dbdesign/dbdesign#cl001"
    assert driver["rules"][ids.index("LT01")]["helpUri"] == (
        "https://docs.sqlfluff.com/en/stable/reference/rules/layout#rule-LT01"
    )
    assert all(rule["helpUri"].startswith("https://") for rule in driver["rules"])
    results = run["results"]
    assert [r["ruleId"] for r in results] == [
        "AR001",
        "AR003",
        "CL004",
        "CL001",
        "LT01",
    ]
    for result in results:
        assert ids[result["ruleIndex"]] == result["ruleId"]
    by_code = {r["ruleId"]: r for r in results}
    assert by_code["AR003"]["level"] == "warning"
    assert by_code["CL001"]["level"] == "error"
    assert by_code["CL001"]["message"]["text"] == "malformed marker `[X]`; use `[x]`"
    assert by_code["CL001"]["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "b.md", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 9, "startColumn": 3},
            }
        }
    ]
    # No line: code scanning still needs one, so line 1.
    assert by_code["AR001"]["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "a.md", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 1},
            }
        }
    ]


def _sarif_validator():  # type: ignore[no-untyped-def]
    if not SARIF_SCHEMA.is_file():
        pytest.skip(
            f"{SARIF_SCHEMA} is not there yet (the GitHub Action change ships it)"
        )
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.mark.parametrize(
    "found",
    [
        [],
        FINDINGS,
        [
            finding("AR001", NASTY, f"artifact {NASTY} is missing"),
            finding("CL001", "-x/c.md", "bad", 1, 1),
        ],
    ],
)
def test_sarif_matches_the_official_schema(found: list[Finding]) -> None:
    validator = _sarif_validator()
    document = json.loads(report.render("sarif", found, 1))
    errors = sorted(validator.iter_errors(document), key=str)
    assert not errors, errors[0]


def test_sarif_through_main_matches_the_schema(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    validator = _sarif_validator()
    weird_project(repo)
    main(["check", "--root", str(repo.path), "--format", "sarif"])
    document = json.loads(capsys.readouterr().out)
    assert document["runs"][0]["results"]
    validator.validate(document)


def test_sarif_uri_is_percent_encoded() -> None:
    assert sarif._uri("a b/c%d,e:f\ng.sql") == "a%20b/c%25d%2Ce%3Af%0Ag.sql"


def test_output_file(
    repo: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad_checklist(repo)
    target = tmp_path / "out.sarif"
    code = main(
        [
            "check",
            "--root",
            str(repo.path),
            "--format",
            "sarif",
            "--output",
            str(target),
        ]
    )
    assert code == 1
    assert capsys.readouterr().out == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"


# -- any file name, any message ----------------------------------------------

FINDINGS_ANY = st.lists(
    st.builds(
        finding,
        st.sampled_from([r.code for r in rules.RULES]),
        st.text(max_size=30),
        st.text(max_size=60),
        st.none() | st.integers(1, 10**6),
        st.none() | st.integers(1, 10**4),
    ),
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(FINDINGS_ANY, st.lists(st.text(max_size=30), max_size=3))
def test_any_names_and_messages_stay_inert(
    found: list[Finding], notes: list[str]
) -> None:
    out = report.render("github", found, 1, notes=notes)
    annotations, _, inside = split_github(out)
    assert len(annotations) == len(found)
    for line in annotations:
        assert ANNOTATION.fullmatch(line), line
    assert len(inside) == len(notes) + 1
    lines = report.render("text", found, 1, notes=notes).splitlines()
    fixable = any(item.fixable for item in found)
    assert len(lines) == len(found) + len(notes) + 1 + fixable
    document = json.loads(report.render("json", found, 1))
    assert [item["path"] for item in document["findings"]] == [
        item.path for item in sorted(found, key=Finding.sort_key)
    ]


@settings(max_examples=40, deadline=None)
@given(FINDINGS_ANY)
def test_any_findings_give_valid_sarif(found: list[Finding]) -> None:
    validator = _sarif_validator()
    validator.validate(json.loads(report.render("sarif", found, 1)))


def test_json_carries_notes_for_people(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Outside git the change rules are skipped with one note; JSON readers
    # (the GitHub Action's summary) see it as the text format's `note:`.
    code = main(
        ["check", "--root", str(tmp_path), "--format", "json", "--select", "CH001"]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert len(document["notes"]) == 1
    assert "not a git repository" in document["notes"][0]


# -- paths from the repository's top-level (SPEC 3) ---------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_a_root_below_the_top_level_names_files_from_the_top(
    repo: Repo, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    # GitHub resolves annotations and SARIF from the repository's root: a
    # path relative to `db/` would land nowhere.
    repo.write("db/.dbdesign.yaml", "per_file_ignores:\n  'docs/*.md': [AR003]\n")
    repo.write("db/.claude/database/database-checklist.md", "## Phase 0\n\n- [X] a\n")
    repo.write("db/docs/backup-recovery-plan.md", "# Backup\n\nSome text.\n")
    repo.write("db/performance-optimization.md", "# Perf\n\nText.\n")
    repo.write(
        "db/security-configuration.md",
        "<!-- dbdesign: ignore-file[AR003] -->\n# Sec\n\nText.\n",
    )
    args = ["check", "--root", str(repo.path / "db"), "--select", "CL001,AR003"]
    assert main([*args, "--format", fmt]) == 1
    out = capsys.readouterr().out
    if fmt == "json":
        paths = {item["path"] for item in json.loads(out)["findings"]}
    elif fmt == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        paths = {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in results
        }
    elif fmt == "github":
        paths = set(re.findall(r"file=([^,]*),", out))
    else:
        paths = {line.split(":")[0] for line in out.splitlines() if ": " in line}
        paths.discard("note")
    # Per-file ignores and suppressions still name files from the root.
    assert paths == {
        "db/.claude/database/database-checklist.md",
        "db/performance-optimization.md",
    }


def test_fixing_names_the_file_from_the_top(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("db/.claude/database/database-checklist.md", "## Phase 0\n\n- [X] a\n")
    args = ["check", "--root", str(repo.path / "db"), "--select", "CL001"]
    assert main([*args, "--fix", "--format", "json"]) == 1
    assert capsys.readouterr().err == (
        "Fixing db/.claude/database/database-checklist.md\n"
    )


def test_paths_from_the_top_of_a_linked_worktree(
    repo: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A worktree's (or a submodule's) `.git` is a file: its folder is the
    # top-level all the same.
    repo.write("db/.claude/database/database-checklist.md", "## Phase 0\n\n- [X] a\n")
    repo.commit("base")
    other = tmp_path / "other"
    repo.git("worktree", "add", "-q", str(other))
    assert (other / ".git").is_file()
    args = ["check", "--root", str(other / "db"), "--select", "CL001"]
    assert main([*args, "--format", "json"]) == 1
    paths = {item["path"] for item in json.loads(capsys.readouterr().out)["findings"]}
    assert paths == {"db/.claude/database/database-checklist.md"}
