"""FW001-FW003: the framework folder and its three files are present, regular,
non-empty UTF-8 text."""

from __future__ import annotations

from collections.abc import Iterator

from dbdesign import textio
from dbdesign.config import FRAMEWORK_FILES
from dbdesign.findings import Finding, finding
from dbdesign.project import Project

FILES = FRAMEWORK_FILES


def framework_files(project: Project) -> list[str]:
    return [project.config.framework_file(name) for name in FILES]


def check(project: Project) -> Iterator[Finding]:
    folder = project.config.framework_folder
    outside = textio.check_inside(project.root, folder)
    if outside:
        yield finding("FW001", folder, f"the framework folder {outside}")
        return
    path = project.root / folder
    if not path.is_dir():
        what = "is not a folder" if path.exists() else "is missing"
        yield finding(
            "FW001",
            folder,
            f"the framework folder {what}; run `dbdesign init` to create it "
            "with the prompt, template and checklist",
        )
        return
    for relpath in framework_files(project):
        yield from _check_file(project, relpath)


def _check_file(project: Project, relpath: str) -> Iterator[Finding]:
    name = relpath.rsplit("/", 1)[-1]
    result = project.read(relpath)
    if isinstance(result, textio.Unreadable):
        if result.missing:
            yield finding(
                "FW002",
                relpath,
                f"framework file {name} is missing; run `dbdesign "
                "init` to create it, or copy your team's template",
            )
        else:
            yield finding("FW003", relpath, f"framework file {name} {result.reason}")
        return
    if not result.text.strip():
        yield finding(
            "FW003",
            relpath,
            f"framework file {name} is empty; fill it in or run "
            "`dbdesign init` on a fresh folder for a starting point",
        )
