"""How the ERD's parts pair with the schema's: entities with tables and
attributes with columns by name (as the renderer writes it, else as the
database resolves it), relationships with foreign keys (those labelled with
its columns or name first, then the ones whose cardinality agrees), and
what is wrong with a relationship's cardinality. The ER check
(`checks/erd.py`) turns the answers into findings."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from dbdesign.erd.lexer import (
    MD_PARENT,
    ONE_OR_MORE,
    ONLY_ONE,
    ZERO_OR_MORE,
    ZERO_OR_ONE,
)
from dbdesign.erd.model import LEFT, RIGHT, Relationship
from dbdesign.erd.render import (
    Link,
    attribute_name,
    attribute_names,
    display,
    entity_text,
    entity_texts,
    label_text,
)
from dbdesign.sql.catalog import Catalog, Table

_MAX_ONE = {ONLY_ONE, ZERO_OR_ONE}
_MIN_ONE = {ONLY_ONE, ONE_OR_MORE}

# A relationship and the tables of its first and second entity.
Resolved = tuple[Relationship, str, str]


def resolver(catalog: Catalog) -> Callable[[str], str | None]:
    """Entity name -> table name: the name itself, else the name as the
    renderer writes it, else the same name in another case when that is
    unambiguous."""
    # The names the generated diagram writes come first: they are unique.
    return _lookup(
        entity_texts(catalog),
        (
            (
                table.name,
                {
                    table.name,
                    entity_text(table.name),
                    entity_text(display(table.name, table.spelled)),
                },
            )
            for table in catalog.tables.values()
        ),
    )


def column_resolver(table: Table) -> Callable[[str], str | None]:
    """Attribute name (without its `*`) -> column name of TABLE, as
    `resolver` finds tables."""
    return _lookup(
        attribute_names(table),
        (
            (
                name,
                {
                    name,
                    attribute_name(name),
                    attribute_name(display(name, column.spelled)),
                },
            )
            for name, column in table.columns.items()
        ),
    )


def _lookup(
    written: dict[str, str], spellings: Iterable[tuple[str, Iterable[str]]]
) -> Callable[[str], str | None]:
    """A name in the diagram -> the schema's name: WRITTEN (schema name ->
    the text the renderer writes) first, then SPELLINGS (schema name and
    its other spellings), then the name in another case when that is
    unambiguous."""
    exact: dict[str, str] = {}
    folded: dict[str, set[str]] = {}
    for name, text in written.items():
        exact[text] = name
        folded.setdefault(text.casefold(), set()).add(name)
    for name, texts in spellings:
        for spelling in texts:
            exact.setdefault(spelling, name)
            folded.setdefault(spelling.casefold(), set()).add(name)

    def resolve(name: str) -> str | None:
        if name in exact:
            return exact[name]
        candidates = folded.get(name.casefold(), set())
        return next(iter(candidates)) if len(candidates) == 1 else None

    return resolve


def pair(
    drawn: Sequence[Link], rels: Sequence[Resolved]
) -> tuple[list[int | None], list[int]]:
    """For each foreign key of DRAWN, the index in RELS of the relationship
    that stands for it (None: none does); and the indexes of the
    relationships no foreign key stands behind."""
    used: set[int] = set()
    # Relationships labelled with a foreign key's columns or name go to that
    # foreign key first; the others are shared out in order after.
    matched: dict[int, int] = {}
    for number, link in enumerate(drawn):
        index = _match(link, rels, used, labelled_only=True)
        if index is not None:
            matched[number] = index
            used.add(index)
    matches: list[int | None] = []
    for number, link in enumerate(drawn):
        index = matched.get(number)
        if index is None:
            index = _match(link, rels, used)
        if index is not None:
            used.add(index)
        matches.append(index)
    # A relationship that says again what a matched one says (the same
    # tables, ends, line and label: a hand-drawn diagram beside the
    # generated block) states nothing false.
    said = {_shape(*rels[index]) for index in used}
    unexplained = [
        index
        for index, (rel, a, b) in enumerate(rels)
        if index not in used and _shape(rel, a, b) not in said
    ]
    return matches, unexplained


def _shape(rel: Relationship, a: str, b: str) -> tuple[object, ...]:
    """What REL (between tables A and B) states, the same whichever way
    round it is written."""
    forward = (a, rel.first_cardinality, b, rel.second_cardinality)
    backward = (b, rel.second_cardinality, a, rel.first_cardinality)
    return (min(forward, backward), rel.identifying, _plain(rel.label))


def _match(
    link: Link,
    rels: Sequence[Resolved],
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
        agrees = cardinality(link, rel, a) is None
        return (0 if labelled else 1, 0 if agrees else 1, i)

    return min(candidates, key=score)


def _plain(label: str) -> str:
    return re.sub(r"[\s\"'`]", "", label).casefold()


def cardinality(link: Link, rel: Relationship, first: str) -> str | None:
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
