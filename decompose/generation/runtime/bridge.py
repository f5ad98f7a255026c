"""Bridges: a Chalice route -> the monolith's unchanged WSGI (Flask, Django) or ASGI (FastAPI) app.

    WsgiBridge(factory).forward(app.current_request) -> chalice.Response    through apig_wsgi
    AsgiBridge(factory).forward(app.current_request) -> chalice.Response    through Mangum's event translation, on
                                                                            the process's one loop, lifespan once (asgi.py)

    chalice Request --proxy_event--> complete API Gateway REST (v1) proxy event
                    --apig_wsgi / Mangum--> the framework, its routing and its view, unchanged
                    --chalice_response--> chalice.Response, body always bytes

A generated route does nothing but `return BRIDGE.forward(app.current_request)`. The framework app is
built by `factory` on the first request and cached, so importing the Chalice app stays cheap.

Why the event is rebuilt (proxy_event). Chalice hands its view the Lambda event, but `chalice local`
and `chalice.test.Client` leave out what apig_wsgi and Mangum read: `httpMethod`, `path`,
`resource`, `multiValueHeaders`, `queryStringParameters`, `requestContext.stage`. We start from
`request.to_original_event()` and fill them; values a real API Gateway event already carries are
kept (its `path` has no stage prefix, unlike `requestContext.path`). The body is always sent as
base64 of `request.raw_body` with `isBase64Encoded: True` (empty -> None/False, as API Gateway does),
so non-UTF-8 bytes reach the framework unchanged whatever the Content-Type.

Settings the generated Chalice app must use (`configure(app)` applies the first two):

1. `app.api.binary_types = BINARY_TYPES` (["*/*"]). The bridge always returns the body as bytes:
   that is the only way to keep arbitrary bodies byte-for-byte (non-UTF-8 HTML, PDFs, images of
   types missing from Chalice's default list). Chalice base64-encodes a body only when the
   response Content-Type matches `binary_types`; a bytes body that does not match stays bytes and
   breaks serialisation (the test client raises, Lambda cannot JSON-encode it), and with the
   default list a str body with a listed type raises "Expected bytes type". With "*/*" every
   response (JSON, HTML, images, empty 204s, Chalice's own JSON errors) goes out as
   base64 + isBase64Encoded; the test client and `chalice local` decode it to the exact bytes, and
   on AWS "*/*" is the binaryMediaTypes value AWS documents for clients whose Accept header you do
   not control (browsers). Cost: base64 inflates responses by a third (6 MB Lambda payload ->
   about 4.5 MB of body).
2. `app.register_middleware(default_accept_header, "http")`. With "*/*" as a binary type Chalice
   answers 400 "Request did not specify an Accept header" to any request without an Accept header
   (Go's net/http and urllib send none; chalice PR #1166, never merged). The middleware gives the
   Chalice request `Accept: */*` when it has none; the framework still sees the client's real
   headers, because the bridge forwards the event's headers, not `request.headers`.
3. `@app.route(..., content_types=ANY_CONTENT_TYPE)` (["*/*"]). Without `content_types` Chalice
   answers 415 to every body that is not application/json; "*/*" lets form posts, multipart
   uploads, octet-stream and requests without a Content-Type through, and is consistent with
   BINARY_TYPES for `chalice package`'s content-type check.

Response headers: one value -> str, several (e.g. two Set-Cookie) -> list, which Chalice sends as
`multiValueHeaders`. `Content-Type` is always spelled so (Mangum lowercases every name), because
`chalice local`'s HTTP server looks the header up case-sensitively and would otherwise add
`Content-Type: application/json` next to the real one. Other names keep the framework's spelling.

Not identical to the monolith's own server, by construction of API Gateway and Chalice:
query keys are grouped (`?a=1&b=x&a=2` reaches the app as `a=1&a=2&b=x`) and the query string is
re-encoded from decoded values (same parsed values, maybe other raw bytes: `%7E` -> `~`); repeated
request headers arrive joined with a comma (API Gateway multiValueHeaders); a response without a
Content-Type gets `application/json` from `chalice local` (API Gateway REST does the same); WSGI apps
see a `Content-Length` header on every request (apig_wsgi sets CONTENT_LENGTH).

This module is copied into generated services as `decompose_runtime.bridge`: it imports only the
standard library, its sibling asgi, chalice, apig_wsgi and mangum.
"""

from __future__ import annotations

import asyncio
import base64
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from chalice.app import CaseInsensitiveMapping, Chalice, Request, Response

from . import asgi, greedy, servername, sessionview, sqlitelocks

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
ASGIApp = Callable[[dict[str, Any], Callable[..., Any], Callable[..., Any]], Awaitable[None]]
LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]

#: `content_types` for every bridged route: Chalice then accepts any request body (see above).
ANY_CONTENT_TYPE: list[str] = ["*/*"]
#: `app.api.binary_types` for every service with bridged routes: every response body is binary-safe.
BINARY_TYPES: list[str] = ["*/*"]

LOCAL_STAGE = "api"  # Chalice's default API Gateway stage; `chalice local` sets none
LOCAL_SOURCE_IP = "127.0.0.1"


def configure(app: Chalice) -> Chalice:
    """Apply the settings bridged routes need: binary types "*/*" and the Accept-header default; locally,
    greedy routes (`/{path+}`) matched as API Gateway matches them (decompose_runtime.greedy)."""
    greedy.allow()
    app.api.binary_types = list(BINARY_TYPES)
    app.register_middleware(default_accept_header, "http")
    return app


def default_accept_header(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Chalice middleware: treat a request without Accept as `Accept: */*` for Chalice's own checks."""
    if "accept" not in request.headers:
        request.headers = CaseInsensitiveMapping({**request.headers, "accept": "*/*"})
    return get_response(request)


class _Bridge:
    """Builds the Lambda handler around the framework app on first use and forwards requests to it."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._handler: LambdaHandler | None = None
        self._lock = threading.Lock()

    def forward(self, request: Request) -> Response:
        result = self._lambda_handler()(proxy_event(request), lambda_context(request))
        return chalice_response(result, head=request.method == "HEAD")

    def reset(self) -> None:
        """Drop the handler: the next request builds the app again (contract replay's fresh start)."""
        with self._lock:
            self._handler = None

    def warm(self) -> None:
        """Build the app now (and start an ASGI app's lifespan), so the next request does not pay for it."""
        self._lambda_handler()

    def _lambda_handler(self) -> LambdaHandler:
        if self._handler is None:
            with self._lock:  # `chalice local` serves each request on its own thread
                if self._handler is None:
                    self._handler = self._wrap(self._factory())
        return self._handler

    def _wrap(self, app: Any) -> LambdaHandler:
        raise NotImplementedError


class WsgiBridge(_Bridge):
    """Forwards Chalice requests to a WSGI app (Flask, Django) built lazily by `factory`."""

    def __init__(self, factory: Callable[[], WSGIApp]) -> None:
        super().__init__(factory)

    def _wrap(self, app: WSGIApp) -> LambdaHandler:
        from apig_wsgi import make_lambda_handler

        # No "non-binary" prefixes: every body comes back base64, so text in any charset survives
        # (the default prefixes make apig_wsgi decode text/* as UTF-8, which fails on Latin-1 HTML).
        # servername: a Flask SERVER_NAME answers the loopback Host of `chalice local` as the suite's test client
        sessionview.install_in_contract_world()  # a server-side session's values, for a contract replay to bind
        return make_lambda_handler(servername.wrapped(app), binary_support=True, non_binary_content_type_prefixes=())


class AsgiBridge(_Bridge):
    """Forwards Chalice requests to an ASGI app (FastAPI, Starlette) built lazily by `factory`.

    The app runs on the process's one event loop (decompose_runtime.asgi.ProcessLoop), its lifespan
    started there before its first request and shut down on reset or exit, so the pools and clients
    its startup creates serve every later request. Mangum only translates the event and the answer.
    """

    def __init__(self, factory: Callable[[], ASGIApp]) -> None:
        super().__init__(factory)
        self._running: asgi.Running | None = None
        sqlitelocks.install()  # a reset closes the old app's connections: none may keep a lock (3.11+)

    def forward(self, request: Request) -> Response:
        _refuse_running_loop()
        return super().forward(request)

    def reset(self) -> None:
        """Shut the current app down (its lifespan shutdown), then build a new one on the next request."""
        with self._lock:
            running, self._running, self._handler = self._running, None, None
        if running is not None:
            running.stop()

    def running(self) -> asgi.Running:
        """The app with its lifespan started (built now if no request has built it yet)."""
        self.warm()
        assert self._running is not None
        return self._running

    def direct(self, method: str, path: str, headers: Mapping[str, str] | None = None,
               body: bytes = b"") -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """The app called as its own server would call it, without Chalice or API Gateway (for tests)."""
        target, _, query = path.partition("?")
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method.upper(),
                 "scheme": "http", "path": target, "raw_path": target.encode(), "root_path": "",
                 "query_string": query.encode(), "server": ("testserver", 80), "client": (LOCAL_SOURCE_IP, 50000),
                 "headers": [(k.lower().encode("latin-1"), v.encode("latin-1"))
                             for k, v in {"host": "testserver", **(headers or {})}.items()]}
        return self.running().request(scope, body)

    def _wrap(self, app: ASGIApp) -> LambdaHandler:
        from mangum import Mangum

        adapter = Mangum(app, lifespan="off")
        running = self._running = asgi.Running(app)

        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            translated = adapter.infer(event, context)
            status, headers, body = running.request(translated.scope, translated.body)
            return translated({"status": status, "headers": [[k, v] for k, v in headers], "body": body})

        return handler


def _refuse_running_loop() -> None:
    """A coroutine calling forward would block its own loop while the app waits for the process's loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(
        "AsgiBridge.forward was called inside a running event loop; call it from synchronous code "
        "(a Chalice view), not from a coroutine."
    )


# -- request: Chalice -> API Gateway REST proxy event ------------------------------------------------


def proxy_event(request: Request) -> dict[str, Any]:
    """A complete API Gateway REST (v1) proxy event for `request`; Chalice's own event is not changed."""
    original = request.to_original_event()
    path = _real_path(original, request)
    headers = dict(original.get("headers") or {})
    single_query, multi_query = _query_parameters(original, request)
    return {
        **original,
        "resource": original.get("resource") or request.path,
        "path": path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": _multi_value_headers(original, headers),
        "queryStringParameters": single_query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": request.uri_params,
        "stageVariables": request.stage_vars,
        "requestContext": _request_context(original, request, path),
        **_body(request),
    }


def _real_path(original: Mapping[str, Any], request: Request) -> str:
    """The path the client asked for: API Gateway's `path` (no stage prefix), else `chalice local`'s."""
    for candidate in (original.get("path"), request.context.get("path")):
        if isinstance(candidate, str) and candidate.startswith("/"):
            return candidate
    return request.path


def _multi_value_headers(original: Mapping[str, Any], headers: Mapping[str, str]) -> dict[str, list[str]]:
    given = original.get("multiValueHeaders")
    if isinstance(given, dict) and {k.lower() for k in given} == {k.lower() for k in headers}:
        return {name: list(values) for name, values in given.items()}
    return {name: [value] for name, value in headers.items()}


def _query_parameters(
    original: Mapping[str, Any], request: Request
) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """Both query fields from the MultiDict, every value of a repeated key kept in order."""
    params = request.query_params
    if params is None:
        return None, None
    multi = {key: params.getlist(key) for key in params}
    given = original.get("queryStringParameters")
    if isinstance(given, dict) and set(given) == set(multi):
        return dict(given), multi
    return {key: values[-1] for key, values in multi.items()}, multi  # API Gateway keeps the last value


def _request_context(original: Mapping[str, Any], request: Request, path: str) -> dict[str, Any]:
    context = dict(original.get("requestContext") or {})
    identity = dict(context.get("identity") or {})
    if not identity.get("sourceIp"):
        identity["sourceIp"] = LOCAL_SOURCE_IP
    context["identity"] = identity
    context.setdefault("path", path)
    context.setdefault("stage", LOCAL_STAGE)
    context.setdefault("httpMethod", request.method)
    context.setdefault("resourcePath", request.path)
    return context


def _body(request: Request) -> dict[str, Any]:
    raw = request.raw_body
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if not raw:
        return {"body": None, "isBase64Encoded": False}
    return {"body": base64.b64encode(raw).decode("ascii"), "isBase64Encoded": True}


# -- Lambda context ------------------------------------------------------------------------------------


class StandInLambdaContext:
    """What a view may read from a Lambda context, for requests that came without one."""

    function_name = "decompose-bridge"
    function_version = "$LATEST"
    invoked_function_arn = ""
    memory_limit_in_mb = 128
    log_group_name = ""
    log_stream_name = ""
    identity = None
    client_context = None

    def __init__(self, timeout_ms: int = 900_000) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() * 1000 + timeout_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self._deadline - time.monotonic() * 1000))


def lambda_context(request: Request) -> Any:
    """The Lambda context Chalice received with `request` (real on AWS, LambdaContext locally)."""
    context = getattr(request, "lambda_context", None)
    return context if context is not None else StandInLambdaContext()


# -- response: proxy result -> chalice.Response --------------------------------------------------------


def chalice_response(result: Mapping[str, Any], head: bool = False) -> Response:
    """A proxy result (statusCode, headers, multiValueHeaders, body, isBase64Encoded) as a Response.

    head: the answer to a HEAD request has no body, as the monolith's own server (and API Gateway) sends it.
    Django and Flask leave the GET body in a HEAD response for the server to drop; `chalice local` wrote it,
    and a client keeping the connection open read it as the start of the next answer (kuma's
    `HEAD /media/revision.txt` made the verifier's next status line `undefinedHTTP/1.1 200 OK`). The app's
    Content-Length goes too: the server sends its own (0), and two that differ break HTTP clients."""
    headers = _response_headers(result)
    if head:
        headers = {name: value for name, value in headers.items() if name.lower() != "content-length"}
    return Response(
        body=b"" if head else _response_body(result),
        headers=headers,
        status_code=int(result["statusCode"]),
    )


def _response_body(result: Mapping[str, Any]) -> bytes:
    body = result.get("body") or ""
    if result.get("isBase64Encoded"):
        return base64.b64decode(body)
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def _response_headers(result: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """Merged as API Gateway merges them: multiValueHeaders, plus `headers` values not already there."""
    grouped: dict[str, tuple[str, list[str]]] = {}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        grouped.setdefault(name.lower(), (_header_name(name), []))[1].extend(str(v) for v in values)
    for name, value in (result.get("headers") or {}).items():
        values = grouped.setdefault(name.lower(), (_header_name(name), []))[1]
        if str(value) not in values:
            values.append(str(value))
    return {name: values[0] if len(values) == 1 else values for name, values in grouped.values() if values}


def _header_name(name: str) -> str:
    return "Content-Type" if name.lower() == "content-type" else name
