"""What the CLI calls for `decompose contracts record`: run the monolith's tests twice with the
recorder (one run after the other, in the monolith's interpreter: decompose.interpreter), build one contract per planned service, then, when the plan's
[contracts] table names the monolith's app, replay every scenario twice on it to find the world's
noise and the scenarios that cannot be replayed (calibrate.py), and build again with what it found.

    record(analysis, plan, out, pytest_args) -> RecordResult (contracts and suites written, coverage, findings)
    record(analysis, plan, out, [], recordings=[Path("traffic.jsonl")])   # from the gateway's recording
Errors a user can fix are UserErrors.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from decompose.contracts.build import build, latency, read_recording, write_contracts, write_suites
from decompose.contracts import inferred, leftovers, masking, progress
from decompose.contracts.fleet import monolith_fleet, scenario_apps
from decompose.contracts.settings import read as read_settings
from decompose.contracts.verify import latency_document
from decompose.contracts.world import World
from decompose.errors import UserError
from decompose.interpreter import Interpreter, environment, find, has_module, require, runtime_path
from decompose.gateway.matching import MOUNTED, RouteTable, Rule, mounted_trees
from decompose.planning.api import load, sound_plan

WORKERS = 2  # calibration shards at once (CI machines have two cores); suite runs go one after the other


@dataclass
class RecordResult:
    written: list[Path] = field(default_factory=list)
    scenarios: int = 0
    exchanges: int = 0
    unstable: list[str] = field(default_factory=list)
    uncovered: dict[str, list[str]] = field(default_factory=dict)
    unrouted: int = 0
    calibrated: bool = False
    not_replayable: dict[str, str] = field(default_factory=dict)  # scenario -> why
    interpreter: str = ""  # "monolith interpreter: PATH VERSION (how it was found)"
    world_noise: int = 0  # fields that differ between the tests' world and the contract world
    unverifiable: dict[str, list[str]] = field(default_factory=dict)  # service -> routes only such scenarios reach
    world: list[str] = field(default_factory=list)  # what was inferred about the [contracts] world, one line each
    restored: list[str] = field(default_factory=list)  # SQLite databases put back between suite runs (leftovers)


def record(analysis_path: Path, plan_path: Path, out: Path, pytest_args: list[str], runs: int = 2,
           scratch: Path = Path(".decompose"), root: Path = Path("."), recordings: list[Path] | None = None,
           python: Path | None = None, on_progress: progress.Progress | None = None) -> RecordResult:
    """recordings: existing ones (the recorder's, the gateway's --record) instead of running the suite;
    two of the same traffic give the noise, as two suite runs do. python: the monolith's interpreter
    (decompose.interpreter says how it is found without one)."""
    ws = load(analysis_path, plan=plan_path)
    found = sound_plan(ws, plan_path)
    settings = read_settings(plan_path)
    table = RouteTable([*(Rule.of(r.template, r.methods, r.template) for r in ws.analysis.routes),
                        *(Rule.of(t, ("ANY",), MOUNTED) for t in mounted_trees(ws.analysis.mounts, {r.template for r in ws.analysis.routes}))])
    services = {route: s.name for s in found.plan.services for route in s.routes}
    interpreter = find(python, root)
    runs = len(recordings) if recordings else runs
    restored: list[str] = []
    paths = recordings or _run_suites(scratch, runs, pytest_args, interpreter, on_progress, root, restored)
    recordings = [read_recording(path) for path in paths]
    secrets: dict[str, dict[str, str]] = {}
    contracts = build(recordings, table, services, secrets=secrets)
    written = write_contracts(contracts, out)
    masking.write(scratch / masking.FILE, secrets)  # beside latency.json: never under contracts/
    notes = [] if settings.app else _infer_world(paths, plan_path, root, interpreter, scratch)
    settings = read_settings(plan_path)
    world = None
    if settings.app:
        try:
            world = _calibrate(out, plan_path, root, scratch / "calibration.json", interpreter)
        except UserError as error:
            if not notes:  # the user's own world: theirs to fix
                raise
            notes.append(f"the inferred world did not replay the suite's scenarios, so none was calibrated: "
                         f"{error.what.splitlines()[-1]} (edit [contracts] in {plan_path})")
        if world is not None:
            contracts = build(recordings, table, services, world, secrets={})
            written = write_contracts(contracts, out)
    result = RecordResult(written + write_suites(contracts, out), calibrated=world is not None,
                          interpreter=interpreter.describe(), world=notes, restored=restored)
    _world_findings(contracts, result)
    timings = scratch / "latency.json"
    timings.write_text(json.dumps(latency_document(latency(recordings, table)), indent=1, sort_keys=True) + "\n",
                       encoding="utf-8")
    first = recordings[0]
    result.scenarios, result.exchanges = len(first), sum(len(s.exchanges) for s in first)
    seen: set[str] = set()
    for contract in contracts.values():
        result.uncovered[contract["service"]] = contract["uncovered"]
        for scenario in contract["scenarios"]:
            if scenario["name"] in seen:
                continue
            seen.add(scenario["name"])
            if not scenario["stable"] and runs > 1:
                result.unstable.append(scenario["name"])
            result.unrouted += sum(1 for e in scenario["exchanges"] if e["route"] == "(unrouted)")
    return result


def _infer_world(paths: list[Path], plan: Path, root: Path, interpreter: Interpreter, scratch: Path) -> list[str]:
    """The [contracts] world from the recordings (decompose.contracts.inferred), written into the plan
    when its app builds in a fresh process; what was found, one line each."""
    found = inferred.infer(paths)
    if found is None:
        return ["no app was seen being built by the suite: write [contracts] app in the plan (docs/contracts.md)"]
    problem = inferred.loads(found, root, interpreter, scratch)
    if problem:
        return [f"the suite's app {found.spec} does not build in a fresh process ({problem}): "
                f"write [contracts] app in {plan} (docs/contracts.md)"]
    inferred.write(plan, found)
    env = f" and {len(found.env)} environment variables ({', '.join(found.env)})" if found.env else ""
    return [f"wrote [contracts] app = {found.spec!r}{env} into {plan}, inferred from the suite "
            f"({found.tests} of {found.total} tests reached that app); edit it freely"]


def _world_findings(contracts: dict[str, dict[str, Any]], result: RecordResult) -> None:
    noisy: set[tuple[str, int, str]] = set()
    for contract in contracts.values():
        reached = set()
        for scenario in contract["scenarios"]:
            if scenario.get("replayable") is False:
                result.not_replayable[scenario["name"]] = scenario["why"]
            elif scenario["stable"]:
                reached |= {e["route"] for e in scenario["exchanges"]}
            noisy |= {(scenario["name"], i, f) for i, e in enumerate(scenario["exchanges"]) for f in e["volatile"]}
        lost = [r for r, doc in contract["routes"].items() if doc.get("samples") and r not in reached]
        if lost:
            result.unverifiable[contract["service"]] = lost
    result.world_noise = len(noisy)


def _calibrate(contracts: Path, plan: Path, root: Path, out: Path, interpreter: Interpreter) -> dict[str, dict[str, Any]]:
    """Replay the fresh contracts twice on the monolith, in child processes (they import the monolith),
    one per core; a monolith with its own interpreter is served there, one host per child, reset over HTTP."""
    shards = max(1, min(WORKERS, os.cpu_count() or 1)) if own_databases(read_settings(plan).env) else 1
    parts = [out.with_suffix(f".{n}.json") for n in range(shards)]
    commands = [[sys.executable, "-m", "decompose.contracts.calibrate", str(contracts), str(plan), str(root), str(part),
                 f"{n}/{shards}"] for n, part in enumerate(parts)]
    envs: list[dict[str, str] | None] = [None] * shards
    with contextlib.ExitStack() as hosts:
        if not interpreter.own:
            settings = read_settings(plan)
            for n, command in enumerate(commands):
                world = World(settings, (out.parent / f"calibration-{n}").resolve()).fresh()
                url, secret = hosts.enter_context(monolith_fleet(settings, root, interpreter, out.parent / f"host-{n}", world,
                                                                 scenario_apps(contracts)))
                command.append(url)
                envs[n] = {**os.environ, "DECOMPOSE_INTERNAL_SECRET": secret}
        finished = _all(commands, envs)
    for done in finished:
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-12:]) or _silent_exit(done.returncode)
            raise UserError(f"replaying the recorded scenarios on the monolith failed ({interpreter.describe()}):\n{tail}",
                            "check the plan's [contracts] table (app, env, reset), see docs/contracts.md")
    found: dict[str, dict[str, Any]] = {}
    for part in parts:
        found.update(json.loads(part.read_text(encoding="utf-8")))
        part.unlink()
    out.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return found


def _silent_exit(code: int) -> str:
    """What a child that printed nothing says by its exit code alone (healthchecks' calibration once ended so)."""
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else "unknown"
        return f"the calibration process was killed by signal {-code} ({name}) and printed nothing"
    return f"the calibration process exited {code} and printed nothing"


def own_databases(env: dict[str, str]) -> bool:
    """Whether replays at once keep apart: the contract world gives each scenario a {scratch} folder of its
    own (its database file there). Without one the database may be a server every process shares (the
    template's PostgreSQL), and each scenario's start, which leaves the tables holding exactly its rows,
    would empty the tables under another process's scenario: one calibration process then."""
    return any("{scratch}" in value for value in env.values())


def _all(commands: list[list[str]], envs: list[dict[str, str] | None]) -> list[subprocess.CompletedProcess]:
    """Run the commands at once (each with its environment; None: this one's); their results in order."""
    def run(pair: tuple[list[str], dict[str, str] | None]) -> subprocess.CompletedProcess:
        return subprocess.run(pair[0], capture_output=True, text=True, check=False, env=pair[1])

    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        return list(pool.map(run, zip(commands, envs)))


GENERATED = ("services", "contracts")  # decompose's own output folders (default names): never the monolith's tests


def _generated_ignored() -> list[str]:
    """A suite run with no test path (Django's `python_files = tests.py test_*.py`) would collect the
    generated services' and contracts' tests from the project root: they are not the monolith's."""
    return [f"--ignore={name}" for name in GENERATED if Path(name).is_dir()]


def _run_suites(scratch: Path, runs: int, pytest_args: list[str], interpreter: Interpreter,
                on_progress: progress.Progress | None = None, root: Path = Path("."),
                restored: list[str] | None = None) -> list[Path]:
    """The suite, `runs` times, one run after the other (two at once share the monolith's files and
    databases: seen on the corpus as duplicate users, uploads and migrations), in the monolith's
    interpreter with the recorder (decompose_runtime.recorder, put on its path) as a pytest plugin.
    Each run after the first starts from the SQLite databases under `root` as they were before the first
    (decompose.contracts.leftovers); the ones put back or removed are added to `restored`."""
    require(interpreter, "pytest", "the recorder runs the monolith's own pytest suite")
    scratch.mkdir(parents=True, exist_ok=True)
    env = environment(interpreter, [runtime_path(scratch)])
    paths = [(scratch / f"recording-{n}.json").resolve() for n in range(1, runs + 1)]
    # the recorder hears the requests of the process it runs in: a suite whose pytest configuration (or
    # command line) says `-n auto` (pytest-xdist) would send them from workers it never sees; last -n wins
    single = ["-n", "0"] if has_module(interpreter, "xdist") else []
    before = leftovers.snapshot(root, scratch / "before-recording") if runs > 1 else None
    for number, path in enumerate(paths, 1):
        if number > 1 and before is not None:
            for changed in map(str, before.restore()):
                if restored is not None and changed not in restored:
                    restored.append(changed)
        follow = scratch.resolve() / "progress.txt"
        command = [str(interpreter.path), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "decompose_runtime.recorder",
                   f"--decompose-record={path}", f"--decompose-record-progress={follow}", *_generated_ignored(),
                   *pytest_args, *single]
        done = progress.run(command, env, follow, on_progress)
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).splitlines()[-15:])
            again = " (the run before passed: does the suite leave files or database rows behind?)" if number > 1 else ""
            raise UserError(f"the monolith's tests failed while recording, run {number} of {runs}{again} "
                            f"(pytest exit {done.returncode}, {interpreter.describe()}):\n{tail}",
                            "record from a green suite: fix or deselect the failing tests (pass pytest options after --)")
    return paths
