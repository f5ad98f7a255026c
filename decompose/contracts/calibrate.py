"""Calibration: replay every recorded scenario twice against the monolith itself, in the contract world.

A test suite records in its own world: a fixed clock, a token generator that counts, sometimes a
clock moved forward or a setting changed between two requests. A contract is replayed in the world of
the plan's [contracts] table, which cannot do the last two. So, after recording, each scenario is
replayed twice against the monolith in-process (Diffy's primary and secondary), and:

- a value that differs between the recording and the replays, or between the two replays, while the
  status and the shape of every answer stay the same, is *world noise* (a timestamp from the real
  clock, a random token): it joins the exchange's `volatile` fields;
- a scenario whose replay answers a different status, a different shape (keys, list lengths), or
  stops, is *not replayable*: its test changed the world between requests. Verify skips it and says
  why; its routes must be covered by other scenarios.

    python -m decompose.contracts.calibrate CONTRACTS_DIR PLAN ROOT OUT.json [SHARD/SHARDS [URL]]
    (child processes, one per core: the monolith is imported there, never in decompose's own process;
    with URL, the monolith runs in its own interpreter on decompose_runtime.host, reset over HTTP with
    DECOMPOSE_INTERNAL_SECRET, and nothing of it is imported here)
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from decompose.contracts import masking
from decompose.contracts.build import read_contract
from decompose.contracts.compare import MISSING, _order, fields, is_shape, private, show
from decompose.contracts.replay import Run, answer_of, replay
from decompose.contracts.settings import read
from decompose.contracts.targets import Http, InProcess
from decompose.contracts.verify import start
from decompose.contracts.world import World
from decompose.errors import UserError


@dataclass
class Calibration:
    replayable: bool = True
    why: str = ""
    noise: list[list[str]] = field(default_factory=list)  # per exchange


def judge(scenario: dict[str, Any], runs: list[Run]) -> Calibration:
    """Compare the recording with its replays on the monolith (pure: the runs are given)."""
    exchanges = scenario["exchanges"]
    recorded = [fields(answer_of(e["answer"])) for e in exchanges]
    noise: list[set[str]] = [set() for _ in exchanges]
    for run in runs:
        if run.stopped:
            return Calibration(False, f"replaying it on the monolith stopped: {run.stopped}")
        if len(run.steps) != len(exchanges):
            return Calibration(False, f"replaying it on the monolith sent {len(run.steps)} of {len(exchanges)} requests")
    for index, expected in enumerate(recorded):
        request = f"#{index} {exchanges[index]['request']['method']} {exchanges[index]['request']['target']}"
        seen = [expected] + [fields(run.steps[index].answer) for run in runs]
        for other in seen[1:]:
            for where in sorted(expected.keys() | other.keys(), key=_order):
                left, right = expected.get(where, MISSING), other.get(where, MISSING)
                if left == right or private(where):
                    continue
                if where == "status" or is_shape(left) or is_shape(right) or MISSING in (left, right):
                    return Calibration(False, f"{request}: {where} was {show(left)} in the test, "
                                              f"{show(right)} on replay (the test changed the world between requests)")
                noise[index].add(where)
    return Calibration(True, "", [sorted(n) for n in noise])


def calibrate(contracts: Path, plan: Path, root: Path, shard: int = 0, shards: int = 1,
              url: str = "", secrets: dict[str, dict[str, str]] | None = None) -> dict[str, dict[str, Any]]:
    """Scenario name -> Calibration (as JSON), over every scenario of every contract in `contracts`
    (every `shards`-th one from `shard`: several processes share the work); on the monolith at `url`
    when given, else in this process. secrets: the values masked out of the starting data (masking)."""
    settings = read(plan)
    if url:
        target = Http(url, [url], settings.reset, os.environ.get("DECOMPOSE_INTERNAL_SECRET"), name="monolith",
                      loads_data=True)
    else:
        target = InProcess(settings.app, root, settings.reset)
    scenarios: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for path in sorted(contracts.glob("*.json")):
        contract = read_contract(path)
        for scenario in contract["scenarios"]:
            scenarios.setdefault(scenario["name"], (contract["routes"], scenario))
    found = {}
    with tempfile.TemporaryDirectory(prefix="decompose-calibrate-") as scratch:
        world = World(settings, Path(scratch))
        for name, (routes, scenario) in sorted(scenarios.items())[shard::shards]:
            if not scenario["stable"]:
                continue
            try:
                scenario = masking.unmask(scenario, (secrets or {}).get(name, {}))
            except masking.MissingSecret as error:
                found[name] = Calibration(False, str(error)).__dict__
                continue
            runs = []
            for _ in range(2):
                start(target, world.fresh(), scenario)
                runs.append(replay(scenario, routes, target.send, seed=getattr(target, "seed", None)))
            found[name] = judge(scenario, runs).__dict__
    target.close()
    return found


def main(argv: list[str]) -> int:
    contracts, plan, root, out = map(Path, argv[:4])
    shard, _, shards = (argv[4] if len(argv) > 4 else "0/1").partition("/")
    try:
        found = calibrate(contracts, plan, root, int(shard), int(shards), argv[5] if len(argv) > 5 else "",
                          masking.read(out.parent / masking.FILE))  # record writes it beside `out`
    except UserError as error:
        print(f"{error.what}\n  next: {error.next_step}", file=sys.stderr)
        return 2
    out.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
