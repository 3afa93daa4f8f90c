"""`.pre-commit-hooks.yaml` is generated from hooks.HOOKS (STYLE 3): it must be
fresh, and every hook id must be a console script and be in the README."""

from __future__ import annotations

import sys

import pytest
import yaml

from conftest import REPO_ROOT
from dbdesign import cli, hooks, manifest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MANIFEST = REPO_ROOT / ".pre-commit-hooks.yaml"
PYPROJECT = REPO_ROOT / "pyproject.toml"
README = REPO_ROOT / "README.md"


def test_manifest_is_fresh() -> None:
    assert MANIFEST.is_file(), (
        "no .pre-commit-hooks.yaml; run `python -m dbdesign.manifest` to generate it"
    )
    assert MANIFEST.read_text(encoding="utf-8") == manifest.render(), (
        ".pre-commit-hooks.yaml is stale (hooks.HOOKS changed); run "
        "`python -m dbdesign.manifest` and commit the result"
    )


def test_render_is_what_pre_commit_reads() -> None:
    entries = yaml.safe_load(manifest.render())
    assert [hook["id"] for hook in entries] == [hook.id for hook in hooks.HOOKS]
    for entry, hook in zip(entries, hooks.HOOKS, strict=True):
        # One name everywhere: hook id = console script = entry (STYLE 2).
        assert entry["entry"] == entry["id"] == hook.id
        assert entry["language"] == "python"
        assert entry["name"] == hook.name
        assert entry["description"] == hook.description
        assert entry["pass_filenames"] is hook.pass_filenames
        assert entry["always_run"] is hook.always_run
        assert entry.get("files") == hook.files
        assert entry.get("types", []) == list(hook.types)
        # SPEC 2: hooks that compare files with each other see them all.
        if not hook.pass_filenames:
            assert hook.always_run, hook.id


def test_checklist_files_pattern() -> None:
    import re

    [hook] = [h for h in hooks.HOOKS if h.id == "dbdesign-checklist"]
    assert hook.files is not None
    pattern = re.compile(hook.files)
    assert pattern.search(".claude/database/database-checklist.md")
    assert pattern.search("database-checklist.md")
    assert not pattern.search("docs/old-database-checklist.md")
    assert not pattern.search("database-checklist.md.bak")


def test_every_hook_has_its_console_script() -> None:
    scripts = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["dbdesign"] == "dbdesign.cli:main"
    for hook in hooks.HOOKS:
        assert hook.id in scripts, (
            f"pyproject.toml has no console script "
            f'{hook.id}; add `{hook.id} = "dbdesign.cli:..."`'
        )
        module, _, function = scripts[hook.id].partition(":")
        assert module == "dbdesign.cli"
        assert callable(getattr(cli, function)), scripts[hook.id]


@pytest.mark.parametrize("hook", [h.id for h in hooks.HOOKS])
def test_hook_main_runs_its_own_checks(
    hook: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    function = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"][
        "scripts"
    ][hook].partition(":")[2]
    seen: list[tuple[str, object]] = []
    monkeypatch.setattr(
        cli, "hook_main", lambda hook_id, argv=None: seen.append((hook_id, argv)) or 0
    )
    getattr(cli, function)(["--version"])
    assert seen == [(hook, ["--version"])]


@pytest.mark.parametrize("hook", [h.id for h in hooks.HOOKS])
def test_readme_documents_every_hook(hook: str) -> None:
    # The lead writes the README; a hook it does not name yet fails here.
    text = README.read_text(encoding="utf-8")
    assert f"id: {hook}" in text or f"`{hook}`" in text, (
        f"README.md does not document the hook {hook}; add it to the hooks "
        "table and the .pre-commit-config.yaml snippet"
    )


def test_readme_tables_are_fresh() -> None:
    text = README.read_text(encoding="utf-8")
    assert manifest.readme(text) == text, (
        "README.md's hook or rule table is stale; run "
        "`python -m dbdesign.manifest` and commit the result"
    )


def test_readme_update_keeps_everything_else() -> None:
    text = (
        "intro\n<!-- hooks:start -->\nold\n<!-- hooks:end -->\nmiddle\n"
        "<!-- safety:start -->\nold\n<!-- safety:end -->\nmore\n"
        "<!-- rules:start -->\nold\n<!-- rules:end -->\nend\n"
    )
    updated = manifest.readme(text)
    assert updated.startswith("intro\n<!-- hooks:start -->\n")
    assert "\n<!-- hooks:end -->\nmiddle\n<!-- safety:start -->\n" in updated
    assert "\n<!-- safety:end -->\nmore\n<!-- rules:start -->\n" in updated
    assert "| MG016 | constraint-not-valid | warning |" in updated
    assert "`adding-foreign-key-constraint`" in updated
    assert updated.endswith("<!-- rules:end -->\nend\n")
    assert "| `dbdesign-checklist` |" in updated
    assert '| <a id="cl001"></a>CL001 | malformed-marker |' in updated
    assert manifest.readme(updated) == updated
