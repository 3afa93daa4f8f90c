from __future__ import annotations

import datetime
import itertools
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import CORPUS, needs_corpus
from dbdesign import naming
from dbdesign.naming import schemes

CORPUS_FOLDERS = {
    "conductor": (
        "postgres-persistence/src/main/resources/db/migration_postgres",
        "flyway",
        18,
    ),
    "harbor": ("make/migrations/postgresql", "golang-migrate", 39),
    "lemmy": ("migrations", "diesel", 684),
}


def _read_from(root: Path):  # type: ignore[no-untyped-def]
    def read(relpath: str) -> str | None:
        try:
            return (root / relpath).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    return read


def scan(
    root: Path, folder: str = "m", setting: str = "auto", ignore: tuple[str, ...] = ()
) -> naming.Folder:
    found = naming.scan(root, folder, setting, ignore, _read_from(root))
    assert found is not None
    return found


def make(root: Path, *names: str, content: str = "select 1;\n") -> Path:
    for name in names:
        path = root / "m" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


# -- versions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high"),
    [
        ("1.9", "1.10"),
        ("9", "10"),
        ("0009", "10"),
        ("1_1", "1.2"),
        ("2019-02-26-002946", "2019-02-27-170003"),
        ("2025-09-19-090047", "2025-09-19-132648-0000"),
        ("13", "13.1"),
        ("13.1", "14"),
    ],
)
def test_versions_compare_numerically(low: str, high: str) -> None:
    a, b = naming.parse_version(low), naming.parse_version(high)
    assert a is not None and b is not None
    assert a < b


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("007", "7"),
        ("1.0", "1"),
        ("1_2", "1.2"),
        ("2025-09-19-132648-0000", "2025-09-19-132648"),
    ],
)
def test_equal_versions(a: str, b: str) -> None:
    assert naming.parse_version(a) == naming.parse_version(b)


def test_a_version_needs_a_digit() -> None:
    assert naming.parse_version("abc") is None


def _model_compare(a: list[int], b: list[int]) -> int:
    # Independent model: pad with zeros and compare number by number.
    for x, y in itertools.zip_longest(a, b, fillvalue=0):
        if x != y:
            return -1 if x < y else 1
    return 0


def _written(numbers: list[int], seps: list[str], pads: list[int]) -> str:
    out = ""
    for index, number in enumerate(numbers):
        if index:
            out += seps[index % len(seps)]
        out += str(number).zfill(pads[index % len(pads)])
    return out


_numbers = st.lists(st.integers(0, 10**12), min_size=1, max_size=5)
_seps = st.lists(st.sampled_from([".", "_", "-"]), min_size=1, max_size=3)
_pads = st.lists(st.integers(0, 6), min_size=1, max_size=3)


@given(_numbers, _numbers, _seps, _seps, _pads, _pads)
def test_version_order_agrees_with_model(
    a: list[int],
    b: list[int],
    seps_a: list[str],
    seps_b: list[str],
    pads_a: list[int],
    pads_b: list[int],
) -> None:
    va = naming.parse_version(_written(a, seps_a, pads_a))
    vb = naming.parse_version(_written(b, seps_b, pads_b))
    assert va is not None and vb is not None
    expected = _model_compare(a, b)
    actual = (va > vb) - (va < vb)
    assert actual == expected
    assert (va == vb) == (expected == 0)
    if va == vb:
        assert hash(va) == hash(vb)


# -- classifying names ------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "name", "version", "kind"),
    [
        ("flyway", "V1__init.sql", "1", naming.UP),
        ("flyway", "V13.1__workflow_index_columns.sql", "13.1", naming.UP),
        ("flyway", "V1_2__two_parts.sql", "1_2", naming.UP),
        ("flyway", "U3__undo.sql", "3", naming.UNDO),
        ("flyway", "R__views.sql", None, naming.REPEATABLE),
        ("flyway", "sub/V4__nested.sql", "4", naming.UP),
        ("golang-migrate", "0001_init.up.sql", "0001", naming.UP),
        ("golang-migrate", "0001_init.down.sql", "0001", naming.DOWN),
        (
            "diesel",
            "2019-02-26-002946_create_user/up.sql",
            "2019-02-26-002946",
            naming.UP,
        ),
        (
            "diesel",
            "2025-09-19-132648-0000_theme/down.sql",
            "2025-09-19-132648-0000",
            naming.DOWN,
        ),
        (
            "diesel",
            "00000000000000_diesel_initial_setup/up.sql",
            "00000000000000",
            naming.UP,
        ),
        (
            "diesel",
            "2019-02-26-002946_x/metadata.toml",
            "2019-02-26-002946",
            naming.META,
        ),
        ("sequential", "001_init.sql", "001", naming.UP),
        ("timestamp", "20240101120000_init.sql", "20240101120000", naming.UP),
        ("dbmate", "20240101120000_init.sql", "20240101120000", naming.UP),
        (
            r"regex:(?P<version>\d+)-(?P<description>.+)\.(?P<direction>up|down)\.sql",
            "12-orders.down.sql",
            "12",
            naming.DOWN,
        ),
    ],
)
def test_classify_names(scheme: str, name: str, version: str | None, kind: str) -> None:
    result = naming.classify(scheme, name)
    assert isinstance(result, naming.Migration), result
    assert (result.version.raw if result.version else None) == version
    assert result.kind == kind


@pytest.mark.parametrize(
    ("scheme", "name"),
    [
        ("flyway", "add_users.sql"),
        ("flyway", "V1_init.sql"),
        ("flyway", "v1__lowercase.sql"),
        ("flyway", "V1__init.SQL"),
        ("golang-migrate", "0001_init.sql"),
        ("golang-migrate", "sub/0001_init.up.sql"),
        ("diesel", "up.sql"),
        ("diesel", "2019-02-26-002946_x/notes.txt"),
        ("diesel", "create_user/up.sql"),
        ("sequential", "init.sql"),
        (r"regex:(?P<version>\d+)\.sql", "x.sql"),
    ],
)
def test_names_that_are_not_migrations(scheme: str, name: str) -> None:
    assert isinstance(naming.classify(scheme, name), str)


# -- detection and scanning -------------------------------------------------------


@needs_corpus
@pytest.mark.parametrize("project", sorted(CORPUS_FOLDERS))
def test_corpus_folders_are_recognised(project: str) -> None:
    folder, scheme, files = CORPUS_FOLDERS[project]
    found = scan(CORPUS / project, folder)
    assert found.scheme == scheme
    assert found.unnamed == ()
    assert len(found.migrations) == files
    versions = [m.version for m in found.forward]
    assert len(set(versions)) == len(versions)  # no duplicates


@needs_corpus
def test_lemmy_order_is_chronological() -> None:
    found = scan(CORPUS / "lemmy", "migrations")
    units = [m.unit for m in found.forward]
    assert units[0] == "00000000000000_diesel_initial_setup"
    assert units.index("2025-09-19-090047_notify-mod-action") < units.index(
        "2025-09-19-132648-0000_theme-instance-default"
    )
    assert units[-1] == "2026-07-27-143313-0000_rename_resolve_reason_to_conclusion"


@needs_corpus
def test_conductor_v13_1_sorts_between_12_and_14() -> None:
    found = scan(CORPUS / "conductor", CORPUS_FOLDERS["conductor"][0])
    raws = [m.version.raw for m in found.forward if m.version]
    assert raws[11:14] == ["12", "13.1", "14"]


def test_detection_prefers_the_scheme_naming_most_files(tmp_path: Path) -> None:
    make(tmp_path, "V1__init.sql", "V2__orders.sql", "add_users.sql")
    found = scan(tmp_path)
    assert found.scheme == "flyway"
    assert [name for name, _ in found.unnamed] == ["add_users.sql"]


def test_detects_sequential_timestamp_and_dbmate(tmp_path: Path) -> None:
    make(tmp_path / "a", "001_init.sql", "002_orders.sql")
    assert scan(tmp_path / "a").scheme == "sequential"
    make(tmp_path / "b", "20240101120000_init.sql", "20240202120000_x.sql")
    assert scan(tmp_path / "b").scheme == "timestamp"
    make(
        tmp_path / "c",
        "20240101120000_init.sql",
        content="-- migrate:up\ncreate table a (id int);\n"
        "-- migrate:down\ndrop table a;\n",
    )
    assert scan(tmp_path / "c").scheme == "dbmate"


def test_dbmate_file_without_marker_is_unnamed(tmp_path: Path) -> None:
    make(tmp_path, "1_a.sql", content="-- migrate:up\nselect 1;\n")
    make(tmp_path, "2_b.sql", content="select 2;\n")
    make(tmp_path, "3_c.sql", content="-- migrate:up\nselect 3;\n")
    found = scan(tmp_path)
    assert found.scheme == "dbmate"
    assert [name for name, _ in found.unnamed] == ["2_b.sql"]


def test_readmes_keep_files_and_configured_ignores(tmp_path: Path) -> None:
    make(
        tmp_path,
        "V1__init.sql",
        "README.md",
        "readme.txt",
        ".gitkeep",
        "dbdesign.sum",
        "notes/plan.md",
        "seed.csv",
    )
    found = scan(tmp_path, ignore=("notes/*", "*.csv"))
    assert found.unnamed == ()
    assert set(found.ignored) == {
        "README.md",
        "readme.txt",
        ".gitkeep",
        "dbdesign.sum",
        "notes/plan.md",
        "seed.csv",
    }


def test_only_files_the_tool_reads_are_judged(tmp_path: Path) -> None:
    # a runbook or an editor's file is left alone, as the tool leaves it;
    # an SQL file the tool would not run is reported
    make(tmp_path, "V1__init.sql", ".DS_Store", "notes/plan.md", "notes/plan.sql")
    found = scan(tmp_path)
    assert {name for name, _ in found.unnamed} == {"notes/plan.sql"}
    assert {".DS_Store", "notes/plan.md"} <= set(found.ignored)


def test_configured_scheme_is_used(tmp_path: Path) -> None:
    make(tmp_path, "V1__init.sql", "0002_x.up.sql")
    found = scan(tmp_path, setting="golang-migrate")
    assert found.configured
    assert [name for name, _ in found.unnamed] == ["V1__init.sql"]


def test_regex_scheme(tmp_path: Path) -> None:
    make(tmp_path, "m001-init.sql", "m002-orders.sql", "other.sql")
    found = scan(tmp_path, setting=r"regex:m(?P<version>\d+)-.+\.sql")
    assert [m.version.raw for m in found.forward if m.version] == ["001", "002"]
    assert [name for name, _ in found.unnamed] == ["other.sql"]


def test_no_known_scheme(tmp_path: Path) -> None:
    make(tmp_path, "create.sql", "alter.sql")
    found = scan(tmp_path)
    assert found.scheme is None
    assert len(found.unnamed) == 2


def test_missing_folder(tmp_path: Path) -> None:
    assert naming.scan(tmp_path, "m", "auto", (), _read_from(tmp_path)) is None


def test_links_are_not_followed(tmp_path: Path) -> None:
    make(tmp_path, "V1__init.sql")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "V2__secret.sql").write_text("secret")
    (tmp_path / "m" / "V2__secret.sql").symlink_to(outside / "V2__secret.sql")
    (tmp_path / "m" / "loop").symlink_to(tmp_path / "m")
    found = scan(tmp_path)
    why = dict(found.unnamed)
    assert "leaves the project root" in why["V2__secret.sql"]
    assert "not followed" in why["loop"]
    assert [m.name for m in found.migrations] == ["V1__init.sql"]
    shutil.rmtree(outside)


def test_down_pairs(tmp_path: Path) -> None:
    make(tmp_path, "0001_a.up.sql", "0001_a.down.sql", "0002_b.up.sql")
    found = scan(tmp_path)
    missing = naming.without_down(found, _read_from(tmp_path))
    assert [m.name for m in missing or []] == ["0002_b.up.sql"]


def test_sequential_has_no_down_form(tmp_path: Path) -> None:
    make(tmp_path, "001_a.sql")
    assert naming.without_down(scan(tmp_path), _read_from(tmp_path)) is None


NOW = datetime.datetime(2026, 11, 29, 8, 45, 0, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize(
    ("scheme", "newest", "expected"),
    [
        ("flyway", "9", "10"),
        ("flyway", "13.1", "14"),
        ("golang-migrate", "0120", "0121"),
        ("sequential", "099", "100"),
        ("diesel", "2019-02-26-002946", "2026-11-29-084500"),
        ("diesel", "2025-10-08-084508-0000", "2026-11-29-084500-0000"),
        ("timestamp", "20240101120000", "20261129084500"),
        ("dbmate", "20240101120000", "20261129084500"),
        # Newest already in the future (a clock ahead): one second after it.
        ("timestamp", "20301231235958", "20301231235959"),
        ("diesel", "2030-01-01-000000", "2030-01-01-000001"),
        ("timestamp", "1700000000", "1700000001"),
    ],
)
def test_next_version(scheme: str, newest: str, expected: str) -> None:
    version = naming.parse_version(newest)
    assert version is not None
    assert naming.next_version(scheme, version, NOW) == expected
    after = naming.parse_version(expected)
    assert after is not None and after > version


# -- a regex from the repository is bounded in time (issue 15, item 6) ---------

CATASTROPHIC = r"regex:(?P<version>(\d+)+)_x\.sql"
NEAR_MISS = "1" * 40 + "_y.sql"  # backtracks 2**40 ways before failing


def test_catastrophic_regex_is_stopped_and_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dbdesign.cli import main

    monkeypatch.setattr(schemes, "REGEX_BUDGET", 0.3)
    make(tmp_path, "1_x.sql", NEAR_MISS)
    (tmp_path / ".dbdesign.yaml").write_text(
        f"migrations_dir: m\nmigration_naming: '{CATASTROPHIC}'\n"
    )
    status = main(["check", "--root", str(tmp_path), "--select", "MG001"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1, err
    assert "migration_naming: the regex took over 0.3 s" in err
    assert NEAR_MISS in err
    assert "bound for a pattern from the repository" in err
    assert "internal error" not in err


def test_the_budget_is_per_pattern_and_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from dbdesign.errors import UsageError

    monkeypatch.setattr(schemes, "REGEX_BUDGET", 0.2)
    pattern = r"(?P<version>(\d+)+)_z\.sql"
    with pytest.raises(UsageError):
        schemes._classify_regex(pattern, NEAR_MISS)
    # spent: the next name is refused at once, not after another bound
    with pytest.raises(UsageError):
        schemes._classify_regex(pattern, "2_z.sql")


def test_a_plain_regex_is_not_slowed(tmp_path: Path) -> None:
    make(tmp_path, *(f"{n}_x.sql" for n in range(1, 300)))
    found = scan(tmp_path, setting=r"regex:(?P<version>\d+)_x\.sql")
    assert len(found.forward) == 299


def test_timebound_stops_a_runaway_match_and_restores_the_handler() -> None:
    import re
    import signal

    from dbdesign import timebound

    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(timebound.Timeout), timebound.bounded(0.2):
        re.fullmatch(r"(a+)+b", "a" * 40)
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    with timebound.bounded(5):
        assert re.fullmatch(r"(a+)+b", "aab")
