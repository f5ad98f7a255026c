"""What `decompose contracts verify` does: run the generated contract suite (contracts/test_*.py)
with pytest against a target, with JUnit XML, and read back the per-route results.

Targets:
  monolith        the monolith's app in-process (the plan's [contracts] app), a fresh one per scenario; when
                  the monolith has its own interpreter (decompose.interpreter), its app is served there by
                  decompose_runtime.host and reset over HTTP before every scenario instead
  service:NAME    NAME's contract, against every generated service started under `chalice local`;
                  with in_process, NAME's own requests go to its Chalice app in pytest's process
                  (chalice.test.Client) and the other services stay under chalice local
  services        every contract, against the same fleet
  URL             any base URL (the gateway, a `chalice local`, a deployed stage); it is asked for a
                  fresh start at URL/_decompose/reset before every scenario, with the scenario's starting
                  rows, unless --no-reset

Latency (--latency): `auto` judges the services against the monolith measured in the same run (served
beside them on decompose_runtime.host and replayed right before them on every scenario), a URL against
the recorded latencies, and the monolith not at all (it is the yardstick); `monolith` asks for the
reference with any target but the monolith, `recorded` for the recorded budgets, `off` measures only.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from decompose.contracts import calls, masking, progress
from decompose.contracts.build import read_contract, suite_path, write_suites
from decompose.contracts.fleet import eventual_fields, monolith_fleet, scenario_apps, services_fleet
from decompose.contracts.settings import Settings, read
from decompose.contracts.verify import read_baseline
from decompose.contracts.world import World
from decompose.errors import UserError
from decompose.interpreter import find, service_runner
from decompose.planning.planfile import load_document, parse

TARGETS = "monolith, service:NAME, services, or a base URL (http://...)"
LATENCY_MODES = ("auto", "monolith", "recorded", "off")


@dataclass
class Options:
    contracts: Path = Path("contracts")
    plan: Path = Path("decompose.toml")
    latency_file: Path = Path(".decompose/latency.json")
    services: Path = Path("services")
    root: Path = Path(".")
    junit: Path | None = None
    repeat: int = 1
    warmup: int = 1
    reset: bool = True
    scratch: Path = Path(".decompose/verify")
    only: list[str] = field(default_factory=list)
    in_process: bool = False
    python: Path | None = None  # the monolith's interpreter (target monolith, the latency reference)
    latency: str = "auto"  # LATENCY_MODES: what a route's latency is judged against (module docstring)
    progress: progress.Progress | None = None  # called with (tests done, tests in all) as the suite runs


@dataclass
class Verified:
    target: str
    passed: bool
    results: dict[str, Any]
    failures: list[str]  # pytest's failure blocks: the readable diffs
    modules: list[Path]
    empty: list[str] = field(default_factory=list)  # services whose contract has no scenario: nothing verified
    interpreter: str = ""  # target monolith: "monolith interpreter: PATH VERSION (how it was found)"
    notes: list[str] = field(default_factory=list)  # what the summary must say (a latency reference that did not start)


def verify(target: str, options: Options) -> Verified:
    options.scratch.mkdir(parents=True, exist_ok=True)
    if options.in_process and not target.startswith("service:"):
        raise UserError(f"--in-process applies to --target service:NAME, not {target!r}",
                        "use --target service:NAME --in-process, or drop --in-process")
    if options.latency not in LATENCY_MODES:
        raise UserError(f"--latency {options.latency!r} is not a choice", f"use one of: {', '.join(LATENCY_MODES)}")
    if options.latency == "monolith" and target == "monolith":
        raise UserError("--latency monolith with --target monolith: the monolith cannot be its own reference",
                        "use --latency recorded, or --latency off")
    read_baseline(options.latency_file)  # a damaged latency.json stops the run here, not inside pytest
    planned = _planned(options.plan)
    if target in ("services",) or target.startswith("service:"):
        only = [target.removeprefix("service:")] if target.startswith("service:") else options.only
        modules, empty = suites(options.contracts, only, planned)
        settings = read(options.plan) if options.plan.exists() else Settings()
        env = World(settings, (options.scratch / "fleet").resolve()).fresh()
        interpreter = find(options.python, options.root)
        runner = service_runner(interpreter, options.services, options.root, options.scratch)
        apps = scenario_apps(options.contracts)
        with services_fleet(options.services, env, options.scratch / "logs", runner, settings, options.root,
                            apps) as (_, urls, secret):
            fleet = options.scratch / "fleet.json"
            described = {"name": f"the generated services ({len(urls)}, chalice local)", "urls": urls,
                         "resets": sorted(urls.values()), "secret": secret, "loads_data": True,
                         "eventual": eventual_fields(options.services),
                         "calls_log": str(calls.log_path(options.scratch / "logs"))}
            if options.in_process:
                described["in_process"] = str((options.services / only[0]).resolve())
                described["name"] = f"service {only[0]} in-process (chalice.test.Client), the other {len(urls) - 1} under chalice local"
            fleet.write_text(json.dumps(described, indent=1) + "\n")
            notes: list[str] = []
            with _reference(target, options, notes) as (arguments, env):
                verified = _pytest(target, f"fleet:{fleet}", modules, empty, options, env, arguments)
            verified.notes = notes
        verified.interpreter = interpreter.describe()
        return verified
    if target == "monolith":
        return _monolith(*suites(options.contracts, options.only, planned), options)
    if target.startswith(("http://", "https://")):
        notes = []
        # a URL may reach remediated services (the gateway, a deployment): their eventual fields, as generated
        generated = (options.services / "generation.json").is_file()
        eventual = [f"--decompose-eventual={name}" for name in (eventual_fields(options.services) if generated else [])]
        # resets on: the URL is a system decompose started (`gateway up --contract-world`, a `chalice local` with
        # DECOMPOSE_CONTRACT_RESET=1 and the secret), whose resets take each scenario's starting rows, as the
        # services' and the monolith host's do; a deployed stage has no reset endpoint (--no-reset)
        seed = ["--decompose-seed"] if options.reset else []
        with _reference(target, options, notes) as (arguments, env):
            verified = _pytest(target, target, *suites(options.contracts, options.only, planned), options, env,
                               [*arguments, *eventual, *seed])
        verified.notes = notes
        return verified
    raise UserError(f"--target {target!r} is not a target", f"use {TARGETS}")


def _monolith(modules: list[Path], empty: list[str], options: Options) -> Verified:
    """In-process when the monolith shares decompose's interpreter; else served in its own and reset over HTTP."""
    interpreter = find(options.python, options.root)
    if interpreter.own:
        verified = _pytest("monolith", "monolith", modules, empty, options)
    else:
        settings = read(options.plan)
        env = World(settings, (options.scratch / "monolith").resolve()).fresh()
        with monolith_fleet(settings, options.root, interpreter, options.scratch, env,
                            scenario_apps(options.contracts)) as (url, secret):
            verified = _pytest("monolith", url, modules, empty, options, {"DECOMPOSE_INTERNAL_SECRET": secret},
                               ["--decompose-seed", f"--decompose-latency-judge={_judge('monolith', options.latency)}"])
    verified.interpreter = interpreter.describe()
    return verified


@contextlib.contextmanager
def _reference(target: str, options: Options, notes: list[str]):
    """The monolith beside the target, for latency judged in this run: yields (pytest arguments, env).
    `auto` asks for it with the services only, when the plan names the monolith's app, and falls back
    to the recorded latencies (saying so in `notes`) when it does not start; `monolith` insists."""
    settings = read(options.plan) if options.plan.exists() else Settings()
    wanted = options.latency == "monolith" or (options.latency == "auto" and not target.startswith(("http://", "https://")))
    if not wanted or (options.latency == "auto" and not settings.app):
        yield [f"--decompose-latency-judge={_judge(target, options.latency)}"], {}
        return
    scratch = options.scratch / "reference"
    with contextlib.ExitStack() as stack:
        try:
            url, secret = stack.enter_context(monolith_fleet(settings, options.root, find(options.python, options.root),
                                                             scratch, World(settings, scratch.resolve()).fresh(),
                                                             scenario_apps(options.contracts)))
        except UserError as error:
            if options.latency == "monolith":
                raise
            notes.append(f"the monolith did not start beside the target ({error.what.splitlines()[0]}): latency was judged "
                         "against the recorded p95 instead (pass --root, or --latency recorded to say so)")
            yield [f"--decompose-latency-judge={_judge(target, options.latency)}"], {}
            return
        yield [f"--decompose-reference={url}"], {"DECOMPOSE_REFERENCE_SECRET": secret}


def _planned(plan: Path) -> set[str] | None:
    """The plan's services (None without a plan: a contract is then not checked against one)."""
    if not plan.exists():
        return None
    found, _ = parse(load_document(plan), plan)
    return {service.name for service in found.services}


def suites(contracts: Path, only: list[str], planned: set[str] | None = None) -> tuple[list[Path], list[str]]:
    """The generated modules to run (written again from the contracts when missing), each contract
    checked first (decompose.artefacts); and the services whose contract has no scenario: nothing to
    verify there, said so rather than counted as passed."""
    documents = {p.stem: p for p in sorted(contracts.glob("*.json"))}
    if not documents:
        raise UserError(f"{contracts}/: no contracts here", "record them with 'decompose contracts record -- <pytest args>'")
    unknown = [name for name in only if name not in documents]
    if unknown:
        raise UserError(f"no contract for service {unknown[0]!r} in {contracts}/ (a service that owns no route has none)",
                        f"choose one of: {', '.join(documents)}")
    chosen = only or list(documents)
    modules, empty = [], []
    for name in chosen:
        if not read_contract(documents[name], planned)["scenarios"]:
            empty.append(name)
            continue
        module = suite_path(contracts, name)
        if not module.exists():
            write_suites({name: {}}, contracts)
        modules.append(module)
    if not modules:
        raise UserError(f"nothing to verify: no recorded scenario in the contract of {', '.join(empty)} ({contracts}/)",
                        "record contracts from tests that reach these services' routes ('decompose contracts record')")
    return modules, empty


def _pytest(target: str, spec: str, modules: list[Path], empty: list[str], options: Options,
            env: dict[str, str] | None = None, extra: list[str] | None = None) -> Verified:
    results = options.scratch / "results.json"
    results.unlink(missing_ok=True)
    # -p no:django: pytest-django, when installed, would set up a Django project from the environment's
    # DJANGO_SETTINGS_MODULE and block its database in this suite, which is decompose's, not the monolith's
    here = modules[0].parent.resolve()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:django",
               "-c", str(_own_ini(options.scratch)), f"--rootdir={here}", f"--confcutdir={here}",
               *map(str, modules), f"--decompose-target={spec}", f"--decompose-plan={options.plan}",
               f"--decompose-latency={options.latency_file}", f"--decompose-root={options.root}",
               f"--decompose-secrets={options.latency_file.parent / masking.FILE}",
               f"--decompose-repeat={options.repeat}", f"--decompose-warmup={options.warmup}", f"--decompose-results={results}"]
    command += extra if extra is not None else [f"--decompose-latency-judge={_judge(target, options.latency)}"]
    if not options.reset:
        command.append("--decompose-no-reset")
    if options.junit:
        command.append(f"--junitxml={options.junit}")
    follow = options.scratch / "progress.txt"
    command.append(f"--decompose-progress={follow}")
    done = progress.run(command, {**os.environ, **(env or {})}, follow, options.progress)
    output = done.stdout + done.stderr
    if done.returncode not in (0, 1) or not results.exists():
        tail = "\n".join(output.strip().splitlines()[-15:])
        raise UserError(f"the contract suite could not run against {target} (pytest exit {done.returncode}):\n{tail}",
                        "the lines above are pytest's (in decompose's interpreter, which replays the contracts); "
                        "a monolith that does not import there needs its own: pass --python")
    found = json.loads(results.read_text(encoding="utf-8"))
    found["empty"] = empty
    return Verified(target, done.returncode == 0, found, _failures(output), modules, empty)


# pytest looks upwards for its configuration, and the contract suite sits in the monolith's project: without
# settings of its own it ran on the monolith's (pretalx's `filterwarnings = error` made the unknown
# DJANGO_SETTINGS_MODULE key an INTERNALERROR, and no contract was verified), and a conftest.py at the project's
# root would have run in decompose's interpreter. Hence `-c` this file, and the contracts folder as rootdir
# and confcutdir.
OWN_INI = """# Written by decompose: the contract suite runs on these settings, never on the monolith's pytest settings
[pytest]
console_output_style = classic
"""


def _own_ini(scratch: Path) -> Path:
    ini = scratch.resolve() / "pytest.ini"
    ini.parent.mkdir(parents=True, exist_ok=True)
    if not ini.is_file() or ini.read_text(encoding="utf-8") != OWN_INI:
        ini.write_text(OWN_INI, encoding="utf-8")
    return ini


def _judge(target: str, mode: str) -> str:
    """The plugin's judge when no reference runs beside the target: the monolith is not held to its own
    earlier timings (it is the yardstick), anything else to the recorded ones unless told otherwise."""
    if mode == "auto":
        return "off" if target == "monolith" else "recorded"
    return mode


def _failures(output: str) -> list[str]:
    """The FAILURES section of pytest's output, one block per failing scenario or route."""
    match = re.search(r"^=+ FAILURES =+$(.*?)^=+ (short test summary|.* in [0-9.]+s)", output, re.DOTALL | re.MULTILINE)
    if not match:
        return []
    return [block.strip() for block in re.split(r"^_{3,} .* _{3,}$", match.group(1), flags=re.MULTILINE) if block.strip()]
