"""The gateway's routing, failure answers, canary and shadow, against fake upstreams (httpx's
MockTransport answering as the monolith on :8000 and the services on :8001 and :8002)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from decompose.contracts.build import read_recording
from decompose.contracts.replay import matcher
from decompose.gateway.proxy import BODY_LIMIT, Gateway
from decompose.gateway.table import Mode, read, sync
from decompose.gateway.transport import bare

ROUTES = {"GET /api/cart": "cart", "POST /api/cart/items": "cart", "GET /api/orders/{order_id}": "orders",
          "GET /api/orders/checkout": "orders", "GET /": "monolith"}
URLS = {"cart": "http://127.0.0.1:8001", "orders": "http://127.0.0.1:8002"}
NAMES = {8000: "monolith", 8001: "cart", 8002: "orders"}


class Chunks(httpx.AsyncByteStream):
    """A body that arrives in pieces, as from a socket (a Response built with content= is read already)."""

    def __init__(self, data: bytes, size: int = 65536) -> None:
        self.data, self.size = data, size

    async def __aiter__(self):
        for start in range(0, len(self.data), self.size):
            yield self.data[start:start + self.size]


def respond(status: int, body=None, content: bytes = b"", headers=()) -> httpx.Response:
    if body is not None:
        content, headers = json.dumps(body).encode(), [("content-type", "application/json"), *headers]
    return httpx.Response(status, headers=[("content-length", str(len(content))), *headers], stream=Chunks(content))


class Upstreams:
    """Fake upstreams: answer with who they are and what they got; `down` ones refuse, `slow` ones time out."""

    def __init__(self, down=(), slow=(), answers=None):
        self.down, self.slow, self.answers, self.seen = set(down), set(slow), answers or {}, []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        name = NAMES[request.url.port]
        self.seen.append((name, request))
        if name in self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if name in self.slow:
            raise httpx.ReadTimeout("timed out", request=request)
        if (name, request.url.path) in self.answers:
            return self.answers[(name, request.url.path)]()
        body = {"by": name, "path": request.url.raw_path.decode(), "host": request.headers.get("host"),
                "te": request.headers.get("te"), "accept-encoding": request.headers.get("accept-encoding"), "body": request.read().decode()}
        return respond(200, body, headers=[("set-cookie", "a=1"), ("set-cookie", "b=2")])


def gateway(tmp_path, modes=None, upstreams=None, settings=None, routes=ROUTES, **kw):
    path = tmp_path / "routes.toml"
    tmp_path.mkdir(parents=True, exist_ok=True)
    sync(path, routes)
    if settings:  # these lines replace the defaults init wrote for the same keys
        keys = {line.split("=")[0].strip() for line in settings.splitlines()}
        kept = [line for line in path.read_text().splitlines() if line.split("=")[0].strip() not in keys]
        path.write_text("\n".join(kept).replace("[gateway]", "[gateway]\n" + settings) + "\n")
    table = read(path)
    for route, mode in (modes or {}).items():
        table.set_mode([route], Mode.parse(mode))
    fake = upstreams or Upstreams()
    client = bare(httpx.AsyncClient(transport=httpx.MockTransport(fake)))
    return Gateway(table, URLS, client=client, shadow_log=tmp_path / "shadow.jsonl", **kw), fake


def call(app, method, target, **kw):
    async def go():
        async with bare(httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop.example")) as client:
            response = await client.request(method, target, **kw)
            await app.drain()
            return response
    return asyncio.run(go())


def test_each_route_goes_to_its_modes_upstream_and_the_rest_to_the_monolith(tmp_path):
    app, _ = gateway(tmp_path, {"GET /api/cart": "service", "GET /api/orders/checkout": "service"})
    assert call(app, "GET", "/api/cart").json()["by"] == "cart"
    assert call(app, "GET", "/api/orders/checkout").json()["by"] == "orders"  # the literal beats {order_id}
    assert call(app, "GET", "/api/orders/7").json()["by"] == "monolith"  # monolith mode
    assert call(app, "POST", "/api/cart").json()["by"] == "monolith"  # no such route: the monolith's 404/405 to give
    answer = call(app, "GET", "/not/a/route")
    assert answer.json()["by"] == "monolith" and answer.headers["x-decompose-upstream"] == "monolith"


def test_requests_and_answers_pass_unchanged_but_for_hop_by_hop_headers(tmp_path):
    app, _ = gateway(tmp_path, {"POST /api/cart/items": "service"})
    answer = call(app, "POST", "/api/cart/items?b=2&a=%20x", content=b'{"id": 3}',
                  headers={"content-type": "application/json", "te": "trailers"})
    got = answer.json()
    assert got["path"] == "/api/cart/items?b=2&a=%20x" and got["body"] == '{"id": 3}' and got["host"] == "shop.example"
    assert got["te"] is None and got["accept-encoding"] is None  # hop-by-hop, and no header the client did not send
    assert answer.headers.get_list("set-cookie") == ["a=1", "b=2"] and answer.headers["x-decompose-upstream"] == "cart"


def test_a_cookie_one_client_was_given_never_reaches_another_clients_request(tmp_path):
    """The gateway's own client keeps no cookie jar: before, the session an upstream set for one client went
    with the next request that carried no Cookie of its own (a replayed login then found an old session)."""
    app, fake = gateway(tmp_path, {"GET /api/cart": "service"})
    call(app, "GET", "/api/cart")  # answered with Set-Cookie a=1, b=2
    call(app, "GET", "/api/cart")
    call(app, "GET", "/api/cart", headers={"cookie": "mine=1"})
    assert [request.headers.get("cookie") for _, request in fake.seen] == [None, None, "mine=1"]


def test_a_service_down_answers_502_one_too_slow_504_and_fallback_asks_the_monolith(tmp_path):
    app, _ = gateway(tmp_path, {"GET /api/cart": "service", "GET /api/orders/checkout": "service"},
                     Upstreams(down={"cart"}, slow={"orders"}))
    down = call(app, "GET", "/api/cart")
    assert down.status_code == 502 and down.json() == {"message": "cart could not be reached (ConnectError)", "upstream": "cart"}
    slow = call(app, "GET", "/api/orders/checkout")
    assert slow.status_code == 504 and "orders did not answer in time" in slow.json()["message"]
    kind, _ = gateway(tmp_path / "f", {"POST /api/cart/items": "service"}, Upstreams(down={"cart"}), settings="fallback = true")
    answer = call(kind, "POST", "/api/cart/items", content=b"payload")
    assert answer.status_code == 200 and answer.json()["by"] == "monolith" and answer.json()["body"] == "payload"
    late, fake = gateway(tmp_path / "g", {"POST /api/cart/items": "service"}, Upstreams(slow={"cart"}), settings="fallback = true")
    assert call(late, "POST", "/api/cart/items", content=b"payload").status_code == 504  # cart may have written: no second try
    assert [name for name, _ in fake.seen] == ["cart"]


def test_canary_is_sticky_per_client_with_a_cookie_and_drawn_without(tmp_path):
    app, _ = gateway(tmp_path / "s", {"GET /api/cart": "canary:50"}, settings='sticky = "cookie:session"\nfallback = false',
                     draw=lambda: 0.99)
    sides = {}
    for client in range(40):
        seen = {call(app, "GET", "/api/cart", headers={"cookie": f"session=s{client}"}).json()["by"] for _ in range(2)}
        assert len(seen) == 1  # the same client, the same side
        sides[client] = seen.pop()
    assert 8 < sum(1 for s in sides.values() if s == "cart") < 32  # about half
    assert call(app, "GET", "/api/cart").json()["by"] == "monolith"  # no cookie: drawn (0.99 -> 99 >= 50)
    low, _ = gateway(tmp_path, {"GET /api/cart": "canary:50"}, draw=lambda: 0.1)
    assert call(low, "GET", "/api/cart").json()["by"] == "cart"


def test_shadow_answers_from_the_monolith_and_logs_the_services_differences(tmp_path):
    wrong = Upstreams(answers={
        ("monolith", "/api/cart"): lambda: respond(200, {"items": [], "total": 0, "at": "10:00"}),
        ("cart", "/api/cart"): lambda: respond(200, {"items": [], "sum": 0, "at": "10:01"}),
    })
    app, fake = gateway(tmp_path, {"GET /api/cart": "shadow", "POST /api/cart/items": "shadow"}, wrong,
                        noise={"GET /api/cart": matcher(set(), {"$.at"})})
    answer = call(app, "GET", "/api/cart")
    assert answer.json() == {"items": [], "total": 0, "at": "10:00"} and answer.headers["x-decompose-upstream"] == "monolith"
    assert call(app, "POST", "/api/cart/items", content=b"{}").json()["by"] == "monolith"
    assert [name for name, _ in fake.seen] == ["monolith", "cart", "monolith"]  # the POST is not mirrored
    [record] = [json.loads(line) for line in (tmp_path / "shadow.jsonl").read_text().splitlines()]
    assert record["route"] == "GET /api/cart" and record["monolith"]["status"] == record["service"]["status"] == 200
    assert record["differences"] == ["$: monolith an object with keys at, items, total, service an object with keys at, items, sum",
                                     "$.sum: monolith (absent), service 0", "$.total: monolith 0, service (absent)"]
    assert app.stats.compared == {"GET /api/cart": 1} and app.stats.differing == {"GET /api/cart": 1}


def test_a_shadow_service_that_is_down_never_touches_the_clients_answer(tmp_path):
    app, _ = gateway(tmp_path, {"GET /api/cart": "shadow"}, Upstreams(down={"cart"}))
    answer = call(app, "GET", "/api/cart")
    assert answer.status_code == 200 and answer.json()["by"] == "monolith"
    [record] = [json.loads(line) for line in (tmp_path / "shadow.jsonl").read_text().splitlines()]
    assert record["service"] == {"error": "ConnectError: connection refused"} and app.stats.failed == {"GET /api/cart": 1}


@pytest.mark.parametrize("big", [False, True])
def test_large_answers_stream_through_and_are_not_compared_beyond_the_limit(tmp_path, big):
    size = (1 << 20) + 10 if big else 1000
    body = b"x" * size
    upstreams = Upstreams(answers={(name, "/api/cart"): lambda: respond(200, content=body) for name in ("monolith", "cart")})
    app, _ = gateway(tmp_path, {"GET /api/cart": "shadow"}, upstreams)
    assert call(app, "GET", "/api/cart").content == body
    [record] = [json.loads(line) for line in (tmp_path / "shadow.jsonl").read_text().splitlines()]
    assert record["differences"] == [] and ("note" in record) == big


def test_recording_appends_each_exchange_in_the_contracts_format_grouped_into_scenarios(tmp_path):
    record = tmp_path / "traffic.jsonl"
    big = {("monolith", "/big"): lambda: respond(200, content=b"x" * (BODY_LIMIT + 10))}
    app, _ = gateway(tmp_path, {"GET /api/cart": "service"}, Upstreams(answers=big), record=record)
    flow = {"x-decompose-scenario": "checkout flow"}
    call(app, "POST", "/api/cart/items?x=1", content=b'{"id": 3}', headers={**flow, "content-type": "application/json"})
    call(app, "GET", "/api/cart", headers=flow)
    call(app, "GET", "/api/orders/7")
    assert call(app, "GET", "/big").status_code == 200 and app.recorded.too_large == 1  # passed through, not kept
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert [(x["scenario"], x["upstream"], x["exchange"]["request"]["target"]) for x in lines] == [
        ("checkout flow", "monolith", "/api/cart/items?x=1"), ("checkout flow", "cart", "/api/cart"),
        ("client 127.0.0.1", "monolith", "/api/orders/7")]
    first = lines[0]["exchange"]
    assert first["request"]["body"] == {"text": '{"id": 3}'} and first["answer"]["status"] == 200
    assert ["set-cookie", "a=1"] in first["answer"]["headers"] and "x-decompose-scenario" not in dict(first["request"]["headers"])
    scenarios = read_recording(record)
    assert [(s.name, len(s.exchanges)) for s in scenarios] == [("checkout flow", 2), ("client 127.0.0.1", 1)]
    assert json.loads(scenarios[0].exchanges[1].answer.body)["by"] == "cart"


class Overlapping:
    """Fake upstreams that take a moment to answer a reset, noting the most resets in flight at once."""

    def __init__(self) -> None:
        self.flying, self.most, self.order = 0, 0, []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.flying += 1
        self.most = max(self.most, self.flying)
        await asyncio.sleep(0.05)
        self.flying -= 1
        self.order.append(NAMES[request.url.port])
        return respond(200, {"skipped": []})


@pytest.mark.parametrize(("body", "most"), [({"env": {}, "hooks": []}, 2), ({"data": {"users": []}, "replace": True}, 1)])
def test_a_reset_reaches_the_monolith_first_and_the_services_together_unless_it_carries_rows(tmp_path, monkeypatch, body, most):
    """A scenario's rows go to one process after the other: each leaves the tables it knows holding
    exactly those rows, and on a database they share (the template's PostgreSQL) two at once would not."""
    monkeypatch.setenv("DECOMPOSE_CONTRACT_RESET", "1")
    fake = Overlapping()
    app, _ = gateway(tmp_path, upstreams=fake)
    assert call(app, "POST", "/_decompose/reset", json=body).status_code == 200
    assert fake.order[0] == "monolith" and sorted(fake.order[1:]) == ["cart", "orders"] and fake.most == most
