"""`dbdesign init`: write the framework files and any missing artifacts from
templates, never touching a file that exists.

Templates come from `--templates DIR`, else the framework's conventional
folder `~/.claude/process-templates-n-prompts/database/` when it exists, else
the ones bundled with dbdesign. A team's folder usually holds only the three
framework files, so a file it lacks comes from the bundled templates (and the
line that reports it says so): one `init` always gives a complete project."""

from __future__ import annotations

import contextlib
import errno
import os
import posixpath
import re
import secrets
import stat
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from dbdesign import starter, textio
from dbdesign.config import FRAMEWORK_FILES, Config
from dbdesign.errors import UsageError

CONVENTIONAL = Path(".claude", "process-templates-n-prompts", "database")
DOCUMENTS = (
    "performance-optimization.md",
    "security-configuration.md",
    "backup-recovery-plan.md",
    "monitoring-setup.md",
)
MIGRATIONS_README = "migration-scripts/README.md"
MAX_TEMPLATE_BYTES = 1 << 20
BUNDLED = "bundled"
GENERATED = "generated"


@dataclass(frozen=True)
class Item:
    """One file `init` may write: TEMPLATE (its name in a templates folder)
    to TARGET (root-relative). GUARD is the path whose existence means
    "keep": the file itself, or the migrations folder for its README."""

    template: str  # "" for a document only the config asks for
    target: str
    guard: str
    sections: tuple[str, ...] = ()  # what AR003 wants in it (config)
    scheme: str = ""  # the migrations README: the configured naming scheme


@dataclass(frozen=True)
class Source:
    """Where templates come from: FOLDER (None for the bundled ones), and
    how to name it to people."""

    folder: Path | None
    label: str


@dataclass(frozen=True)
class Outcome:
    item: Item
    action: str  # created | kept | skipped | failed
    reason: str = ""
    origin: str = BUNDLED  # a team's folder, BUNDLED or GENERATED


def plan(config: Config) -> list[Item]:
    """Every file of SPEC 1, at the paths the project's config gives."""
    folder = config.framework_dir.rstrip("/")
    items = [
        Item(name, f"{folder}/{name}", f"{folder}/{name}") for name in FRAMEWORK_FILES
    ]
    items.append(Item("database-schema.sql", config.schema_path, config.schema_path))
    items.append(
        Item("entity-relationship-diagram.md", config.erd_path, config.erd_path)
    )
    migrations = config.migrations_path.rstrip("/")
    items.append(
        Item(
            MIGRATIONS_README,
            f"{migrations}/README.md",
            migrations,
            scheme=config.migration_naming,
        )
    )
    items += [
        Item(
            name,
            config.artifact(name),
            config.artifact(name),
            config.artifacts.get(name, ()),
        )
        for name in DOCUMENTS
    ]
    items.append(Item("CHANGELOG.md", config.changelog_path, config.changelog_path))
    # The documents the config's `artifacts:` adds, which the artifacts check
    # requires too; a name that is already planned only adds its sections.
    for name, sections in config.artifacts.items():
        target = config.artifact(name)
        same = [i for i, item in enumerate(items) if item.target == target]
        if same:
            items[same[0]] = replace(items[same[0]], sections=sections)
        else:
            items.append(Item("", target, target, sections))
    return items


# -- templates ----------------------------------------------------------------


def template_names() -> tuple[str, ...]:
    return (
        *FRAMEWORK_FILES,
        "database-schema.sql",
        "entity-relationship-diagram.md",
        MIGRATIONS_README,
        *DOCUMENTS,
        "CHANGELOG.md",
    )


def choose_source(explicit: str | None, home: Path) -> Source:
    """`--templates DIR`, else the conventional folder under HOME when it
    exists, else the bundled templates."""
    if explicit is not None:
        folder = Path(explicit).expanduser()
        if not folder.is_dir():
            raise UsageError(
                f"--templates {explicit}: no such folder; pass the "
                "folder that holds your team's database-prompt.md, "
                "database-template.md and database-checklist.md"
            )
        if not any((folder / name).exists() for name in template_names()):
            raise UsageError(
                f"--templates {explicit}: holds none of the template "
                f"files ({', '.join(FRAMEWORK_FILES)}, ...); check "
                "the path"
            )
        return Source(folder, f"--templates {explicit}")
    conventional = home / CONVENTIONAL
    if conventional.is_dir():
        return Source(conventional, f"~/{CONVENTIONAL.as_posix()}/")
    return Source(None, BUNDLED)


def content(source: Source, item: Item, config: Config) -> tuple[bytes, str]:
    """What ITEM is created with, and where that came from: a team's
    template as it is; a bundled one in the config's dialect and naming,
    with a section added for each heading the config asks for and it lacks;
    a generated skeleton for a document only the config names."""
    if not item.template:
        return _skeleton(item.target, item.sections).encode(), GENERATED
    data, origin = load_template(source, item.template)
    if origin == BUNDLED and item.template == "database-schema.sql":
        data = starter.bundled(starter.schema_template(config.dialect))
    if origin == BUNDLED and item.scheme:
        text = _with_naming(data.decode("utf-8"), item.scheme)
        # The schema's path from the folder (paths are relative to the root).
        schema = posixpath.relpath(config.schema_path, config.migrations_path)
        data = text.replace("../database-schema.sql", schema).encode("utf-8")
    if origin == BUNDLED and item.sections:
        text = data.decode("utf-8")
        missing = _missing_sections(text, item.sections)
        if missing:
            text = text.rstrip("\n") + "\n" + _todo_sections(missing)
            data = text.encode("utf-8")
    return data, origin


def _with_naming(text: str, scheme: str) -> str:
    """The bundled migrations README with its Naming section written for
    SCHEME (the bundled text is Flyway's)."""
    ref = resources.files("dbdesign") / "templates" / "naming" / f"{scheme}.md"
    if not ref.is_file():  # flyway, auto, a regex: the bundled text stands
        return text
    section = ref.read_text(encoding="utf-8").strip("\n")
    return re.sub(
        r"(?s)(## Naming\n\n).*?(\n## )",
        lambda m: m[1] + section + "\n" + m[2],
        text,
        count=1,
    )


def _missing_sections(text: str, wanted: tuple[str, ...]) -> list[str]:
    # The artifacts check's rule (AR003): a keyword at the start of a word
    # in some heading, any case.
    from dbdesign.markdown import headings

    titles = [heading.text for heading in headings(text)]
    return [
        keyword
        for keyword in wanted
        if not any(
            re.search(r"(?<!\w)" + re.escape(keyword), title, re.IGNORECASE)
            for title in titles
        )
    ]


def _title(text: str) -> str:
    return text[:1].upper() + text[1:]


def _todo_sections(keywords: Sequence[str]) -> str:
    return "".join(f"\n## {_title(keyword)}\n\nTODO\n" for keyword in keywords)


def _skeleton(target: str, sections: tuple[str, ...]) -> str:
    name = target.rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0]
    title = " ".join(_title(word) for word in re.split(r"[-_ ]+", stem) if word)
    body = _todo_sections(sections)
    return (
        f"# {title or name}\n\n<!-- The project's dbdesign config "
        f"requires this document\n(artifacts: {name}); replace each TODO "
        f"with the facts. -->\n{body}"
    )


def load_template(source: Source, name: str) -> tuple[bytes, str]:
    """The bytes of template NAME and the folder they came from (or
    BUNDLED). A team's template is copied byte for byte, so it must be a
    readable UTF-8 text file; anything else stops `init` (exit 2)."""
    if source.folder is not None:
        path = source.folder / name
        if path.exists() or path.is_symlink():
            return _read_team_template(path), str(source.folder)
    ref = resources.files("dbdesign").joinpath("templates", *name.split("/"))
    return ref.read_bytes(), BUNDLED


def _read_team_template(path: Path) -> bytes:
    try:
        info = path.stat()  # a team's dotfiles may well be links: follow
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(
                f"template {path} is not a regular file; replace it "
                "with the file itself"
            )
        if info.st_size > MAX_TEMPLATE_BYTES:
            raise UsageError(
                f"template {path} is {info.st_size} bytes, over the "
                f"{MAX_TEMPLATE_BYTES} byte limit for a template"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"template {path} cannot be read ({exc.strerror})") from None
    decoded = textio.decode(str(path), data)
    if isinstance(decoded, textio.Unreadable):
        raise UsageError(f"template {decoded.path} {decoded.reason}")
    return data


# -- writing ------------------------------------------------------------------


def outcome_of(root: Path, item: Item) -> Outcome | None:
    """Kept or skipped without writing (what a dry run reports too), or
    None when the item's file is missing and may be created."""
    for path in dict.fromkeys((item.guard, item.target)):
        outside = textio.check_inside(root, path)
        if outside:
            return Outcome(item, "skipped", f"{path} {outside}")
    guard = root / item.guard
    if guard.exists() or guard.is_symlink():
        return Outcome(item, "kept", "already exists")
    return None


def shown(outcome: Outcome) -> str:
    """The path a report line names: the migrations folder, not its README,
    when the folder is what was kept."""
    item = outcome.item
    if (
        outcome.action == "kept"
        and item.guard != item.target
        and outcome.reason == "already exists"
    ):
        return f"{item.guard}/"
    return item.target


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


# -- the command --------------------------------------------------------------


def scaffold(
    root: Path, config: Config, source: Source, dry_run: bool = False
) -> list[Outcome]:
    """Create every missing file of PLAN(config) under ROOT from SOURCE."""
    outcomes = []
    for item in plan(config):
        done = outcome_of(root, item)
        if done is not None:
            outcomes.append(done)
            continue
        data, origin = content(source, item, config)
        if dry_run:
            outcomes.append(Outcome(item, "created", origin=origin))
            continue
        try:
            created = create_new(root, item.target, data)
        except OSError as exc:
            why = (
                "a folder on the way is a symbolic link; it is not followed"
                if exc.errno == errno.ELOOP
                else exc.strerror or str(exc)
            )
            outcomes.append(Outcome(item, "failed", why, origin))
            continue
        outcomes.append(
            Outcome(
                item,
                "created" if created else "kept",
                "" if created else "already exists",
                origin,
            )
        )
    return outcomes
