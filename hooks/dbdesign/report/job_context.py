"""What the job summary is given: the run's `Context` (repository,
commit, pull request, fail-on policy), one `Section` per project root, and
the findings' order and verdict (`ordered`, `fails`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from dbdesign.findings import Finding


@dataclass(frozen=True)
class PullRequest:
    number: int | None = None
    title: str = ""
    url: str = ""
    head: str = ""
    base: str = ""

    @classmethod
    def of(cls, event: Mapping[str, object]) -> PullRequest | None:
        pull = event.get("pull_request")
        if not isinstance(pull, dict):
            return None

        def text(value: object) -> str:
            return value if isinstance(value, str) else ""

        def ref(side: str) -> str:
            part = pull.get(side)
            return text(part.get("ref")) if isinstance(part, dict) else ""

        number = pull.get("number")
        return cls(
            number if isinstance(number, int) else None,
            text(pull.get("title")),
            text(pull.get("html_url")),
            ref("head"),
            ref("base"),
        )


@dataclass(frozen=True)
class Context:
    server: str = "https://github.com"
    repository: str = ""
    sha: str = ""
    pull_request: PullRequest | None = None
    base: str | None = None
    fail_on: str = "error"
    sarif_path: str | None = None
    allow_no_changelog: bool = False

    def link(self, path: str, line: int | None = None) -> str | None:
        """The URL of PATH (repository-relative) at LINE in the checked
        commit, or None when the run does not know the repository."""
        if not (self.repository and self.sha):
            return None
        url = (
            f"{self.server.rstrip('/')}/{quote(self.repository, safe='/')}"
            f"/blob/{quote(self.sha, safe='')}/{quote(path, safe='/')}"
        )
        return url + (f"#L{line}" if line else "")


@dataclass(frozen=True)
class Section:
    """What the summary shows for one project root. `status`, `erd` and
    `migrations` hold the data, or a string saying why there is none."""

    root: str
    prefix: str = ""
    files: int = 0
    error: str | None = None
    status: Mapping[str, object] | str | None = None
    erd: tuple[str, str] = ("", "")  # (diagram, why there is none)
    migrations: tuple[str, ...] | str | None = None
    notes: tuple[str, ...] = ()  # `dbdesign check`'s notes for people
    out_of_scope: int = 0  # findings in code the change left alone (SPEC 3b)


def fails(errors: int, warnings: int, fail_on: str) -> bool:
    """Whether findings this many fail the step under `fail-on`."""
    if fail_on == "warning":
        return errors + warnings > 0
    return fail_on == "error" and errors > 0


def ordered(findings: Sequence[Finding]) -> list[Finding]:
    """Errors first (GitHub shows the first few annotations, and a cut
    table keeps the errors), then by path and line."""
    return sorted(findings, key=lambda f: (f.severity != "error", *f.sort_key()))
