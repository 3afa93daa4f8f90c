"""AR001-AR003: the design artifacts exist, say something once the phase that
produces them has started, and have the sections that make them useful."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from dbdesign import textio
from dbdesign.findings import Finding, finding
from dbdesign.markdown import Checklist, phase_title, tokens
from dbdesign.project import Project
from dbdesign.views import checklist_of

if TYPE_CHECKING:
    from markdown_it.token import Token

DOCUMENTS = (
    "performance-optimization.md",
    "security-configuration.md",
    "backup-recovery-plan.md",
    "monitoring-setup.md",
)
# What a placeholder looks like (case-insensitive, `.` spanning lines):
# TODO, TBD, FIXME, `<fill me in>`, `...`, an HTML comment of guidance.
PLACEHOLDER = r"<!--.*?(?:-->|\Z)|\b(?:TODO|TBD|FIXME|XXX)\b:?|<[^<>\n]*>|\.\.\.|…"
# Real content has at least two letters or digits (`5 m` is a fact) once the
# placeholders are taken out; a lone `x` or `-` typed under a heading to get
# past the check is not. One scan finds placeholders and letters or digits
# (`[^\W_]` is str.isalnum) left to right, as removing the placeholders would
# leave them, and stops at the second.
_MIN_ALNUM = 2
_PLACEHOLDER_OR_ALNUM = re.compile(
    rf"(?:{PLACEHOLDER})|(?P<alnum>[^\W_])", re.IGNORECASE | re.DOTALL
)
_SQL_COMMENT = re.compile(r"--[^\n]*|/\*.*?(?:\*/|\Z)", re.DOTALL)
# Files in the migrations folder that are not migrations.
_NOT_MIGRATIONS = re.compile(r"^(?:\..*|readme(?:\..*)?|dbdesign\.sum)$", re.I)


class Artifact(NamedTuple):
    path: str  # root-relative
    kind: str  # sql, markdown or folder
    role: str  # schema, erd, migrations, changelog, or a document's name


def required(project: Project) -> list[Artifact]:
    """Every required artifact, at the paths the config gives."""
    config = project.config
    files = [
        Artifact(config.schema_path, "sql", "schema"),
        Artifact(config.erd_path, "markdown", "erd"),
        Artifact(config.migrations_path, "folder", "migrations"),
    ]
    names = list(DOCUMENTS) + [n for n in config.artifacts if n not in DOCUMENTS]
    files += [Artifact(config.artifact(name), "markdown", name) for name in names]
    files.append(Artifact(config.changelog_path, "markdown", "changelog"))
    return files


class _Due(NamedTuple):
    """Why an artifact must have content now: PHASE (None: always) is
    STATE (`started` or `complete`)."""

    phase: int | None = None
    state: str = ""

    def stub(self, what: str) -> str:
        if self.phase is None:
            return f"artifact {what}"
        if self.state == "complete":
            return f"Phase {self.phase} is complete but {what}"
        return f"{phase_title(self.phase)} has started but {what}"


def _due(project: Project, role: str) -> _Due | None:
    """When the artifact ROLE must not be a stub; None while the phase
    that produces it has not started (a scaffold commits cleanly)."""
    phase = project.config.phase_of(role)
    if phase is None:
        return _Due()
    checklist = checklist_of(project)
    if not isinstance(checklist, Checklist):
        return _Due()  # no checklist to tell: judge it (FW reports why)
    state = checklist.phase_state(phase)
    return None if state == "not started" else _Due(phase, state)


def check(project: Project) -> Iterator[Finding]:
    for artifact in required(project):
        path = artifact.path
        if artifact.kind == "folder":
            yield from _check_folder(project, artifact)
            continue
        result = project.read(path)
        if isinstance(result, textio.Unreadable):
            if result.missing:
                yield finding(
                    "AR001",
                    path,
                    f"required artifact {path} is missing; create "
                    "it (`dbdesign init` writes a skeleton)",
                )
            else:
                yield finding("AR002", path, f"artifact {path} {result.reason}")
            continue
        # Parse once: the stub test and the section test read the same tokens.
        parsed = tokens(result.text) if artifact.kind == "markdown" else None
        if is_stub(result.text, artifact.kind, parsed):
            due = _due(project, artifact.role)
            if due is None:
                continue  # its sections come with its phase too
            what = "SQL statements" if artifact.kind == "sql" else "content"
            yield finding(
                "AR002",
                path,
                f"{due.stub(path)} is a stub (only headings, comments "
                f"or placeholders); fill it in with real {what}",
                1,
                1,
            )
            continue
        name = path.rsplit("/", 1)[-1]
        wanted = project.config.artifacts.get(name, ())
        if wanted:
            yield from missing_sections(path, result.text, wanted, parsed)


def _check_folder(project: Project, artifact: Artifact) -> Iterator[Finding]:
    path = artifact.path
    outside = textio.check_inside(project.root, path)
    folder = project.root / path
    if outside:
        yield finding("AR001", path, f"the migrations folder {outside}")
    elif not folder.is_dir():
        what = "is not a folder" if folder.exists() else "is missing"
        yield finding(
            "AR001",
            path,
            f"the migrations folder {path} {what}; create it for "
            "the versioned migration scripts",
        )
    elif not any(not _NOT_MIGRATIONS.match(entry.name) for entry in folder.iterdir()):
        due = _due(project, artifact.role)
        if due is not None:
            yield finding(
                "AR002",
                path,
                f"{due.stub(f'the migrations folder {path}')} holds no "
                "migration; add the first one",
            )


def _body(parsed: list[Token]) -> str:
    """The text of TOKENS that is not a heading: paragraphs, list items,
    code (an empty erDiagram says nothing)."""
    parts: list[str] = []
    in_heading = False
    for token in parsed:
        if token.type in ("heading_open", "heading_close"):
            in_heading = token.type == "heading_open"
        elif token.type == "inline" and not in_heading:
            parts.append(token.content)
        elif token.type in ("fence", "code_block"):
            parts.append(token.content.replace("erDiagram", ""))
    return "\n".join(parts)


def has_content(text: str) -> bool:
    """Whether TEXT says something once placeholders are taken out."""
    count = 0
    for match in _PLACEHOLDER_OR_ALNUM.finditer(text):
        if match["alnum"] is not None:
            count += 1
            if count >= _MIN_ALNUM:
                return True
    return False


def is_stub(text: str, kind: str, parsed: list[Token] | None = None) -> bool:
    """True when TEXT holds nothing but headings, comments and placeholders."""
    if kind == "sql":
        return not _SQL_COMMENT.sub("", text).strip(" \t\r\n;")
    return not has_content(_body(tokens(text) if parsed is None else parsed))


def _sections(parsed: list[Token]) -> list[tuple[str, int, bool]]:
    """(title, line, has real content) of each heading's section: up to
    the next heading of the same or a higher level, subsections included."""
    opened = [
        (i, int(token.tag[1:]))
        for i, token in enumerate(parsed)
        if token.type == "heading_open" and token.map
    ]
    found = []
    for n, (index, level) in enumerate(opened):
        end = next((i for i, lv in opened[n + 1 :] if lv <= level), len(parsed))
        title = parsed[index + 1].content.strip()
        line = (parsed[index].map or [0])[0] + 1
        found.append((title, line, has_content(_body(parsed[index + 3 : end]))))
    return found


def missing_sections(
    path: str, text: str, wanted: tuple[str, ...], parsed: list[Token] | None = None
) -> Iterator[Finding]:
    """AR003: each keyword appears in a heading (case-insensitive, at the
    start of a word: `index` matches `Indexes`, `RPO` not `Purpose`) with
    real content under it."""
    parsed = tokens(text) if parsed is None else parsed
    sections = _sections(parsed)
    name = path.rsplit("/", 1)[-1]
    for keyword in wanted:
        pattern = re.compile(r"(?<!\w)" + re.escape(keyword), re.IGNORECASE)
        matching = [s for s in sections if pattern.search(s[0])]
        if not matching:
            yield finding(
                "AR003",
                path,
                f"{name} has no section on {keyword}; add a heading "
                f"such as `## {keyword[:1].upper()}{keyword[1:]}` "
                "and state it there",
                1,
                1,
            )
        elif not any(content for _, _, content in matching):
            title, line, _ = matching[0]
            yield finding(
                "AR003",
                path,
                f"{name}'s section `{title}` has no content yet (only "
                f"placeholders); state the {keyword} there",
                line,
                1,
            )
