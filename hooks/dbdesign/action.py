"""The steps of the GitHub Action (action.yml), so that its `run:` lines stay
one command each and everything else is tested Python:

- `prepare`: on the runner's own Python, standard library only: the venv's
  folder and its cache key (the action's source and the interpreter), and
  the folder and keys of dbdesign's own cache (the action's source and the
  config);
- `install`: create the venv and install dbdesign from the action's checkout
  unless the (restored) venv already holds this very version;
- the report step (no argument): run `dbdesign check --format json` once per
  root, then turn the findings into annotations, the job summary, SARIF and
  outputs, and fail per `fail-on`.

Inputs arrive as INPUT_* variables that action.yml sets with `env:`; the
pull request comes from the event payload at GITHUB_EVENT_PATH. Nothing
read from the repository or the event is printed outside an escaped
annotation or a `::stop-commands::` block."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from dbdesign.action_inputs import InputError, read_inputs

# -- workflow commands and files ------------------------------------------------


def command(kind: str, message: str, title: str = "dbdesign") -> str:
    """An annotation with no file, its title and text escaped."""
    from dbdesign.report.github import escape_data, escape_property

    return f"::{kind} title={escape_property(title)}::{escape_data(message)}"


def output_lines(name: str, value: str) -> str:
    """NAME=VALUE for $GITHUB_OUTPUT; a value with a line break goes in a
    heredoc whose delimiter is random and absent from the value."""
    if "\n" not in value and "\r" not in value:
        return f"{name}={value}\n"
    while True:
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        if delimiter not in value:
            break
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def set_outputs(env: Mapping[str, str], outputs: Mapping[str, str]) -> None:
    path = env.get("GITHUB_OUTPUT")
    if not path:
        return
    with open(path, "a", encoding="utf-8", newline="\n") as out:
        for name, value in outputs.items():
            out.write(output_lines(name, value))


def load_event(env: Mapping[str, str]) -> dict[str, object]:
    """The event payload, or {} when there is none or it is unreadable."""
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _dig(data: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def event_base(event: Mapping[str, object], env: Mapping[str, str]) -> str | None:
    """The commit to compare with: the pull request's base, else (on a push)
    the commit before the push; None when there is neither."""
    base = _dig(event, "pull_request", "base", "sha")
    if isinstance(base, str) and base:
        return base
    before = event.get("before")
    if (
        env.get("GITHUB_EVENT_NAME") == "push"
        and isinstance(before, str)
        and before.strip("0")
    ):
        return before
    return None


def event_labels(event: Mapping[str, object]) -> set[str]:
    labels = _dig(event, "pull_request", "labels")
    if not isinstance(labels, list):
        return set()
    return {
        label["name"]
        for label in labels
        if isinstance(label, dict) and isinstance(label.get("name"), str)
    }


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


# -- the report step -------------------------------------------------------------


def report(env: Mapping[str, str]) -> int:
    from dbdesign import textio
    from dbdesign.findings import Counts
    from dbdesign.report import github, job_summary, json_format, sarif

    try:
        inputs = read_inputs(env)
    except InputError as exc:
        print(command("error", str(exc)))
        return 2
    event = load_event(env)
    base = inputs.base or event_base(event, env)
    allow = inputs.allow_label is not None and inputs.allow_label in event_labels(event)
    workspace = Path(env.get("GITHUB_WORKSPACE") or os.getcwd())
    sarif_path = None
    if inputs.sarif:
        sarif_path = (workspace / inputs.sarif).absolute()
        if not _stays_inside(sarif_path, workspace):
            print(
                command(
                    "error",
                    f"sarif: {inputs.sarif} leads out of the "
                    "workspace through a symbolic link; choose a path "
                    "that no link takes out of it",
                )
            )
            return 2

    if inputs.config is not None:
        try:
            inputs = replace(inputs, config=vetted_config(inputs.config, workspace))
        except InputError as exc:
            print(command("error", str(exc)))
            return 2

    from dbdesign import action_run

    results = [
        action_run.run_root(
            root, workspace, inputs, base, allow, want_extras=inputs.summary
        )
        for root in inputs.roots
    ]
    findings = job_summary.ordered([f for r in results for f in r.findings])
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors

    for item in findings:
        print(github.annotation(item))
    broken = [r for r in results if r.error is not None]
    for result in broken:
        print(
            command("error", f"dbdesign could not check {result.root}: {result.error}")
        )
    log: list[str] = []
    for result in results:
        log.extend(f"{result.root}: {line}" for line in result.log)
    log.append(verdict_line(errors, warnings, inputs.fail_on, broken != []))
    print("\n".join(github.quoted_block(log)))

    outputs = {"errors": str(errors), "warnings": str(warnings), "sarif-file": ""}
    if sarif_path is not None:
        # Atomic; a link inside the workspace is written through, as every
        # writer of dbdesign does (_stays_inside refused one that leaves).
        # (A path the workflow names outside the workspace is its own.)
        textio.write_atomic(sarif_path, sarif.render(findings).encode(), root=workspace)
        outputs["sarif-file"] = str(sarif_path)
    temp = Path(env.get("RUNNER_TEMP") or workspace)
    json_path = temp / f"dbdesign-{secrets.token_hex(4)}.json"
    json_path.write_text(
        json_format.render(
            findings,
            Counts(errors, warnings, sum(r.files for r in results)),
            [note for r in results for note in r.section.notes],
        ),
        encoding="utf-8",
    )
    outputs["json-file"] = str(json_path)

    step_summary = env.get("GITHUB_STEP_SUMMARY")
    if inputs.summary and step_summary:
        context = job_summary.Context(
            server=env.get("GITHUB_SERVER_URL", "https://github.com"),
            repository=env.get("GITHUB_REPOSITORY", ""),
            sha=results[0].sha
            if results and results[0].sha
            else env.get("GITHUB_SHA", ""),
            pull_request=job_summary.PullRequest.of(event),
            base=base,
            fail_on=inputs.fail_on,
            sarif_path=inputs.sarif,
            allow_no_changelog=allow,
        )
        text = job_summary.render([r.section for r in results], findings, context)
        with open(step_summary, "a", encoding="utf-8", newline="\n") as out:
            out.write(text)
    set_outputs(env, outputs)

    if broken:
        return 2
    return 1 if job_summary.fails(errors, warnings, inputs.fail_on) else 0


def vetted_config(config: str, workspace: Path) -> str:
    """The `config` input as the check is to be given it: a file in the
    workspace by its real path there (relative), one named outside it as it
    is. A path in the workspace that a link (which a pull request may add)
    takes out of it is an InputError: the error would quote the file it
    reaches in the public log."""
    from dbdesign import textio

    path = workspace / config
    why = textio.leaves(workspace, path, "the workspace")
    if why:
        raise InputError(
            f"config: {config} {why}, so it is not read; commit the config "
            "file itself, or name a file outside the workspace directly"
        )
    real, top = path.resolve(), workspace.resolve()
    return real.relative_to(top).as_posix() if real.is_relative_to(top) else config


def _stays_inside(path: Path, workspace: Path) -> bool:
    """False when PATH is in the workspace by name but a link on the way
    (which a pull request may add) takes it elsewhere; a path the workflow
    names outside the workspace (`${{ runner.temp }}/...`) is its own."""
    from dbdesign import textio

    return textio.leaves(workspace, path, "the workspace") is None


def verdict_line(errors: int, warnings: int, fail_on: str, broken: bool) -> str:
    from dbdesign.report.job_summary import fails

    found = (
        f"{errors} error{'s' * (errors != 1)}, "
        f"{warnings} warning{'s' * (warnings != 1)}"
    )
    if broken:
        return f"dbdesign: {found}; failing: a project could not be checked"
    return f"dbdesign: {found} (fail-on: {fail_on}): " + (
        "failing" if fails(errors, warnings, fail_on) else "passing"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    step = args[0] if args else "report"
    env = os.environ
    if step == "prepare":
        return prepare(env)
    if step == "install":
        return install(env)
    if step == "report":
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
