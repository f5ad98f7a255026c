"""Route verdicts (latency and error budgets), calibration, the [contracts] table, and the reset hooks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from decompose.contracts.calibrate import judge
from decompose.contracts.replay import Run, Step, TargetError
from decompose.contracts.settings import Settings, read
from decompose.contracts.verify import Verifier, covering
from decompose.contracts.world import World
from decompose.errors import UserError
from decompose.generation.runtime import reset
from tests.contracts.test_replay import ROUTES, SCENARIO, Fake

CONTRACT = {"service": "accounts", "routes": {**{r: {**d, "samples": 1} for r, d in ROUTES.items()}}, "scenarios": [SCENARIO]}


class Target:
    name = "fake"

    def __init__(self, fake, fail_fresh=False):
        self.fake, self.fail_fresh, self.fresh_envs = fake, fail_fresh, []

    def fresh(self, env):
        if self.fail_fresh:
            raise TargetError("reset refused")
        self.fresh_envs.append(env)

    def send(self, request, owner):
        return self.fake(request, owner)

    def close(self):
        pass


SCRATCH_DB = Settings(env={"DB": "sqlite:///{scratch}/db"})


def verifier(tmp_path, fake=None, baseline=None, settings=SCRATCH_DB, **kw):
    target = Target(fake or Fake(), **kw)
    return Verifier(target, World(settings, tmp_path), settings, baseline, repeat=2, warmup=1), target


def test_each_scenario_runs_repeat_times_on_a_fresh_world_and_once_for_all_contracts(tmp_path):
    check, target = verifier(tmp_path)
    assert check.scenario(CONTRACT, SCENARIO).passed
    check.scenario({**CONTRACT, "service": "profile"}, SCENARIO)  # the same scenario in another contract
    assert len(target.fresh_envs) == 2 and len(check.runs["accounts"]) == len(check.runs["profile"]) == 2
    assert target.fresh_envs[0]["DB"] == f"sqlite:///{tmp_path}/scenario-1/db" != target.fresh_envs[1]["DB"]


def scenario_through(name, *routes):
    return {"name": name, "exchanges": [{"route": route} for route in routes]}


def test_warm_up_replays_the_fewest_scenarios_that_reach_every_route_unjudged(tmp_path):
    check, target = verifier(tmp_path)
    login_only = {**SCENARIO, "name": "a_login", "exchanges": SCENARIO["exchanges"][:1]}
    unreplayable = {**SCENARIO, "name": "0_first", "replayable": False}
    check.warm_up([(CONTRACT, login_only), (CONTRACT, SCENARIO), (CONTRACT, unreplayable)])
    assert check.warmed == [SCENARIO["name"]] and len(target.fresh_envs) == 1  # warmup=1: once
    assert check.runs == {} and check.verdicts == []  # unjudged: no route has samples yet


@pytest.mark.parametrize(("scenarios", "chosen"), [
    ({}, []),
    ({"b": scenario_through("b", "GET /a"), "a": scenario_through("a", "GET /a")}, ["a"]),  # ties by name
    ({"x": scenario_through("x", "GET /a", "GET /b"), "y": scenario_through("y", "GET /b", "GET /c", "GET /d"),
      "z": scenario_through("z", "GET /a")}, ["y", "x"]),
])
def test_covering_is_a_greedy_set_cover(scenarios, chosen):
    assert covering(scenarios) == chosen


def test_a_route_over_its_latency_budget_says_by_how_much(tmp_path):
    slow = Fake()
    check, _ = verifier(tmp_path, slow, baseline={"GET /me": {"p95_ms": 2.0}, "POST /login": {"p95_ms": 2.0}},
                        settings=Settings(latency_factor=2, latency_allowance_ms=0.0))
    check.scenario(CONTRACT, SCENARIO)
    for run in check.runs["accounts"]:
        run.steps[1].ms = 300.0  # as if the service slept
    verdict = check.route(CONTRACT, "GET /me")
    assert not verdict.passed and verdict.p95_ms == 300.0 and verdict.budget_ms == 4.0
    assert verdict.problems == ["latency p95 300.0 ms is over the budget of 4.0 ms (the monolith's p95 recorded 2.0 ms x 2 + 0 ms x 1 hop)"]
    assert check.route(CONTRACT, "POST /login").passed


def test_each_internal_call_a_route_makes_adds_one_hop_allowance_to_its_budget(tmp_path):
    check, _ = verifier(tmp_path, Fake(), baseline={"GET /me": {"p95_ms": 10.0}},
                        settings=Settings(latency_factor=2, latency_allowance_ms=50.0))
    check.scenario(CONTRACT, SCENARIO)
    for run in check.runs["accounts"]:
        run.steps[1].ms, run.steps[1].calls = 160.0, ["shop.auth:load_user", "shop.cart:totals"]
    verdict = check.route(CONTRACT, "GET /me")
    assert (verdict.calls_median, verdict.budget_ms) == (2, 170.0)  # 10 x 2 + 50 x (1 + 2 calls)
    assert verdict.passed
    for run in check.runs["accounts"]:
        run.steps[1].ms = 180.0
    assert check.route(CONTRACT, "GET /me").problems == [
        "latency p95 180.0 ms is over the budget of 170.0 ms (the monolith's p95 recorded 10.0 ms x 2 + 50 ms x 3 hops)"]


def test_each_aws_call_a_remediated_route_makes_adds_one_hop_allowance_too(tmp_path):
    check, _ = verifier(tmp_path, Fake(), baseline={"GET /me": {"p95_ms": 10.0}},
                        settings=Settings(latency_factor=2, latency_allowance_ms=50.0))
    check.scenario(CONTRACT, SCENARIO)
    for run in check.runs["accounts"]:  # the monolith read a file; the service reads the object from S3
        run.steps[1].ms, run.steps[1].calls = 110.0, ["aws:s3.GetObject"]
    verdict = check.route(CONTRACT, "GET /me")
    assert (verdict.calls_median, verdict.aws_median, verdict.budget_ms) == (0, 1, 120.0)  # 10 x 2 + 50 x (1 + 1)
    assert verdict.passed
    for run in check.runs["accounts"]:
        run.steps[1].calls = []
    assert check.route(CONTRACT, "GET /me").problems == [
        "latency p95 110.0 ms is over the budget of 70.0 ms (the monolith's p95 recorded 10.0 ms x 2 + 50 ms x 1 hop)"]


class Recorder(Target):
    """A target that notes, in a log shared with another, when it starts a scenario afresh."""

    def __init__(self, fake, log, name):
        super().__init__(fake)
        self.log, self.name = log, name

    def fresh(self, env):
        super().fresh(env)
        self.log.append(self.name)


def test_the_reference_is_replayed_before_the_target_on_every_scenario_and_sets_the_budget(tmp_path):
    log = []
    target, monolith = Recorder(Fake(), log, "service"), Recorder(Fake(), log, "monolith")
    settings = Settings(latency_factor=3, latency_allowance_ms=10.0)
    check = Verifier(target, World(settings, tmp_path), settings, {"GET /me": {"p95_ms": 0.001}}, repeat=2,
                     reference=monolith)
    check.scenario(CONTRACT, SCENARIO)
    assert log == ["monolith", "service", "monolith", "service"]  # interleaved: the same load on both
    assert len(check.reference_ms["GET /me"]) == 2
    check.reference_ms["GET /me"] = [20.0, 40.0]  # as if the machine were busy: the budget follows the monolith
    for run in check.runs["accounts"]:
        run.steps[1].ms = 100.0
    verdict = check.route(CONTRACT, "GET /me")
    assert (verdict.baseline_ms, verdict.budget_ms, verdict.latency) == (40.0, 130.0, "this run") and verdict.passed
    for run in check.runs["accounts"]:
        run.steps[1].ms = 200.0
    check.runs["accounts"] = check.runs["accounts"]  # the same runs, slower: over the budget
    timed_again(check, target_ms=200.0, monolith_ms=40.0)  # and as slow when measured again
    verdict = check.route(CONTRACT, "GET /me")
    assert verdict.problems == ["latency p95 200.0 ms is over the budget of 130.0 ms "
                                "(the monolith's p95 in this run 40.0 ms x 3 + 10 ms x 1 hop; "
                                "at first 200.0 ms over 130.0 ms, measured again 3 times)"]
    assert check.results()["reference"] == "monolith"


def timed_again(check, target_ms, monolith_ms):
    """The verifier's replays from now on take these times (a fake clock: no test waits or times anything)."""
    replays = []

    def replay_timed(target, contract, scenario):
        replays.append(target.name)
        ms = monolith_ms if target is check.reference else target_ms
        return Run(scenario["name"], [Step(0, "POST /login", "POST /login", 200, 1.0), Step(1, "GET /me", "GET /me", 200, ms)])

    check._replay = replay_timed
    return replays


def test_a_route_over_its_latency_budget_once_is_measured_again_and_judged_on_that(tmp_path):
    """One stall of a loaded machine: a route with two exchanges has its slower one as its p95. Measured
    again (the monolith right before the target, 3 rounds), a route as fast as the monolith passes and the
    first measure stays in the verdict; a route that is slower fails again."""
    target, monolith = Recorder(Fake(), [], "service"), Recorder(Fake(), [], "monolith")
    settings = Settings(latency_factor=3, latency_allowance_ms=10.0)
    check = Verifier(target, World(settings, tmp_path), settings, None, repeat=2, reference=monolith)
    check.scenario(CONTRACT, SCENARIO)
    check.reference_ms["GET /me"] = [5.0, 5.0]
    check.reference_ms["POST /login"] = [1.0, 1.0]  # the fake clock for every measure (a loaded machine stalls real ones)
    for run in check.runs["accounts"]:
        run.steps[0].ms = 1.0
    check.runs["accounts"][0].steps[1].ms, check.runs["accounts"][1].steps[1].ms = 5.0, 900.0  # one stall
    replays = timed_again(check, target_ms=6.0, monolith_ms=5.0)
    verdict = check.route(CONTRACT, "GET /me")
    assert replays == ["monolith", "service"] * 3  # the one scenario that reached the route, 3 rounds, interleaved
    assert verdict.passed and (verdict.first_p95_ms, verdict.first_budget_ms) == (900.0, 25.0)
    assert (verdict.p95_ms, verdict.baseline_ms, verdict.budget_ms) == (6.0, 5.0, 25.0)
    assert check.route(CONTRACT, "POST /login").first_p95_ms is None  # within its budget: measured once
    unmeasured = Verifier(target, World(settings, tmp_path), settings, {"GET /me": {"p95_ms": 1.0}}, repeat=1)
    unmeasured.scenario(CONTRACT, SCENARIO)
    unmeasured.runs["accounts"][0].steps[1].ms = 900.0
    timed_again(unmeasured, target_ms=6.0, monolith_ms=5.0)
    assert not unmeasured.route(CONTRACT, "GET /me").passed  # against the recorded p95 (no monolith beside): once


def test_the_monolith_is_not_held_to_its_own_recorded_latency(tmp_path):
    settings = Settings(latency_factor=1, latency_allowance_ms=0.0)
    check = Verifier(Target(Fake()), World(settings, tmp_path), settings, {"GET /me": {"p95_ms": 0.0001}},
                     judge_recorded=False)
    check.scenario(CONTRACT, SCENARIO)
    verdict = check.route(CONTRACT, "GET /me")
    assert verdict.passed and verdict.budget_ms is None and verdict.latency == "not judged"
    assert check.results()["latency_baseline"] is False


def test_errors_are_judged_against_the_error_budget(tmp_path):
    broken = Fake(**{"/me": (502, {"user": {"id": 1, "email": "bob@example.com"}})})
    check, _ = verifier(tmp_path, broken, settings=Settings(error_budget=0.0))
    assert not check.scenario(CONTRACT, SCENARIO).passed
    verdict = check.route(CONTRACT, "GET /me")
    assert verdict.errors == 2 and verdict.failed == 0  # repeat=2
    assert "error rate 2/2 is over the budget of 0.0%" in verdict.problems[0]
    lenient, _ = verifier(tmp_path, broken, settings=Settings(error_budget=1.0))
    lenient.scenario(CONTRACT, SCENARIO)
    assert lenient.route(CONTRACT, "GET /me").passed


def test_a_failed_fresh_start_fails_the_scenario_with_the_reason(tmp_path):
    check, _ = verifier(tmp_path, fail_fresh=True)
    run = check.scenario(CONTRACT, SCENARIO)
    assert not run.passed and run.stopped == "the fresh start failed: reset refused"


def test_unstable_and_unreplayable_scenarios_are_skipped_with_why(tmp_path):
    check, _ = verifier(tmp_path)
    assert check.scenario(CONTRACT, {**SCENARIO, "replayable": False, "why": "the clock moved"}) is None
    assert check.results()["skipped"] == [{"service": "accounts", "name": SCENARIO["name"], "why": "not replayable: the clock moved"}]
    verdict = check.route(CONTRACT, "GET /me")
    assert verdict.problems == [] and not verdict.passed and verdict.state == "not verified"  # never "ok"
    assert check.results()["routes"][0]["state"] == "not verified"


# --- calibration ----------------------------------------------------------------------------------

def replayed(*bodies, status=200):
    from decompose.contracts.compare import Answer

    run = Run("s")
    for index, body in enumerate(bodies):
        run.steps.append(Step(index, "r", "GET /x", status, answer=Answer(status, (("content-type", "application/json"),),
                                                                              json.dumps(body).encode())))
    return run


def test_calibration_turns_world_values_into_noise():
    scenario = {"exchanges": [{"request": {"method": "GET", "target": "/x"}, "answer": {
        "status": 200, "headers": [["content-type", "application/json"]], "body": {"text": '{"at": "2024", "n": 1}'}}}]}
    found = judge(scenario, [replayed({"at": "2026", "n": 1}), replayed({"at": "2026", "n": 1})])
    assert found.replayable and found.noise == [["$.at"]]


def test_calibration_finds_scenarios_whose_test_changed_the_world():
    scenario = {"exchanges": [{"request": {"method": "GET", "target": "/x"}, "answer": {
        "status": 401, "headers": [["content-type", "application/json"]], "body": {"text": '{"error": "expired"}'}}}]}
    found = judge(scenario, [replayed({"user": 1}), replayed({"user": 1})])
    assert not found.replayable
    assert found.why.startswith("#0 GET /x: status was 401 in the test, 200 on replay")


@pytest.mark.parametrize(("env", "apart"), [({"DATABASE_URL": "sqlite:///{scratch}/app.db"}, True),
                                            ({}, False), ({"POSTGRES_DB": "app"}, False)])
def test_calibration_runs_at_once_only_where_each_scenario_has_a_database_of_its_own(env, apart):
    """The template's PostgreSQL is every process's: two calibration processes emptied each other's tables."""
    from decompose.contracts.api import own_databases

    assert own_databases(env) is apart


# --- the [contracts] table ------------------------------------------------------------------------

def plan(tmp_path, table: str) -> Path:
    path = tmp_path / "decompose.toml"
    path.write_text(f"schema_version = 1\n\n[contracts]\n{table}\n")
    return path


def test_the_contracts_table_is_read_with_its_defaults(tmp_path):
    found = read(plan(tmp_path, 'app = "shop.app:create_app"\nignore = ["$.took", "GET /x $.at"]\n[contracts.env]\nDB = "{scratch}/db"'))
    assert found.app == "shop.app:create_app" and found.env == {"DB": "{scratch}/db"}
    assert found.latency_factor == 3.0 and found.error_budget == 0.0
    assert found.ignored("GET /x") == {"$.took", "$.at"} and found.ignored("GET /y") == {"$.took"}


@pytest.mark.parametrize(("table", "message"), [
    ("colour = 1", "contracts.colour: unknown field"),
    ('app = "shop"', "contracts.app: 'shop' is not 'module:attribute'"),
    ("error_budget = 2", "contracts.error_budget: 2 must be a number between 0 and 1.0"),
    ('reset = ["nocolon"]', "contracts.reset: 'nocolon' is not 'module:function'"),
    ("env = 3", "contracts.env: must be a table"),
])
def test_a_bad_contracts_table_is_a_clear_error(tmp_path, table, message):
    with pytest.raises(UserError) as error:
        read(plan(tmp_path, table))
    assert message in error.value.what and "docs/contracts.md" in error.value.next_step


# --- reset hooks ----------------------------------------------------------------------------------

@pytest.fixture
def hooks(tmp_path, monkeypatch):
    (tmp_path / "cachey.py").write_text("CALLS = []\ndef clear():\n    CALLS.append(1)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    sys.modules.pop("cachey", None)


def test_reset_sets_the_env_and_calls_the_hooks_this_process_has(hooks, monkeypatch):
    monkeypatch.delenv("DECOMPOSE_TEST_DB", raising=False)
    skipped = reset.apply({"DECOMPOSE_TEST_DB": "x"}, ["cachey:clear", "not_here.at_all:clear"])
    import os

    import cachey
    assert cachey.CALLS == [1] and os.environ["DECOMPOSE_TEST_DB"] == "x"
    assert skipped == ["not_here.at_all:clear"]
    with pytest.raises(reset.HookError, match="cachey has no function 'flush'"):
        reset.apply({}, ["cachey:flush"])
    assert reset.apply({}, ["cachey:flush"], strict=False) == ["cachey:flush"]  # a service with half the module


def test_the_reset_endpoint_checks_the_secret_and_the_body(hooks, monkeypatch):
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", "s3")
    rebuilt = []
    allowed = reset.Allowed.of(hooks=["cachey:clear"])
    assert reset.handle({}, b"{}", lambda: rebuilt.append(1), allowed)[0] == 403
    good = {"x-decompose-secret": "s3"}
    assert reset.handle(good, b"[1]", lambda: rebuilt.append(1), allowed)[0] == 400
    assert reset.handle(good, b'{"hooks": ["cachey:clear"]}', lambda: rebuilt.append(1), allowed) == (200, {"skipped": []})
    assert rebuilt == [1]
    rows = b'{"data": {"users": [{"id": 1}]}}'
    assert reset.handle(good, rows, lambda: rebuilt.append(2), allowed) == (400, {"message": "this process cannot load starting data"})
    assert rebuilt == [1]  # refused whole: nothing rebuilt
    loaded = []
    seed = lambda data, replace: loaded.append((data, replace)) or 1  # noqa: E731
    assert reset.handle(good, rows, lambda: rebuilt.append(3), allowed, seed) == (200, {"skipped": [], "loaded": 1})
    assert loaded == [({"users": [{"id": 1}]}, False)] and rebuilt == [1]  # data alone: into the current app, not a new one
    starting = b'{"data": {"users": [{"id": 1}]}, "replace": true}'  # a scenario's start: its rows and no other
    assert reset.handle(good, starting, lambda: rebuilt.append(3), allowed, seed)[0] == 200
    assert loaded[-1] == ({"users": [{"id": 1}]}, True)
    fresh_with_rows = b'{"env": {}, "hooks": [], "data": {"users": []}}'
    assert reset.handle(good, fresh_with_rows, lambda: rebuilt.append(4), allowed, lambda data, replace: 0)[0] == 200
    assert rebuilt == [1, 4]


def test_the_last_line_of_the_summary_agrees_with_the_exit_code():
    from decompose.cli.contracts_cmd import verdict_line

    slow = {"state": "FAIL", "exchanges": 4, "passed": False, "problems": ["latency p95 9.0 ms is over the budget of 5.0 ms"]}
    results = {"routes": [slow, {"state": "ok", "exchanges": 2, "passed": True, "problems": []}],
               "scenarios": [{"passed": True}] * 245}
    line = verdict_line(False, results)  # every answer kept, one route too slow: exit 1
    assert line.startswith("[red]FAILED[/]") and "1 routes out of contract (1 over their latency budget)" in line
    assert "0 scenarios with a wrong answer" in line and "passed" not in line.lower().replace("failed", "")
    assert verdict_line(True, {**results, "routes": results["routes"][1:]}).startswith("[green]PASSED[/]: 1 routes")


def test_the_summary_never_counts_a_route_with_no_answer_as_passed():
    from decompose.cli.contracts_cmd import verdict_line

    silent = {"state": "not verified", "exchanges": 0, "passed": False, "problems": []}
    ok = {"state": "ok", "exchanges": 2, "passed": True, "problems": []}
    line = verdict_line(True, {"routes": [ok, silent, silent], "scenarios": [{"passed": True}]})
    assert line.startswith("[green]PASSED[/]: 1 routes within contract (2 not verified")
    failed = verdict_line(False, {"routes": [ok, silent], "scenarios": [{"passed": True}]})  # exit 1, nothing judged wrong
    assert failed.startswith("[red]FAILED[/]: the contract suite itself failed") and "PASSED" not in failed
