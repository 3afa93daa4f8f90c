"""`dbdesign init --pre-commit` in an empty repository, then real `git
commit`s through the hooks `pre-commit install` installs: the scaffold
commits as it is, and ticking a Phase 5 task fails on the stub backup plan
with the phase named."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import Repo, pre_commit
from dbdesign import cli, integrations
from projects import CHECKLIST

pytestmark = pytest.mark.e2e


def commit(repo: Repo, home: Path, message: str) -> subprocess.CompletedProcess[str]:
    repo.add()
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run(
        ["git", "commit", "-q", "-m", message],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=900,
    )


def test_init_then_commit_through_the_installed_hooks(
    repo: Repo,
    hook_repo: tuple[Path, str],
    pre_commit_home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["init", str(repo.path), "--pre-commit"]) == 0
    assert "created  .pre-commit-config.yaml" in capsys.readouterr().out
    # The written config points at the real repository with a placeholder
    # rev; aim it at this working tree's copy instead, changing nothing else.
    config = repo.path / integrations.PRE_COMMIT
    text = config.read_text()
    assert text.count(integrations.REPO_URL) == 2  # the entry and the comment
    path, rev = hook_repo
    text = text.replace(
        f"repo: {integrations.REPO_URL}", f"repo: {json.dumps(str(path))}"
    ).replace(f"rev: {integrations.REV_PLACEHOLDER}", f"rev: {rev}")
    config.write_text(text)
    installed = pre_commit(repo.path, pre_commit_home, "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr

    first = commit(repo, pre_commit_home, "Scaffold the database design")
    assert first.returncode == 0, first.stdout + first.stderr
    assert repo.git("log", "--format=%s").strip() == "Scaffold the database design"

    # Phase 0 done (so that CL004 has nothing to say), then one Phase 5 task.
    checklist = repo.path / CHECKLIST
    phase0, rest = checklist.read_text().split("## Phase 1", 1)
    rest = rest.replace("- [ ] Agree the RPO", "- [x] Agree the RPO")
    checklist.write_text(phase0.replace("- [ ] ", "- [x] ") + "## Phase 1" + rest)
    second = commit(repo, pre_commit_home, "Agree the RPO")
    out = second.stdout + second.stderr
    assert second.returncode == 1, out
    assert "backup-recovery-plan.md:1:1: " in out and " AR002 " in out
    assert (
        "Phase 5 (Backup & Recovery Planning) has started but "
        "backup-recovery-plan.md is a stub"
    ) in out
    assert "CL004" not in out and "Traceback" not in out
