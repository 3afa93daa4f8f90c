from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbdesign import config
from dbdesign.cli import main
from dbdesign.config import Config, ConfigError


def run_check(
    capsys: pytest.CaptureFixture[str], root: Path, *args: str
) -> tuple[int, str, str]:
    code = main(["check", "--root", str(root), "--select", "FW", *args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_config_error(
    capsys: pytest.CaptureFixture[str],
    root: Path,
    *expected: str,
    args: tuple[str, ...] = (),
) -> str:
    """The run stops with exit 2, one line on stderr naming EXPECTED, no
    traceback and no partial report on stdout."""
    code, out, err = run_check(capsys, root, *args)
    assert code == 2, (out, err)
    assert out == ""
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    assert err.startswith("dbdesign: error: ")
    for part in expected:
        assert part in err, (part, err)
    return err


# -- where the settings come from ---------------------------------------------


def test_defaults_without_any_config(tmp_path: Path) -> None:
    loaded = config.load(tmp_path)
    assert loaded == Config()
    assert loaded.dialect == "postgres"
    assert loaded.phase_order == "phase0"
    assert loaded.framework_dir == ".claude/database"
    assert loaded.schema_path == "database-schema.sql"
    assert loaded.artifacts["backup-recovery-plan.md"] == ("RPO", "RTO")
    assert loaded.source is None


def test_dbdesign_yaml(tmp_path: Path) -> None:
    (tmp_path / ".dbdesign.yaml").write_text(
        "dialect: MySQL\nartifacts_dir: docs/db\nmigrations_baseline: 42\n"
        "ignore: [MG, SQ004]\nartifacts:\n  runbook.md: [Failover]\n"
    )
    loaded = config.load(tmp_path)
    assert loaded.dialect == "mysql"
    assert loaded.schema_path == "docs/db/database-schema.sql"
    assert loaded.migrations_baseline == "42"
    assert loaded.ignore == ("MG", "SQ004")
    # Per-file sections are added to the defaults, not instead of them.
    assert loaded.artifacts["runbook.md"] == ("Failover",)
    assert loaded.artifacts["backup-recovery-plan.md"] == ("RPO", "RTO")
    assert loaded.source == ".dbdesign.yaml"


@pytest.mark.parametrize("key", ["phase_order", "integrity_file", "naming_convention"])
def test_bare_off_is_the_word_off(tmp_path: Path, key: str) -> None:
    # YAML 1.1 reads `off` as false; the user meant the setting `off`.
    (tmp_path / ".dbdesign.yaml").write_text(f"{key}: off\n")
    assert getattr(config.load(tmp_path), key) == "off"


def test_dbdesign_yml_spelling(tmp_path: Path) -> None:
    (tmp_path / ".dbdesign.yml").write_text("phase_order: strict\n")
    assert config.load(tmp_path).phase_order == "strict"


def test_empty_yaml_is_the_defaults(tmp_path: Path) -> None:
    (tmp_path / ".dbdesign.yaml").write_text("# nothing yet\n")
    assert config.load(tmp_path).dialect == "postgres"


def test_tool_dbdesign_in_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.dbdesign]\ndialect = "sqlite"\n'
        'require_down = true\n\n[tool.dbdesign.severity]\nMG005 = "error"\n'
    )
    loaded = config.load(tmp_path)
    assert loaded.dialect == "sqlite"
    assert loaded.require_down is True
    assert loaded.severity == {"MG005": "error"}
    assert loaded.source == "pyproject.toml"


def test_pyproject_without_our_table_is_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 88\n")
    assert config.load(tmp_path) == Config()


def test_pyproject_tool_that_is_not_a_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('tool = "dbdesign"\n')
    assert config.load(tmp_path) == Config()


def test_yaml_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / ".dbdesign.yaml").write_text("dialect: mysql\n")
    # Not even read: a broken table there does not matter.
    (tmp_path / "pyproject.toml").write_text(
        '[tool.dbdesign]\ndialect = "no-such-dialect"\n'
    )
    assert config.load(tmp_path).dialect == "mysql"


@pytest.mark.parametrize(
    "name, text",
    [
        ("team.yaml", "dialect: bigquery\n"),
        ("team.toml", '[tool.dbdesign]\ndialect = "bigquery"\n'),
    ],
)
def test_explicit_config_overrides_the_project_files(
    tmp_path: Path, name: str, text: str
) -> None:
    (tmp_path / ".dbdesign.yaml").write_text("dialect: mysql\n")
    (tmp_path / "pyproject.toml").write_text('[tool.dbdesign]\ndialect = "sqlite"\n')
    (tmp_path / name).write_text(text)
    assert config.load(tmp_path, str(tmp_path / name)).dialect == "bigquery"
    # A relative --config that is not under the working folder is looked
    # up under the root.
    assert config.load(tmp_path, name).dialect == "bigquery"


def test_explicit_config_through_main(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "alt.yaml").write_text("framework_dir: process\n")
    code, out, _ = run_check(capsys, tmp_path, "--config", str(tmp_path / "alt.yaml"))
    assert code == 1
    assert out.startswith("process: error: FW001 ")


def test_missing_explicit_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_config_error(
        capsys, tmp_path, "nope.yaml", "not found", args=("--config", "nope.yaml")
    )


def test_explicit_toml_without_our_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "x.toml").write_text("[tool.other]\na = 1\n")
    assert_config_error(
        capsys,
        tmp_path,
        "x.toml",
        "[tool.dbdesign]",
        args=("--config", str(tmp_path / "x.toml")),
    )


# -- validation: every key names its path and line -------------------------

# (YAML text, key path and line that the one-line error must name, and a
# word of the explanation). Line 1 is always a valid setting, so that the
# line number is the bad key's own.
BAD_YAML = [
    ("framework_dir: 7", "2: framework_dir: ", "non-empty string"),
    ("postgres_version: true", "2: postgres_version: ", "major version"),
    ("drift_ignore: audit", "2: drift_ignore: ", "list of strings"),
    ("replay:\n  mode: 1", "3: replay.mode: ", "off, auto, on"),
    ("framework_dir: ''", "2: framework_dir: ", "non-empty string"),
    ("framework_dir: /etc", "2: framework_dir: ", "inside the project root"),
    ("artifacts_dir: ../elsewhere", "2: artifacts_dir: ", "inside the project"),
    ("schema: 'db\\\\schema.sql'", "2: schema: ", "/ separators"),
    ("erd: [a, b]", "2: erd: ", "non-empty string"),
    ("scope: history", "2: scope: ", "expected one of: change, all"),
    ("baseline_file: /tmp/b.json", "2: baseline_file: ", "inside the project root"),
    ('erd: "a\\0b.md"', "2: erd: ", "NUL character"),
    (
        'artifacts:\n  "a\\0b.md": [X]',
        "3: artifacts.a\\x00b.md: ",
        "expected a file name",
    ),
    ("migrations_dir: {a: 1}", "2: migrations_dir: ", "non-empty string"),
    ("changelog: null", "2: changelog: ", "non-empty string"),
    ("migrations_baseline: [1]", "2: migrations_baseline: ", "version"),
    ("migrations_baseline: true", "2: migrations_baseline: ", "version"),
    ("migration_naming: alembic", "2: migration_naming: ", "flyway"),
    ("postgres_version: 8", "2: postgres_version: ", "major version"),
    ("postgres_version: 'sixteen'", "2: postgres_version: ", "major version"),
    ("postgres_version: true", "2: postgres_version: ", "major version"),
    ("require_lock_timeout: 1", "2: require_lock_timeout: ", "true or false"),
    ("drift_ignore: audit_*", "2: drift_ignore: ", "list of strings"),
    (
        "migration_naming: 'regex:(['",
        "2: migration_naming: ",
        "invalid regular expression",
    ),
    ("migration_naming: 'regex:\\d+_.*'", "2: migration_naming: ", "(?P<version>"),
    ("require_down: 'yes'", "2: require_down: ", "true or false"),
    ("integrity_file: sometimes", "2: integrity_file: ", "auto, required, off"),
    ("dialect: oracle8i", "2: dialect: ", "unknown dialect"),
    ("phase_order: loose", "2: phase_order: ", "phase0, strict, off"),
    ("sqlfluff: 1", "2: sqlfluff: ", "true or false"),
    ("sqlfluff_trust_config: 'no'", "2: sqlfluff_trust_config: ", "true or false"),
    ("naming_convention: kebab", "2: naming_convention: ", "snake_case"),
    ("artifacts: [RPO]", "2: artifacts: ", "mapping of file"),
    (
        "artifacts:\n  backup-recovery-plan.md: RPO",
        "3: artifacts.backup-recovery-plan.md: ",
        "list of strings",
    ),
    (
        "artifacts:\n  runbook.md: [1, 2]",
        "3: artifacts.runbook.md: ",
        "list of strings",
    ),
    ("ignore: MG", "2: ignore: ", "list of strings"),
    ("ignore: [MG, MG999]", "2: ignore: ", "'MG999'"),
    ("migrations_ignore: '*.txt'", "2: migrations_ignore: ", "list of strings"),
    ("severity: [MG001]", "2: severity: ", "code: error|warning"),
    ("severity:\n  MG001: fatal", "3: severity.MG001: ", "error or warning"),
    ("severity:\n  ZZ: error", "3: severity.ZZ: ", "unknown rule code"),
    ("per_file_ignores: ['*.sql']", "2: per_file_ignores: ", "glob: [codes]"),
    ("artifact_phases: [1]", "2: artifact_phases: ", "artifact: phase"),
    ("artifact_phases:\n  schema: true", "3: artifact_phases.schema: ", "0 to 7"),
    (
        "artifact_phases:\n  nope.md: 1",
        "3: artifact_phases.nope.md: ",
        "not an artifact",
    ),
    (
        "per_file_ignores:\n  '*.sql': SQ",
        "3: per_file_ignores.*.sql: ",
        "list of strings",
    ),
    ("per_file_ignores:\n  '*.sql': [MG999]", "3: per_file_ignores.*.sql: ", "'MG999'"),
    ("dialectt: postgres", "2: dialectt: ", "unknown key"),
    ("source: here", "2: source: ", "unknown key"),
]


def test_every_key_is_validated() -> None:
    keys = {text.split(":", 1)[0] for text, _, _ in BAD_YAML}
    assert set(config.KEYS) - {"source"} <= keys


@pytest.mark.parametrize(
    "text, where, why",
    BAD_YAML,
    ids=[case[0].split(":")[0] + f"-{n}" for n, case in enumerate(BAD_YAML)],
)
def test_bad_yaml_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, where: str, why: str
) -> None:
    first = "require_down: false" if text.startswith("dialect") else "dialect: postgres"
    (tmp_path / ".dbdesign.yaml").write_text(f"{first}\n{text}\n")
    assert_config_error(capsys, tmp_path, f".dbdesign.yaml:{where}", why)


@pytest.mark.parametrize(
    "text, where, why",
    [
        (
            '[tool.dbdesign]\nsqlfluff = true\ndialect = "nope"\n',
            ":3: dialect: ",
            "unknown dialect",
        ),
        ('[tool.dbdesign]\nignore = "MG"\n', ":2: ignore: ", "list of strings"),
        ('[tool.dbdesign]\ncolour = "red"\n', ":2: colour: ", "unknown key"),
        (
            '[tool.dbdesign.severity]\nMG001 = "fatal"\n',
            ":2: severity.MG001: ",
            "error or warning",
        ),
        (
            '[tool.dbdesign]\nrequire_down = "true"\n',
            ":2: require_down: ",
            "true or false",
        ),
    ],
)
def test_bad_toml_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, where: str, why: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    assert_config_error(capsys, tmp_path, f"pyproject.toml{where}", why)


def test_top_level_must_be_a_mapping(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".dbdesign.yaml").write_text("- dialect\n- postgres\n")
    assert_config_error(capsys, tmp_path, ".dbdesign.yaml", "mapping")


def test_duplicate_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".dbdesign.yaml").write_text("dialect: mysql\ndialect: tsql\n")
    assert_config_error(
        capsys, tmp_path, ".dbdesign.yaml:2: dialect: ", "duplicate key"
    )


def test_config_error_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / ".dbdesign.yaml").write_text("dialect: nope\n")
    with pytest.raises(ConfigError, match=r"^\.dbdesign\.yaml:1: dialect: "):
        config.load(tmp_path)


# -- hostile YAML and TOML ----------------------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
ignore: [*g,*g,*g,*g,*g,*g,*g,*g,*g]
"""


@pytest.mark.parametrize(
    "text, where, why",
    [
        (BILLION_LAUGHS, ".dbdesign.yaml:2: ", "aliases"),
        ("base: &base [MG]\nignore: *base\n", ".dbdesign.yaml:2: ", "aliases"),
        ("ignore: &x [MG]\nseverity:\n  <<: *x\n", ".dbdesign.yaml:3: ", "aliases"),
        ("severity:\n  <<: {MG001: error}\n", ".dbdesign.yaml:2", "merge"),
        (
            "dialect: !!python/object/apply:os.system ['echo pwned']\n",
            ".dbdesign.yaml:1",
            "tag:yaml.org,2002:python/object/apply:os.system",
        ),
        ("dialect: !!python/object:os.Popen {}\n", ".dbdesign.yaml:1", "not allowed"),
        ("dialect: !custom postgres\n", ".dbdesign.yaml:1", "'!custom'"),
    ],
)
def test_aliases_and_tags_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, where: str, why: str
) -> None:
    (tmp_path / ".dbdesign.yaml").write_text(text)
    assert_config_error(capsys, tmp_path, where, why)


@pytest.mark.parametrize(
    "text, where",
    [
        ("dialect: [postgres\n", ".dbdesign.yaml:2: invalid YAML"),
        ("dialect: postgres\n  phase_order: off\n", ".dbdesign.yaml:2: invalid YAML"),
        ("dialect: 'open\n", ".dbdesign.yaml:2: invalid YAML"),
        ("a: 1\n---\nb: 2\n", ".dbdesign.yaml:2: invalid YAML"),
        ("\tdialect: mysql\n", ".dbdesign.yaml:1: invalid YAML"),
    ],
)
def test_malformed_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, where: str
) -> None:
    (tmp_path / ".dbdesign.yaml").write_text(text)
    assert_config_error(capsys, tmp_path, where)


def test_malformed_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.dbdesign]\ndialect = "mysql"\nignore = [\n'
    )
    assert_config_error(capsys, tmp_path, "pyproject.toml: invalid TOML", "line 4")


def test_malformed_explicit_toml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "c.toml").write_text("[tool.dbdesign\n")
    assert_config_error(
        capsys,
        tmp_path,
        "invalid TOML",
        "line 1",
        args=("--config", str(tmp_path / "c.toml")),
    )


@pytest.mark.parametrize("name", [".dbdesign.yaml", "pyproject.toml"])
def test_oversized_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    comment = "# dbdesign " + "x" * 80 + "\n"
    (tmp_path / name).write_text(
        comment * (config.MAX_CONFIG_BYTES // len(comment) + 1)
    )
    assert_config_error(capsys, tmp_path, name, "byte limit")


# -- nesting: bounded before parsing (issue 15) --------------------------------

DEEP = 1000  # a 2 KB file: PyYAML's composer and tomllib recursed past the limit


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        (".dbdesign.yaml", "ignore: " + "[" * DEEP + "]" * DEEP, ":1:"),
        (".dbdesign.yaml", "ignore: " + "{a: " * DEEP + "1" + "}" * DEEP, ":1:"),
        (
            ".dbdesign.yaml",
            "artifacts:\n" + "".join(" " * n + "a:\n" for n in range(1, 500)),
            ":21:",
        ),
        (".dbdesign.yaml", "ignore:\n" + "  [\n" * DEEP + "  " + "]" * DEEP, ":21:"),
        (
            "pyproject.toml",
            "[tool.dbdesign]\nignore = " + "[" * DEEP + "]" * DEEP,
            ":2:",
        ),
        (
            "pyproject.toml",
            "[tool.dbdesign]\nartifacts = " + "{a=" * DEEP + "1" + "}" * DEEP,
            ":2:",
        ),
    ],
)
def test_deep_nesting_is_refused_before_parsing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, line: str
) -> None:
    (tmp_path / name).write_text(text)
    err = assert_config_error(
        capsys, tmp_path, f"{name}{line}", "more than 20 levels", "flatten"
    )
    assert "internal error" not in err


def test_deep_flow_yaml_is_refused_at_the_bound(tmp_path: Path) -> None:
    # 8,000 levels took PyYAML's scanner 12 s (quadratic in the depth); the
    # event stream is now stopped at level 21.
    (tmp_path / ".dbdesign.yaml").write_text("ignore: " + "[" * 8000 + "]" * 8000)
    with pytest.raises(ConfigError, match=r":1: nested more than 20 levels"):
        config.load(tmp_path)


def test_nesting_at_the_bound_still_loads(tmp_path: Path) -> None:
    from dbdesign import nesting

    inner = "[" * (nesting.MAX_DEPTH - 2) + "MG" + "]" * (nesting.MAX_DEPTH - 2)
    (tmp_path / ".dbdesign.yaml").write_text(f"per_file_ignores:\n  x: {inner}\n")
    # 20 levels: parsed, then refused for its type, not for its depth
    with pytest.raises(ConfigError, match=r"per_file_ignores\.x: expected a list"):
        config.load(tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a = 1\n", None),
        ("[tool.dbdesign]\nignore = ['MG']\n", None),
        ("x = [[[1]]]\n", (1, 7)),  # limit 2 below
        ("x = '[[[['\n", None),
        ('x = "[[[\\"[["\n', None),
        ('x = """\n[[[[\n"""\ny = [[[1]]]\n', (4, 7)),
        ("x = '''[[[[\n'''\n", None),
        ("# [[[[\nx = 1\n", None),
        ("x = [ # [[[[\n  [1]]\n", None),
        ('x = "unterminated [[[[\ny = 1\n', None),
        ("[[a.b]]\n", None),
    ],
)
def test_toml_depth_scan(text: str, expected: tuple[int, int] | None) -> None:
    from dbdesign import nesting

    assert nesting.toml_too_deep(text, limit=2) == expected


def test_config_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".dbdesign.yaml").write_bytes(b"dialect: caf\xe9\n")
    assert_config_error(capsys, tmp_path, ".dbdesign.yaml", "not UTF-8")


def test_config_with_bom_and_crlf(tmp_path: Path) -> None:
    (tmp_path / ".dbdesign.yaml").write_bytes(
        b"\xef\xbb\xbfdialect: mysql\r\nphase_order: off\r\n"
    )
    loaded = config.load(tmp_path)
    assert (loaded.dialect, loaded.phase_order) == ("mysql", "off")


def test_config_that_is_a_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "conf.yaml").mkdir()
    assert_config_error(
        capsys, tmp_path, "conf.yaml", args=("--config", str(tmp_path / "conf.yaml"))
    )


@pytest.mark.parametrize(
    ("name", "make", "what"),
    [
        (".dbdesign.yaml", "folder", "a folder"),
        (".dbdesign.yml", "fifo", "a FIFO"),
        ("pyproject.toml", "fifo", "a FIFO"),
        (".dbdesign.yaml", "broken link", "a broken symbolic link"),
    ],
)
def test_a_config_that_is_not_a_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, make: str, what: str
) -> None:
    # Once silently ignored (the defaults ran instead); a FIFO must not
    # block the run waiting for a writer either.
    import os

    target = tmp_path / name
    if make == "folder":
        target.mkdir()
    elif make == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        os.mkfifo(target)
    else:
        target.symlink_to("nowhere.yaml")
    assert_config_error(capsys, tmp_path, f"{name}: the config is {what}")
    if make == "fifo":
        assert_config_error(
            capsys, tmp_path, "the config is a FIFO", args=("--config", str(target))
        )


@pytest.mark.parametrize(
    ("yaml", "expected"),
    [
        (
            "erd: database-schema.sql\n",
            ":1: erd: database-schema.sql is the ERD here but also the schema "
            "(`schema`); give each its own file",
        ),
        (
            "schema: CHANGELOG.md\n",
            ":1: schema: CHANGELOG.md is the schema here but also the changelog",
        ),
        (
            "framework_dir: .\nchangelog: ./database-checklist.md\n",
            ":2: changelog: database-checklist.md is the changelog here but also "
            "the framework file database-checklist.md",
        ),
        ("erd: migration-scripts\n", "also the migrations folder"),
        (
            # (paths in the config are relative to the root)
            "artifacts_dir: docs\nschema: docs/monitoring-setup.md\n",
            "docs/monitoring-setup.md is the schema here but also the document",
        ),
    ],
)
def test_two_roles_never_name_one_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], yaml: str, expected: str
) -> None:
    # `erd:` naming the schema made --fix append Markdown to the SQL.
    (tmp_path / ".dbdesign.yaml").write_text(yaml)
    assert_config_error(capsys, tmp_path, expected)


def test_dialects_are_sqlglots() -> None:
    from sqlglot.dialects import DIALECTS

    assert {name.lower() for name in DIALECTS} == config.DIALECTS


@pytest.mark.parametrize("name", [".dbdesign.yaml", "pyproject.toml"])
def test_config_link_out_of_the_root_is_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(
        "ignore: [TOPSECRET1]\n[tool.dbdesign]\nignore = ['TOPSECRET2']\n"
    )
    root = tmp_path / "root"
    root.mkdir()
    (root / name).symlink_to(secret)
    err = assert_config_error(capsys, root, name, "leaves the project root")
    assert "TOPSECRET" not in err


def test_config_link_inside_the_root_is_fine(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "dbdesign.yaml").write_text("dialect: mysql\n")
    (tmp_path / ".dbdesign.yaml").symlink_to("conf/dbdesign.yaml")
    assert config.load(tmp_path).dialect == "mysql"


# -- whatever the file says: a Config or a ConfigError, nothing else ----------

VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.sampled_from(["MG", "CL001", "off", "regex:(", "postgres", ".", "a/../b"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.text(max_size=8) | st.sampled_from(config.KEYS), inner, max_size=3
        )
    ),
    max_leaves=8,
)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from([*config.KEYS, "other"]), VALUES, max_size=4))
def test_any_yaml_settings_load_or_fail_cleanly(data: dict[str, object]) -> None:
    import yaml

    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        (root / ".dbdesign.yaml").write_text(yaml.safe_dump(data))
        try:
            loaded = config.load(root)
        except ConfigError:
            return
        from dbdesign.checks import artifacts, checklist, framework
        from dbdesign.project import Project

        project = Project(root, loaded)
        for check in (framework.check, checklist.check, artifacts.check):
            list(check(project))


@settings(max_examples=100, deadline=None)
@given(
    st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1"))
)
def test_any_text_loads_or_fails_cleanly(text: str) -> None:
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        (root / ".dbdesign.yaml").write_text(
            text, encoding="utf-8", errors="surrogatepass"
        )
        (root / "pyproject.toml").write_text(
            "[tool.dbdesign]\n" + text, encoding="utf-8", errors="surrogatepass"
        )
        for explicit in (None, str(root / "pyproject.toml")):
            with contextlib.suppress(ConfigError):
                config.load(root, explicit)


# -- footguns (issue 13): each with its exact message ------------------------------

V = "migration-scripts/V{}__step_{}.sql"


def migrations_project(root: Path, settings: str, versions: tuple[str, ...]) -> None:
    import projects

    projects.write(root, {"migration-scripts/V1__books.sql": None})
    (root / "migration-scripts").mkdir(exist_ok=True)
    for version in versions:
        (root / V.format(version, version.replace(".", "_"))).write_text(
            f"CREATE TABLE t{version.replace('.', '_')} (id int PRIMARY KEY);\n"
        )
    (root / ".dbdesign.yaml").write_text(settings)


def stderr_of(capsys: pytest.CaptureFixture[str], root: Path) -> str:
    code, out, err = run_check(capsys, root, "--select", "MG")
    assert (code, out) == (2, ""), (out, err)
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


@pytest.mark.parametrize(
    "settings, versions, message",
    [
        (
            "migrations_baseline: latest\n",
            ("1", "2"),
            "dbdesign: error: .dbdesign.yaml:1: migrations_baseline: 'latest' is "
            "not a version: the baseline is a fixed point in the history, not one "
            "that follows new migrations; set it to the version of the newest "
            "migration to waive (e.g. '42')\n",
        ),
        (
            "migrations_baseline: 10\n",
            ("1", "2", "3"),
            "dbdesign: error: .dbdesign.yaml: migrations_baseline: '10' names no "
            "migration; the newest is V3__step_3.sql: set the version of an "
            "existing migration, quoted as its file name writes it\n",
        ),
        (
            "migrations_baseline: '2.5'\n",
            ("1", "2", "3"),
            "dbdesign: error: .dbdesign.yaml: migrations_baseline: '2.5' names no "
            "migration; the newest is V3__step_3.sql: set the version of an "
            "existing migration, quoted as its file name writes it\n",
        ),
        (
            "migrations_baseline: '1'\n",
            (),
            "dbdesign: error: .dbdesign.yaml: migrations_baseline: '1' names no "
            "migration, and migration-scripts has none yet; remove the setting\n",
        ),
        (
            "migrations_baseline: 2026-07-27\n",
            ("1",),
            "dbdesign: error: .dbdesign.yaml:1: migrations_baseline: 2026-07-27 "
            "reads as a date in YAML; quote it: '2026-07-27'\n",
        ),
        (
            "migrations_baseline: 1.10\n",
            ("1.10",),
            "dbdesign: error: .dbdesign.yaml:1: migrations_baseline: 1.1 reads as a "
            "number, which drops trailing zeros (1.10 is 1.1); quote the version as "
            "the file name writes it, e.g. '1.10'\n",
        ),
    ],
)
def test_migrations_baseline_must_name_a_migration(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    settings: str,
    versions: tuple[str, ...],
    message: str,
) -> None:
    migrations_project(tmp_path, settings, versions)
    assert stderr_of(capsys, tmp_path) == message


@pytest.mark.parametrize("baseline", ["2", "'2.0'", "'002'"])
def test_a_baseline_that_names_a_migration_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], baseline: str
) -> None:
    migrations_project(tmp_path, f"migrations_baseline: {baseline}\n", ("1", "2", "3"))
    code, _, err = run_check(capsys, tmp_path, "--select", "MG")
    assert code == 0, err


def test_a_toml_date_is_told_to_be_quoted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.dbdesign]\nmigrations_baseline = 2026-07-27\n"
    )
    assert_config_error(
        capsys,
        tmp_path,
        "pyproject.toml:2: migrations_baseline: 2026-07-27 reads as a date; "
        'quote it: "2026-07-27"',
    )


def test_paths_are_relative_to_the_root(tmp_path: Path) -> None:
    (tmp_path / ".dbdesign.yaml").write_text(
        "artifacts_dir: docs/db\nschema: db/schema.sql\n"
        "migrations_dir: db/../db/migrations\nchangelog: CHANGELOG.md\n"
    )
    loaded = config.load(tmp_path)
    assert loaded.schema_path == "db/schema.sql"  # not docs/db/db/schema.sql
    assert loaded.migrations_path == "db/migrations"
    assert loaded.changelog_path == "CHANGELOG.md"
    # artifacts_dir stays the folder of the documents and of unset paths.
    assert loaded.erd_path == "docs/db/entity-relationship-diagram.md"
    assert (
        loaded.artifact("backup-recovery-plan.md") == "docs/db/backup-recovery-plan.md"
    )


@pytest.mark.parametrize("value", ["../schema.sql", "db/../../schema.sql", ".."])
def test_a_path_that_leaves_the_root_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    (tmp_path / ".dbdesign.yaml").write_text(f"schema: {value}\n")
    assert_config_error(
        capsys,
        tmp_path,
        ".dbdesign.yaml:1: schema: expected a path inside the project root, with "
        "/ separators (paths in the config are relative to the root)",
    )


def test_a_path_written_for_artifacts_dir_gets_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "docs/db").mkdir(parents=True)
    (tmp_path / "docs/db/schema.sql").write_text("CREATE TABLE a (id int);\n")
    (tmp_path / ".dbdesign.yaml").write_text(
        "artifacts_dir: docs/db\nschema: schema.sql\n"
    )
    assert config.load(tmp_path).notes == (
        ".dbdesign.yaml: schema: schema.sql is relative to the project root and is "
        "not there, but docs/db/schema.sql is; write `schema: docs/db/schema.sql` "
        "(paths in the config are no longer relative to artifacts_dir)",
    )


def test_a_pyproject_table_hidden_by_the_yaml_gets_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".dbdesign.yaml").write_text("phase_order: strict\n")
    (tmp_path / "pyproject.toml").write_text('[tool.dbdesign]\nignore = ["CL005"]\n')
    loaded = config.load(tmp_path)
    assert loaded.phase_order == "strict" and loaded.ignore == ()
    note = (
        "pyproject.toml's [tool.dbdesign] is ignored: .dbdesign.yaml takes "
        "precedence; move its settings into one place"
    )
    assert loaded.notes == (note,)
    _, out, _ = run_check(capsys, tmp_path, "--select", "FW")
    assert f"note: {note}" in out
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 88\n")
    assert config.load(tmp_path).notes == ()


@pytest.mark.parametrize(
    "text, expected", [("16", 16), ("'15.4'", 15), ("9.6", 9), ("'12'", 12)]
)
def test_postgres_version_takes_the_major(
    tmp_path: Path, text: str, expected: int
) -> None:
    (tmp_path / ".dbdesign.yaml").write_text(f"postgres_version: {text}\n")
    loaded = config.load(tmp_path)
    assert loaded.postgres_version == expected
    assert "postgres_version" in loaded.configured
