"""Recordings -> contracts/<service>.json: each recorded exchange mapped to its route (through the
analysis) and to the service that will own it (through the plan), with its noise, its bindings, and an
inferred JSON Schema per route and status. The same recordings give the same bytes; timings, which
differ on every run, go to a separate file (`latency`).

A scenario is one test of the monolith's suite: all of its exchanges are kept, in order, in the
contract of every service whose routes it touches (the other exchanges are the setup it needs).
Two recordings of the same suite give the noise (compare.volatile); a scenario whose requests
differ between the two runs is marked unstable and kept without noise. With one recording (`--runs 1`,
or live traffic from the gateway) scenarios are stable and their noise comes from calibration alone.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from decompose.contracts import masking
from decompose.contracts.binding import Request, bind
from decompose.contracts.compare import HEADERS_THAT_MATTER, Answer, Exchange, json_body, volatile
from decompose.contracts.recorder import decode_body, encode_body
from decompose.contracts.schema import infer
from decompose.artefacts import CONTRACT, read_json
from decompose.errors import UserError
from decompose.gateway.matching import MOUNTED, RouteTable

UNROUTED = "(unrouted)"
TRANSPORT = {"user-agent", "content-length", "accept-encoding", "connection"}
# What test clients put in Host when the suite names none: no information, the replay's own host stands in.
# Any other Host is the app's configuration speaking (Flask's SERVER_NAME, a subdomain route, Django's
# ALLOWED_HOSTS): the app answers 404 or 400 to another one, so it is kept and sent on replay.
DEFAULT_HOSTS = {"localhost", "testserver", "testclient", "test", "127.0.0.1"}
INDEX = re.compile(r"\[\d+\]")
BOUNDARY = re.compile(r'boundary=("([^"]+)"|([^;\s]+))')
FIXED_BOUNDARY = "decompose-recorded-boundary"


@dataclass(frozen=True)
class Recorded:
    request: Request
    answer: Answer
    ms: float
    data: dict[str, list[dict[str, Any]]] | None = None  # rows the test added since its last request (startdata)


@dataclass(frozen=True)
class Scenario:
    name: str
    exchanges: list[Recorded]
    data: dict[str, list[dict[str, Any]]] | None = None  # the rows its test left before its first request (startdata)
    app: str | None = None  # the app its test built, when not the one most tests reached (the world's)


def read_recording(path: Path) -> list[Scenario]:
    """A recording: the recorder's JSON ({"format", "scenarios"}) or the gateway's JSON lines
    ({"format", "scenario", "exchange"} per line, grouped into scenarios in the order they started)."""
    try:
        text = path.read_text(encoding="utf-8")
        try:
            raw = json.loads(text)
        except ValueError:
            raw = None
        if not isinstance(raw, dict) or "scenarios" not in raw:
            raw = _from_lines(text)
        usual = _usual_app(raw.get("world"))
        found = [Scenario(s["name"], [_recorded(e) for e in s["exchanges"]], s.get("data"),
                          s["app"] if s.get("app") not in (None, usual) else None) for s in raw["scenarios"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{path}: not a decompose recording ({type(exc).__name__}: {exc})",
                        "record again ('decompose contracts record', or 'decompose gateway serve --record')") from None
    if not found:
        raise UserError(f"{path}: the recording has no exchanges", "send traffic through the recording gateway first")
    return found


def _usual_app(world: Any) -> str | None:
    """The app most of the suite's tests reached (what [contracts] app is inferred as: inferred.infer)."""
    apps = [a for a in (world or {}).get("apps", []) if isinstance(a, dict) and isinstance(a.get("spec"), str)]
    return min(apps, key=lambda a: (-int(a.get("tests", 0)), a["spec"]))["spec"] if apps else None


def _from_lines(text: str) -> dict[str, Any]:
    scenarios: dict[str, list[dict[str, Any]]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                item = json.loads(line)
                scenarios.setdefault(item["scenario"], []).append(item["exchange"])
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"line {number}: {exc}") from None
    return {"scenarios": [{"name": name, "exchanges": exchanges} for name, exchanges in scenarios.items()]}


def _recorded(raw: dict[str, Any]) -> Recorded:
    request, answer = raw["request"], raw["answer"]
    sent = Request(request["method"], request["target"],
                   tuple((k, v) for k, v in request["headers"] if k not in TRANSPORT and not _default_host(k, v)),
                   decode_body(request["body"]))
    return Recorded(_fixed_boundary(sent),
                    Answer(answer["status"], tuple((k, v) for k, v in answer["headers"]), decode_body(answer["body"])),
                    float(raw.get("ms", 0.0)), raw.get("data") or None)


def _default_host(name: str, value: str) -> bool:
    if name != "host":
        return False
    host, _, port = value.rpartition(":") if value.count(":") == 1 else (value, "", "")
    return host.lower() in DEFAULT_HOSTS and port in ("", "80", "443")


def _fixed_boundary(request: Request) -> Request:
    """Test clients pick a random multipart boundary per request; one fixed boundary keeps the
    same upload byte-identical from one recording to the next (and means the same to the server)."""
    kind = dict(request.headers).get("content-type", "")
    found = BOUNDARY.search(kind)
    if not kind.startswith("multipart/") or found is None:
        return request
    old = found.group(2) or found.group(3)
    headers = tuple((k, v.replace(old, FIXED_BOUNDARY) if k == "content-type" else v) for k, v in request.headers)
    body = request.body.replace(b"--" + old.encode("latin-1"), b"--" + FIXED_BOUNDARY.encode("latin-1"))
    return Request(request.method, request.target, headers, body)


def build(runs: list[list[Scenario]], table: RouteTable, services: dict[str, str],
          world: dict[str, dict[str, Any]] | None = None,
          secrets: dict[str, dict[str, str]] | None = None) -> dict[str, dict[str, Any]]:
    """services: "METHOD /template" -> owning service; world: scenario name -> calibration (see
    calibrate.py: extra noise per exchange, or why it is not replayable); secrets: filled with the values
    masked out of each scenario's starting data (decompose.contracts.masking). Returns service -> contract."""
    second = {s.name: s for s in runs[1]} if len(runs) > 1 else {}
    per_service: dict[str, list[dict[str, Any]]] = {}
    by_route: dict[str, list[tuple[Recorded, set[str]]]] = {}
    for scenario in runs[0]:
        document, touched = _scenario(scenario, second.get(scenario.name), table, services, by_route,
                                      (world or {}).get(scenario.name))
        document, found = masking.mask_scenario(document)
        if found and secrets is not None:
            secrets[scenario.name] = found
        for service in sorted(touched):
            per_service.setdefault(service, []).append(document)
    owners: dict[str, list[str]] = {}
    for route, service in sorted(services.items()):
        owners.setdefault(service, []).append(route)
    return {service: _contract(service, owners.get(service, []), per_service.get(service, []), by_route)
            for service in sorted(set(owners) | set(per_service))}


def _scenario(scenario: Scenario, again: Scenario | None, table: RouteTable, services: dict[str, str],
              by_route: dict, calibration: dict[str, Any] | None) -> tuple[dict[str, Any], set[str]]:
    exchanges = [Exchange(r.request.method, r.request.target, r.answer) for r in scenario.exchanges]
    # one recording: nothing says the scenario is unstable (its noise then comes from calibration alone)
    same = again is None or [(r.request.method, r.request.target) for r in again.exchanges] == \
        [(r.request.method, r.request.target) for r in scenario.exchanges]
    # requests that differ between runs because the rows differ (a timestamp or a token the test read from
    # its own factory-made rows): with its starting data the first run is whole, requests and rows alike,
    # and is kept like a single recording (calibration then says whether it replays)
    stable = same or scenario.data is not None
    noise = volatile(exchanges, [Exchange(r.request.method, r.request.target, r.answer) for r in again.exchanges]) \
        if same and again is not None else [set() for _ in exchanges]
    if calibration and calibration["replayable"]:
        noise = [mine | set(world) for mine, world in zip(noise, calibration["noise"])]
    templates, bindings = bind([r.request for r in scenario.exchanges], [r.answer for r in scenario.exchanges], noise)
    touched: set[str] = set()
    steps = []
    for recorded, template, fields_noise in zip(scenario.exchanges, templates, noise):
        route = planned_route(route_of(table, recorded.request), services)
        service = services.get(route, UNROUTED)
        touched.add(service)
        by_route.setdefault(route, []).append((recorded, fields_noise))
        steps.append({"route": route, "service": service, "request": _request(template),
                      "answer": _answer(recorded.answer), "volatile": sorted(fields_noise),
                      **({"data": recorded.data} if recorded.data else {})})
    touched.discard(UNROUTED)
    document = {"name": scenario.name, "stable": stable, "exchanges": steps,
                "bindings": [{"name": b.name, "used_by": list(b.used_by)} for b in bindings]}
    if scenario.data is not None:
        document["data"] = scenario.data
    if scenario.app is not None:
        document["app"] = scenario.app
    if calibration is not None:
        document["replayable"] = calibration["replayable"]
        if not calibration["replayable"]:
            document["why"] = calibration["why"]
    return document, touched


def route_of(table: RouteTable, request: Request) -> str:
    """"METHOD /template" of the analysed route the request hits, or UNROUTED."""
    rule = table.match(request.method, request.target)
    return f"{request.method} {rule.template}" if rule and rule.target != MOUNTED else UNROUTED


def planned_route(route: str, services: dict[str, str]) -> str:
    """The plan's name for a matched route: "ANY /t" when the plan lists the view that answers any
    method (a Django function view) that way, so its exchanges reach its service and cover it."""
    if route in services or route == UNROUTED:
        return route
    any_method = f"ANY {route.split(' ', 1)[1]}"
    return any_method if any_method in services else route


def _request(request: Request) -> dict[str, Any]:
    return {"method": request.method, "target": request.target, "headers": [list(h) for h in request.headers],
            "body": encode_body(request.body)}


def _answer(answer: Answer) -> dict[str, Any]:
    kept = [[k, v] for k, v in answer.headers if k in HEADERS_THAT_MATTER or k == "set-cookie"]
    return {"status": answer.status, "headers": kept, "body": encode_body(answer.body)}


def _contract(service: str, routes: list[str], scenarios: list[dict[str, Any]], by_route: dict) -> dict[str, Any]:
    documented = {}
    for route in routes:
        samples = by_route.get(route, [])
        documented[route] = _route(samples) if samples else {"samples": 0}
    return {"schema_version": CONTRACT.version, "service": service, "routes": documented,
            "uncovered": [r for r in routes if not by_route.get(r)], "scenarios": scenarios}


def _route(samples: list[tuple[Recorded, set[str]]]) -> dict[str, Any]:
    bodies: dict[str, list[Any]] = {}
    for recorded, _ in samples:
        parsed = json_body(recorded.answer)
        if parsed is not None:
            bodies.setdefault(str(recorded.answer.status), []).append(parsed)
    noisy = sorted({INDEX.sub("[*]", field) for _, fields in samples for field in fields})
    return {"samples": len(samples), "statuses": sorted({r.answer.status for r, _ in samples}),
            "schemas": {status: infer(examples) for status, examples in sorted(bodies.items())},
            "volatile": noisy}


def latency(runs: list[list[Scenario]], table: RouteTable) -> dict[str, dict[str, float]]:
    """Per route, the monolith's measured p95 and sample count over every run. Kept apart from the
    contracts (in .decompose/latency.json): timings differ on every run, contracts must not."""
    samples: dict[str, list[float]] = {}
    for run in runs:
        for scenario in run:
            for recorded in scenario.exchanges:
                samples.setdefault(route_of(table, recorded.request), []).append(recorded.ms)
    return {route: {"p95_ms": round(percentile(sorted(values), 95), 3), "samples": len(values)}
            for route, values in sorted(samples.items())}


def percentile(values: list[float], percent: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not values:
        return 0.0
    rank = max(1, math.ceil(percent / 100 * len(values)))
    return values[rank - 1]


def read_contract(path: Path, planned: set[str] | None = None) -> dict[str, Any]:
    """contracts/<service>.json checked against its schema (decompose.artefacts), and written for the
    service its name says (and, given the plan's services, for one of them): a contract copied under
    another name, or kept from an older plan, would hold the wrong service to it."""
    contract = read_json(path, CONTRACT)
    service = contract["service"]
    if service != path.stem:
        raise UserError(f"{path}: $.service: {service!r} is not this file's service ({path.stem!r})",
                        f"{CONTRACT.remedy}, or rename the file to {service}.json; the file was left as it is")
    if planned is not None and service not in planned:
        raise UserError(f"{path}: $.service: {service!r} is not a service of the plan",
                        f"{CONTRACT.remedy} for this plan, or move the file out of the contracts folder")
    return contract


def write_contracts(contracts: dict[str, dict[str, Any]], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for service, contract in contracts.items():
        path = out / f"{service}.json"
        path.write_text(json.dumps(contract, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


SUITE = '''"""Service {service}'s contract as pytest tests: each scenario recorded from the monolith, then each route's SLA.

Generated by decompose contracts record; run it with 'decompose contracts verify', or in CI:
    pytest {folder}/test_{module}.py --decompose-target=monolith|URL|fleet:FILE.json --junitxml=contracts.xml
"""
from decompose.contracts.plugin import contract_tests

contract_tests(globals(), "{service}.json")
'''


def write_suites(contracts: dict[str, dict[str, Any]], out: Path) -> list[Path]:
    """contracts/test_<service>.py beside each contract: the generated pytest module."""
    written = []
    for service in contracts:
        path = suite_path(out, service)
        path.write_text(SUITE.format(service=service, module=path.stem.removeprefix("test_"), folder=out.name),
                        encoding="utf-8")
        written.append(path)
    return written


def suite_path(out: Path, service: str) -> Path:
    return out / f"test_{re.sub(r'[^0-9A-Za-z_]', '_', service)}.py"
