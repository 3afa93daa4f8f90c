"""The one writer: atomic, and one rule for symbolic links (written through
to a target inside the root; never through one that leaves it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dbdesign import textio

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX links")


def test_a_link_inside_the_root_is_written_through(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/real.md").write_text("old\n")
    (tmp_path / "erd.md").symlink_to("docs/real.md")
    textio.write_atomic(tmp_path / "erd.md", b"new\n", root=tmp_path)
    assert (tmp_path / "erd.md").is_symlink()
    assert (tmp_path / "docs/real.md").read_text() == "new\n"
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == ["real.md"]


def test_a_link_out_of_the_root_is_never_written(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    outside = tmp_path / "outside.md"
    outside.write_text("theirs\n")
    (root / "erd.md").symlink_to(outside)
    (root / "loop.md").symlink_to("loop.md")
    (root / "up").symlink_to(tmp_path)
    for name in ("erd.md", "loop.md", "up/new.md"):
        with pytest.raises(textio.LeavesRoot) as caught:
            textio.write_atomic(root / name, b"ours\n", root=root)
        assert "symbolic link" in str(caught.value.strerror)
    assert outside.read_text() == "theirs\n"
    assert (root / "erd.md").is_symlink() and not (tmp_path / "new.md").exists()


def test_without_a_root_a_link_is_written_through(tmp_path: Path) -> None:
    # `--output FILE` is the user's own path, as a shell redirection.
    (tmp_path / "target.txt").write_text("")
    (tmp_path / "report.txt").symlink_to("target.txt")
    textio.write_atomic(tmp_path / "report.txt", b"x\n")
    assert (tmp_path / "report.txt").is_symlink()
    assert (tmp_path / "target.txt").read_text() == "x\n"


def test_a_fifo_or_device_is_written_into_never_replaced(tmp_path: Path) -> None:
    # `--output /dev/null` as root replaced the machine's /dev/null with a
    # regular file (every later git call with GIT_CONFIG_GLOBAL=/dev/null
    # failed). A FIFO stands in for the device here.
    import stat
    import threading

    folder = tmp_path / "outputs"
    folder.mkdir()
    fifo = folder / "out"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    textio.write_atomic(fifo, b"report\n")
    reader.join(timeout=10)
    assert got == [b"report\n"]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert [p.name for p in folder.iterdir()] == ["out"]
