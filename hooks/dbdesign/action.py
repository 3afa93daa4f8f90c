"""The steps of the GitHub Action (action.yml), so that its `run:` lines stay
one command each and everything else is tested Python:

- `prepare`: on the runner's own Python, standard library only: the venv's
  folder and its cache key (the action's source and the interpreter), and
  the folder and keys of dbdesign's own cache (the action's source and the
  config);
- `install`: create the venv and install dbdesign from the action's checkout
  unless the (restored) venv already holds this very version;
- the report step (no argument, `action_report.py`): run `dbdesign check
  --format json` once per root, then turn the findings into annotations,
  the job summary, SARIF and outputs, and fail per `fail-on`.

Inputs arrive as INPUT_* variables that action.yml sets with `env:`; the
pull request comes from the event payload at GITHUB_EVENT_PATH. Nothing
read from the repository or the event is printed outside an escaped
annotation or a `::stop-commands::` block."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dbdesign.action_inputs import InputError, read_inputs
from dbdesign.action_workflow import command, set_outputs

# -- prepare and install ---------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    venv: Path
    python: Path
    key: str
    # dbdesign's own cache (parsed SQL, sqlfluff results) between runs:
    # saved under a key of this run, restored from the latest with the
    # same action version and config (SPEC 6)
    cache_dir: Path
    cache_key: str
    cache_restore: str


def action_path(env: Mapping[str, str]) -> Path:
    given = env.get("GITHUB_ACTION_PATH")
    return Path(given) if given else Path(__file__).resolve().parents[2]


def source_digest(root: Path) -> str:
    """A hash of what `pip install ROOT` installs: a changed checkout (a
    moved tag, a branch) never reuses a venv built from another one."""
    digest = hashlib.sha256()
    files = [root / "pyproject.toml"]
    package = root / "hooks" / "dbdesign"
    files.extend(
        sorted(
            path
            for path in package.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        )
    )
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"\0missing")
        digest.update(b"\0")
    return digest.hexdigest()


def plan(env: Mapping[str, str]) -> Plan:
    source = source_digest(action_path(env))
    interpreter = hashlib.sha256(os.path.realpath(sys.executable).encode()).hexdigest()[
        :8
    ]
    version = ".".join(str(part) for part in sys.version_info[:3])
    runner = f"{env.get('RUNNER_OS', sys.platform)}-{env.get('RUNNER_ARCH', '')}"
    key = f"dbdesign-venv-{runner}-py{version}-{interpreter}-{source[:20]}"
    temp = Path(env.get("RUNNER_TEMP") or os.environ.get("TMPDIR", "/tmp"))
    venv = temp / f"dbdesign-venv-{source[:12]}"
    windows = sys.platform == "win32"
    python = venv / ("Scripts/python.exe" if windows else "bin/python")
    restore = f"dbdesign-cache-{runner}-{source[:20]}-{config_digest(env)[:16]}-"
    run = f"{env.get('GITHUB_RUN_ID', '0')}-{env.get('GITHUB_RUN_ATTEMPT', '1')}"
    return Plan(venv, python, key, temp / "dbdesign-cache", restore + run, restore)


# The files whose content decides how a root is checked.
CONFIG_FILES = (".dbdesign.yaml", "pyproject.toml", ".sqlfluff", "setup.cfg", "tox.ini")


def config_digest(env: Mapping[str, str]) -> str:
    """A hash of the config of every root (the `config` input's file, each
    root's config files), so that a changed config starts a fresh cache.
    Only files in the workspace are read (and never shown), and a link out
    of it counts as absent."""
    workspace = Path(env.get("GITHUB_WORKSPACE") or os.getcwd())
    try:
        inputs = read_inputs(env)
    except InputError:
        return hashlib.sha256(b"no inputs").hexdigest()
    names = [inputs.config] if inputs.config else []
    for root in inputs.roots:
        names.extend(os.path.join(root, name) for name in CONFIG_FILES)
    digest = hashlib.sha256()
    top = os.path.realpath(workspace)
    for name in names:
        path = os.path.realpath(workspace / name)
        digest.update(name.encode("utf-8", "surrogatepass") + b"\0")
        try:
            inside = os.path.commonpath([top, path]) == top
        except ValueError:  # another drive
            inside = False
        if not inside:
            continue
        try:
            with open(path, "rb") as handle:
                digest.update(handle.read(1 << 20))
        except OSError:
            digest.update(b"\0absent")
        digest.update(b"\0")
    return digest.hexdigest()


def prepare(env: Mapping[str, str]) -> int:
    # The runner's own Python may be older than ours: say so plainly (this
    # line imports nothing that needs a newer one).
    if sys.version_info < (3, 10):  # noqa: UP036
        print(
            "::error title=dbdesign::dbdesign needs Python 3.10 or newer "
            "on the runner; add actions/setup-python before this action"
        )
        return 2
    found = plan(env)
    set_outputs(
        env,
        {
            "venv": str(found.venv),
            "python": str(found.python),
            "key": found.key,
            "cache-dir": str(found.cache_dir),
            "cache-key": found.cache_key,
            "cache-restore": found.cache_restore,
        },
    )
    print(f"dbdesign venv: {found.venv} (cache key {found.key})")
    print(f"dbdesign cache: {found.cache_dir} (cache key {found.cache_key})")
    return 0


def install(env: Mapping[str, str]) -> int:
    import shutil

    found = plan(env)
    stamp = found.venv / ".dbdesign-key"
    try:
        current = stamp.read_text(encoding="utf-8").strip()
    except OSError:
        current = ""
    # Every interpreter isolated (-I) and started outside the workspace: the
    # workspace holds the pull request's files, and `python -m venv` run
    # there would import a `venv/` folder of theirs (and `-m pip` a `pip/`,
    # `-c 'import dbdesign'` a `dbdesign/`).
    away = found.venv.parent
    away.mkdir(parents=True, exist_ok=True)
    if current == found.key and _works(found.python, away):
        print("dbdesign is installed (restored from the cache)")
        return 0
    shutil.rmtree(found.venv, ignore_errors=True)
    steps = [
        [sys.executable, "-I", "-m", "venv", str(found.venv)],
        [
            str(found.python),
            "-I",
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-input",
            str(action_path(env)),
        ],
    ]
    for step in steps:
        if subprocess.run(step, cwd=away, check=False).returncode != 0:
            print(
                command(
                    "error",
                    f"could not install dbdesign: "
                    f"`{' '.join(step[:4])} ...` failed; see the log "
                    "above",
                )
            )
            return 2
    stamp.write_text(found.key + "\n", encoding="utf-8")
    return 0


def _works(python: Path, cwd: Path) -> bool:
    try:
        out = subprocess.run(
            [str(python), "-I", "-c", "import dbdesign.cli"],
            cwd=cwd,
            capture_output=True,
            check=False,
        )
    except OSError:
        return False
    return out.returncode == 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    step = args[0] if args else "report"
    env = os.environ
    if step == "prepare":
        return prepare(env)
    if step == "install":
        return install(env)
    if step == "report":
        # Where used: prepare and install (the runner's bare Python) need none
        # of it.
        from dbdesign.action_report import report

        try:
            return report(env)
        except Exception as exc:
            if env.get("DBDESIGN_DEBUG"):
                raise
            print(
                command(
                    "error",
                    f"internal error: {type(exc).__name__}: "
                    f"{exc}; this is a bug, please report it",
                )
            )
            return 2
    print(command("error", f"unknown step {step!r}; use prepare, install or report"))
    return 2


if __name__ == "__main__":
    sys.exit(main())
