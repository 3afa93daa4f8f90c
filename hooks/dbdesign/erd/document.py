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
    between the start and the end marker are replaced; without markers, the
    one erDiagram drawn by hand becomes the marked block (one diagram, never
    two), and a file with none gets markers and block appended. Everything
    else is kept as it was."""
    nl = newline_of(text)
    fence = "```mermaid" + nl + diagram.replace("\n", nl) + "```" + nl
    starts, ends = _markers_or_fail(text)
    offsets = textio.line_starts(text)
    if starts:  # one start and one end below it, or CannotWrite
        first, last = starts[0], ends[0]
        return text[: offsets[first + 1]] + fence + text[offsets[last] :]
    block = START_MARKER + nl + fence + END_MARKER + nl
    drawn = hand_drawn(text)
    if drawn is not None:
        begin, end = drawn
        tail = text[offsets[end] :] if end < len(offsets) else ""
        return text[: offsets[begin]] + block + tail
    if not text:
        return TITLE + nl + nl + block
    if not text.endswith(("\n", "\r")):
        text += nl
    if textio.split_lines(text)[-2].strip():
        text += nl  # a blank line before the block
    return text + block


def hand_drawn(text: str) -> tuple[int, int] | None:
    """Without markers: the 0-based line span (fences included, end
    exclusive) of the file's one ```mermaid erDiagram, which the generated
    block replaces; None when there is none. Several are CannotWrite: which
    one to replace is the author's call."""
    from dbdesign.erd.mermaid import is_er_diagram
    from dbdesign.markdown import tokens

    spans = [
        (token.map[0], token.map[1])
        for token in tokens(text)
        if token.type == "fence"
        and token.map
        and token.info.split()[:1] == ["mermaid"]
        and is_er_diagram(token.content)
    ]
    if len(spans) > 1:
        lines = ", ".join(str(begin + 1) for begin, _ in spans)
        raise CannotWrite(
            f"the ERD has {len(spans)} erDiagram blocks (lines {lines}) and no "
            f"dbdesign markers; put `{START_MARKER}` and `{END_MARKER}` around "
            "the one to regenerate"
        )
    return spans[0] if spans else None


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


def planned(project: Project, text: str | None) -> str:
    """What `write` makes of the ERD whose text is TEXT (None: it does not
    exist yet); CannotWrite when it would refuse."""
    path = project.config.erd_path
    if text is None:
        outside = textio.check_inside(project.root, path)
        if outside:
            raise CannotWrite(f"{path} {outside}")
    return updated(text or "", generated(project))


def write(project: Project) -> bool:
    """Write the generated diagram into the ERD file; True if it changed."""
    path = project.config.erd_path
    result = project.read(path)
    if isinstance(result, textio.Unreadable):
        if not result.missing:
            raise CannotWrite(f"{path} {result.reason}; not rewritten")
        text, bom = None, False
    else:
        text, bom = result.text, result.bom
    drawn = None if text is None or markers(text)[0] else hand_drawn(text)
    new = planned(project, text)
    if new == text:
        return False
    try:
        textio.write_atomic(
            project.root / path, textio.encode(new, bom), root=project.root
        )
    except textio.LeavesRoot as exc:  # a link swapped in since the read
        raise CannotWrite(f"{path}: {exc.strerror}") from None
    project.forget(path)
    if drawn is not None:
        project.note(
            f"{path}: the erDiagram drawn at line {drawn[0] + 1} is now the one "
            "generated from the schema, between dbdesign:erd markers that "
            "`--fix` keeps up to date (`git diff` shows what it replaced)"
        )
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
            "dbdesign: note: "
            + textio.inert(
                f"{schema}: {why}; tables in statements that "
                "do not parse are missing from the diagram"
            ),
            file=sys.stderr,
        )
