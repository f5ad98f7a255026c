"""Contracts built from hand-made recordings: routes, services, noise, bindings, schemas, coverage."""

from __future__ import annotations

import json

import pytest

from decompose.contracts.binding import Request
from decompose.contracts.build import (
    FIXED_BOUNDARY,
    Recorded,
    Scenario,
    _fixed_boundary,
    build,
    latency,
    read_recording,
)
from decompose.contracts.compare import Answer
from decompose.errors import UserError
from decompose.gateway.matching import RouteTable, Rule

TABLE = RouteTable([Rule.of("/login", ("POST",), "/login"), Rule.of("/orders/{id}", ("GET",), "/orders/{id}"),
                    Rule.of("/orders", ("DELETE",), "/orders")])
SERVICES = {"POST /login": "accounts", "GET /orders/{id}": "orders", "DELETE /orders": "orders"}


def exchange(method: str, target: str, status: int, body: object, ms: float = 5.0, **headers: str) -> Recorded:
    answer = Answer(status, (("content-type", "application/json"),), json.dumps(body).encode())
    return Recorded(Request(method, target, tuple(headers.items())), answer, ms)


def run(token: str, when: str) -> list[Scenario]:
    return [Scenario("test_order", [
        exchange("POST", "/login", 200, {"token": token}),
        exchange("GET", "/orders/7", 200, {"id": 7, "items": [{"at": when}]}, authorization=f"Bearer {token}"),
        exchange("GET", "/orders/8", 404, {"error": "not found"}, authorization=f"Bearer {token}"),
        exchange("GET", "/static/app.css", 200, {}),
    ])]


def test_exchanges_map_to_routes_and_services_with_noise_and_bindings():
    contracts = build([run("tok-aaaaaa", "10:00"), run("tok-bbbbbb", "10:01")], TABLE, SERVICES)
    assert sorted(contracts) == ["accounts", "orders"]
    orders = contracts["orders"]
    (scenario,) = orders["scenarios"]
    assert scenario["stable"] is True
    assert [e["route"] for e in scenario["exchanges"]] == ["POST /login", "GET /orders/{id}", "GET /orders/{id}", "(unrouted)"]
    assert scenario["exchanges"][1]["volatile"] == ["$.items[0].at"]
    assert scenario["bindings"] == [{"name": "0:$.token", "used_by": [1, 2]}]
    assert ["authorization", "Bearer {{0:$.token}}"] in scenario["exchanges"][1]["request"]["headers"]
    route = orders["routes"]["GET /orders/{id}"]
    assert route["samples"] == 2 and route["statuses"] == [200, 404] and route["volatile"] == ["$.items[*].at"]
    assert route["schemas"]["200"]["required"] == ["id", "items"] and route["schemas"]["404"]["required"] == ["error"]
    assert orders["uncovered"] == ["DELETE /orders"] and orders["routes"]["DELETE /orders"] == {"samples": 0}


def test_a_scenario_that_sends_different_requests_in_each_run_is_unstable_and_kept_without_noise():
    second = run("tok-bbbbbb", "10:01")
    second[0].exchanges[1] = exchange("GET", "/orders/9", 200, {"id": 9, "items": []})
    scenario = build([run("tok-aaaaaa", "10:00"), second], TABLE, SERVICES)["orders"]["scenarios"][0]
    assert scenario["stable"] is False and all(e["volatile"] == [] for e in scenario["exchanges"])


def test_requests_that_differ_with_the_rows_their_test_made_are_kept_with_those_rows():
    """microblog-api's pagination test sends the timestamp of a post its setUp made: another run, another
    timestamp. With the rows it started from, the first run is whole and replays like a single recording."""
    first, second = run("tok-aaaaaa", "10:00"), run("tok-bbbbbb", "10:01")
    second[0].exchanges[1] = exchange("GET", "/orders/9", 200, {"id": 9, "items": []})
    rows = {"orders": [{"id": 7}]}
    first[0] = Scenario("test_order", first[0].exchanges, rows)
    second[0] = Scenario("test_order", second[0].exchanges, {"orders": [{"id": 9}]})
    scenario = build([first, second], TABLE, SERVICES)["orders"]["scenarios"][0]
    assert scenario["stable"] is True and scenario["data"] == rows
    assert [e["request"]["target"] for e in scenario["exchanges"]][:2] == ["/login", "/orders/7"]


def test_the_same_recordings_give_the_same_contracts_and_timings_stay_apart():
    runs = [run("tok-aaaaaa", "10:00"), run("tok-bbbbbb", "10:01")]
    assert json.dumps(build(runs, TABLE, SERVICES), sort_keys=True) == json.dumps(build(runs, TABLE, SERVICES), sort_keys=True)
    assert '"ms"' not in json.dumps(build(runs, TABLE, SERVICES)) and "p95_ms" not in json.dumps(build(runs, TABLE, SERVICES))
    assert latency(runs, TABLE)["GET /orders/{id}"] == {"p95_ms": 5.0, "samples": 4}


def test_a_random_multipart_boundary_is_replaced_by_a_fixed_one():
    body = b"--XyZ123\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nhi\r\n--XyZ123--\r\n"
    request = Request("POST", "/up", (("content-type", 'multipart/form-data; boundary="XyZ123"'),), body)
    fixed = _fixed_boundary(request)
    assert dict(fixed.headers)["content-type"] == f'multipart/form-data; boundary="{FIXED_BOUNDARY}"'
    assert fixed.body.count(f"--{FIXED_BOUNDARY}".encode()) == 2 and b"XyZ123" not in fixed.body


def test_one_recording_keeps_its_scenarios_replayable_with_noise_left_to_calibration():
    scenario = build([run("tok-aaaaaa", "10:00")], TABLE, SERVICES)["orders"]["scenarios"][0]
    assert scenario["stable"] is True and all(e["volatile"] == [] for e in scenario["exchanges"])
    assert scenario["bindings"] == [{"name": "0:$.token", "used_by": [1, 2]}]


def test_the_gateways_json_lines_read_as_the_recorders_json(tmp_path):
    one = {"request": {"method": "GET", "target": "/orders/7", "headers": [["accept", "*/*"]], "body": {"text": ""}},
           "answer": {"status": 200, "headers": [["content-type", "application/json"]], "body": {"text": "{}"}}, "ms": 2.0}
    two = {**one, "request": {**one["request"], "target": "/orders/8"}}
    (tmp_path / "suite.json").write_text(json.dumps({"format": 1, "scenarios": [{"name": "a", "exchanges": [one, two]},
                                                                                 {"name": "b", "exchanges": [one]}]}))
    (tmp_path / "gateway.jsonl").write_text("".join(json.dumps({"format": 1, "scenario": name, "exchange": e}) + "\n"
                                                    for name, e in (("a", one), ("b", one), ("a", two))))
    assert read_recording(tmp_path / "gateway.jsonl") == read_recording(tmp_path / "suite.json")


@pytest.mark.parametrize(("text", "message"), [("", "has no exchanges"), ('{"format": 1, "scenario": "a"}\n', "line 1")])
def test_a_broken_recording_is_a_clear_error(tmp_path, text, message):
    (tmp_path / "traffic.jsonl").write_text(text)
    with pytest.raises(UserError, match=message):
        read_recording(tmp_path / "traffic.jsonl")


def test_exchanges_on_a_route_planned_as_any_method_reach_its_service_and_cover_it():
    table = RouteTable([Rule.of("/health/", ("ANY",), "/health/")])
    scenario = Scenario("test_health", [exchange("GET", "/health/", 200, {"ok": True}),
                                        exchange("POST", "/health/", 200, {"ok": True})])
    contracts = build([[scenario]], table, {"ANY /health/": "health"})
    health = contracts["health"]
    assert [e["route"] for e in health["scenarios"][0]["exchanges"]] == ["ANY /health/", "ANY /health/"]
    assert health["uncovered"] == [] and health["routes"]["ANY /health/"]["samples"] == 2


@pytest.mark.parametrize(("host", "kept"), [("localhost:5000", True), ("api.example.com", True), ("localhost", False),
                                            ("testserver", False), ("test", False), ("127.0.0.1:80", False)])
def test_a_host_the_suite_configured_is_kept_and_a_test_clients_default_is_not(tmp_path, host, kept):
    """Flask's SERVER_NAME (microblog-api's 'localhost:5000'): on another Host every route answers 404."""
    raw = {"format": 1, "scenarios": [{"name": "t", "exchanges": [{
        "request": {"method": "GET", "target": "/api/me", "headers": [["host", host], ["user-agent", "werkzeug"]],
                    "body": {"text": ""}},
        "answer": {"status": 200, "headers": [], "body": {"text": "{}"}}, "ms": 1.0}]}]}
    (tmp_path / "r.json").write_text(json.dumps(raw))
    (scenario,) = read_recording(tmp_path / "r.json")
    assert scenario.exchanges[0].request.headers == ((("host", host),) if kept else ())


def test_a_scenario_whose_test_built_another_app_than_most_keeps_it(tmp_path):
    """microblog-api: 24 tests build create_app(TestConfig), 13 create_app(TestConfigWithAuth); the world is
    the first, and the others replay on the app their test built."""
    usual, other = "api:create_app(config_class=t.Plain)", "api:create_app(config_class=t.Auth)"
    answer = {"status": 200, "headers": [], "body": {"text": "{}"}}
    scenario = lambda name, app: {"name": name, "app": app, "exchanges": [  # noqa: E731
        {"request": {"method": "GET", "target": "/", "headers": [], "body": {"text": ""}}, "answer": answer, "ms": 1}]}
    raw = {"format": 1, "world": {"apps": [{"spec": other, "tests": 1}, {"spec": usual, "tests": 2}]},
           "scenarios": [scenario("a", usual), scenario("b", other), scenario("c", usual)]}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(raw))
    assert [s.app for s in read_recording(path)] == [None, other, None]
    contracts = build([read_recording(path)], RouteTable([Rule.of("/", ("GET",), "/")]), {"GET /": "home"})
    assert [s.get("app") for s in contracts["home"]["scenarios"]] == [None, other, None]


def test_a_request_into_a_mounted_tree_is_no_route_of_the_app():
    """`/admin/login/` would match a `/{language}/{slug}/` route; the admin mount keeps it off every route."""
    from decompose.contracts.build import UNROUTED, route_of
    from decompose.gateway.matching import MOUNTED

    table = RouteTable([Rule.of("/{language}/{slug}/", ("GET",), "/{language}/{slug}/"),
                        Rule.of("/admin/{path+}", ("ANY",), MOUNTED)])
    assert route_of(table, Request("GET", "/en/about/", ())) == "GET /{language}/{slug}/"
    assert route_of(table, Request("GET", "/admin/login/", ())) == UNROUTED
