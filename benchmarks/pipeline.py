"""Every stage of decompose on one monolith, run as the README tells a user: one command at a time.

    run = run_pipeline(Monolith(...), work=Path("/tmp/x"))
    run.stages["generate"].ok, run.facts["services"]

What flows through: a pristine source tree -> a fresh copy in `work` -> the CLI commands of the
README in that copy (decompose from its own environment; the monolith's environment active, as a
user who installed decompose as a tool and activated the project's venv) -> one `Stage` per step
(ok, seconds, first error, counts) and the facts read from the artefacts the commands wrote.

No stage is ever helped: no hand edit of the plan, no `[contracts]` table written for it, no
package installed. A stage whose inputs are missing because an earlier one failed is `blocked`.
Used by `benchmarks/corpus.py` (real apps) and `tests/zoo/test_zoo.py` (the zoo, in CI).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from decompose.contracts.build import UNROUTED
from decompose.gateway.upstreams import free_port
from decompose.services_env import find_uv

STAGES = ("setup", "analyze", "plan", "check", "generate", "import", "tests", "record", "verify-monolith",
          "verify-services", "gateway")
# stage -> the stages whose outputs it reads
NEEDS = {"plan": ("analyze",), "check": ("plan",), "generate": ("plan",), "import": ("generate",),
         "tests": ("generate",), "record": ("plan",), "verify-monolith": ("record",),
         "verify-services": ("record", "generate"), "gateway": ("record", "generate")}
# any one command; a stage that hangs is a failure, not a hung benchmark. A loaded machine can raise it
# (DECOMPOSE_BENCH_TIMEOUT_S): the services' generated tests of healthchecks took ~6 minutes at a load of 10 on 2 cores
TIMEOUT_S = float(os.environ.get("DECOMPOSE_BENCH_TIMEOUT_S") or 900)
# `contracts record` runs the suite twice, then replays every scenario twice on the monolith (calibration):
# four suites' worth of work (lnbits: 122 tests whose app starts in ~1 s, 900 s ran out in calibration)
RECORD_TIMEOUT_S = 4 * TIMEOUT_S
GATEWAY_START_S = 180
# variables of the caller's shell that would change what the monolith or decompose does
SCRUBBED = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "CONDA_PREFIX", "PIP_REQUIRE_VIRTUALENV")
SCRUBBED_PREFIXES = ("DECOMPOSE_", "PYTEST_", "FLASK_", "DJANGO_", "AWS_")


@dataclass(frozen=True)
class Monolith:
    """One app as the pipeline needs it: where its source is and how its own suite runs."""

    name: str
    source: Path                      # the pristine tree (never written to)
    root: str = "."                   # the project root inside it, where the user runs decompose
    test: tuple[str, ...] = ()        # the suite's pytest arguments (after `contracts record --`)
    env: dict[str, str] = field(default_factory=dict)   # what the suite needs in its environment
    venv: Path | None = None          # the monolith's environment; None: the interpreter running this
    routes: int | None = None         # counted by hand
    labels: Path | None = None        # hand-labelled domains (ground_truth.toml format)
    setup: tuple[str, ...] = ()       # the suite's own preparation in the fresh copy (migrations), shell commands


@dataclass
class Stage:
    name: str
    ok: bool | None = None            # None: not run (blocked by an earlier failure)
    seconds: float = 0.0
    error: str = ""                   # the first error line, or why it was blocked
    log: str = ""                     # the commands' output, for a reader

    @property
    def state(self) -> str:
        return "blocked" if self.ok is None else "ok" if self.ok else "FAIL"


@dataclass
class Run:
    monolith: Monolith
    work: Path
    stages: dict[str, Stage] = field(default_factory=dict)
    facts: dict = field(default_factory=dict)

    def first_failure(self) -> Stage | None:
        return next((s for s in self.stages.values() if s.ok is False), None)


@dataclass
class Shell:
    """Runs commands in the project copy with the monolith's environment active."""

    cwd: Path
    env: dict[str, str]
    decompose: list[str]
    python: str
    latency: str = "auto"             # contracts verify --latency: the zoo's tests judge answers only ("off")

    def run(self, args: list[str], cwd: Path | None = None, timeout: float = TIMEOUT_S) -> subprocess.CompletedProcess:
        process = started(args, cwd=cwd or self.cwd, env=self.env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, errors="replace")
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop_group(process)
            out, err = process.communicate()
            err += f"\nerror: timed out after {timeout:.0f} s: {' '.join(args)}"
            return subprocess.CompletedProcess(args, 124, out, err)
        finally:
            RUNNING.discard(process)
        return subprocess.CompletedProcess(args, process.returncode, out, err)

    def decompose_cmd(self, *args: str, timeout: float = TIMEOUT_S) -> subprocess.CompletedProcess:
        return self.run([*self.decompose, *args], timeout=timeout)


class Stopped(KeyboardInterrupt):
    """SIGTERM, SIGHUP or SIGINT while `stoppable()` holds: unwinds the run like Ctrl-C, its servers stopped."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class _Running:
    """The process groups the stages started and that still run (each stage command leads its own group)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.processes: set[subprocess.Popen] = set()
        self.stopping = 0  # the signal that stops the run: no stage command starts after it

    def add(self, process: subprocess.Popen) -> None:
        with self.lock:
            self.processes.add(process)
            if not self.stopping:
                return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)  # started by a worker thread while the run stops

    def discard(self, process: subprocess.Popen) -> None:
        with self.lock:
            self.processes.discard(process)

    def signal_all(self, signum: int) -> None:
        with self.lock:
            groups = [p.pid for p in self.processes]
        for group in groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signum)

    def alive(self) -> bool:
        with self.lock:
            return any(_group_alive(p.pid) for p in self.processes)


RUNNING = _Running()
STOP_GRACE_S = 5.0


def started(args: list[str], **options) -> subprocess.Popen:
    """A stage's command in a session of its own, known to `stoppable()` until it is reaped."""
    process = subprocess.Popen(args, start_new_session=True, **options)
    RUNNING.add(process)
    return process


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


@contextlib.contextmanager
def stoppable() -> Iterator[None]:
    """While it holds, SIGTERM, SIGHUP and SIGINT stop the whole tree: every stage process group gets
    SIGTERM at once (SIGKILL after STOP_GRACE_S) and `Stopped` is raised in the main thread, so the `with`
    blocks around the run unwind (the app's PostgreSQL and Redis stop, the tool folder is removed) where
    the default action left the stage and its servers running. The previous handlers come back after."""
    def stop(signum: int, _frame: object) -> None:
        RUNNING.stopping = signum
        RUNNING.signal_all(signal.SIGTERM)
        raise Stopped(signum)

    signals = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
    previous = {signum: signal.signal(signum, stop) for signum in signals}
    try:
        yield
    finally:
        for signum in signals:  # a second signal while unwinding would cut the cleanup short
            signal.signal(signum, signal.SIG_IGN)
        deadline = time.monotonic() + STOP_GRACE_S
        while RUNNING.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        RUNNING.signal_all(signal.SIGKILL)
        RUNNING.stopping = 0
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def decompose_command() -> list[str]:
    """decompose from its own environment: the one running this script."""
    return [sys.executable, "-m", "decompose"]


def tool_install(source: Path, home: Path) -> tuple[list[str], str]:
    """decompose installed from `source` as a user installs it, `uv tool install`, into a tool folder of
    its own under `home` (never the user's ~/.local); (the command to run it, a problem or "")."""
    uv = find_uv()
    if not uv:
        return decompose_command(), "uv not found (pip install uv): decompose ran from this script's environment"
    env = {**{k: v for k, v in os.environ.items() if k not in SCRUBBED},
           "UV_TOOL_DIR": str(home / "tools"), "UV_TOOL_BIN_DIR": str(home / "bin")}
    done = subprocess.run([uv, "tool", "install", "--reinstall", "--python", sys.executable, str(source)],
                          capture_output=True, text=True, timeout=TIMEOUT_S, check=False, env=env)
    if done.returncode != 0:
        return decompose_command(), f"uv tool install failed: {first_error(done.stderr, done.returncode)}"
    return [str(home / "bin" / "decompose")], ""


def environment(monolith: Monolith) -> tuple[dict[str, str], str]:
    """(the environment of every command, the monolith's python): its venv activated, as a user's shell."""
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED and not k.startswith(SCRUBBED_PREFIXES)}
    if monolith.venv is not None:
        env["VIRTUAL_ENV"] = str(monolith.venv)
        env["PATH"] = f"{monolith.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        python = str(monolith.venv / "bin" / "python")
    else:
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        python = sys.executable
    uv = find_uv()
    if uv:  # a user who ran `uv tool install decompose` has uv on PATH: so does every command here
        env["PATH"] = f"{env['PATH']}{os.pathsep}{Path(uv).parent}"
    env.update({"NO_COLOR": "1", "COLUMNS": "200", "PYTHONDONTWRITEBYTECODE": "1",
                "DECOMPOSE_INTERNAL_SECRET": secrets.token_hex(16)})
    env.update(monolith.env)
    return env, python


def fresh_copy(monolith: Monolith, work: Path) -> Path:
    """A copy of the source in `work` (version control and caches left out); returns the project root."""
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(monolith.source, work, symlinks=True,
                    ignore=shutil.ignore_patterns(".git", "__pycache__", ".decompose", ".pytest_cache", "node_modules"))
    return work / monolith.root


def run_pipeline(monolith: Monolith, work: Path, progress: Callable[[str], None] = lambda _: None,
                 decompose: list[str] | None = None, latency: str = "auto") -> Run:
    """decompose: how to run it (tool_install's command); default: from this script's environment.
    latency: what `contracts verify` judges latency against (`--latency`); tests pass "off", since no test
    of this repository may depend on the machine's speed (the corpus benchmark keeps the verdicts)."""
    root = fresh_copy(monolith, work)
    env, python = environment(monolith)
    shell = Shell(root, env, decompose or decompose_command(), python, latency)
    run = Run(monolith, root)
    for name in STAGES:
        if name == "setup" and not monolith.setup:
            continue
        blockers = [n for n in NEEDS.get(name, ()) if not run.stages[n].ok]
        if blockers:
            run.stages[name] = Stage(name, None, error=f"blocked: {blockers[0]} failed")
            continue
        progress(name)
        started = time.perf_counter()
        stage = STEPS[name](shell, run)
        stage.seconds = time.perf_counter() - started
        run.stages[name] = stage
    return run


# ---- the stages ---------------------------------------------------------------------------------

def _command_stage(name: str, result: subprocess.CompletedProcess) -> Stage:
    """decompose's messages are on stderr; stdout holds data (JSON), read only when stderr says nothing."""
    ok = result.returncode == 0
    error = "" if ok else first_error(result.stderr if result.stderr.strip() else result.stdout, result.returncode)
    return Stage(name, ok, error=error, log=result.stderr + result.stdout)


def setup(shell: Shell, run: Run) -> Stage:
    """The app's own preparation (a user does it before running the suite); a failure is shown, and the
    stages go on: analysis does not need it."""
    for command in run.monolith.setup:
        result = shell.run(["bash", "-c", command])
        if result.returncode != 0:
            return _command_stage("setup", result)
    return Stage("setup", True)


def analyze(shell: Shell, run: Run) -> Stage:
    stage = _command_stage("analyze", shell.decompose_cmd("analyze", "."))
    analysis = _json_file(shell.cwd / ".decompose" / "analysis.json")
    if analysis:
        routes = analysis.get("routes", [])
        run.facts["routes"] = len(routes)
        run.facts["templates"] = sorted({r.get("template") or r.get("path") or "" for r in routes})
        run.facts["unresolved_paths"] = sum("${" in (r.get("path") or "") for r in routes)
        run.facts["tables"] = len(analysis.get("tables", []))
        run.facts["modules"] = len(analysis.get("modules", []))
    return stage


def plan(shell: Shell, run: Run) -> Stage:
    stage = _command_stage("plan", shell.decompose_cmd("plan"))
    if stage.ok:
        _ownership(shell, run)
    if stage.ok and run.monolith.labels is not None:
        _mojofm(shell, run)
    return stage


def _ownership(shell: Shell, run: Run) -> None:
    """Services that own no route, and analysed routes no service owns (issue 23's credibility facts)."""
    try:
        plan = load_toml(shell.cwd / "decompose.toml")
    except (OSError, ValueError):
        return
    services = plan.get("services") or {}
    analysis = _json_file(shell.cwd / ".decompose" / "analysis.json") or {}
    analysed = {f"{m} {r.get('template') or r.get('path')}" for r in analysis.get("routes", []) for m in r.get("methods", [])}
    shared = (plan.get("shared") or {}).get("routes", [])  # on the app object: they stay on the monolith
    owned = {route for service in services.values() for route in service.get("routes", [])} | set(shared)
    run.facts["routeless_services"] = sorted(name for name, s in services.items() if not s.get("routes"))
    run.facts["unowned_routes"] = sorted(analysed - owned)


def _mojofm(shell: Shell, run: Run) -> None:
    """MoJoFM of the written plan against the hand labels, and of the naive baseline (a scoring
    re-plan into .decompose/, the user's plan untouched)."""
    labels = str(run.monolith.labels)
    ours = _json_out(shell.decompose_cmd("plan", "--check", "--ground-truth", labels, "--json"))
    scored = _json_out(shell.decompose_cmd("plan", "--plan", ".decompose/corpus-scoring.toml", "--ground-truth",
                                           labels, "--json"))
    run.facts["mojofm"] = (ours or {}).get("scores", {}).get("mojofm")
    run.facts["mojofm_baseline"] = (scored or {}).get("baseline", {}).get("mojofm")


def check(shell: Shell, run: Run) -> Stage:
    result = shell.decompose_cmd("plan", "--check", "--json")
    stage = _command_stage("check", result)
    checked = _json_out(result) or {}
    run.facts["services"] = checked.get("scores", {}).get("services")
    problems = checked.get("problems") or []
    if problems and stage.ok:
        stage.ok, stage.error = False, f"{len(problems)} problem(s): {_one_line(str(problems[0]))}"
    return stage


def generate(shell: Shell, run: Run) -> Stage:
    stage = _command_stage("generate", shell.decompose_cmd("generate"))
    report = _json_file(shell.cwd / "services" / "generation.json") or {}
    services = report.get("services") or []
    run.facts["generated"] = len(services)
    run.facts["stubs"] = sum(1 for s in services for c in s.get("clients", []) if c.get("kind") == "stub")
    if stage.ok:
        run.facts["requirements"] = compare_requirements(shell.cwd)
    return stage


SERVING = {"chalice", "apig-wsgi", "mangum"}  # decompose's own, for decompose_runtime: not the app's


def compare_requirements(root: Path) -> dict:
    """The generated requirements against the app's own lock or requirements files: each distribution
    pinned as the app pins it, pinned otherwise, pinned only by the app's environment (the app's files do
    not name it), or not pinned at all."""
    from decompose.generation.locks import project_pins
    from decompose.interpreter import normalise
    from decompose.services_env import NAME, requirement_lines

    app = project_pins(root)
    lines = [line for line in requirement_lines(root / "services") if normalise(NAME.match(line).group(0)) not in SERVING]
    found: dict[str, list[str]] = {"same": [], "differ": [], "environment": [], "unpinned": []}
    for line in lines:
        name, _, version = line.partition("==")
        theirs = app.version(name)
        kind = "unpinned" if not version else "environment" if theirs is None else "same" if theirs == version else "differ"
        found[kind].append(line if kind != "differ" else f"{line} (app: {theirs})")
    return {"files": list(app.files), "total": len(lines), **found}


def service_folders(root: Path) -> list[Path]:
    services = root / "services"
    return sorted(p for p in services.iterdir() if (p / "app.py").is_file()) if services.is_dir() else []


def services_python(shell: Shell) -> str:
    """The python the services run on, as `generate` told the user: their own venv (.decompose/services-venv,
    built from their requirements on the monolith's Python), else the monolith's (decompose in its env)."""
    venv = shell.cwd / ".decompose" / "services-venv" / "bin" / "python"
    return str(venv) if venv.exists() else shell.python


def import_each(shell: Shell, run: Run) -> Stage:
    """Each generated service imported alone, in a process of its own, by the services' python."""
    folders = service_folders(shell.cwd)
    failures = []
    log = []
    python = services_python(shell)
    for folder in folders:
        result = shell.run([python, "-c", "import app"], cwd=folder, timeout=120)
        if result.returncode != 0:
            failures.append(f"{folder.name}: {first_error(result.stderr, result.returncode)}")
            log.append(f"--- {folder.name}\n{result.stderr}")
    run.facts["importing"] = (len(folders) - len(failures), len(folders))
    ok = bool(folders) and not failures
    error = failures[0] if failures else "" if folders else "no service was generated"
    return Stage("import", ok, error=error, log="\n".join(log))


def service_tests(shell: Shell, run: Run) -> Stage:
    """`decompose test <name>` for each service (two at a time), counted from JUnit XML."""
    passed = total = 0
    failures = []
    log = []
    folders = service_folders(shell.cwd)
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda folder: _one_service_tests(shell, folder), folders))
    for folder, (result, good, count) in zip(folders, outcomes, strict=True):
        passed, total = passed + good, total + count
        if result.returncode != 0:
            failures.append(f"{folder.name}: {first_error(result.stdout + result.stderr, result.returncode)}")
            log.append(f"--- {folder.name}\n{result.stdout[-4000:]}{result.stderr[-2000:]}")
    run.facts["tests"] = (passed, total)
    ok = total > 0 and not failures
    error = failures[0] if failures else "" if total else "no generated test ran"
    return Stage("tests", ok, error=error, log="\n".join(log))


def _one_service_tests(shell: Shell, folder: Path) -> tuple[subprocess.CompletedProcess, int, int]:
    """`decompose test NAME -- ...`, as generate tells a user: the services' python, and moto served from
    decompose's environment for a service that uses AWS (never installed into the services' venv)."""
    junit = folder.parent / f".{folder.name}-junit.xml"
    result = shell.decompose_cmd("test", "--services", str(folder.parent), folder.name, "--",
                                 "-q", "-p", "no:cacheprovider", f"--junitxml={junit}")
    good, count = junit_counts(junit)
    junit.unlink(missing_ok=True)
    return result, good, count


def junit_counts(path: Path) -> tuple[int, int]:
    """(passed, total) of a JUnit XML file; (0, 0) when pytest wrote none."""
    try:
        tree = ET.parse(path)
    except (OSError, ET.ParseError):
        return 0, 0
    total = failed = 0
    for suite in tree.getroot().iter("testsuite"):
        total += int(suite.get("tests", 0))
        failed += sum(int(suite.get(k, 0)) for k in ("failures", "errors", "skipped"))
    return total - failed, total


def record(shell: Shell, run: Run) -> Stage:
    stage = _command_stage("record", shell.decompose_cmd("contracts", "record", "--", *run.monolith.test,
                                                         timeout=RECORD_TIMEOUT_S))
    scenarios = recorded_scenarios(shell.cwd / "contracts")
    run.facts["recorded"] = len(scenarios)
    run.facts["uncovered"] = sorted({route for path in sorted((shell.cwd / "contracts").glob("*.json"))
                                     for route in (_json_file(path) or {}).get("uncovered") or []})
    calibrated = [s for s in scenarios.values() if "replayable" in s]
    run.facts["replayable"] = sum(1 for s in calibrated if s["replayable"] and s.get("stable", True)) if calibrated else None
    if stage.ok and not scenarios:
        stage.ok, stage.error = False, "0 scenarios recorded"
    return stage


def recorded_scenarios(folder: Path) -> dict[str, dict]:
    """name -> scenario, over every contract (a scenario reaching several services is in each)."""
    found: dict[str, dict] = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        document = _json_file(path) or {}
        for scenario in document.get("scenarios") or []:
            if isinstance(scenario, dict) and "name" in scenario:
                found.setdefault(scenario["name"], scenario)
    return found


def _verify(shell: Shell, run: Run, name: str, target: str) -> Stage:
    result = shell.decompose_cmd("contracts", "verify", "--target", target, "--latency", shell.latency, "--json")
    stage = _command_stage(name, result)
    verified = _json_out(result)
    run.facts[name] = passing_scenarios(verified) if verified else None
    if target == "services" and verified:
        run.facts["internal_calls"] = verified.get("internal_calls")  # per request (decompose.contracts.calls)
    return stage


def passing_scenarios(results: dict) -> int:
    """Scenarios that passed on every service they reach."""
    verdicts: dict[str, bool] = {}
    for scenario in results.get("scenarios") or []:
        verdicts[scenario["name"]] = verdicts.get(scenario["name"], True) and bool(scenario.get("passed"))
    return sum(verdicts.values())


def verify_monolith(shell: Shell, run: Run) -> Stage:
    return _verify(shell, run, "verify-monolith", "monolith")


def verify_services(shell: Shell, run: Run) -> Stage:
    return _verify(shell, run, "verify-services", "services")


def gateway(shell: Shell, run: Run) -> Stage:
    """Every route on its service, `gateway up` in the contract world, the contracts replayed through it."""
    for args in (("gateway", "init"), ("gateway", "route", "service", "--all")):
        result = shell.decompose_cmd(*args)
        if result.returncode != 0:
            return _command_stage("gateway", result)
    port = free_port()
    log_path = shell.cwd / ".decompose" / "corpus-gateway.log"
    exchanges = shell.cwd / ".decompose" / "corpus-gateway-exchanges.jsonl"
    exchanges.unlink(missing_ok=True)
    with open(log_path, "w") as log:
        process = started([*shell.decompose, "gateway", "up", "--contract-world", "--port", str(port),
                           "--record", str(exchanges)], cwd=shell.cwd, env=shell.env, stdout=log, stderr=subprocess.STDOUT)
    try:
        if not wait_for_port(port, process, GATEWAY_START_S):
            text = log_path.read_text(errors="replace")
            why = first_error(text, process.poll()) if process.poll() is not None else f"not listening after {GATEWAY_START_S} s"
            return Stage("gateway", False, error=f"gateway up: {why}", log=text)
        stage = _verify(shell, run, "gateway", f"http://127.0.0.1:{port}")
    finally:
        stop_group(process)
        RUNNING.discard(process)
    wrong = misrouted(shell.cwd / "contracts", exchanges)
    run.facts["gateway_misrouted"] = wrong
    if wrong and stage.ok:
        return Stage("gateway", False, error=f"{len(wrong)} request(s) reached another upstream than planned: {wrong[0]}",
                     log=stage.log)
    return stage


def misrouted(contracts: Path, exchanges: Path) -> list[str]:
    """The requests the gateway sent elsewhere than the contracts plan them: an exchange of a moved route to
    its service, one no analysed route matches (what a library mounts: Django's admin) to the monolith.
    Read from `gateway up --record` (each exchange with the upstream that answered it); a request whose
    recorded target holds a bound value (`{token}`) is not compared."""
    planned: dict[tuple[str, str], set[str]] = {}
    for path in sorted(contracts.glob("*.json")) if contracts.is_dir() else []:
        for scenario in json.loads(path.read_text(encoding="utf-8")).get("scenarios") or []:
            for step in scenario.get("exchanges") or [] if isinstance(scenario, dict) else []:
                owner = "monolith" if step["service"] == UNROUTED else step["service"]
                planned.setdefault((step["request"]["method"], step["request"]["target"]), set()).add(owner)
    wrong = set()
    for line in exchanges.read_text(encoding="utf-8").splitlines() if exchanges.is_file() else []:
        entry = json.loads(line)
        request = entry["exchange"]["request"]
        owners = planned.get((request["method"], request["target"]))
        if owners and entry["upstream"] not in owners:
            wrong.add(f"{request['method']} {request['target']} reached {entry['upstream']}, planned {', '.join(sorted(owners))}")
    return sorted(wrong)


def wait_for_port(port: int, process: subprocess.Popen, limit_s: float) -> bool:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket() as probe:
            probe.settimeout(1)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.5)
    return False


def stop_group(process: subprocess.Popen, grace_s: float = 10.0) -> None:
    """SIGINT the whole process group (the gateway stops its children on it), then SIGKILL."""
    for sig, wait in ((signal.SIGINT, grace_s), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            os.killpg(process.pid, signal.SIGKILL)  # the leader is gone: stop what it left behind
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue
        return


STEPS: dict[str, Callable[[Shell, Run], Stage]] = {
    "setup": setup, "analyze": analyze, "plan": plan, "check": check, "generate": generate, "import": import_each,
    "tests": service_tests, "record": record, "verify-monolith": verify_monolith,
    "verify-services": verify_services, "gateway": gateway,
}


# ---- reading what the commands said --------------------------------------------------------------

ERROR_LINES = (
    re.compile(r"^\s*(internal error|error): .*"),                     # decompose's own messages
    re.compile(r"^\s*!?\s*[\w.]*(Error|Exception|Exit|Required|Unavailable)\b:? .*"),   # a raised exception
    re.compile(r"^E\s{2,}\S.*"),                                        # pytest's exception lines
    re.compile(r"^(FAILED|ERROR) \S.*"),                                # pytest's summary lines
)


def first_error(text: str, code: int | None = None) -> str:
    """The line a reader needs first: decompose's error, else the exception raised, else the last line."""
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    for pattern in ERROR_LINES:
        for index, line in enumerate(lines):
            if pattern.match(line):
                return _one_line(line.strip() + _explanation(lines[index + 1:], line))
    tail = lines[-1].strip() if lines else "no output"
    return _one_line(f"exit {code}: {tail}" if code is not None else tail)


def _explanation(after: list[str], line: str) -> str:
    """What follows an error line that ends with ':' (the exception a child process raised), or its next step."""
    if line.rstrip().endswith(":"):
        for pattern in ERROR_LINES[1:3]:
            cause = next((a.strip() for a in after if pattern.match(a)), "")
            if cause:
                return " " + re.sub(r"^(E\s+|!\s*)", "", cause)  # pytest's and decompose's line markers
    follow = after[0].strip() if after else ""
    return f" {follow}" if follow.startswith(("→", "next:")) or line.rstrip().endswith(":") else ""


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_out(result: subprocess.CompletedProcess) -> dict | None:
    try:
        value = json.loads(result.stdout)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _json_file(path: Path) -> dict | None:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def load_toml(path: Path) -> dict:
    with open(path, "rb") as handle:
        return tomllib.load(handle)
