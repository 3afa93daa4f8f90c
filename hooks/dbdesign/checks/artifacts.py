"""AR001-AR003: the design artifacts exist, say something, and have the
sections that make them useful."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbdesign import textio
from dbdesign.findings import Finding, finding
from dbdesign.markdown import headings, tokens
from dbdesign.project import Project

if TYPE_CHECKING:
    from markdown_it.token import Token

DOCUMENTS = (
    "performance-optimization.md",
    "security-configuration.md",
    "backup-recovery-plan.md",
    "monitoring-setup.md",
)
# What a placeholder looks like: TODO, TBD, FIXME, `<fill me in>`, `...`.
_PLACEHOLDER = re.compile(
    r"\b(?:TODO|TBD|FIXME|XXX)\b:?|<[^<>\n]*>|\.\.\.|…", re.IGNORECASE
)
_SQL_COMMENT = re.compile(r"--[^\n]*|/\*.*?(?:\*/|\Z)", re.DOTALL)


def required(project: Project) -> list[tuple[str, str]]:
    """(root-relative path, kind) of every required artifact; kind is
    `sql`, `markdown` or `folder`."""
    config = project.config
    files = [
        (config.schema_path, "sql"),
        (config.erd_path, "markdown"),
        (config.migrations_path, "folder"),
    ]
    names = list(DOCUMENTS) + [n for n in config.artifacts if n not in DOCUMENTS]
    files += [(config.artifact(name), "markdown") for name in names]
    files.append((config.changelog_path, "markdown"))
    return files


def check(project: Project) -> Iterator[Finding]:
    for path, kind in required(project):
        if kind == "folder":
            yield from _check_folder(project, path)
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
        parsed = tokens(result.text) if kind == "markdown" else None
        if is_stub(result.text, kind, parsed):
            what = "SQL statements" if kind == "sql" else "content"
            yield finding(
                "AR002",
                path,
                f"artifact {path} is a stub (only headings, comments "
                f"or placeholders); fill it in with real {what}",
                1,
                1,
            )
            continue
        name = path.rsplit("/", 1)[-1]
        wanted = project.config.artifacts.get(name, ())
        if wanted:
            yield from missing_sections(path, result.text, wanted, parsed)


def _check_folder(project: Project, path: str) -> Iterator[Finding]:
    outside = textio.check_inside(project.root, path)
    if outside:
        yield finding("AR001", path, f"the migrations folder {outside}")
    elif not (project.root / path).is_dir():
        what = "is not a folder" if (project.root / path).exists() else "is missing"
        yield finding(
            "AR001",
            path,
            f"the migrations folder {path} {what}; create it for "
            "the versioned migration scripts",
        )


def is_stub(text: str, kind: str, parsed: list[Token] | None = None) -> bool:
    """True when TEXT holds nothing but headings, comments and placeholders."""
    if kind == "sql":
        return not _SQL_COMMENT.sub("", text).strip(" \t\r\n;")
    parts: list[str] = []
    in_heading = False
    for token in tokens(text) if parsed is None else parsed:
        if token.type in ("heading_open", "heading_close"):
            in_heading = token.type == "heading_open"
        elif token.type == "inline" and not in_heading:
            parts.append(token.content)
        elif token.type in ("fence", "code_block"):
            parts.append(token.content.replace("erDiagram", ""))
    body = _PLACEHOLDER.sub("", "\n".join(parts))
    return not any(ch.isalnum() for ch in body)


def missing_sections(
    path: str, text: str, wanted: tuple[str, ...], parsed: list[Token] | None = None
) -> Iterator[Finding]:
    """AR003: each keyword appears in a heading (case-insensitive, at the
    start of a word: `index` matches `Indexes`, `RPO` not `Purpose`)."""
    titles = [h.text for h in headings(text, parsed)]
    name = path.rsplit("/", 1)[-1]
    for keyword in wanted:
        pattern = re.compile(r"(?<!\w)" + re.escape(keyword), re.IGNORECASE)
        if not any(pattern.search(title) for title in titles):
            yield finding(
                "AR003",
                path,
                f"{name} has no section on {keyword}; add a heading "
                f"such as `## {keyword[:1].upper()}{keyword[1:]}` "
                "and state it there",
                1,
                1,
            )
