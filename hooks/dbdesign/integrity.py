"""MG007 for the migrations check: the integrity file (`sumfile.py` is its
format) checked against the migrations folder: a hand-edited list, files
that changed, went away, or are not listed, and files that cannot be read."""

from __future__ import annotations

from collections.abc import Iterator

from dbdesign import naming, sumfile, textio
from dbdesign.findings import Finding, finding
from dbdesign.project import Project

_LIST_AT_MOST = 10  # unlisted migrations named one by one in MG007


def verify(project: Project, folder: naming.Folder) -> Iterator[Finding]:
    mode = project.config.integrity_file
    if mode == "off":
        return
    path = folder.relpath(naming.SUM_FILE)
    hint = "run `dbdesign migrations hash` to rewrite it"
    result = project.read(path)
    if isinstance(result, textio.Unreadable):
        if not result.missing:
            yield finding("MG007", path, f"{naming.SUM_FILE} {result.reason}")
        elif mode == "required":
            yield finding(
                "MG007",
                path,
                f"{naming.SUM_FILE} is missing but `integrity_file: "
                "required`; run `dbdesign migrations hash` to write "
                "it and commit it",
            )
        return
    try:
        recorded = sumfile.parse(result.text)
    except sumfile.SumError as exc:
        yield finding("MG007", path, f"{naming.SUM_FILE} {exc}", exc.line)
        return
    if sumfile.total_of(sumfile.body(recorded.entries)) != recorded.total:
        yield finding(
            "MG007",
            path,
            f"{naming.SUM_FILE}: the hash of the list does not match "
            f"its lines (edited by hand, or merged); {hint}",
            1,
        )
    actual, unreadable = sumfile.compute(project.root, folder)
    now = {entry.name: entry.digest for entry in actual}
    listed = set()
    for name in unreadable:
        yield finding(
            "MG007",
            folder.relpath(name),
            f"{name} cannot be read, so its hash cannot be checked; "
            "fix its permissions",
        )
    for entry in recorded.entries:
        listed.add(entry.name)
        if entry.name in unreadable:
            continue
        if entry.name not in now:
            yield finding(
                "MG007",
                path,
                f"{naming.SUM_FILE} lists {entry.name}, which is no "
                f"longer a migration in the folder; restore it, or "
                f"{hint}",
                entry.line,
            )
        elif now[entry.name] != entry.digest:
            yield finding(
                "MG007",
                path,
                f"{entry.name} has changed since {naming.SUM_FILE} "
                f"was written ({entry.digest} -> {now[entry.name]}); "
                f"restore it, or if the change is intended, {hint}",
                entry.line,
            )
    unlisted = [entry.name for entry in actual if entry.name not in listed]
    for name in unlisted[:_LIST_AT_MOST]:
        yield finding(
            "MG007", path, f"{name} is not listed in {naming.SUM_FILE}; {hint}"
        )
    if len(unlisted) > _LIST_AT_MOST:
        yield finding(
            "MG007",
            path,
            f"{len(unlisted) - _LIST_AT_MOST} more migrations are "
            f"not listed in {naming.SUM_FILE}; {hint}",
        )
