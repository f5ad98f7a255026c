"""The bridges end to end: a tiny Flask app and a tiny FastAPI app, each behind a tiny Chalice app with
one route per template, called through chalice.test.Client, chalice's in-process LocalGateway and a
real `chalice local` HTTP server, and compared with what the framework's own test client returns.

No `from __future__ import annotations` here: FastAPI reads the view annotations at definition time.
"""

import base64
import http.client
import importlib.util
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import flask
import pytest
from chalice import Chalice
from chalice.app import Request
from chalice.config import Config
from chalice.deploy.swagger import CFNSwaggerGenerator
from chalice.deploy.validate import validate_route_content_types
from chalice.local import (
    LambdaContext,
    LambdaEventConverter,
    LocalGateway,
    RouteMatcher,
    create_local_server,
)
from chalice.test import Client

from decompose.generation.runtime.bridge import (
    ANY_CONTENT_TYPE,
    BINARY_TYPES,
    AsgiBridge,
    StandInLambdaContext,
    WsgiBridge,
    chalice_response,
    configure,
    proxy_event,
)

HAVE_FASTAPI = all(importlib.util.find_spec(name) for name in ("fastapi", "python_multipart")) and any(
    importlib.util.find_spec(name) for name in ("httpx", "httpx2")
)
needs_fastapi = pytest.mark.skipif(
    not HAVE_FASTAPI,
    reason="the ASGI bridge tests need fastapi, httpx or httpx2 (its TestClient) and python-multipart (form "
    "parsing): pip install fastapi httpx python-multipart",
)
FRAMEWORKS = [pytest.param("flask", id="flask"), pytest.param("fastapi", id="fastapi", marks=needs_fastapi)]
TRANSPORTS = ["test_client", "local_gateway", "http_server"]

ROUTES = {  # one Chalice route per monolith route template, as `decompose generate` writes them
    "/": ["GET"],
    "/echo": ["GET", "POST", "PUT", "PATCH", "DELETE"],
    "/items/{item_id}": ["GET", "PUT"],
    "/cookies": ["GET"],
    "/binary": ["GET"],
    "/status/{code}": ["GET"],
    "/redirect": ["GET"],
}
ALL_BYTES = bytes(range(256))
HOME = "<!doctype html>\n<title>Monolith</title>\n<h1>Grüße aus dem Monolithen</h1>\n"
LATIN1_PAGE = "<p>Grüße, naïve café</p>".encode("iso-8859-1")  # not UTF-8: must not be decoded as text
ITEM_PATH = "/items/caf%C3%A9%20au%20lait"  # the path parameter "café au lait", percent-encoded on the wire
BOUNDARY = "----bridge-test-boundary"
MULTIPART = (
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="title"\r\n\r\n'
    "Grüße\r\n"
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="upload"; filename="blob.bin"\r\n'
    "Content-Type: application/octet-stream\r\n\r\n"
).encode() + ALL_BYTES + f"\r\n--{BOUNDARY}--\r\n".encode()


# -- the monolith: the same tiny app in Flask and in FastAPI -------------------------------------------


def make_flask_app() -> flask.Flask:
    app = flask.Flask("monolith_flask")

    @app.route("/", methods=["GET"])
    def home() -> flask.Response:
        return flask.Response(HOME, mimetype="text/html")

    @app.route("/echo", methods=ROUTES["/echo"])
    def echo() -> flask.Response:
        request = flask.request
        body = request.get_data(cache=True, parse_form_data=False)
        context = request.environ.get("apig_wsgi.context")
        return flask.jsonify(
            method=request.method,
            path=request.path,
            query=[[k, v] for k, v in request.args.items(multi=True)],
            headers=[[k.lower(), v] for k, v in request.headers.items()],
            body=body.hex(),
            form=[[k, v] for k, v in request.form.items(multi=True)],
            files=[[k, f.filename, f.content_type, f.read().hex()] for k, f in request.files.items(multi=True)],
            lambda_function=getattr(context, "function_name", None),
        )

    @app.route("/items/<item_id>", methods=["GET", "PUT"])
    def item(item_id: str) -> Any:
        created = flask.request.method == "PUT"
        return flask.jsonify(item_id=item_id, path=flask.request.path, created=created), 201 if created else 200

    @app.route("/cookies")
    def cookies() -> flask.Response:
        response = flask.jsonify(cookies="set")
        response.set_cookie("session", "s-1", httponly=True)
        response.set_cookie("theme", "dark", path="/items")
        return response

    @app.route("/binary")
    def binary() -> flask.Response:
        return flask.Response(ALL_BYTES, mimetype="image/png")

    @app.route("/status/<int:code>")
    def status(code: int) -> Any:
        if code == 204:
            return "", 204
        if code == 203:
            return flask.Response(LATIN1_PAGE, status=203, content_type="text/html; charset=iso-8859-1")
        if code == 404:
            flask.abort(404)
        if code == 418:
            return flask.Response("I'm a teapot", status=418, mimetype="text/plain")
        if code == 500:
            raise RuntimeError("boom")
        return flask.jsonify(status=code), code

    @app.route("/redirect")
    def redirect() -> flask.Response:
        return flask.redirect("/items/7", code=302)

    @app.errorhandler(RuntimeError)
    def on_runtime_error(error: RuntimeError) -> Any:
        return flask.jsonify(error=str(error)), 500

    return app


def make_fastapi_app() -> Any:
    import fastapi
    from fastapi.responses import (
        HTMLResponse,
        JSONResponse,
        PlainTextResponse,
        RedirectResponse,
    )
    from starlette.datastructures import UploadFile

    app = fastapi.FastAPI()

    @app.get("/")
    def home() -> HTMLResponse:
        return HTMLResponse(HOME)

    @app.api_route("/echo", methods=ROUTES["/echo"])
    async def echo(request: fastapi.Request) -> JSONResponse:
        body = await request.body()
        form, files = [], []
        if request.headers.get("content-type", "").startswith(("multipart/", "application/x-www-form-urlencoded")):
            for key, value in (await request.form()).multi_items():
                if isinstance(value, UploadFile):
                    files.append([key, value.filename, value.content_type, (await value.read()).hex()])
                else:
                    form.append([key, value])
        context = request.scope.get("aws.context")
        return JSONResponse(
            {
                "method": request.method,
                "path": request.url.path,
                "query": [list(pair) for pair in request.query_params.multi_items()],
                "headers": [[k.lower(), v] for k, v in request.headers.items()],
                "body": body.hex(),
                "form": form,
                "files": files,
                "lambda_function": getattr(context, "function_name", None),
            }
        )

    @app.api_route("/items/{item_id}", methods=["GET", "PUT"])
    def item(item_id: str, request: fastapi.Request) -> JSONResponse:
        created = request.method == "PUT"
        payload = {"item_id": item_id, "path": request.url.path, "created": created}
        return JSONResponse(payload, status_code=201 if created else 200)

    @app.get("/cookies")
    def cookies() -> JSONResponse:
        response = JSONResponse({"cookies": "set"})
        response.set_cookie("session", "s-1", httponly=True)
        response.set_cookie("theme", "dark", path="/items")
        return response

    @app.get("/binary")
    def binary() -> fastapi.Response:
        return fastapi.Response(ALL_BYTES, media_type="image/png")

    @app.get("/status/{code}")
    def status(code: int) -> fastapi.Response:
        if code == 204:
            return fastapi.Response(status_code=204)
        if code == 203:
            return fastapi.Response(LATIN1_PAGE, status_code=203, media_type="text/html; charset=iso-8859-1")
        if code == 404:
            raise fastapi.HTTPException(status_code=404)
        if code == 418:
            return PlainTextResponse("I'm a teapot", status_code=418)
        if code == 500:
            raise RuntimeError("boom")
        return JSONResponse({"status": code}, status_code=code)

    @app.get("/redirect")
    def redirect() -> RedirectResponse:
        return RedirectResponse("/items/7", status_code=302)

    @app.exception_handler(RuntimeError)
    def on_runtime_error(request: fastapi.Request, error: RuntimeError) -> JSONResponse:
        return JSONResponse({"error": str(error)}, status_code=500)

    return app


MONOLITHS = {"flask": (make_flask_app, WsgiBridge), "fastapi": (make_fastapi_app, AsgiBridge)}


def chalice_app(bridge: Any, name: str = "bridged", prepared: bool = True, content_types: bool = True) -> Chalice:
    """The generated service in miniature: every route hands the request to the bridge."""
    app = Chalice(app_name=name)
    if prepared:
        configure(app)

    def forward(**path_parameters: str) -> Any:
        return bridge.forward(app.current_request)

    options = {"content_types": ANY_CONTENT_TYPE} if content_types else {}
    for template, methods in ROUTES.items():
        view = template.strip("/").split("/")[0] or "index"
        app.route(template, methods=methods, name=view, **options)(forward)
    return app


# -- replies, the three transports and the framework's own test client ---------------------------------


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self) -> Any:
        return json.loads(self.body)


def _pairs(headers: dict[str, Any]) -> list[tuple[str, str]]:
    pairs = []
    for name, value in headers.items():
        pairs.extend((name, v) for v in (value if isinstance(value, list) else [value]))
    return pairs


Call = Callable[..., Reply]


def via_test_client(app: Chalice) -> Call:
    client = Client(app)

    def call(method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> Reply:
        reply = client.http.request(method, path, headers=dict(headers or {}), body=body)
        return Reply(reply.status_code, _pairs(reply.headers), reply.body)

    return call


def via_local_gateway(app: Chalice) -> Call:
    gateway = LocalGateway(app, Config())

    def call(method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> Reply:
        result = gateway.handle_request(method, path, dict(headers or {}), body)
        raw = base64.b64decode(result["body"]) if result.get("isBase64Encoded") else result["body"].encode()
        return Reply(result["statusCode"], _pairs({**result["headers"], **result["multiValueHeaders"]}), raw)

    return call


@dataclass
class HttpServer:
    """A real `chalice local` server on a free port, in a daemon thread."""

    app: Chalice
    server: Any = field(init=False)

    def __post_init__(self) -> None:
        self.server = create_local_server(self.app, Config(), "127.0.0.1", 0)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def call(self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.server.server_address[1], timeout=10)
        try:
            connection.request(method, path, body=body or None, headers=dict(headers or {}))
            response = connection.getresponse()
            return Reply(response.status, response.getheaders(), response.read())
        finally:
            connection.close()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server.server_close()


def direct_caller(framework: str, app: Any) -> Call:
    """The framework's own test client: what the monolith answers without any bridge."""
    if framework == "flask":
        client = app.test_client()

        def call_flask(method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> Reply:
            response = client.open(path, method=method, headers=headers or {}, data=body)
            return Reply(response.status_code, list(response.headers.items()), response.get_data())

        return call_flask
    from fastapi.testclient import TestClient

    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)

    def call_fastapi(method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> Reply:
        response = client.request(method, path, headers=headers or {}, content=body)
        return Reply(response.status_code, response.headers.multi_items(), response.content)

    return call_fastapi


@dataclass
class Setup:
    framework: str
    transport: str
    bridged: Call  # through Chalice and the bridge
    direct: Call  # the framework alone


@pytest.fixture(scope="module")
def stacks() -> Any:
    """One monolith, bridge and Chalice app per (framework, transport), built once per module."""
    built: dict[tuple[str, str], Setup] = {}
    servers: list[HttpServer] = []

    def get(framework: str, transport: str) -> Setup:
        if (framework, transport) not in built:
            make_app, bridge_cls = MONOLITHS[framework]
            monolith = make_app()
            app = chalice_app(bridge_cls(lambda: monolith), name=f"{framework}-{transport}".replace("_", "-"))
            if transport == "http_server":
                servers.append(HttpServer(app))
                bridged = servers[-1].call
            else:
                bridged = {"test_client": via_test_client, "local_gateway": via_local_gateway}[transport](app)
            built[framework, transport] = Setup(framework, transport, bridged, direct_caller(framework, monolith))
        return built[framework, transport]

    yield get
    for server in servers:
        server.stop()


@pytest.fixture(params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(params=TRANSPORTS)
def setup(request: pytest.FixtureRequest, stacks: Any, framework: str) -> Setup:
    return stacks(framework, request.param)


# -- what the framework sees -----------------------------------------------------------------------------


def seen_headers(echo: dict[str, Any]) -> dict[str, str]:
    names = [name for name, _ in echo["headers"]]
    assert len(names) == len(set(names)), f"a header arrived twice: {echo['headers']}"
    return dict(echo["headers"])


def added_by_transport(setup: Setup, body: bytes) -> set[str]:
    """Headers nobody sent that still reach the framework, and who adds them."""
    added = set()
    if setup.framework == "flask":
        added.add("content-length")  # apig_wsgi always sets CONTENT_LENGTH
    if setup.transport == "http_server":
        added |= {"host", "accept-encoding"}  # http.client
        if body:
            added.add("content-length")
    return added


def test_framework_sees_method_real_path_and_path_parameter(setup: Setup) -> None:
    reply = setup.bridged("PUT", ITEM_PATH)

    assert reply.status == 201
    assert reply.json() == {"item_id": "café au lait", "path": "/items/café au lait", "created": True}
    assert reply.body == setup.direct("PUT", ITEM_PATH).body


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_framework_sees_each_method(setup: Setup, method: str) -> None:
    echo = setup.bridged(method, "/echo").json()

    assert (echo["method"], echo["path"]) == (method, "/echo")


def test_framework_sees_every_value_of_repeated_query_keys_in_order(setup: Setup) -> None:
    echo = setup.bridged("GET", "/echo?a=1&a=2&b=x&c=x%26y%3Dz+w").json()

    assert echo["query"] == [["a", "1"], ["a", "2"], ["b", "x"], ["c", "x&y=z w"]]
    assert echo["path"] == "/echo"


def test_framework_sees_exactly_the_headers_sent(setup: Setup) -> None:
    sent = {"X-Trace-Id": "t-1", "Accept": "application/json", "User-Agent": "bridge-test/1.0", "X-Empty-ish": "a, b"}

    seen = seen_headers(setup.bridged("GET", "/echo", headers=sent).json())

    assert {k: seen[k.lower()] for k in sent} == sent
    assert set(seen) - {k.lower() for k in sent} == added_by_transport(setup, b"")


def test_request_without_accept_reaches_the_framework_without_one(setup: Setup) -> None:
    reply = setup.bridged("GET", "/echo", headers={"X-Trace-Id": "t-2"})

    assert reply.status == 200
    assert "accept" not in seen_headers(reply.json())


@pytest.mark.parametrize("content_type", ["application/octet-stream", None, "text/plain; charset=latin-1"])
def test_framework_sees_raw_body_bytes_including_non_utf8(setup: Setup, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}

    reply = setup.bridged("POST", "/echo", headers=headers, body=ALL_BYTES)

    assert reply.status == 200
    echo = reply.json()
    assert bytes.fromhex(echo["body"]) == ALL_BYTES
    assert seen_headers(echo).get("content-type") == content_type
    if setup.framework == "flask" or setup.transport == "http_server":
        assert seen_headers(echo)["content-length"] == "256"


def test_framework_sees_form_post(setup: Setup) -> None:
    body = b"name=J%C3%BCrgen&tag=a&tag=b&empty="

    echo = setup.bridged("POST", "/echo", headers={"Content-Type": "application/x-www-form-urlencoded"}, body=body).json()

    assert echo["form"] == [["name", "Jürgen"], ["tag", "a"], ["tag", "b"], ["empty", ""]]
    assert bytes.fromhex(echo["body"]) == body


def test_framework_sees_multipart_upload(setup: Setup) -> None:
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}

    echo = setup.bridged("POST", "/echo", headers=headers, body=MULTIPART).json()

    assert echo["form"] == [["title", "Grüße"]]
    assert echo["files"] == [["upload", "blob.bin", "application/octet-stream", ALL_BYTES.hex()]]
    assert bytes.fromhex(echo["body"]) == MULTIPART


def test_framework_receives_chalices_lambda_context(setup: Setup) -> None:
    echo = setup.bridged("GET", "/echo").json()

    assert echo["lambda_function"] == Config().function_name == "api_handler"  # chalice.local.LambdaContext


# -- what the client sees ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "content_type"),
    [
        ("/", 200, "text/html; charset=utf-8"),
        ("/status/200", 200, "application/json"),
        ("/status/201", 201, "application/json"),
        ("/status/203", 203, "text/html; charset=iso-8859-1"),  # Latin-1 HTML, byte-for-byte
        ("/status/404", 404, None),  # the framework's own 404 page: HTML in Flask, JSON in FastAPI
        ("/status/418", 418, "text/plain; charset=utf-8"),
        ("/status/500", 500, "application/json"),  # from the app's exception handler
        ("/items/7", 200, "application/json"),
    ],
)
def test_client_sees_status_content_type_and_body_byte_for_byte(
    setup: Setup, path: str, status: int, content_type: str | None
) -> None:
    direct = setup.direct("GET", path)

    reply = setup.bridged("GET", path)

    assert (reply.status, direct.status) == (status, status)
    assert reply.header("Content-Type") == direct.header("Content-Type")
    if content_type:
        assert reply.header("Content-Type") == [content_type]
    assert reply.body == direct.body
    assert len(reply.body) > 0


def test_client_sees_home_page_html_exactly(setup: Setup) -> None:
    reply = setup.bridged("GET", "/")

    assert reply.body == HOME.encode("utf-8")
    assert reply.header("Content-Type") == ["text/html; charset=utf-8"]


def test_client_sees_exception_handler_500(setup: Setup) -> None:
    reply = setup.bridged("GET", "/status/500")

    assert reply.status == 500
    assert reply.json() == {"error": "boom"}


def test_client_sees_204_with_empty_body(setup: Setup) -> None:
    direct = setup.direct("GET", "/status/204")

    reply = setup.bridged("GET", "/status/204")

    assert (reply.status, reply.body, direct.body) == (204, b"", b"")
    if setup.transport != "http_server" or direct.header("Content-Type"):
        assert reply.header("Content-Type") == direct.header("Content-Type")
    else:  # `chalice local`, like API Gateway, gives a response without Content-Type application/json
        assert reply.header("Content-Type") == ["application/json"]


def test_client_sees_302_with_location(setup: Setup) -> None:
    direct = setup.direct("GET", "/redirect")

    reply = setup.bridged("GET", "/redirect")

    assert reply.status == direct.status == 302
    assert reply.header("Location") == direct.header("Location") == ["/items/7"]
    assert reply.body == direct.body


def test_client_sees_two_distinct_set_cookie_headers(setup: Setup) -> None:
    direct = setup.direct("GET", "/cookies")

    reply = setup.bridged("GET", "/cookies")

    cookies = reply.header("Set-Cookie")
    assert cookies == direct.header("Set-Cookie")
    assert len(cookies) == 2 and len(set(cookies)) == 2
    assert cookies[0].startswith("session=s-1; ") and "HttpOnly" in cookies[0]
    assert cookies[1].startswith("theme=dark; ") and "Path=/items" in cookies[1]
    assert reply.json() == {"cookies": "set"}


@pytest.mark.parametrize("accept", ["image/png", "*/*", "text/html,application/xhtml+xml;q=0.9", None])
def test_client_sees_binary_body_byte_for_byte(setup: Setup, accept: str | None) -> None:
    reply = setup.bridged("GET", "/binary", headers={"Accept": accept} if accept else {})

    assert reply.status == 200
    assert reply.body == ALL_BYTES == setup.direct("GET", "/binary").body
    assert reply.header("Content-Type") == ["image/png"]


def test_client_sees_exactly_one_content_type(setup: Setup) -> None:
    """Mangum lowercases header names; `chalice local` would then add a second, default Content-Type."""
    reply = setup.bridged("GET", "/status/418")

    assert reply.header("Content-Type") == ["text/plain; charset=utf-8"]


# -- the pieces one at a time ------------------------------------------------------------------------------


def local_request(method: str, path: str, headers: dict[str, str], body: bytes | None) -> Request:
    """The Request `chalice local` and the test client give a view: from chalice's own event converter."""
    converter = LambdaEventConverter(RouteMatcher(list(ROUTES)), BINARY_TYPES)
    return Request(converter.create_lambda_event(method, path, headers, body), LambdaContext("f", 128))


def test_proxy_event_fills_what_chalice_local_leaves_out() -> None:
    request = local_request("POST", "/items/42?a=1&a=2&b=x", {"X-Trace-Id": "t"}, b"\xff\x00")
    assert "httpMethod" not in request.to_original_event()

    event = proxy_event(request)

    assert event["httpMethod"] == "POST"
    assert event["path"] == "/items/42"  # not request.path, the template
    assert event["resource"] == "/items/{item_id}"
    assert event["headers"] == {"x-trace-id": "t"}
    assert event["multiValueHeaders"] == {"x-trace-id": ["t"]}
    assert event["queryStringParameters"] == {"a": "2", "b": "x"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["x"]}
    assert event["pathParameters"] == {"item_id": "42"}
    assert event["stageVariables"] == {}
    assert event["requestContext"]["identity"]["sourceIp"] == "127.0.0.1"
    assert (event["requestContext"]["path"], event["requestContext"]["stage"]) == ("/items/42", "api")
    assert (event["body"], event["isBase64Encoded"]) == (base64.b64encode(b"\xff\x00").decode(), True)
    assert "stage" not in request.context  # Chalice's own event is left alone


def test_proxy_event_empty_body_is_none_as_api_gateway_sends_it() -> None:
    event = proxy_event(local_request("GET", "/echo", {}, None))

    assert (event["body"], event["isBase64Encoded"]) == (None, False)
    assert event["queryStringParameters"] is None and event["multiValueQueryStringParameters"] is None


def api_gateway_event() -> dict[str, Any]:
    """A REST API proxy event as API Gateway sends it (stage "dev", binaryMediaTypes */*)."""
    return {
        "resource": "/items/{item_id}",
        "path": "/items/7",
        "httpMethod": "GET",
        "headers": {"Accept": "application/json", "Host": "abc.execute-api.eu-west-1.amazonaws.com", "X-Tag": "b"},
        "multiValueHeaders": {
            "Accept": ["application/json"],
            "Host": ["abc.execute-api.eu-west-1.amazonaws.com"],
            "X-Tag": ["a", "b"],
        },
        "queryStringParameters": {"a": "2"},
        "multiValueQueryStringParameters": {"a": ["1", "2"]},
        "pathParameters": {"item_id": "7"},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/items/{item_id}",
            "httpMethod": "GET",
            "path": "/dev/items/7",
            "stage": "dev",
            "requestId": "r-1",
            "identity": {"sourceIp": "203.0.113.9"},
        },
        "body": None,
        "isBase64Encoded": False,
    }


def test_proxy_event_keeps_what_api_gateway_already_sent() -> None:
    original = api_gateway_event()

    event = proxy_event(Request(api_gateway_event()))

    assert event == original  # nothing to fill, nothing changed: the stage stays out of `path`


def test_real_lambda_invocation_reaches_flask_with_api_gateways_values() -> None:
    seen: dict[str, Any] = {}
    monolith = flask.Flask("seen")

    @monolith.route("/items/<item_id>")
    def item(item_id: str) -> str:
        seen.update(path=flask.request.path, tags=flask.request.headers["X-Tag"], a=flask.request.args.getlist("a"))
        seen.update(remote=flask.request.remote_addr, context=flask.request.environ["apig_wsgi.context"])
        return "ok"

    app = chalice_app(WsgiBridge(lambda: monolith))
    context = LambdaContext("svc", 256)

    result = app(api_gateway_event(), context)  # what Lambda does

    assert (result["statusCode"], base64.b64decode(result["body"]), result["isBase64Encoded"]) == (200, b"ok", True)
    assert seen == {"path": "/items/7", "tags": "a,b", "a": ["1", "2"], "remote": "127.0.0.1", "context": context}


def test_bridge_builds_the_app_on_first_request_only() -> None:
    builds: list[int] = []

    def factory() -> flask.Flask:
        builds.append(1)
        return make_flask_app()

    call = via_test_client(chalice_app(WsgiBridge(factory)))
    assert builds == []

    assert [call("GET", "/status/200").status, call("GET", "/").status] == [200, 200]
    assert builds == [1]


def test_a_failing_factory_is_retried_on_the_next_request() -> None:
    attempts: list[int] = []

    def factory() -> flask.Flask:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database not reachable yet")
        return make_flask_app()

    call = via_test_client(chalice_app(WsgiBridge(factory)))

    assert call("GET", "/", headers={"Accept": "*/*"}).status == 500
    assert call("GET", "/").body == HOME.encode()
    assert len(attempts) == 2


def test_request_without_lambda_context_gets_a_stand_in() -> None:
    seen: list[Any] = []
    monolith = flask.Flask("ctx")

    @monolith.route("/echo")
    def echo() -> str:
        seen.append(flask.request.environ["apig_wsgi.context"])
        return "ok"

    event = LambdaEventConverter(RouteMatcher(["/echo"]), BINARY_TYPES).create_lambda_event("GET", "/echo", {}, None)

    response = WsgiBridge(lambda: monolith).forward(Request(event))

    assert (response.status_code, response.body) == (200, b"ok")
    assert isinstance(seen[0], StandInLambdaContext)
    assert seen[0].function_name == "decompose-bridge" and len(seen[0].aws_request_id) == 36
    assert 0 < seen[0].get_remaining_time_in_millis() <= 900_000


@needs_fastapi
def test_asgi_bridge_serves_requests_from_new_threads() -> None:
    """`chalice local` serves every request on a fresh thread, which has no asyncio event loop."""
    bridge = AsgiBridge(make_fastapi_app)
    replies: list[Any] = []

    def one_request() -> None:
        event = LambdaEventConverter(RouteMatcher(list(ROUTES)), BINARY_TYPES).create_lambda_event(
            "GET", "/items/5", {}, None
        )
        replies.append(bridge.forward(Request(event, LambdaContext("f", 128))))

    for _ in range(3):
        thread = threading.Thread(target=one_request)
        thread.start()
        thread.join()

    assert [(r.status_code, json.loads(r.body)["item_id"]) for r in replies] == [(200, "5")] * 3


# -- the Chalice settings, and why they are needed ---------------------------------------------------------


def test_without_configure_chalice_rejects_requests_without_accept() -> None:
    app = chalice_app(WsgiBridge(make_flask_app), prepared=False)
    app.api.binary_types = list(BINARY_TYPES)  # binary types alone, without the Accept default
    call = via_test_client(app)

    refused = call("GET", "/")
    accepted = call("GET", "/", headers={"Accept": "text/html"})

    assert refused.status == 400
    assert refused.json()["Code"] == "BadRequest"
    assert "Accept header" in refused.json()["Message"]
    assert (accepted.status, accepted.body) == (200, HOME.encode())


def test_without_binary_types_a_bytes_body_cannot_be_serialised() -> None:
    app = chalice_app(WsgiBridge(make_flask_app), prepared=False)  # Chalice's default binary types
    gateway = LocalGateway(app, Config())

    result = gateway.handle_request("GET", "/", {"Accept": "text/html"}, b"")

    assert isinstance(result["body"], bytes) and "isBase64Encoded" not in result  # not JSON-serialisable
    with pytest.raises(AttributeError):
        via_test_client(app)("GET", "/", headers={"Accept": "text/html"})


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", f"multipart/form-data; boundary={BOUNDARY}", "application/octet-stream"],
)
@pytest.mark.parametrize("transport", [via_test_client, via_local_gateway])
def test_content_types_is_what_lets_non_json_bodies_through(content_type: str, transport: Callable) -> None:
    strict = transport(chalice_app(WsgiBridge(make_flask_app), content_types=False))
    open_ = transport(chalice_app(WsgiBridge(make_flask_app)))
    headers = {"Content-Type": content_type}

    assert strict("POST", "/echo", headers=headers, body=b"x=1").status == 415
    assert open_("POST", "/echo", headers=headers, body=b"x=1").status == 200
    assert strict("POST", "/echo", body=b"x=1").status == 200  # no Content-Type counts as JSON


def test_chalice_response_merges_headers_as_api_gateway_does() -> None:
    response = chalice_response(
        {
            "statusCode": 201,
            "headers": {"content-type": "text/plain", "x-one": "1", "Set-Cookie": "b=2"},
            "multiValueHeaders": {"set-cookie": ["a=1", "b=2"], "Vary": ["Accept", "Cookie"]},
            "body": "aGk=",
            "isBase64Encoded": True,
        }
    )

    assert response.status_code == 201
    assert response.body == b"hi"
    assert response.headers == {
        "set-cookie": ["a=1", "b=2"],
        "Vary": ["Accept", "Cookie"],
        "Content-Type": "text/plain",
        "x-one": "1",
    }


def test_chalice_response_text_body_becomes_utf8_bytes() -> None:
    response = chalice_response({"statusCode": 200, "headers": {}, "body": "Grüße", "isBase64Encoded": False})

    assert response.body == "Grüße".encode()
    assert chalice_response({"statusCode": 204, "body": None}).body == b""


def test_deployed_api_treats_every_type_as_binary_and_accepts_any_body() -> None:
    """What `chalice package` writes for API Gateway with these settings, and its content-type check."""
    app = chalice_app(WsgiBridge(make_flask_app))

    swagger = CFNSwaggerGenerator().generate_swagger(app)

    assert swagger["x-amazon-apigateway-binary-media-types"] == ["*/*"]
    assert swagger["paths"]["/echo"]["post"]["consumes"] == ["*/*"]
    validate_route_content_types(app.routes, app.api.binary_types)  # raises on a mixed binary/text route


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_head_answer_has_no_body_so_the_next_answer_on_the_connection_is_read_whole(framework: str) -> None:
    """kuma: the app left its GET body in a HEAD answer and `chalice local` wrote it; the next answer on the
    kept connection then began `undefinedHTTP/1.1 200 OK` (the body was kuma's revision hash, "undefined")."""
    make_app, bridge_cls = MONOLITHS[framework]
    monolith, app = make_app(), Chalice(app_name=f"head-{framework}")
    configure(app)
    bridge = bridge_cls(lambda: monolith)
    app.route("/", methods=["GET", "HEAD"], content_types=ANY_CONTENT_TYPE)(lambda: bridge.forward(app.current_request))
    server = HttpServer(app)
    connection = http.client.HTTPConnection("127.0.0.1", server.server.server.server_address[1], timeout=10)
    try:
        connection.request("HEAD", "/")
        head = connection.getresponse()
        expected = direct_caller(framework, monolith)("HEAD", "/").status  # Flask answers HEAD, FastAPI 405
        assert (head.status, head.read(), head.getheader("Content-Length")) == (expected, b"", "0")
        connection.request("GET", "/")
        following = connection.getresponse()
        assert (following.status, following.read().decode()) == (200, HOME)
    finally:
        connection.close()
        server.stop()
