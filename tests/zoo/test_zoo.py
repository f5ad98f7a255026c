"""End to end on the zoo: small monoliths written from scratch, one real-world pattern each
(tests/zoo/apps/<pattern>/, described in its zoo.toml), run through every stage as a user runs them
(benchmarks/pipeline.py: analyze, plan, plan --check, generate, each service imported alone, the
generated tests, contracts record from the app's own suite, verify on the monolith and the
services, the gateway with every route on its service).

One test per app and stage. A stage listed under `[known]` in the app's zoo.toml fails today for the
issue it names: the test is an expected failure, and it fails as soon as the stage passes (remove
the line then); `[seen]` keeps what is wrong today that no verdict here checks yet. A stage whose inputs an earlier failure never produced is skipped, saying which.
Verdicts are stricter than exit codes where a silent wrong answer is the failure: every hand-counted
route found with a resolved path (and the `paths` and `tables` a zoo.toml lists), every service owning a route and every route a service, a
recording whose contracts cover every route the suite reaches, and, where a zoo.toml says `scenarios = N`, N
scenarios replayable and passing on the monolith, the services and the gateway.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from benchmarks.pipeline import STAGES, Monolith, Run, load_toml, run_pipeline

ZOO = Path(__file__).parent / "apps"
APPS = sorted(p.name for p in ZOO.iterdir() if (p / "zoo.toml").is_file())
_runs: dict[str, Run] = {}
_lock = threading.Lock()


def zoo(name: str) -> dict:
    return load_toml(ZOO / name / "zoo.toml")


def pipeline(name: str, base: Path) -> Run:
    """The app's run, once per session: its stages are read by one test each."""
    with _lock:
        if name not in _runs:
            spec = zoo(name)
            monolith = Monolith(name, ZOO / name, test=tuple(spec.get("test", ())), env=dict(spec.get("env", {})),
                                routes=spec.get("routes"))
            _runs[name] = run_pipeline(monolith, base / name, latency="off")  # answers, not the machine's speed
        return _runs[name]


def verdict(run: Run, stage: str, spec: dict) -> tuple[bool, str]:
    """(passed, why not): the stage's own outcome, then what it must have produced."""
    result = run.stages[stage]
    if not result.ok:
        return False, result.error
    facts = run.facts
    problems = {
        "analyze": [f"{facts.get('routes')} of {spec['routes']} routes found" if facts.get("routes") != spec["routes"] else "",
                    f"{facts['unresolved_paths']} route paths unresolved (${{...}})" if facts.get("unresolved_paths") else "",
                    f"{facts.get('tables')} of {spec['tables']} tables found"
                    if "tables" in spec and facts.get("tables", 0) < spec["tables"] else "",
                    f"paths not found: {', '.join(missing)}" if (missing := _missing_paths(run, spec)) else ""],
        "plan": [f"services owning no route: {', '.join(facts['routeless_services'])}" if facts.get("routeless_services") else "",
                 f"routes in no service: {', '.join(facts['unowned_routes'])}" if facts.get("unowned_routes") else ""],
        "record": [f"routes the suite reaches left uncovered: {', '.join(uncovered)}"
                   if (uncovered := _reached_uncovered(facts, spec)) else "", _short(facts, spec, "replayable")],
        **{name: [_short(facts, spec, name)] for name in ("verify-monolith", "verify-services", "gateway")},
    }.get(stage, [])
    problems = [p for p in problems if p]
    return not problems, "; ".join(problems)


def _short(facts: dict, spec: dict, fact: str) -> str:
    """Fewer scenarios replayable (or passing, on a verify stage) than the zoo.toml's `scenarios`, if it says."""
    wanted, got = spec.get("scenarios"), facts.get(fact)
    return f"{fact}: {got} of {wanted} scenarios" if wanted is not None and (got or 0) < wanted else ""


def _reached_uncovered(facts: dict, spec: dict) -> list[str]:
    """The contracts' uncovered routes but those the zoo.toml's `untested` lists: routes the app's suite never
    sends a request to (counted by hand, as `routes` is; the recorder sees only the requests sent)."""
    return [route for route in facts.get("uncovered") or () if route not in spec.get("untested", ())]


def _missing_paths(run: Run, spec: dict) -> list[str]:
    found = set(run.facts.get("templates", ()))
    return [path for path in spec.get("paths", ()) if path not in found]


@pytest.mark.parametrize("stage", [s for s in STAGES if s != "setup"])
@pytest.mark.parametrize("app", APPS)
def test_zoo(app: str, stage: str, tmp_path_factory) -> None:
    spec = zoo(app)
    run = pipeline(app, tmp_path_factory.getbasetemp() / "zoo")
    known = (spec.get("known") or {}).get(stage)
    if run.stages[stage].ok is None:
        pytest.skip(f"{run.stages[stage].error}" + (f" (known: {known})" if known else ""))
    passed, why = verdict(run, stage, spec)
    if known:
        assert not passed, f"{app}: {stage} passes now: remove it from [known] in tests/zoo/apps/{app}/zoo.toml"
        pytest.xfail(f"{known} | today: {why}")
    assert passed, f"{app}: {stage}: {why}"


def test_every_known_failure_names_a_stage_and_an_issue() -> None:
    for app in APPS:
        spec = zoo(app)
        assert spec.get("pattern") and spec.get("routes"), f"{app}: zoo.toml needs pattern and routes"
        for table in ("known", "seen"):
            for stage, why in (spec.get(table) or {}).items():
                assert stage in STAGES, f"{app}: [{table}] {stage} is not a stage ({', '.join(STAGES)})"
                assert why.startswith("#"), f"{app}: [{table}] {stage} must start with the owning issue (#NN)"
