"""CL001-CL005 beyond the rule cases of tests/cases/checklist.yml: the
parsed markers, messages and columns, bad bytes and links, hostile
Markdown, the hook, and the fix's bytes, modes and atomic writes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import projects
from conftest import Repo
from dbdesign import textio
from dbdesign.checks import checklist
from dbdesign.cli import checklist_main, main
from dbdesign.markdown import parse_checklist
from projects import CHECKLIST, SECRET, phases

HEAD = "# Checklist\n\n## Phase 0: Data Requirements & Analysis\n\n"  # 4 lines
REST = phases(1)  # Phase 1 to 7, one open task each
# REST adds 4 lines a phase: its heading is the 2nd of them.


def text(body0: str, rest: str = REST) -> str:
    """A checklist whose Phase 0 tasks (BODY0) start at line 5."""
    return HEAD + body0 + rest


def test_markers_and_their_states() -> None:
    parsed = parse_checklist(
        text(
            "- [ ] a\n- [~] b\n- [x] c\n- [!] d, "
            "blocked by e\n- [X] f\n- [] g\n- [v] h\n"
        )
    )
    tasks = parsed.phase_tasks(0)
    assert [t.state for t in tasks] == [
        "todo",
        "in_progress",
        "done",
        "blocked",
        "done",
        "todo",
        None,
    ]
    assert [t.column for t in tasks] == [3] * 7
    assert tasks[3].reason == "e"


def test_message_and_column(tmp_path: Path) -> None:
    projects.write(tmp_path, {CHECKLIST: text("  * [X] a\n- [v] b\n")})
    found = projects.run(checklist.check, tmp_path)
    assert [(f.line, f.column, f.fixable, f.message) for f in found] == [
        (5, 5, True, "malformed marker `[X]`; use `[x]` (fixable with --fix)"),
        (6, 3, False, "malformed marker `[v]`; use `[ ]`, `[~]`, `[x]` or `[!]`"),
    ]


def test_cl005_is_a_warning(tmp_path: Path) -> None:
    projects.write(tmp_path, {CHECKLIST: text("")})
    [item] = projects.run(checklist.check, tmp_path)
    assert (item.code, item.severity) == ("CL005", "warning")


# -- bad input (SPEC 3a) ------------------------------------------------------


@pytest.mark.parametrize(
    "content, words",
    [
        (b"# C\n\n## Phase 0\n\n- [x] caf\xe9\n", "not UTF-8"),
        (b"# C\n\0\n", "NUL byte"),
        (b"\xff\xfe#\x00 \x00C\x00", "NUL byte"),  # UTF-16
    ],
)
def test_undecodable_checklist(tmp_path: Path, content: bytes, words: str) -> None:
    projects.write(tmp_path, {CHECKLIST: content})
    [item] = projects.run(checklist.check, tmp_path)
    assert (item.code, item.path, item.line) == ("FW003", CHECKLIST, None)
    assert words in item.message


def test_bom_and_crlf_are_fine(tmp_path: Path) -> None:
    source = projects.GOOD_CHECKLIST.replace("\n", "\r\n")
    projects.write(tmp_path, {CHECKLIST: b"\xef\xbb\xbf" + source.encode()})
    assert projects.run(checklist.check, tmp_path) == []
    projects.write(
        tmp_path,
        {
            CHECKLIST: b"\xef\xbb\xbf"
            + text("- [x] a\n- [X] b\n").replace("\n", "\r\n").encode()
        },
    )
    assert projects.where(projects.run(checklist.check, tmp_path)) == [
        ("CL001", CHECKLIST, 6)
    ]


def test_lone_cr_line_endings_count_lines(tmp_path: Path) -> None:
    projects.write(
        tmp_path, {CHECKLIST: text("- [x] a\n- [X] b\n").replace("\n", "\r")}
    )
    [item] = projects.run(checklist.check, tmp_path)
    assert (item.code, item.line, item.column) == ("CL001", 6, 3)


def test_link_out_of_the_root_is_never_followed(
    tmp_path: Path, repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(f"## Phase 0\n\n- [X] {SECRET}\n")
    projects.write(repo.path, {CHECKLIST: None})
    (repo.path / CHECKLIST).symlink_to(outside)
    [item] = projects.run(checklist.check, repo.path)
    assert (item.code, item.path) == ("FW003", CHECKLIST)
    for fmt in ("text", "json", "github", "sarif"):
        for args in ([], ["--fix"]):
            code = checklist_main(["--root", str(repo.path), "--format", fmt, *args])
            out, err = capsys.readouterr()
            assert code == 1
            assert "TOP-SECRET" not in out + err
    assert outside.read_text() == f"## Phase 0\n\n- [X] {SECRET}\n"


def test_link_loop(tmp_path: Path) -> None:
    projects.write(tmp_path, {CHECKLIST: None})
    (tmp_path / CHECKLIST).symlink_to("database-checklist.md")
    [item] = projects.run(checklist.check, tmp_path)
    assert (item.code, item.path) == ("FW003", CHECKLIST)
    assert "loop" in item.message


def test_directory_instead_of_the_checklist(tmp_path: Path) -> None:
    projects.write(tmp_path, {CHECKLIST: None})
    (tmp_path / CHECKLIST).mkdir()
    [item] = projects.run(checklist.check, tmp_path)
    assert (item.code, item.path) == ("FW003", CHECKLIST)
    assert "is a directory" in item.message


def test_reported_once_by_check(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    # framework and checklist both read it: one finding, not two.
    projects.write(repo.path, {CHECKLIST: b"\xff\n"})
    assert main(["check", "--root", str(repo.path)]) == 1
    out = capsys.readouterr().out
    assert out.count(f"{CHECKLIST}: error: FW003") == 1


@pytest.mark.parametrize(
    "source",
    [
        "- " * 3000 + "[X] deep list\n",
        "> " * 3000 + "- [X] deep quote\n",
        "## Phase 0\n\n- [x] " + "a" * 1_000_000 + "\n",
        "## Phase 0\n\n" + "- [X] a\n" * 20000,
        "[" * 50000 + "\n",
        "<!--" * 10000 + "\n- [X] a\n",
    ],
)
def test_hostile_markdown_does_not_crash(tmp_path: Path, source: str) -> None:
    projects.write(tmp_path, {CHECKLIST: source})
    found = projects.run(checklist.check, tmp_path)
    assert all(f.path == CHECKLIST for f in found)


# -- through main -------------------------------------------------------------


def test_main_reports_and_fails(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    projects.write(repo.path, {CHECKLIST: text("- [X] a\n- [!] b\n")})
    assert checklist_main(["--root", str(repo.path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{CHECKLIST}:5:3: error: CL001 [*] malformed marker `[X]`; use `[x]` "
        "(fixable with --fix)",
        f"{CHECKLIST}:6:3: error: CL003 blocked task gives no reason; add `blocked "
        "by ...`, `waiting for ...`, `because ...` or `reason: ...` to it or "
        "in a nested item",
        "Found 2 errors (1 file checked).",
        "[*] 1 fixable with the `--fix` option.",
    ]


def test_main_quiet_on_good_input(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    projects.write(repo.path)
    assert checklist_main(["--root", str(repo.path)]) == 0
    assert capsys.readouterr().out == "All checks passed (1 file checked).\n"


def test_main_restricted_to_the_paths_given(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    projects.write(repo.path, {CHECKLIST: text("- [X] a\n")})
    monkeypatch.chdir(repo.path)
    assert checklist_main(["README.md"]) == 0
    assert checklist_main([CHECKLIST]) == 1
    assert checklist_main([str(repo.path / CHECKLIST)]) == 1
    monkeypatch.chdir(repo.path / ".claude")
    assert checklist_main(["database/database-checklist.md"]) == 1
    assert checklist_main(["database/other.md"]) == 0
    capsys.readouterr()


@pytest.mark.parametrize(
    "folder",
    [
        "-x",
        "with space",
        "100%",
        "a,b",
        "c:d",
        "new\nline",
        "--fix",
        "-q",
        "-",
    ],
)
def test_main_odd_folder_names(
    repo: Repo,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    folder: str,
) -> None:
    # pre-commit passes file names after the hook's args, without `--`.
    (repo.path / ".dbdesign.yaml").write_text(
        f"framework_dir: {folder!r}\n".replace("'", '"')
    )
    path = f"{folder}/database-checklist.md"
    projects.write(repo.path, {path: text("- [X] a\n")})
    monkeypatch.chdir(repo.path)
    assert checklist_main([path]) == 1
    out = capsys.readouterr().out
    shown = path.replace("\n", "\\n")
    assert f"{shown}:5:3: error: CL001 " in out
    assert checklist_main(["--fix", path]) == 1
    assert f"Fixing {shown}" in capsys.readouterr().out
    assert "- [x] a" in (repo.path / path).read_text()


# -- the fix ------------------------------------------------------------------


def test_fix_is_idempotent_and_exits_0_when_clean(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    projects.write(repo.path, {CHECKLIST: text("- [X] a\n")})
    assert checklist_main(["--root", str(repo.path), "--fix"]) == 1
    first = (repo.path / CHECKLIST).read_bytes()
    assert checklist_main(["--root", str(repo.path), "--fix"]) == 0
    assert (repo.path / CHECKLIST).read_bytes() == first
    assert "Fixing" not in capsys.readouterr().out.split("\n", 2)[1]


def test_checker_never_writes(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    projects.write(repo.path, {CHECKLIST: text("- [X] a\n")})
    before = os.stat(repo.path / CHECKLIST)
    assert checklist_main(["--root", str(repo.path)]) == 1
    after = os.stat(repo.path / CHECKLIST)
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_fix_keeps_bom_crlf_and_every_other_byte(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (
        b"\xef\xbb\xbf# C\r\n\r\n## Phase 0\r\n\r\n- [X] caf\xc3\xa9\r\n"
        b"- [] b  \r\n- [x] c\r- [  ] d\n\t\r\n"
    )
    source += phases(1).replace("\n", "\r\n").encode()
    projects.write(repo.path, {CHECKLIST: source})
    assert checklist_main(["--root", str(repo.path), "--fix"]) == 1
    expected = (
        source.replace(b"[X]", b"[x]").replace(b"[]", b"[ ]").replace(b"[  ]", b"[ ]")
    )
    assert (repo.path / CHECKLIST).read_bytes() == expected


@pytest.mark.parametrize("mode", [0o600, 0o644, 0o755, 0o444])
def test_fix_keeps_the_mode(
    repo: Repo, capsys: pytest.CaptureFixture[str], mode: int
) -> None:
    projects.write(repo.path, {CHECKLIST: text("- [X] a\n")})
    os.chmod(repo.path / CHECKLIST, mode)
    assert checklist_main(["--root", str(repo.path), "--fix"]) == 1
    assert stat.S_IMODE(os.stat(repo.path / CHECKLIST).st_mode) == mode


def test_fix_is_atomic(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    projects.write(repo.path, {CHECKLIST: text("- [X] a\n")})
    folder = repo.path / CHECKLIST.rsplit("/", 1)[0]
    before = sorted(p.name for p in folder.iterdir())
    inode = os.stat(repo.path / CHECKLIST).st_ino
    assert checklist_main(["--root", str(repo.path), "--fix"]) == 1
    # A new file renamed over the old one, and no temporary file left.
    assert os.stat(repo.path / CHECKLIST).st_ino != inode
    assert sorted(p.name for p in folder.iterdir()) == before


def test_interrupted_fix_leaves_the_old_file_whole(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = text("- [X] a\n")
    projects.write(repo.path, {CHECKLIST: source})
    folder = repo.path / CHECKLIST.rsplit("/", 1)[0]
    names = sorted(p.name for p in folder.iterdir())

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(textio.os, "replace", fail)
    assert checklist_main(["--root", str(repo.path), "--fix"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "dbdesign: error: --fix: cannot write the fixed file (No "
        "space left on device); it is left as it was\n"
    )
    assert (repo.path / CHECKLIST).read_text() == source
    assert sorted(p.name for p in folder.iterdir()) == names


def test_fix_through_a_link_inside_the_root_keeps_the_link(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    projects.write(repo.path, {CHECKLIST: None, "docs/checklist.md": text("- [X] a\n")})
    (repo.path / CHECKLIST).symlink_to(Path("../../docs/checklist.md"))
    assert checklist_main(["--root", str(repo.path), "--fix"]) == 1
    assert (repo.path / CHECKLIST).is_symlink()
    assert "- [x] a" in (repo.path / "docs/checklist.md").read_text()


def test_fix_of_a_clean_file_writes_nothing(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    projects.write(repo.path)
    inode = os.stat(repo.path / CHECKLIST).st_ino
    assert checklist_main(["--root", str(repo.path), "--fix"]) == 0
    assert os.stat(repo.path / CHECKLIST).st_ino == inode
    assert "Fixing" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "nested",
    [
        "".join("  " * i + f"- [x] item {i}\n" for i in range(60)),
        "> " * 60 + "- [x] deep\n",
    ],
)
def test_nesting_past_the_parser_bound_is_noted(
    repo: Repo, capsys: pytest.CaptureFixture[str], nested: str
) -> None:
    repo.write(".claude/database/database-checklist.md", "## Phase 0: Data\n" + nested)
    checklist_main(["--root", str(repo.path)])
    out = capsys.readouterr().out
    assert "nest more than 50 levels deep at line" in out
    assert "what follows was not checked" in out


def test_nine_levels_of_nesting_are_all_checked(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    nested = "".join("  " * i + f"- [X] item {i}\n" for i in range(12))
    repo.write(".claude/database/database-checklist.md", "## Phase 0: Data\n" + nested)
    checklist_main(["--root", str(repo.path), "--select", "CL001"])
    out = capsys.readouterr().out
    assert out.count("CL001") == 12
    assert "not checked" not in out


# -- only the fixes of reported findings (as ruff) -------------------------------


@pytest.mark.parametrize(
    ("config", "args"),
    [
        ("ignore: [CL001]\n", []),
        ("", ["--select", "CL002"]),
        ("", ["--ignore", "CL"]),
        (f"per_file_ignores:\n  '{CHECKLIST}': [CL001]\n", []),
        ("per_file_ignores:\n  '.claude/*/*.md': [CL]\n", []),
    ],
)
def test_fix_never_mends_what_is_not_reported(
    repo: Repo, capsys: pytest.CaptureFixture[str], config: str, args: list[str]
) -> None:
    source = text("- [X] a\n- []  b\n")
    projects.write(repo.path, {CHECKLIST: source, ".dbdesign.yaml": config or None})
    main(["check", "--root", str(repo.path), "--fix", *args])
    assert (repo.path / CHECKLIST).read_text() == source
    # (the schema's sqlfluff findings may well be fixed: they are reported)
    assert f"Fixing {CHECKLIST}" not in capsys.readouterr().out


def test_fix_leaves_a_suppressed_marker(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    # ruff does not fix a noqa'd line either.
    source = text("- [X] b\n- [X] a <!-- dbdesign: ignore[CL001] -->\n")
    projects.write(repo.path, {CHECKLIST: source})
    assert checklist_main(["--root", str(repo.path), "--fix"]) == 1
    fixed = (repo.path / CHECKLIST).read_text()
    assert fixed == source.replace("- [X] b", "- [x] b")
    assert capsys.readouterr().out.startswith(f"Fixing {CHECKLIST}\n")
    # and nothing is left to fix, nor a suppression left unused
    assert checklist_main(["--root", str(repo.path), "--fix"]) == 0


def test_fix_of_many_markers_in_one_pass(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every edit used to copy the whole text (40,000 markers: 13.8 s); the
    # fix is now one pass, and must still put each edit in its place.
    rows = ["- [X] é\r\n", "- [x] ok\r\n", "- [] ü [X]\r\n", "  - [  ] 😀\r\n"]
    source = "\ufeff" + text("".join(rows * 500)).replace("\n", "\r\n").replace(
        "\r\r\n", "\r\n"
    )
    projects.write(repo.path, {CHECKLIST: source})
    assert checklist_main(["--root", str(repo.path), "--fix"]) == 1
    fixed = (repo.path / CHECKLIST).read_bytes().decode("utf-8")
    expected = (
        source.replace("- [X]", "- [x]").replace("- []", "- [ ]").replace("[  ]", "[ ]")
    )
    assert fixed == expected
    capsys.readouterr()
    assert checklist_main(["--root", str(repo.path), "--fix"]) == 0
