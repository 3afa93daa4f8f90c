"""ER001-ER005: the ERD's erDiagram exists, parses, and says what the schema
says: the same tables, a relationship for each foreign key (with the
cardinality the schema decides), and, where it lists attributes, the same
columns, keys and base types.

Every erDiagram block of the ERD file counts: together they must show every
table and foreign key, and each thing any of them states must be true. The
comparison is semantic (names as the database resolves them, types by base
name), never textual."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, replace

from dbdesign import textio
from dbdesign.erd import mermaid
from dbdesign.erd.mermaid import (
    LEFT,
    MD_PARENT,
    ONE_OR_MORE,
    ONLY_ONE,
    RIGHT,
    ZERO_OR_MORE,
    ZERO_OR_ONE,
    Diagram,
    Entity,
    Relationship,
)
from dbdesign.erd.render import (
    Link,
    attribute_name,
    attribute_names,
    attribute_type,
    column_keys,
    display,
    drawn_tables,
    entity_ref,
    entity_text,
    entity_texts,
    label_text,
    links,
)
from dbdesign.findings import Finding, finding
from dbdesign.project import Project
from dbdesign.sql.catalog import Catalog, Table

_MAX_ONE = {ONLY_ONE, ZERO_OR_ONE}
_MIN_ONE = {ONLY_ONE, ONE_OR_MORE}


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
    resolve = _resolver(catalog)
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
        out += _attributes(ctx, ctx.table(name), occurrences)
    return out


def _resolver(catalog: Catalog) -> Callable[[str], str | None]:
    """Entity name -> table name: the name itself, else the name as the
    renderer writes it, else the same name in another case when that is
    unambiguous."""
    exact: dict[str, str] = {}
    folded: dict[str, set[str]] = {}
    # The names the generated diagram writes come first: they are unique.
    for name, text in entity_texts(catalog).items():
        exact[text] = name
        folded.setdefault(text.casefold(), set()).add(name)
    for table in catalog.tables.values():
        for spelling in {
            table.name,
            entity_text(table.name),
            entity_text(display(table.name, table.spelled)),
        }:
            exact.setdefault(spelling, table.name)
            folded.setdefault(spelling.casefold(), set()).add(table.name)

    def resolve(name: str) -> str | None:
        if name in exact:
            return exact[name]
        candidates = folded.get(name.casefold(), set())
        return next(iter(candidates)) if len(candidates) == 1 else None

    return resolve


# -- relationships (ER004, and ER005 for cardinality) --------------------------


def _relationships(
    ctx: _Context,
    diagrams: Sequence[Diagram],
    resolve: Callable[[str], str | None],
    shown: set[str],
    first_line: int,
) -> list[Finding]:
    rels: list[tuple[Relationship, str, str]] = []
    for diagram in diagrams:
        for rel in diagram.relationships:
            a, b = resolve(rel.first), resolve(rel.second)
            if a is not None and b is not None:  # else ER003 said it
                rels.append((rel, a, b))
    used: set[int] = set()
    out: list[Finding] = []
    texts: dict[str, str] = {}
    drawn = [
        link for link in links(ctx.catalog) if {link.parent, link.child} <= shown
    ]  # else ER003 said it
    # Relationships labelled with a foreign key's columns or name go to that
    # foreign key first; the others are shared out in order after.
    matched: dict[int, int] = {}
    for number, link in enumerate(drawn):
        index = _match(link, rels, used, labelled_only=True)
        if index is not None:
            matched[number] = index
            used.add(index)
    for number, link in enumerate(drawn):
        index = matched.get(number)
        if index is None:
            index = _match(link, rels, used)
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
        used.add(index)
        rel, a, b = rels[index]
        problem = _cardinality(link, rel, a)
        if problem:
            out.append(finding("ER005", ctx.path, problem, rel.line))
    # A relationship that says again what a matched one says (the same
    # tables, ends, line and label: a hand-drawn diagram beside the
    # generated block) states nothing false.
    said = {_shape(*rels[index]) for index in used}
    for index, (rel, a, b) in enumerate(rels):
        if index not in used and _shape(rel, a, b) not in said:
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


def _shape(rel: Relationship, a: str, b: str) -> tuple[object, ...]:
    """What REL (between tables A and B) states, the same whichever way
    round it is written."""
    forward = (a, rel.first_cardinality, b, rel.second_cardinality)
    backward = (b, rel.second_cardinality, a, rel.first_cardinality)
    return (min(forward, backward), rel.identifying, _plain(rel.label))


def _match(
    link: Link,
    rels: list[tuple[Relationship, str, str]],
    used: set[int],
    labelled_only: bool = False,
) -> int | None:
    """The unused relationship that best stands for LINK: between the same
    two tables; preferably labelled with its columns or constraint name,
    then one whose cardinality agrees."""
    candidates = [
        i
        for i, (_rel, a, b) in enumerate(rels)
        if i not in used and {a, b} == {link.parent, link.child}
    ]
    if not candidates:
        return None
    names = {
        _plain(link.label),
        _plain(label_text(link.label)),
        _plain(link.fk.name or ""),
    } - {""}
    if labelled_only:
        candidates = [i for i in candidates if _plain(rels[i][0].label) in names]
        if not candidates:
            return None

    def score(i: int) -> tuple[int, int, int]:
        rel, a, _b = rels[i]
        labelled = _plain(rel.label) in names
        agrees = _cardinality(link, rel, a) is None
        return (0 if labelled else 1, 0 if agrees else 1, i)

    return min(candidates, key=score)


def _plain(label: str) -> str:
    return re.sub(r"[\s\"'`]", "", label).casefold()


def _cardinality(link: Link, rel: Relationship, first: str) -> str | None:
    """What is wrong with REL's cardinality for LINK, as a message, or
    None. Only what the schema decides is checked: the parent end
    (`||` or `|o`, from nullability) and one-to-one (a unique foreign
    key); the child end's minimum is the designer's."""
    orientations = []
    if first == link.parent:
        orientations.append(True)
    if rel.second == rel.first or first != link.parent:
        orientations.append(False)
    messages = [
        _cardinality_in(link, rel, parent_first) for parent_first in orientations
    ]
    return None if None in messages else messages[0]


def _cardinality_in(link: Link, rel: Relationship, parent_first: bool) -> str | None:
    if parent_first:
        parent_card, child_card = rel.first_cardinality, rel.second_cardinality
    else:
        parent_card, child_card = rel.second_cardinality, rel.first_cardinality
    cols = (
        f"{link.child}.{link.label}"
        if len(link.fk.columns) == 1
        else (f"{link.child}({link.label})")
    )
    reasons = []
    want_parent = link.parent_cardinality
    if parent_card != MD_PARENT and parent_card != want_parent:
        if parent_card not in _MAX_ONE:
            reasons.append(
                f"the {link.parent} end allows many, but each "
                f"{link.child} row references one {link.parent}"
            )
        elif link.optional:
            reasons.append(
                f"the {link.parent} end says every {link.child} "
                f"has one, but {cols} is nullable"
            )
        else:
            reasons.append(
                f"the {link.parent} end says a {link.child} may "
                f"have none, but {cols} is NOT NULL"
            )
    want_child = child_card
    if child_card != MD_PARENT:
        min_one = child_card in _MIN_ONE
        if link.unique and child_card not in _MAX_ONE:
            reasons.append(
                f"the {link.child} end allows many, but {cols} is unique (one-to-one)"
            )
            want_child = ONLY_ONE if min_one else ZERO_OR_ONE
        elif not link.unique and child_card in _MAX_ONE:
            reasons.append(
                f"the {link.child} end allows one, but {cols} is "
                "not unique (one-to-many)"
            )
            want_child = ONE_OR_MORE if min_one else ZERO_OR_MORE
    if not reasons:
        return None
    line = "--" if rel.identifying else ".."
    if parent_first:
        marker = LEFT[want_parent] + line + RIGHT[want_child]
    else:
        marker = LEFT[want_child] + line + RIGHT[want_parent]
    return (
        f"relationship {rel.first} -- {rel.second}: "
        + "; ".join(reasons)
        + f"; write `{rel.first} {marker} {rel.second}`"
    )


# -- attributes (ER005) --------------------------------------------------------

_SYNONYMS = {
    "int": "integer",
    "int4": "integer",
    "serial": "integer",
    "serial4": "integer",
    "mediumint": "integer",
    "int8": "bigint",
    "bigserial": "bigint",
    "serial8": "bigint",
    "int2": "smallint",
    "smallserial": "smallint",
    "serial2": "smallint",
    "bool": "boolean",
    "float8": "double precision",
    "double": "double precision",
    "float4": "real",
    "decimal": "numeric",
    "dec": "numeric",
    "varchar": "character varying",
    "nvarchar": "character varying",
    "varchar2": "character varying",
    "nvarchar2": "character varying",
    "char": "character",
    "bpchar": "character",
    "nchar": "character",
    "timestamp with time zone": "timestamptz",
    "timestamp without time zone": "timestamp",
    "time with time zone": "timetz",
    "time without time zone": "time",
}
_TEXTS = {
    "character varying",
    "character",
    "text",
    "citext",
    "tinytext",
    "mediumtext",
    "longtext",
    "clob",
    "ntext",
    "string",
}
_INTS = {"integer", "bigint", "smallint", "tinyint"}
_FLOATS = {"real", "double precision"}
# The loose words hand-drawn ERDs use, and the types each stands for.
_GENERIC = {
    "string": _TEXTS,
    "int": _INTS,
    "float": _FLOATS | {"float"},
    "number": _INTS | _FLOATS | {"numeric"},
    "datetime": {"timestamp", "timestamptz", "datetime"},
}


def base_type(text: str) -> str:
    """A type's base name in one spelling: no length, precision or
    parameters, `_` for spaces (`timestamp_with_time_zone`), synonyms
    folded (`int4` is `integer`); arrays keep `[]`."""
    text = text.strip().lower().rstrip("?")
    text = re.sub(r"~.*~", "", text)
    arrays = "[]" * len(re.findall(r"\[\s*\d*\s*\]", text))
    text = re.sub(r"\[\s*\d*\s*\]", "", text)
    text = re.sub(r"\([^)]*\)?", " ", text)
    text = re.sub(r"^(?:pg_catalog|public)[._]", "", text)
    text = " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())
    text = re.sub(r" (?:unsigned|signed)$", "", text)
    return _SYNONYMS.get(text, text) + arrays


def type_matches(written: str, column_type: str) -> bool:
    erd, schema = base_type(written), base_type(column_type)
    if not schema or erd == schema:
        return True
    raw = " ".join(re.sub(r"[^a-z0-9]+", " ", written.lower()).split())
    generic = _GENERIC.get(raw) or _GENERIC.get(erd)
    return generic is not None and schema in generic


def _attributes(
    ctx: _Context, table: Table, occurrences: list[Entity]
) -> list[Finding]:
    attributes = [a for entity in occurrences for a in entity.attributes]
    if not attributes:
        return []
    block_line = next(
        (e.block_line for e in occurrences if e.attributes and e.block_line),
        occurrences[0].line,
    )
    keys = column_keys(table, ctx.catalog)
    by_name: dict[str, str] = {}
    folded: dict[str, set[str]] = {}
    for name, text in attribute_names(table).items():
        by_name[text] = name
        folded.setdefault(text.casefold(), set()).add(name)
    for name, column in table.columns.items():
        for spelling in {
            name,
            attribute_name(name),
            attribute_name(display(name, column.spelled)),
        }:
            by_name.setdefault(spelling, name)
            folded.setdefault(spelling.casefold(), set()).add(name)
    out: list[Finding] = []
    seen: set[str] = set()
    for attr in attributes:
        written = attr.name.lstrip("*")
        column_name = by_name.get(written)
        if column_name is None:
            candidates = folded.get(written.casefold(), set())
            column_name = next(iter(candidates)) if len(candidates) == 1 else None
        if column_name is None:
            out.append(
                finding(
                    "ER005",
                    ctx.path,
                    f"attribute {written} of {table.name} is not a column in "
                    f"{ctx.schema}; rename it to a column or remove it",
                    attr.line,
                )
            )
            continue
        if column_name in seen:
            continue
        seen.add(column_name)
        column = table.columns[column_name]
        stated = set(attr.keys) | ({"PK"} if attr.name.startswith("*") else set())
        expected = set(keys[column_name])
        if stated != expected:
            want = ", ".join(k for k in ("PK", "FK", "UK") if k in expected)
            said = ", ".join(k for k in ("PK", "FK", "UK") if k in stated)
            out.append(
                finding(
                    "ER005",
                    ctx.path,
                    f"{table.name}.{column_name} is marked "
                    f"{said or 'with no key'} in the ERD but is "
                    f"{want or 'no key'} in the schema; write "
                    f"`{attr.type} {written}{' ' + want if want else ''}`",
                    attr.line,
                )
            )
        if not type_matches(attr.type, column.type):
            out.append(
                finding(
                    "ER005",
                    ctx.path,
                    f"{table.name}.{column_name} is `{attr.type}` in the ERD but "
                    f"`{column.type}` in the schema; write "
                    f"`{attribute_type(column.type)[0]} {written}`",
                    attr.line,
                )
            )
    missing = [name for name in table.columns if name not in seen]
    if missing:
        out.append(
            _missing(
                finding(
                    "ER005",
                    ctx.path,
                    f"the ERD lists attributes of {table.name} but not its column"
                    f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}; add "
                    f"{'them' if len(missing) > 1 else 'it'} (`dbdesign erd --write` "
                    "regenerates the diagram)",
                    block_line,
                )
            )
        )
    return out
