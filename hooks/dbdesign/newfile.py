"""A new file, created without ever replacing one: `create_new` walks the
folders from the real root without following a link, writes the content
under a temporary name and hard-links it into place (an exclusive create
where the file system has no hard links). `dbdesign init` and its
integrations write with it; a file that is already there is kept."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path


def create_new(root: Path, relpath: str, data: bytes) -> bool:
    """Create ROOT/RELPATH with DATA unless something is there already.
    Returns False when it found a file in its way. Race-free where the OS
    allows: folders are walked with O_NOFOLLOW from the real root (a link
    swapped in after the check is refused, never followed), the content is
    written to a temporary name and hard-linked into place (a link never
    replaces an existing file, and readers never see half a file)."""
    if not _HAVE_DIR_FD:  # pragma: no cover - Windows
        return _create_by_path(root / relpath, data)
    real_root = root.resolve()
    try:
        real = (root / relpath).resolve(strict=False).relative_to(real_root)
    except ValueError:  # a link that leaves the root appeared since the check
        raise OSError(errno.ELOOP, "leaves the project root") from None
    *folders, name = real.parts
    fd = _open_folders(real_root, folders)
    try:
        try:
            os.stat(name, dir_fd=fd, follow_symlinks=False)
            return False
        except FileNotFoundError:
            pass
        tmp = f".{name}.{secrets.token_hex(8)}.tmp"
        _write_new(tmp, fd, data)
        try:
            try:
                os.link(tmp, name, src_dir_fd=fd, dst_dir_fd=fd, follow_symlinks=False)
            except FileExistsError:
                return False
            except OSError as exc:
                # A file system without hard links: an exclusive create
                # still never replaces a file.
                if exc.errno not in (
                    errno.EPERM,
                    errno.ENOTSUP,
                    errno.EXDEV,
                    errno.EMLINK,
                    errno.ENOSYS,
                ):
                    raise
                try:
                    _write_new(name, fd, data)
                except FileExistsError:
                    return False
        finally:
            os.unlink(tmp, dir_fd=fd)
        # Make the new name durable too; some systems refuse on folders.
        with contextlib.suppress(OSError):
            os.fsync(fd)
        return True
    finally:
        os.close(fd)


_HAVE_DIR_FD = (
    os.open in os.supports_dir_fd
    and os.mkdir in os.supports_dir_fd
    and os.link in os.supports_dir_fd
    and hasattr(os, "O_NOFOLLOW")
    and hasattr(os, "O_DIRECTORY")
)


def _open_folders(real_root: Path, folders: list[str]) -> int:
    fd = os.open(real_root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in folders:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, 0o777, dir_fd=fd)
            child = os.open(
                part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd
            )
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def _write_new(name: str, dir_fd: int, data: bytes) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    fd = os.open(name, flags, 0o666, dir_fd=dir_fd)  # the umask applies
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _create_by_path(path: Path, data: bytes) -> bool:  # pragma: no cover
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return True
