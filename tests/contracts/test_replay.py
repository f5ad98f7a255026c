"""Replaying a hand-made scenario against fakes: what passes, and how each kind of break reads."""

from __future__ import annotations

import json

from decompose.contracts.binding import Request
from decompose.contracts.compare import Answer
from decompose.contracts.replay import TargetError, replay
from decompose.contracts.schema import infer

JSON = (("content-type", "application/json"),)


def exchange(method, target, status, body, headers=(), volatile=(), route=None, request_headers=()):
    return {"route": route or f"{method} {target}", "service": "accounts",
            "request": {"method": method, "target": target, "headers": [list(h) for h in request_headers],
                        "body": {"text": ""}},
            "answer": {"status": status, "headers": [list(h) for h in (*JSON, *headers)], "body": {"text": json.dumps(body)}},
            "volatile": list(volatile)}


SCENARIO = {
    "name": "tests/test_accounts.py::test_me", "stable": True,
    "bindings": [{"name": "0:$.token", "used_by": [1]}],
    "exchanges": [
        # the token and the time differed between the recording and the monolith's replays (calibrate)
        exchange("POST", "/login", 200, {"token": "tok-recorded", "at": "2024-05-01"}, volatile=["$.at", "$.token"]),
        exchange("GET", "/me", 200, {"user": {"id": 1, "email": "bob@example.com"}},
                 request_headers=[("authorization", "Bearer {{0:$.token}}")]),
    ],
}
ROUTES = {"POST /login": {"volatile": ["$.at"], "schemas": {"200": infer([{"token": "t", "at": "a"}])}},
          "GET /me": {"volatile": [], "schemas": {"200": infer([{"user": {"id": 1, "email": "e"}}])}}}


class Fake:
    """A system whose answers can be changed per path; it checks the token it gave."""

    def __init__(self, **answers):
        self.answers = {"/login": (200, {"token": "tok-fresh", "at": "2026-11-23"}),
                        "/me": (200, {"user": {"id": 1, "email": "bob@example.com"}}), **answers}
        self.sent: list[Request] = []

    def __call__(self, request: Request, owner: str) -> Answer:
        self.sent.append(request)
        path = request.target
        if path == "/me" and dict(request.headers).get("authorization") != "Bearer tok-fresh":
            return Answer(401, JSON, b'{"error": "bad token"}')
        status, body = self.answers[path]
        return Answer(status, JSON, json.dumps(body).encode())


def test_a_faithful_target_passes_with_its_own_token_and_timestamps():
    fake = Fake()
    run = replay(SCENARIO, ROUTES, fake)
    assert run.passed, run.report()
    assert dict(fake.sent[1].headers)["authorization"] == "Bearer tok-fresh"
    assert [s.status for s in run.steps] == [200, 200] and all(s.ms > 0 for s in run.steps)


def test_a_renamed_field_reads_as_expected_against_actual():
    run = replay(SCENARIO, ROUTES, Fake(**{"/me": (200, {"user": {"id": 1, "mail": "bob@example.com"}})}))
    assert not run.passed
    report = run.report()
    assert "#1 GET /me  (GET /me)" in report
    assert "$.user.email: expected 'bob@example.com', got (absent)" in report
    assert "$.user.mail: expected (absent), got 'bob@example.com'" in report
    assert "schema 200: $.user: 'email' is a required property" in report


def test_a_changed_status_and_a_new_5xx_count_as_an_error():
    run = replay(SCENARIO, ROUTES, Fake(**{"/me": (503, {"user": {"id": 1, "email": "bob@example.com"}})}))
    assert "status: expected 200, got 503" in run.report()
    assert run.steps[1].error == "status 503"


def test_a_value_the_target_did_not_give_falls_back_to_the_recorded_one_and_the_diff_shows_where():
    run = replay(SCENARIO, ROUTES, Fake(**{"/login": (200, {"at": "now"})}))
    assert run.steps[0].problems[0] == "$: expected an object with keys at, token, got an object with keys at"
    assert run.steps[1].status == 401  # the recorded token went out, and the fake refused it


def test_ignored_fields_and_route_noise_are_not_compared():
    scenario = {**SCENARIO, "exchanges": [SCENARIO["exchanges"][0]]}
    changed = Fake(**{"/login": (200, {"token": "tok-fresh", "at": "x", "took_ms": 3})})
    assert "$.took_ms" in replay(scenario, ROUTES, changed).report()
    assert replay(scenario, ROUTES, changed, lambda route: {"$.took_ms"}).passed


def test_a_target_that_does_not_answer_stops_the_scenario():
    def down(request, owner):
        raise TargetError("connection refused")

    run = replay(SCENARIO, ROUTES, down)
    assert not run.passed and len(run.steps) == 1
    assert run.steps[0].error == "no answer: connection refused"
    assert "the target did not answer" in run.stopped


def test_an_exchange_no_service_owns_is_not_sent_to_the_services_and_the_scenario_goes_on():
    """A PUT the view refuses (Django's 405 on the monolith) matches no analysed route: the services
    have no URL for it; behind the gateway the monolith answers it."""
    from decompose.contracts.targets import Http

    services = Http({"accounts": "http://127.0.0.1:9"}, [], ())
    refused = {**exchange("PUT", "/me", 405, {}), "route": "(unrouted)", "service": "(unrouted)"}
    scenario = {**SCENARIO, "exchanges": [SCENARIO["exchanges"][0], refused, SCENARIO["exchanges"][1]]}
    fake = Fake()

    def send(request, owner):
        if owner == "(unrouted)":
            return services.send(request, owner)  # raises: Http has no URL for it
        return fake(request, owner)

    run = replay(scenario, ROUTES, send)
    services.close()
    assert run.passed, run.report()
    assert [s.status for s in run.steps] == [200, None, 200]
    assert "no service owns PUT /me" in run.steps[1].unowned
    assert [r.target for r in fake.sent] == ["/login", "/me"]
    # bindings are numbered by exchange: the one left out does not shift them


def test_an_exchange_of_a_service_without_a_url_still_stops_the_scenario():
    from decompose.contracts.targets import Http

    services = Http({"accounts": "http://127.0.0.1:9"}, [], ())
    run = replay(SCENARIO, ROUTES, lambda request, owner: services.send(request, "orders"))
    services.close()
    assert "no URL for service 'orders'" in run.stopped


def test_a_value_an_unsent_exchange_answers_is_sent_back_as_recorded():
    """The zoo's admin beside a catch-all: /admin/login/ (the monolith's, no service owns it) sets a csrftoken
    cookie the next request to a page sends back; the scenario stopped there, unreplayable on the services."""
    from decompose.contracts.replay import Unowned

    login = {**SCENARIO["exchanges"][0], "route": "(unrouted)", "service": "(unrouted)"}
    scenario = {**SCENARIO, "exchanges": [login, SCENARIO["exchanges"][1]]}
    sent = []

    def send(request, owner):
        if owner == "(unrouted)":
            raise Unowned("no service owns POST /login")
        sent.append(dict(request.headers)["authorization"])
        return Answer(200, JSON, json.dumps({"user": {"id": 1, "email": "bob@example.com"}}).encode())

    run = replay(scenario, ROUTES, send)
    assert run.passed and run.stopped is None, run.report()
    assert sent == ["Bearer tok-recorded"] and run.steps[0].unowned


def test_an_answer_the_test_saw_in_another_type_than_json_is_not_held_to_the_routes_json_schema():
    """healthchecks' badge route (`{tag}.{fmt}`) answers an SVG for .svg and JSON for .json: the schema of its JSON
    answers failed the SVG one on every target ("schema 200: the body is not JSON"); a JSON answer still gets it."""
    svg = (("content-type", "image/svg+xml"),)
    recorded = {**exchange("GET", "/badge/a.svg", 200, {}, route="GET /badge/{tag}.{fmt}"),
                "answer": {"status": 200, "headers": [list(h) for h in svg], "body": {"text": "<svg/>"}}}
    scenario = {"name": "t::badge", "stable": True, "bindings": [],
                "exchanges": [recorded, exchange("GET", "/badge/a.json", 200, {"status": "up"}, route="GET /badge/{tag}.{fmt}")]}
    routes = {"GET /badge/{tag}.{fmt}": {"volatile": [], "schemas": {"200": infer([{"status": "up"}])}}}

    def target(request, owner):
        if request.target.endswith(".svg"):
            return Answer(200, svg, b"<svg/>")
        return Answer(200, JSON, b'{"state": "up"}')

    run = replay(scenario, routes, target)
    assert run.steps[0].problems == []
    assert "schema 200: $: 'status' is a required property" in run.steps[1].problems
