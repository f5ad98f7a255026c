"""The gateway's security findings of issue #27 at the ASGI level, against fake upstreams (httpx's
MockTransport): the request is handed to the gateway exactly as a server parsed it (raw_path kept),
so no client library normalises the target first. The same findings over a real socket, with
malformed bytes no ASGI server would pass on, are in test_gateway_raw.py."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from decompose.errors import UserError
from decompose.gateway.proxy import Gateway
from decompose.gateway.table import Mode, read, sync
from decompose.gateway.target import Upstream
from decompose.gateway.transport import bare
from tests.gateway.test_proxy import NAMES, ROUTES, URLS, Upstreams, gateway, respond


async def send(app: Gateway, method: str, raw_path: bytes, headers=(), body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """One request through the gateway's ASGI interface, the target as the client sent it."""
    path, _, query = raw_path.partition(b"?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path.decode("latin-1"), "raw_path": raw_path, "query_string": query, "root_path": "",
             "headers": [(b"host", b"shop.example"), *[(k.lower(), v) for k, v in headers]],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8080)}
    sent = False
    status, answer_headers, content = 0, {}, bytearray()

    async def receive():
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)  # the client waits for its answer
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def reply(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            answer_headers.update({k.decode(): v.decode() for k, v in message["headers"]})
        elif message["type"] == "http.response.body":
            content.extend(message.get("body", b""))

    await app(scope, receive, reply)
    return status, answer_headers, bytes(content)


def run(app: Gateway, *args, **kw):
    async def go():
        found = await send(app, *args, **kw)
        await app.drain()
        return found
    return asyncio.run(go())


# ---- the open proxy ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", [b"@127.0.0.1:19001/x", b":19001/x", b".evil.example/x", b"http://127.0.0.1:19001/x",
                                    b"127.0.0.1:19001", b"*", b"evil.example/api/cart"])
def test_a_target_that_is_not_a_path_is_refused_and_reaches_no_upstream(tmp_path, target):
    app, fake = gateway(tmp_path, {"GET /api/cart": "service"})
    status, headers, body = run(app, "GET", target)
    assert status == 400 and headers["x-decompose-upstream"] == "gateway" and headers["connection"] == "close"
    assert "origin-form" in json.loads(body)["message"] and fake.seen == []


@pytest.mark.parametrize("target", [b"//127.0.0.1:19001/x", b"/@127.0.0.1:19001/x", b"//user:pw@evil.example/"])
def test_a_path_that_looks_like_an_authority_stays_a_path_on_the_configured_host(tmp_path, target):
    app, fake = gateway(tmp_path)
    status, _, _ = run(app, "GET", target)
    [(name, request)] = fake.seen
    assert status == 200 and name == "monolith" and (request.url.host, request.url.port) == ("127.0.0.1", 8000)
    assert request.url.raw_path == target and "authorization" not in request.headers


@pytest.mark.parametrize("url", ["http://user:secret@127.0.0.1:8000", "http://127.0.0.1:8000/?next=x", "ftp://127.0.0.1",
                                 "http://127.0.0.1:8000#frag"])
def test_an_upstream_url_with_credentials_or_not_a_base_url_is_a_clear_error(url):
    with pytest.raises(UserError) as raised:
        Upstream.parse("monolith", url)
    assert url in raised.value.what


def test_the_gateways_own_client_ignores_proxy_variables_and_netrc(tmp_path, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:9")
    (tmp_path / "netrc").write_text("machine 127.0.0.1 login user password secret\n")
    monkeypatch.setenv("NETRC", str(tmp_path / "netrc"))
    path = tmp_path / "routes.toml"
    sync(path, ROUTES)
    app = Gateway(read(path), URLS)
    assert app.client._trust_env is False and app.client._mounts == {}  # noqa: SLF001 (the one way to see it)
    request = app.client.build_request("GET", app.upstreams["monolith"].url("/x"))
    assert "authorization" not in request.headers


# ---- one path, matched and sent ----------------------------------------------------------------------------


@pytest.mark.parametrize(("target", "sent"), [(b"/x/../api/cart", b"/api/cart"), (b"/api/./cart", b"/api/cart"),
                                              (b"/api/%2E%2E/api/cart", b"/api/cart"), (b"/../../api/cart", b"/api/cart"),
                                              (b"/api/c%61rt", b"/api/cart")])
def test_the_route_is_matched_on_exactly_the_path_sent(tmp_path, target, sent):
    app, fake = gateway(tmp_path, {"GET /api/cart": "service"})
    status, headers, _ = run(app, "GET", target)
    [(name, request)] = fake.seen
    assert status == 200 and name == "cart" == headers["x-decompose-upstream"] and request.url.raw_path == sent


@pytest.mark.parametrize("target", [b"/api%2Fcart", b"/api%2fcart", b"/api%5Ccart", b"/api\\cart", b"/api/cart%00",
                                    b"/api/%zz"])
def test_a_path_servers_read_differently_is_refused(tmp_path, target):
    app, fake = gateway(tmp_path, {"GET /api/cart": "service"})
    status, headers, _ = run(app, "GET", target)
    assert status == 400 and headers["x-decompose-upstream"] == "gateway" and fake.seen == []


def test_an_overlong_target_is_414_and_overlong_headers_431(tmp_path):
    app, fake = gateway(tmp_path)
    assert run(app, "GET", b"/" + b"a" * 20000)[0] == 414
    assert run(app, "GET", b"/", headers=[(b"x-big", b"v" * 70000)])[0] == 431
    assert fake.seen == []


# ---- heads and bodies --------------------------------------------------------------------------------------


def test_smuggling_heads_are_refused(tmp_path):
    app, fake = gateway(tmp_path)
    both = [(b"content-length", b"3"), (b"transfer-encoding", b"chunked")]
    twice = [(b"content-length", b"3"), (b"content-length", b"4")]
    assert run(app, "POST", b"/api/cart/items", headers=both, body=b"abc")[0] == 400
    assert run(app, "POST", b"/api/cart/items", headers=twice, body=b"abc")[0] == 400
    assert run(app, "POST", b"/api/cart/items", headers=[(b"content-length", b"x")], body=b"abc")[0] == 400
    assert fake.seen == []


def test_headers_named_in_connection_are_dropped_both_ways(tmp_path):
    answer = {("cart", "/api/cart"): lambda: respond(200, {"ok": 1}, headers=[("connection", "x-internal"), ("x-internal", "1"),
                                                                              ("x-kept", "2")])}
    app, fake = gateway(tmp_path, {"GET /api/cart": "service"}, Upstreams(answers=answer))
    _, headers, _ = run(app, "GET", b"/api/cart", headers=[(b"connection", b"x-secret, keep-alive"), (b"x-secret", b"token"),
                                                           (b"x-other", b"kept")])
    [(_, request)] = fake.seen
    assert "x-secret" not in request.headers and request.headers["x-other"] == "kept"  # (httpx adds its own Connection)
    assert "x-internal" not in headers and headers["x-kept"] == "2"


def test_a_body_over_max_body_mb_is_413_before_any_upstream_is_asked(tmp_path):
    app, fake = gateway(tmp_path, {"POST /api/cart/items": "service"}, settings="max_body_mb = 0.001")  # 1048 bytes
    over = b"x" * 2000
    status, headers, _ = run(app, "POST", b"/api/cart/items", headers=[(b"content-length", str(len(over)).encode())], body=over)
    assert status == 413 and headers["x-decompose-upstream"] == "gateway" and fake.seen == []
    within = b"x" * 1000
    assert run(app, "POST", b"/api/cart/items", headers=[(b"content-length", b"1000")], body=within)[0] == 200


@pytest.mark.parametrize("value", ["0", "-1", '"big"', "true", "20000"])
def test_max_body_mb_must_be_a_sensible_number(tmp_path, value):
    with pytest.raises(UserError) as raised:
        gateway(tmp_path, settings=f"max_body_mb = {value}")
    assert "gateway.max_body_mb" in raised.value.what


# ---- shadow --------------------------------------------------------------------------------------------------


class Ordered:
    """Fake upstreams that note when each request arrives and is answered: the monolith after a round
    trip's 20 ms, the owner after `slow_s`."""

    def __init__(self, slow_s: float = 0.3) -> None:
        self.slow_s, self.events = slow_s, []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        name = NAMES[request.url.port]
        what = f"{name} {request.method} {request.url.path}"
        self.events.append(f"{what} asked")
        await asyncio.sleep(0.02 if name == "monolith" else self.slow_s)
        self.events.append(f"{what} answered")
        return respond(200, {"by": name})


def test_a_mirrored_read_is_answered_before_the_clients_next_write_is_forwarded(tmp_path):
    fake = Ordered()
    app, _ = gateway(tmp_path, {"GET /api/cart": "shadow"}, fake)

    async def client():
        first = await send(app, "GET", b"/api/cart")
        second = await send(app, "POST", b"/api/cart/items", headers=[(b"content-length", b"2")], body=b"{}")
        await app.drain()
        return first, second

    first, second = asyncio.run(client())
    assert json.loads(first[2]) == {"by": "monolith"} and first[0] == second[0] == 200
    events = fake.events
    assert events.index("cart GET /api/cart asked") < events.index("monolith GET /api/cart answered")  # sent together
    assert events.index("cart GET /api/cart answered") < events.index("monolith POST /api/cart/items asked")
    assert app.stats.compared == {"GET /api/cart": 1}


def test_a_read_never_waits_for_mirrors(tmp_path):
    fake = Ordered(slow_s=0.5)
    app, _ = gateway(tmp_path, {"GET /api/cart": "shadow"}, fake)

    async def client():
        await send(app, "GET", b"/api/cart")
        await send(app, "GET", b"/")
        events = list(fake.events)
        await app.drain()
        return events

    events = asyncio.run(client())
    assert "monolith GET / answered" in events and "cart GET /api/cart answered" not in events


@pytest.mark.parametrize(("method", "mirrored"), [("GET", True), ("PUT", True), ("DELETE", True), ("POST", False),
                                                  ("PATCH", False)])
def test_only_idempotent_methods_are_mirrored_whatever_the_table_says(tmp_path, method, mirrored):
    settings = 'services_database = "separate"\nshadow_methods = ["GET", "PUT", "DELETE", "POST", "PATCH"]'
    app, fake = gateway(tmp_path, {f"{method} /api/cart": "shadow"}, settings=settings, routes={f"{method} /api/cart": "cart"})
    assert run(app, method, b"/api/cart", headers=[(b"content-length", b"2")], body=b"{}")[0] == 200
    assert [name for name, _ in fake.seen] == (["monolith", "cart"] if mirrored else ["monolith"])
