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
                  fresh start at URL/_decompose/reset before every scenario unless --no-reset
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from decompose.contracts.build import read_contract, suite_path, write_suites
from decompose.contracts.fleet import monolith_fleet, services_fleet
from decompose.contracts.settings import read
from decompose.contracts.verify import read_baseline
from decompose.contracts.world import World
from decompose.errors import UserError
from decompose.interpreter import find, service_runner
from decompose.planning.planfile import load_document, parse

TARGETS = "monolith, service:NAME, services, or a base URL (http://...)"


@dataclass
class Options:
    contracts: Path = Path("contracts")
    plan: Path = Path("decompose.toml")
    latency: Path = Path(".decompose/latency.json")
    services: Path = Path("services")
    root: Path = Path(".")
    junit: Path | None = None
    repeat: int = 1
    warmup: int = 1
    reset: bool = True
    scratch: Path = Path(".decompose/verify")
    only: list[str] = field(default_factory=list)
    in_process: bool = False
    python: Path | None = None  # the monolith's interpreter (target monolith)


@dataclass
class Verified:
    target: str
    passed: bool
    results: dict[str, Any]
    failures: list[str]  # pytest's failure blocks: the readable diffs
    modules: list[Path]
    empty: list[str] = field(default_factory=list)  # services whose contract has no scenario: nothing verified
    interpreter: str = ""  # target monolith: "monolith interpreter: PATH VERSION (how it was found)"


def verify(target: str, options: Options) -> Verified:
    options.scratch.mkdir(parents=True, exist_ok=True)
    if options.in_process and not target.startswith("service:"):
        raise UserError(f"--in-process applies to --target service:NAME, not {target!r}",
                        "use --target service:NAME --in-process, or drop --in-process")
    read_baseline(options.latency)  # a damaged latency.json stops the run here, not inside pytest
    planned = _planned(options.plan)
    if target in ("services",) or target.startswith("service:"):
        only = [target.removeprefix("service:")] if target.startswith("service:") else options.only
        modules, empty = suites(options.contracts, only, planned)
        env = World(read(options.plan), (options.scratch / "fleet").resolve()).fresh()
        interpreter = find(options.python, options.root)
        runner = service_runner(interpreter, options.root, options.scratch)
        with services_fleet(options.services, env, options.scratch / "logs", runner) as (_, urls, secret):
            fleet = options.scratch / "fleet.json"
            described = {"name": f"the generated services ({len(urls)}, chalice local)", "urls": urls,
                         "resets": sorted(urls.values()), "secret": secret}
            if options.in_process:
                described["in_process"] = str((options.services / only[0]).resolve())
                described["name"] = f"service {only[0]} in-process (chalice.test.Client), the other {len(urls) - 1} under chalice local"
            fleet.write_text(json.dumps(described, indent=1) + "\n")
            verified = _pytest(target, f"fleet:{fleet}", modules, empty, options)
        verified.interpreter = interpreter.describe()
        return verified
    if target == "monolith":
        return _monolith(*suites(options.contracts, options.only, planned), options)
    if target.startswith(("http://", "https://")):
        return _pytest(target, target, *suites(options.contracts, options.only, planned), options)
    raise UserError(f"--target {target!r} is not a target", f"use {TARGETS}")


def _monolith(modules: list[Path], empty: list[str], options: Options) -> Verified:
    """In-process when the monolith shares decompose's interpreter; else served in its own and reset over HTTP."""
    interpreter = find(options.python, options.root)
    if interpreter.own:
        verified = _pytest("monolith", "monolith", modules, empty, options)
    else:
        settings = read(options.plan)
        env = World(settings, (options.scratch / "monolith").resolve()).fresh()
        with monolith_fleet(settings, options.root, interpreter, options.scratch, env) as (url, secret):
            verified = _pytest("monolith", url, modules, empty, options, {"DECOMPOSE_INTERNAL_SECRET": secret})
    verified.interpreter = interpreter.describe()
    return verified


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
            env: dict[str, str] | None = None) -> Verified:
    results = options.scratch / "results.json"
    results.unlink(missing_ok=True)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "-o", "console_output_style=classic",
               *map(str, modules), f"--decompose-target={spec}", f"--decompose-plan={options.plan}",
               f"--decompose-latency={options.latency}", f"--decompose-root={options.root}",
               f"--decompose-repeat={options.repeat}", f"--decompose-warmup={options.warmup}", f"--decompose-results={results}"]
    if not options.reset:
        command.append("--decompose-no-reset")
    if options.junit:
        command.append(f"--junitxml={options.junit}")
    done = subprocess.run(command, capture_output=True, text=True, check=False, env={**os.environ, **(env or {})})
    output = done.stdout + done.stderr
    if done.returncode not in (0, 1) or not results.exists():
        tail = "\n".join(output.strip().splitlines()[-15:])
        raise UserError(f"the contract suite could not run against {target} (pytest exit {done.returncode}):\n{tail}",
                        "the lines above are pytest's (in decompose's interpreter, which replays the contracts); "
                        "a monolith that does not import there needs its own: pass --python")
    found = json.loads(results.read_text(encoding="utf-8"))
    found["empty"] = empty
    return Verified(target, done.returncode == 0, found, _failures(output), modules, empty)


def _failures(output: str) -> list[str]:
    """The FAILURES section of pytest's output, one block per failing scenario or route."""
    match = re.search(r"^=+ FAILURES =+$(.*?)^=+ (short test summary|.* in [0-9.]+s)", output, re.DOTALL | re.MULTILINE)
    if not match:
        return []
    return [block.strip() for block in re.split(r"^_{3,} .* _{3,}$", match.group(1), flags=re.MULTILINE) if block.strip()]
