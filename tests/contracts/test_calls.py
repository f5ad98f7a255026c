"""Counting the internal calls each replayed request made: the fleet's call log, read per request,
summed per route and over the run (decompose.contracts.calls)."""

from __future__ import annotations

import os

from decompose.contracts.calls import CallLog, counted, route_counts
from decompose.contracts.replay import Step, replay
from decompose.contracts.verify import Verifier
from decompose.contracts.world import World
from decompose.generation.runtime import internal
from decompose.generation.runtime.client import CALL_LOG
from tests.contracts.test_replay import ROUTES, SCENARIO, Fake
from tests.contracts.test_verify import CONTRACT, SCRATCH_DB, Target


def test_the_log_gives_each_complete_line_once_and_keeps_a_partial_one_for_later(tmp_path):
    path = tmp_path / "calls.log"
    log = CallLog(path)
    assert log.since() == []  # no service has written yet
    path.write_text("a:f\nb:g\nc:h")
    assert log.since() == ["a:f", "b:g"]
    with path.open("a") as f:
        f.write("\n")
    assert log.since() == ["c:h"] and log.since() == []


class Logging(Fake):
    """A fake fleet whose services append to the call log as the real ones do (internal._logged)."""

    def __init__(self, path, per_path, **answers):
        super().__init__(**answers)
        self.path, self.per_path = path, per_path

    def __call__(self, request, owner):
        with self.path.open("a") as log:
            log.writelines(target + "\n" for target in self.per_path.get(request.target, ()))
        return super().__call__(request, owner)


def test_each_step_keeps_the_calls_made_while_it_was_answered(tmp_path):
    path = tmp_path / "calls.log"
    path.write_text("left:over\n")  # made by the fresh start, before the first request: no request's
    fake = Logging(path, {"/me": ["pkg.auth:load_user", "pkg.users:profile"]})
    run = replay(SCENARIO, ROUTES, fake, calls=CallLog(path).since)
    assert run.passed, run.report()
    assert [s.calls for s in run.steps] == [[], ["pkg.auth:load_user", "pkg.users:profile"]]
    assert [s.calls for s in replay(SCENARIO, ROUTES, Fake()).steps] == [None, None]  # no log: not counted


def test_routes_and_the_run_are_summed_from_the_counted_steps_only():
    steps = [Step(0, "GET /me", "GET /me", calls=["a:f"]), Step(1, "GET /me", "GET /me", calls=["a:f", "b:g", "a:f"]),
             Step(2, "GET /me", "GET /me", calls=[]), Step(3, "GET /me", "GET /me")]
    assert route_counts(steps) == {"calls_median": 1, "calls_max": 3, "called": ["a:f", "b:g"], "aws_median": 0,
                                   "aws_called": []}
    assert counted(steps) == {"requests": 3, "median": 1, "max": 3, "over_one": 1}
    assert route_counts(steps[3:]) == {"calls_median": None, "calls_max": None, "called": [], "aws_median": None,
                                       "aws_called": []}
    assert counted(steps[3:]) is None


def test_the_verifier_reports_calls_per_route_and_over_the_run(tmp_path):
    path = tmp_path / "calls.log"
    target = Target(Logging(path, {"/me": ["pkg.auth:load_user"]}))
    target.calls = CallLog(path).since
    check = Verifier(target, World(SCRATCH_DB, tmp_path), SCRATCH_DB, None, repeat=2)
    check.scenario(CONTRACT, SCENARIO)
    me = check.route(CONTRACT, "GET /me")
    assert (me.calls_median, me.calls_max, me.called) == (1, 1, ["pkg.auth:load_user"])
    assert check.results()["internal_calls"] == {"requests": 4, "median": 0.5, "max": 1, "over_one": 0}


def test_a_target_without_a_log_counts_nothing(tmp_path):
    check = Verifier(Target(Fake()), World(SCRATCH_DB, tmp_path), SCRATCH_DB, None)
    check.scenario(CONTRACT, SCENARIO)
    assert check.route(CONTRACT, "GET /me").calls_median is None and check.results()["internal_calls"] is None


def test_the_internal_endpoint_logs_only_the_calls_it_runs(tmp_path, monkeypatch):
    path = tmp_path / "calls.log"
    monkeypatch.setenv(CALL_LOG, str(path))
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", "s3cret")
    endpoint = internal.Endpoint({"pkg.users:profile": lambda user_id: {"id": user_id}})
    body = b'{"args": [7], "kwargs": {}}'
    assert endpoint.handle("pkg.users:profile", {"x-decompose-secret": "wrong"}, body).status_code == 403
    assert endpoint.handle("pkg.users:nothing", {"x-decompose-secret": "s3cret"}, body).status_code == 404
    assert not path.exists()  # refused calls run nothing and are not counted
    assert endpoint.handle("pkg.users:profile", {"x-decompose-secret": "s3cret"}, body).status_code == 200
    assert path.read_text() == "pkg.users:profile\n"
    monkeypatch.delenv(CALL_LOG)
    endpoint.handle("pkg.users:profile", {"x-decompose-secret": "s3cret"}, body)
    assert path.read_text() == "pkg.users:profile\n" and os.environ.get(CALL_LOG) is None


def test_aws_calls_are_counted_apart_from_the_internal_ones():
    steps = [Step(0, "GET /raw", "GET /raw", calls=["aws:s3.GetObject"]),
             Step(1, "GET /raw", "GET /raw", calls=["aws:s3.GetObject", "a:f"]),
             Step(2, "GET /raw", "GET /raw", calls=["aws:s3.HeadObject", "aws:s3.GetObject"])]
    assert route_counts(steps) == {"calls_median": 0, "calls_max": 1, "called": ["a:f"], "aws_median": 1,
                                   "aws_called": ["aws:s3.GetObject", "aws:s3.HeadObject"]}
    assert counted(steps) == {"requests": 3, "median": 0, "max": 1, "over_one": 0}  # #23's count: internal calls only
