"""Verifying contracts: every scenario replayed on a fresh system, then every route held to its SLA.

    verifier = Verifier(target, world, settings, baseline)
    run = verifier.scenario(contract, scenario)        # replay.Run; also kept for the route verdicts
    verdict = verifier.route(contract, route)          # RouteVerdict: failures, errors, p95 against budget
    verifier.results()                                 # everything, as JSON for the summary table

Before the first scenario, `verifier.warm_up(pairs)` replays a few scenarios that reach every route,
unjudged: on the sample 30 of 95 scenarios, where replaying each scenario once more would take 95.

Latency is judged against the monolith measured in the same run: with a `reference` target (the
monolith, served beside the services), every scenario is replayed on the reference right before
the target, so both see the same machine load at the same moment, and a route's budget is the
reference's p95 for it times `latency_factor`, plus `latency_allowance_ms`. On a busy 2-core machine
absolute numbers recorded earlier failed the monolith against itself (48 of 51 routes); the ratio
holds. Without a reference, the monolith itself is not judged (it is the yardstick) and any other
target is held to the recorded p95 (`.decompose/latency.json`): the absolute budget for deployed
URLs. A route's error budget is the share of its exchanges that may fail in transport or answer a
5xx the recording did not have. A route no replayed answer reached is "not verified", never passed. The pytest plugin
(decompose.contracts.plugin) drives this class; `decompose contracts verify` runs that plugin.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from decompose.artefacts import LATENCY, read_json
from decompose.contracts import calls, masking
from decompose.contracts.binding import Request
from decompose.contracts.build import percentile
from decompose.contracts.compare import Answer
from decompose.contracts.replay import Run, TargetError, replay
from decompose.contracts.settings import Settings, hops
from decompose.contracts.world import World
from decompose.generation.runtime import reset


class Target(Protocol):
    name: str

    def fresh(self, env: dict[str, str], app: str | None = None) -> None: ...

    def send(self, request: Request, owner: str) -> Answer: ...

    def close(self) -> None: ...


@dataclass
class RouteVerdict:
    service: str
    route: str
    exchanges: int = 0
    failed: int = 0  # exchanges whose answer broke the contract
    errors: int = 0  # transport failures and new 5xx
    p95_ms: float | None = None
    baseline_ms: float | None = None
    budget_ms: float | None = None
    latency: str = "not judged"  # "this run" (against the reference), "recorded" (latency.json), "not judged"
    problems: list[str] = field(default_factory=list)
    calls_median: float | None = None  # internal calls per request (the generated services' call log)
    calls_max: int | None = None
    called: list[str] = field(default_factory=list)  # the functions those calls ran, sorted
    aws_median: float | None = None  # AWS calls per request its remediated code made (S3, SQS, DynamoDB)
    aws_called: list[str] = field(default_factory=list)  # their operations, sorted (`aws:s3.GetObject`)
    first_p95_ms: float | None = None  # over its budget at first: p95_ms and budget_ms are then the re-measure's
    first_budget_ms: float | None = None

    @property
    def calls(self) -> float | None:
        """The calls a request of the route made over the network beyond its own (medians): each is a hop."""
        if self.calls_median is None and self.aws_median is None:
            return None
        return (self.calls_median or 0) + (self.aws_median or 0)

    @property
    def verified(self) -> bool:
        """Some replayed answer reached the route: without one there is nothing to pass."""
        return self.exchanges > 0

    @property
    def passed(self) -> bool:
        return self.verified and not self.problems

    @property
    def state(self) -> str:
        return "ok" if self.passed else ("FAIL" if self.problems else "not verified")


def skip_reason(scenario: dict[str, Any]) -> str | None:
    """Why a recorded scenario cannot be replayed (None when it can)."""
    if not scenario.get("stable", True):
        return "unstable: its test sent different requests in different runs (see docs/contracts.md)"
    if scenario.get("replayable", True) is False:
        return f"not replayable: {scenario.get('why', 'its test changed the world between requests')}"
    return None


REMEASURE = 3  # rounds of a route's scenarios replayed again when it is over its latency budget (`_remeasure`)


class Verifier:
    def __init__(self, target: Target, world: World, settings: Settings,
                 baseline: dict[str, dict[str, float]] | None, repeat: int = 1, warmup: int = 1,
                 reference: Target | None = None, judge_recorded: bool = True,
                 secrets: dict[str, dict[str, str]] | None = None) -> None:
        """Each scenario is replayed `repeat` times; before any, `warm_up` replays `warmup` times a few
        scenarios that reach every route (the first call of a code path in a process pays its imports
        and lazy set-up; that is not the route's latency). `reference`: the monolith, replayed right
        before the target on every scenario, whose timings set the latency budgets. `judge_recorded`:
        without a reference, hold the target to the recorded latencies (off for the monolith itself).
        `secrets`: the values masked out of each scenario's starting data (decompose.contracts.masking)."""
        self.target, self.world, self.settings = target, world, settings
        self.secrets = secrets or {}
        self.reference = reference
        self.baseline = baseline if judge_recorded else None
        self.reference_ms: dict[str, list[float]] = {}  # route -> the reference's answer times in this run
        self.repeat, self.warmup = repeat, warmup
        self.warmed: list[str] = []  # the scenarios replayed to warm up, in order
        self.runs: dict[str, list[Run]] = {}  # service -> runs of its contract's scenarios
        self.skipped: dict[str, list[tuple[str, str]]] = {}
        self.verdicts: list[RouteVerdict] = []
        self.replayed: dict[str, list[Run]] = {}  # scenario name -> its runs: a scenario in several contracts runs once
        self.sources: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}  # scenario name -> (contract, scenario)

    def warm_up(self, chosen: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
        """Replay, `warmup` times and unjudged, the fewest of the chosen (contract, scenario) pairs that
        reach every route the chosen ones reach."""
        # a contract with no scenario gives pytest an empty parameter set: its "scenario" is no scenario
        replayable = {s["name"]: (c, s) for c, s in chosen if isinstance(s, dict) and not skip_reason(s)}
        for name in covering({name: pair[1] for name, pair in sorted(replayable.items())}) * self.warmup:
            self._once(*replayable[name])
            self.warmed.append(name)

    def scenario(self, contract: dict[str, Any], scenario: dict[str, Any]) -> Run | None:
        service = contract["service"]
        why = skip_reason(scenario)
        if why:
            self.skipped.setdefault(service, []).append((scenario["name"], why))
            return None
        name = scenario["name"]
        self.sources.setdefault(name, (contract, scenario))
        if name not in self.replayed:
            self.replayed[name] = [self._once(contract, scenario) for _ in range(self.repeat)]
        self.runs.setdefault(service, []).extend(self.replayed[name])
        return self.replayed[name][-1]

    def _once(self, contract: dict[str, Any], scenario: dict[str, Any]) -> Run:
        if self.reference is not None:
            measured = self._replay(self.reference, contract, scenario)
            for step in measured.steps:
                if step.status is not None and step.route:
                    self.reference_ms.setdefault(step.route, []).append(step.ms)
        return self._replay(self.target, contract, scenario)

    def _replay(self, target: Target, contract: dict[str, Any], scenario: dict[str, Any]) -> Run:
        try:
            scenario = masking.unmask(scenario, self.secrets.get(scenario["name"], {}))
        except masking.MissingSecret as error:
            return Run(scenario["name"], stopped=str(error))
        try:
            start(target, self.world.fresh(), scenario)
        except TargetError as error:
            return Run(scenario["name"], stopped=f"the fresh start failed: {error}")
        reset.settle()  # the last scenario's garbage goes now, not in the middle of a timed request
        return replay(scenario, contract["routes"], target.send, self.settings.ignored, getattr(target, "seed", None),
                      tuple(getattr(target, "eventual", ())), getattr(target, "calls", None))

    def route(self, contract: dict[str, Any], route: str) -> RouteVerdict:
        service = contract["service"]
        steps = [s for run in self.runs.get(service, []) for s in run.steps if s.route == route]
        verdict = RouteVerdict(service, route, exchanges=len(steps))
        verdict.failed = sum(1 for s in steps if s.problems and not s.error)
        verdict.errors = sum(1 for s in steps if s.error)
        timed = sorted(s.ms for s in steps if s.status is not None)
        verdict.p95_ms = round(percentile(timed, 95), 1) if timed else None
        for name, value in calls.route_counts(steps).items():
            setattr(verdict, name, value)
        self._budget(verdict)
        if self._over_budget(verdict) and self.reference is not None:
            self._remeasure(verdict)
        verdict.problems = self._problems(verdict)
        self.verdicts.append(verdict)
        return verdict

    def _budget(self, verdict: RouteVerdict) -> None:
        """The route's latency budget: from the reference's times in this run, else the recorded p95."""
        measured = sorted(self.reference_ms.get(verdict.route, ()))
        if self.reference is not None:
            if measured:
                verdict.baseline_ms, verdict.latency = round(percentile(measured, 95), 1), "this run"
        elif (known := (self.baseline or {}).get(verdict.route)):
            verdict.baseline_ms, verdict.latency = known["p95_ms"], "recorded"
        if verdict.baseline_ms is not None:  # one allowance per hop: internal and AWS calls (their medians) add theirs
            verdict.budget_ms = self.settings.budget_ms(verdict.baseline_ms, verdict.calls)

    @staticmethod
    def _over_budget(verdict: RouteVerdict) -> bool:
        return verdict.budget_ms is not None and verdict.p95_ms is not None and verdict.p95_ms > verdict.budget_ms

    def _remeasure(self, verdict: RouteVerdict) -> None:
        """A route over its latency budget against the monolith is measured once more before it fails: the
        scenarios that reached it replayed REMEASURE times, the monolith right before the target each time,
        and the route judged on those samples alone. A route with two exchanges has its slower one as p95,
        so one stall of a loaded machine failed it; a route that is slower is slower again."""
        verdict.first_p95_ms, verdict.first_budget_ms = verdict.p95_ms, verdict.budget_ms
        names = sorted(name for name, runs in self.replayed.items()
                       if any(s.route == verdict.route for run in runs for s in run.steps))
        target_ms: list[float] = []
        reference_ms: list[float] = []
        for _ in range(REMEASURE):
            for name in names:
                for target, into in ((self.reference, reference_ms), (self.target, target_ms)):
                    run = self._replay(target, *self.sources[name])
                    into.extend(s.ms for s in run.steps if s.route == verdict.route and s.status is not None)
        if not target_ms or not reference_ms:
            return  # the re-measure reached nothing: the first measure stands
        verdict.p95_ms = round(percentile(sorted(target_ms), 95), 1)
        verdict.baseline_ms = round(percentile(sorted(reference_ms), 95), 1)
        verdict.budget_ms = self.settings.budget_ms(verdict.baseline_ms, verdict.calls)

    def _problems(self, verdict: RouteVerdict) -> list[str]:
        problems = []
        if verdict.failed:
            problems.append(f"{verdict.failed} of {verdict.exchanges} answers broke the contract (see the scenarios)")
        allowed = math.floor(self.settings.error_budget * verdict.exchanges)
        if verdict.errors > allowed:
            problems.append(f"error rate {verdict.errors}/{verdict.exchanges} is over the budget of "
                            f"{self.settings.error_budget:.1%} (transport failures and new 5xx answers)")
        if self._over_budget(verdict):
            when = "in this run" if verdict.latency == "this run" else "recorded"
            again = (f"; at first {verdict.first_p95_ms:.1f} ms over {verdict.first_budget_ms:.1f} ms, measured again "
                     f"{REMEASURE} times" if verdict.first_p95_ms is not None else "")
            problems.append(f"latency p95 {verdict.p95_ms:.1f} ms is over the budget of {verdict.budget_ms:.1f} ms "
                            f"(the monolith's p95 {when} {verdict.baseline_ms:.1f} ms x {self.settings.latency_factor:g} "
                            f"+ {self.settings.latency_allowance_ms:g} ms x {hops(verdict.calls):g} "
                            f"hop{'s' if hops(verdict.calls) != 1 else ''}{again})")
        return problems

    def results(self) -> dict[str, Any]:
        scenarios = []
        for service, runs in sorted(self.runs.items()):
            by_name: dict[str, list[Run]] = {}
            for run in runs:
                by_name.setdefault(run.name, []).append(run)
            scenarios += [{"service": service, "name": name, "passed": all(r.passed for r in same),
                           "failures": sum(1 for r in same for s in r.steps if s.problems),
                           "unowned": sum(1 for s in same[-1].steps if s.unowned)} for name, same in by_name.items()]
        skipped = [{"service": service, "name": name, "why": why}
                   for service, items in sorted(self.skipped.items()) for name, why in items]
        routes = [{**asdict(v), "passed": v.passed, "verified": v.verified, "state": v.state}
                  for v in sorted(self.verdicts, key=lambda v: (v.service, v.route))]
        return {"target": self.target.name, "scenarios": scenarios, "skipped": skipped, "routes": routes, "warmed_up": self.warmed,
                "latency_baseline": self.baseline is not None or self.reference is not None,
                "internal_calls": calls.counted(s for runs in self.replayed.values() for run in runs for s in run.steps),
                "reference": self.reference.name if self.reference is not None else None}


def start(target: Any, env: dict[str, str], scenario: dict[str, Any]) -> None:
    """A fresh system for the scenario: the target's fresh start, then the rows its test began with
    (decompose.contracts.startdata) where the target can load them. A target that cannot (the generated
    services, for now) replays without them, as before starting data was recorded. A scenario whose test
    built another app than the world's (another configuration class) is replayed on that app, on every target
    that builds one (a URL without reset endpoints builds nothing)."""
    if scenario.get("app"):
        target.fresh(env, app=scenario["app"])
    else:
        target.fresh(env)
    seed = getattr(target, "seed", None)
    if isinstance(scenario.get("data"), dict) and seed is not None:
        seed(scenario["data"], replace=True)  # {} too: the tables the test's database had (and no other rows)


def covering(scenarios: dict[str, dict[str, Any]]) -> list[str]:
    """Greedy set cover: scenario names (in order of choice, ties by name) whose exchanges reach every route."""
    reach = {name: {e["route"] for e in s["exchanges"] if e.get("route")} for name, s in scenarios.items()}
    left, chosen = set().union(*reach.values()) if reach else set(), []
    while left:
        best = max(sorted(reach), key=lambda name: len(reach[name] & left))
        chosen.append(best)
        left -= reach[best]
    return chosen


def read_baseline(path: Path) -> dict[str, dict[str, float]] | None:
    """The monolith's recorded latencies per route, or None when there are none (latency is then not
    judged); a damaged file is a UserError (decompose.artefacts), never a guess."""
    if not path.exists():
        return None
    return read_json(path, LATENCY)["routes"]


def latency_document(routes: dict[str, dict[str, float]]) -> dict[str, object]:
    """latency.json as `decompose contracts record` writes it."""
    return {"schema_version": LATENCY.version, "routes": routes}
