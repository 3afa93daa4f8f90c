"""ER001-ER005: the ERD's erDiagram exists, parses, and says what the schema
says: the same tables, a relationship for each foreign key (with the
cardinality the schema decides), and, where it lists attributes, the same
columns, keys and base types.

Every erDiagram block of the ERD file counts: together they must show every
table and foreign key, and each thing any of them states must be true. The
comparison is semantic (names as the database resolves them, types by base
name), never textual: how the parts pair is `erd/compare.py`, the
attributes `erd/attributes.py`, the types `erd/types.py`."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, replace

from dbdesign import textio
from dbdesign.erd import attributes, mermaid
from dbdesign.erd.compare import Resolved, cardinality, pair, resolver
from dbdesign.erd.model import LEFT, RIGHT, Diagram, Entity
from dbdesign.erd.render import drawn_tables, entity_ref, entity_texts, links
from dbdesign.findings import Finding, finding
from dbdesign.project import Project
from dbdesign.sql.catalog import Catalog, Table


def check(project: Project) -> Iterator[Finding]:
    config = project.config
    path = config.erd_path
    if not (project.wants(path) or project.wants(config.schema_path)):
        return
    result = project.read(path)
    if isinstance(result, textio.Unreadable) and not result.missing:
        yield _fixable(finding("ER001", path, f"{path} {result.reason}"), False)
        return
    text = result.text if isinstance(result, textio.Text) else None
    found = _judge(project, text, project.note)
    if any(item.fixable for item in found):
        found = _what_the_fix_cures(project, text, found)
    yield from found


def _what_the_fix_cures(
    project: Project, text: str | None, found: list[Finding]
) -> list[Finding]:
    """FOUND, fixable only where the fix really makes the finding go away:
    the fix is run in memory and the ERD it would write judged again. A
    diagram still over mermaid's limit without attributes, a schema that
    cannot be read, broken markers: the fix cannot help, so it never
    claims to (a fix that leaves its finding would loop for ever)."""
    from dbdesign.erd.document import CannotWrite, planned

    try:
        after = _judge(project, planned(project, text), lambda _note: None)
    except CannotWrite:
        return [_fixable(item, False) for item in found]
    left = {_gist(item) for item in after}
    return [_fixable(item, item.fixable and _gist(item) not in left) for item in found]


def _gist(item: Finding) -> tuple[str, str]:
    # Lines move when the block is regenerated, and so does a diagram's
    # length (`60,123 characters`): what stays is the code and the words.
    return item.code, re.sub(r"\d{1,3}(?:,\d{3})+", "N", item.message)


def _judge(
    project: Project, text: str | None, note: Callable[[str], None]
) -> list[Finding]:
    """ER001-ER005 for the ERD with TEXT (None: it does not exist), fixable
    where the fix rewrites what they are about."""
    config = project.config
    path = config.erd_path
    if text is None:
        return [
            finding(
                "ER001",
                path,
                f"{path} does not exist; `dbdesign erd --write` "
                "creates it with the diagram of the schema",
            )
        ]
    found = mermaid.blocks(text)
    if not found:
        return [
            finding(
                "ER001",
                path,
                f"{path} has no ```mermaid block with an erDiagram; "
                "`dbdesign erd --write` appends one generated from "
                "the schema",
                1,
            )
        ]
    out: list[Finding] = []
    # What `--fix` rewrites: the lines of the block between the markers, or
    # of the one diagram a file without markers has (the fix converts it).
    convert = len(found) == 1 and not mermaid.markers(text)[0]
    generated = {
        line
        for block in found
        if block.generated or convert
        for line in range(block.line, block.first_line + block.source.count("\n") + 1)
    }
    broken = False
    for block in found:
        if block.error is not None:
            broken = True
            out.append(
                _fixable(
                    finding(
                        "ER002",
                        path,
                        f"the erDiagram does not parse: {block.error.message}",
                        block.error.line,
                    ),
                    block.error.line in generated,
                )
            )
        elif mermaid.code_length(block.source) > mermaid.MAX_TEXT:
            out.append(
                _fixable(
                    finding(
                        "ER002",
                        path,
                        f"the erDiagram is {mermaid.code_length(block.source):,} "
                        f"characters long, over the {mermaid.MAX_TEXT:,} that "
                        'mermaid draws (GitHub shows "Maximum text size in '
                        'diagram exceeded"); split it or list fewer attributes',
                        block.line,
                    ),
                    block.line in generated,
                )
            )
    if broken:
        note(f"{path} was not compared with the schema: its erDiagram does not parse")
        return out
    from dbdesign.sql import load

    catalog = load.design_catalog(project)
    if catalog is None:
        note(
            f"{path} was not compared with the schema: "
            f"{config.schema_path} cannot be read"
        )
        return out
    schema = load.verdict(project, config.schema_path)
    diagrams = [block.diagram for block in found if block.diagram]
    out += compare(
        diagrams,
        catalog,
        path,
        config.schema_path,
        schema_has_errors=bool(schema and schema.errors),
        generated_lines=generated,
    )
    return out


def fix(project: Project, findings: Sequence[Finding]) -> list[str]:
    """`dbdesign erd --write`: regenerate the marked block (or append
    one), the one edit that mends every fixable ER finding, called only
    when the run reports one (FINDINGS). Nothing is written when the
    schema or the ERD cannot be read."""
    from dbdesign.erd.document import CannotWrite, write

    try:
        changed = write(project)
    except CannotWrite as exc:
        project.note(str(exc))
        return []
    return [project.config.erd_path] if changed else []


# -- the comparison -----------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    catalog: Catalog
    path: str
    schema: str

    def table(self, name: str) -> Table:
        return self.catalog.tables[name]


def compare(
    diagrams: Sequence[Diagram],
    catalog: Catalog,
    path: str,
    schema: str = "database-schema.sql",
    schema_has_errors: bool = False,
    generated_lines: Collection[int] = (),
) -> list[Finding]:
    """ER003-ER005 for DIAGRAMS (the parsed blocks of the ERD at PATH)
    against CATALOG (the schema file SCHEMA's). A finding is fixable when
    regenerating the marked block (GENERATED_LINES) cures it: whatever is
    missing, and whatever the marked block states wrongly; never what a
    hand-drawn diagram states."""
    found = _compare(diagrams, catalog, path, schema, schema_has_errors)
    return [_fixable(f, f.fixable or f.line in generated_lines) for f in found]


def _fixable(item: Finding, fixable: bool) -> Finding:
    return item if item.fixable == fixable else replace(item, fixable=fixable)


def _missing(item: Finding) -> Finding:
    """A finding about something the ERD lacks: the fix adds it."""
    return _fixable(item, True)


def _compare(
    diagrams: Sequence[Diagram],
    catalog: Catalog,
    path: str,
    schema: str,
    schema_has_errors: bool,
) -> list[Finding]:
    ctx = _Context(catalog, path, schema)
    resolve = resolver(catalog)
    out: list[Finding] = []
    # An entity may appear in several blocks; report it once.
    entities: dict[str, list[Entity]] = {}
    for diagram in diagrams:
        for entity in diagram.entities:
            entities.setdefault(entity.name, []).append(entity)
    shown: dict[str, list[Entity]] = {}
    for name, occurrences in entities.items():
        table = resolve(name)
        if table is None:
            hint = (
                f" ({schema} has syntax errors, which may hide it)"
                if schema_has_errors
                else ""
            )
            out.append(
                finding(
                    "ER003",
                    path,
                    f"entity {name} is not a table in {schema}{hint}; rename it "
                    "to a table's name or remove it",
                    occurrences[0].line,
                )
            )
        else:
            shown.setdefault(table, []).extend(occurrences)
    first_line = diagrams[0].line if diagrams else 1
    texts = entity_texts(catalog)
    for drawn in drawn_tables(catalog):
        if drawn.name not in shown:
            ref = entity_ref(texts[drawn.name])
            out.append(
                _missing(
                    finding(
                        "ER003",
                        path,
                        f"table {drawn.name} of {schema} is not in the ERD; add the "
                        f"entity {ref} (`dbdesign erd --write` regenerates the "
                        "diagram)",
                        first_line,
                    )
                )
            )
    out += _relationships(ctx, diagrams, resolve, set(shown), first_line)
    for name, occurrences in shown.items():
        out += attributes.compare(catalog, ctx.table(name), occurrences, path, schema)
    return out


# -- relationships (ER004, and ER005 for cardinality) --------------------------


def _relationships(
    ctx: _Context,
    diagrams: Sequence[Diagram],
    resolve: Callable[[str], str | None],
    shown: set[str],
    first_line: int,
) -> list[Finding]:
    rels: list[Resolved] = []
    for diagram in diagrams:
        for rel in diagram.relationships:
            a, b = resolve(rel.first), resolve(rel.second)
            if a is not None and b is not None:  # else ER003 said it
                rels.append((rel, a, b))
    out: list[Finding] = []
    texts: dict[str, str] = {}
    drawn = [
        link for link in links(ctx.catalog) if {link.parent, link.child} <= shown
    ]  # else ER003 said it
    matches, unexplained = pair(drawn, rels)
    for link, index in zip(drawn, matches, strict=True):
        if index is None:
            texts = texts or entity_texts(ctx.catalog)
            parent, child = (
                entity_ref(texts[link.parent]),
                entity_ref(texts[link.child]),
            )
            marker = (
                LEFT[link.parent_cardinality]
                + ("--" if link.identifying else "..")
                + RIGHT[link.child_cardinality]
            )
            out.append(
                _missing(
                    finding(
                        "ER004",
                        ctx.path,
                        f"foreign key {link.child}({link.label}) -> {link.parent} "
                        f"has no relationship in the ERD; add `{parent} {marker} "
                        f'{child} : "{link.label}"`',
                        first_line,
                    )
                )
            )
            continue
        rel, a, b = rels[index]
        problem = cardinality(link, rel, a)
        if problem:
            out.append(finding("ER005", ctx.path, problem, rel.line))
    for index in unexplained:
        rel = rels[index][0]
        out.append(
            finding(
                "ER004",
                ctx.path,
                f"relationship {rel.first} -- {rel.second} has no foreign "
                f"key behind it in {ctx.schema}; add the foreign key or "
                "remove the relationship",
                rel.line,
            )
        )
    return out
