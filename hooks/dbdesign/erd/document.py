"""`dbdesign erd [ROOT] [--write]`: print the schema's erDiagram, or write it
into the ERD file between the dbdesign markers, leaving every other byte of
the file (BOM, line endings, prose, other diagrams) as it was."""

from __future__ import annotations

import re
import sys

from dbdesign import textio
from dbdesign.erd.mermaid import END_MARKER, START_MARKER, markers
from dbdesign.erd.render import render
from dbdesign.project import Project

TITLE = "# Entity relationship diagram"


class CannotWrite(Exception):
    """The ERD cannot be written safely; str() says why and how to mend."""


def newline_of(text: str) -> str:
    """The file's line ending: the first one it uses, else `\\n`."""
    match = re.search(r"\r\n|\r|\n", text)
    return match.group(0) if match else "\n"


def updated(text: str, diagram: str) -> str:
    """TEXT (an ERD's Markdown) with DIAGRAM in the marked block: the lines
    between the start and the end marker are replaced; without markers,
    markers and block are appended. Everything else is kept as it was."""
    nl = newline_of(text)
    fence = "```mermaid" + nl + diagram.replace("\n", nl) + "```" + nl
    starts, ends = _markers_or_fail(text)
    if starts:  # one start and one end below it, or CannotWrite
        first, last = starts[0], ends[0]
        offsets = textio.line_starts(text)
        return text[: offsets[first + 1]] + fence + text[offsets[last] :]
    block = START_MARKER + nl + fence + END_MARKER + nl
    if not text:
        return TITLE + nl + nl + block
    if not text.endswith(("\n", "\r")):
        text += nl
    if textio.split_lines(text)[-2].strip():
        text += nl  # a blank line before the block
    return text + block


def _markers_or_fail(text: str) -> tuple[list[int], list[int]]:
    starts, ends = markers(text)
    if (
        len(starts) > 1
        or len(ends) > 1
        or len(starts) != len(ends)
        or (starts and ends[0] < starts[0])
    ):
        raise CannotWrite(
            f"the ERD needs one `{START_MARKER}` line followed by one "
            f"`{END_MARKER}` line (found {len(starts)} start and {len(ends)} "
            "end markers); fix the markers or remove them"
        )
    return starts, ends


def generated(project: Project) -> str:
    """The erDiagram of the project's schema; CannotWrite when the schema
    cannot be read."""
    from dbdesign.sql import load

    catalog = load.design_catalog(project)
    if catalog is None:
        schema = project.config.schema_path
        reason = project.read(schema)
        why = (
            reason.reason if isinstance(reason, textio.Unreadable) else "cannot be read"
        )
        raise CannotWrite(f"{schema} {why}; the ERD is generated from it")
    return render(catalog)


def write(project: Project) -> bool:
    """Write the generated diagram into the ERD file; True if it changed."""
    path = project.config.erd_path
    diagram = generated(project)
    result = project.read(path)
    if isinstance(result, textio.Unreadable):
        if not result.missing:
            raise CannotWrite(f"{path} {result.reason}; not rewritten")
        text, bom = "", False
        outside = textio.check_inside(project.root, path)
        if outside:
            raise CannotWrite(f"{path} {outside}")
    else:
        text, bom = result.text, result.bom
    new = updated(text, diagram)
    if new == text and not isinstance(result, textio.Unreadable):
        return False
    textio.write_atomic(project.root / path, textio.encode(new, bom))
    project.forget(path)
    return True


def warn_if_incomplete(project: Project) -> None:
    from dbdesign.sql import load

    schema = project.config.schema_path
    parsed = load.verdict(project, schema)
    if parsed is not None and (parsed.errors or parsed.skipped):
        why = parsed.skipped or (
            f"it has {len(parsed.errors)} syntax error"
            f"{'s' if len(parsed.errors) > 1 else ''} (dbdesign-schema "
            "reports them)"
        )
        print(
            f"dbdesign: note: {schema}: {why}; tables in statements that "
            "do not parse are missing from the diagram",
            file=sys.stderr,
        )
