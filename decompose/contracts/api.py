"""What the CLI calls for `decompose contracts record`: run the monolith's tests twice with the
recorder, then build one contract per planned service.

    record(analysis, plan, out, pytest_args)  -> Recorded (contracts written, coverage, runs)
Errors a user can fix are UserErrors.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from decompose.contracts.build import build, latency, read_recording, write_contracts
from decompose.errors import UserError
from decompose.gateway.matching import RouteTable, Rule
from decompose.planning.api import load, sound_plan


@dataclass
class RecordResult:
    written: list[Path] = field(default_factory=list)
    scenarios: int = 0
    exchanges: int = 0
    unstable: list[str] = field(default_factory=list)
    uncovered: dict[str, list[str]] = field(default_factory=dict)
    unrouted: int = 0


def record(analysis_path: Path, plan_path: Path, out: Path, pytest_args: list[str], runs: int = 2,
           scratch: Path = Path(".decompose")) -> RecordResult:
    ws = load(analysis_path)
    found = sound_plan(ws, plan_path)
    table = RouteTable([Rule.of(r.template, r.methods, r.template) for r in ws.analysis.routes])
    services = {route: s.name for s in found.plan.services for route in s.routes}
    recordings = [read_recording(_run_suite(scratch / f"recording-{n}.json", pytest_args)) for n in range(1, runs + 1)]
    contracts = build(recordings, table, services)
    result = RecordResult(write_contracts(contracts, out))
    timings = scratch / "latency.json"
    timings.write_text(json.dumps(latency(recordings, table), indent=1, sort_keys=True) + "\n", encoding="utf-8")
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


def _run_suite(path: Path, pytest_args: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "decompose.contracts.recorder",
               f"--decompose-record={path}", *pytest_args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-15:])
        raise UserError(f"the monolith's tests failed while recording (pytest exit {done.returncode}):\n{tail}",
                        "record from a green suite: fix or deselect the failing tests (pass pytest options after --)")
    return path
