"""A pytest plugin that records every request and answer going through the monolith while its own
tests run, grouped by test in test order: the raw material of contracts.

    python -m pytest -p decompose.contracts.recorder --decompose-record=recording.json

It wraps the framework at its entry point, so the tests need no change and any test client works:
Flask (`Flask.__call__`, WSGI), Django (`WSGIHandler` and the test client's `ClientHandler`),
django-ninja's `TestClient` (which calls views directly: decompose_runtime.ninja_client), and
FastAPI/Starlette (`Starlette.__call__`, ASGI). Only the outermost call is recorded (an app that
calls another app records once). Bodies that are not UTF-8 are kept as base64. A Flask answer shows its
session's values in a header while the suite runs (decompose_runtime.sessionview): a server-side session's
nonce the suite sends back is then bound like any value an answer produced.
"""

from __future__ import annotations

import base64
import contextvars
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

# siblings in either package: decompose_runtime (on the monolith's path) or decompose.contracts
from . import ninja_client as _ninja
from . import sightings as _sightings
from . import startdata as _startdata

try:
    from . import sessionview as _sessionview  # as decompose_runtime.recorder
except ImportError:
    from decompose.generation.runtime import sessionview as _sessionview  # as decompose.contracts.recorder

FORMAT = 1
_depth = contextvars.ContextVar("decompose_record_depth", default=0)
_ENVIRON_AT_IMPORT = dict(os.environ)  # before any conftest runs: what the suite sets is what differs later


class Recording:
    def __init__(self) -> None:
        self.scenarios: dict[str, list[dict[str, Any]]] = {}
        self.order: list[str] = []
        self.current = "(outside a test)"
        self.sightings = _SIGHTINGS
        self.started: set[str] = set()  # scenarios whose first request was seen
        self.data: dict[str, dict[str, list[dict[str, Any]]]] = {}  # scenario -> its starting rows (startdata)
        self.after: Any = None  # the tables after the last request of the current scenario (None: no database)
        self.between: dict[str, list[dict[str, Any]]] = {}  # rows added since that request, for the next exchange
        self.apps: dict[str, str] = {}  # scenario -> the app its first request reached (sightings' spec)

    def starting(self, app: Any) -> None:
        """Before a request reaches `app`: at a test's first one, note the world it was made in; at a
        later one, the rows the test added since the last request."""
        if self.current == "(outside a test)":
            return
        if self.current in self.started:
            if self.after is not None:
                self.between = _startdata.added(self.after, _startdata.capture(app))
            return
        self.started.add(self.current)
        spec = self.sightings.reached(app)
        if spec:
            self.apps[self.current] = spec
        rows = _startdata.capture(app)
        if rows is not None:  # {} too: the test had a database (its tables), with no rows yet
            self.data[self.current] = rows

    def answered(self, app: Any) -> None:
        """After a request: the tables as the request left them (what the test adds next is measured from here)."""
        if self.current in self.data:
            self.after = _startdata.capture(app)

    def add(self, exchange: dict[str, Any]) -> None:
        if self.between:
            exchange["data"], self.between = self.between, {}
        if self.current not in self.scenarios:
            self.scenarios[self.current] = []
            self.order.append(self.current)
        self.scenarios[self.current].append(exchange)

    def to_json(self) -> dict[str, Any]:
        scenarios = [{"name": n, "exchanges": self.scenarios[n], **({"data": self.data[n]} if n in self.data else {}),
                      **({"app": self.apps[n]} if n in self.apps else {})} for n in self.order]
        return {"format": FORMAT, "scenarios": scenarios, "world": self.sightings.to_json()}


def encode_body(data: bytes) -> dict[str, str]:
    try:
        return {"text": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode("ascii")}


def decode_body(body: dict[str, str]) -> bytes:
    return body["text"].encode("utf-8") if "text" in body else base64.b64decode(body["base64"])


def delivered(body: bytes, headers: list[tuple[str, str]]) -> bytes:
    """The answer's body as an HTTP client reads it: a gzip or deflate content-encoding undone. Recorded
    at the ASGI boundary, a compressing middleware's bytes (lnbits' GZipMiddleware, answers over 1 KB) are
    still encoded, and every replay decodes them (httpx): the two never compared equal. A body that is not
    so encoded after all (a test client decoded it already) is kept."""
    import zlib

    coding = next((str(v).strip().lower() for k, v in headers if str(k).lower() == "content-encoding"), "")
    if coding not in ("gzip", "x-gzip", "deflate") or not body:
        return body
    try:
        return zlib.decompress(body, 16 + zlib.MAX_WBITS if "gzip" in coding else zlib.MAX_WBITS)
    except zlib.error:
        return body


def exchange(method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes,
              status: int, answer_headers: list[tuple[str, str]], answer_body: bytes, started: float) -> dict[str, Any]:
    target = path + (f"?{query}" if query else "")
    return {
        "request": {"method": method, "target": target, "headers": [[k.lower(), v] for k, v in headers],
                    "body": encode_body(body)},
        "answer": {"status": status, "headers": [[k.lower(), v] for k, v in answer_headers],
                   "body": encode_body(delivered(answer_body, answer_headers))},
        "ms": round((time.perf_counter() - started) * 1000, 3),
    }


# --- WSGI (Flask, Django) ------------------------------------------------------------------------------

def _wsgi_request(environ: dict) -> tuple[str, str, str, list[tuple[str, str]], bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    headers = [(k[5:].replace("_", "-"), v) for k, v in sorted(environ.items()) if k.startswith("HTTP_")]
    headers += [(k.replace("_", "-"), environ[k]) for k in ("CONTENT_TYPE",) if environ.get(k)]
    path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
    # PATH_INFO is decoded once (PEP 3333): a `%` in it was `%25` on the wire, and a replay that sent it bare
    # would have it decoded again (healthchecks' `db%2540dc1.svg` badge: replayed as db@dc1, a 404)
    path = path.replace("%", "%25")
    return environ["REQUEST_METHOD"], environ.get("SCRIPT_NAME", "") + path, environ.get("QUERY_STRING", ""), headers, body


def record_wsgi(call, recording: Recording):
    def recorded(app, environ, start_response):
        if _depth.get():
            return call(app, environ, start_response)
        token = _depth.set(1)
        try:
            recording.starting(app)
            started = time.perf_counter()
            method, path, query, headers, body = _wsgi_request(environ)
            seen: dict[str, Any] = {}

            def capture_start(status, response_headers, exc_info=None):
                seen["status"], seen["headers"] = int(status.split(" ", 1)[0]), list(response_headers)
                return start_response(status, response_headers, exc_info)

            result = call(app, environ, capture_start)
            try:
                chunks = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
            recording.add(exchange(method, path, query, headers, body, seen.get("status", 0), seen.get("headers", []),
                                    chunks, started))
            recording.answered(app)
            return [chunks]
        finally:
            _depth.reset(token)
    return recorded


def record_django_client(call, recording: Recording):
    """django.test.client.ClientHandler.__call__(environ) returns the response object itself."""
    def recorded(handler, environ):
        if _depth.get():
            return call(handler, environ)
        token = _depth.set(1)
        try:
            recording.starting(handler)
            started = time.perf_counter()
            method, path, query, headers, body = _wsgi_request(environ)
            response = call(handler, environ)
            content = b"" if getattr(response, "streaming", False) else response.content
            answer_headers = list(response.items()) + [("Set-Cookie", c.OutputString()) for c in response.cookies.values()]
            recording.add(exchange(method, path, query, headers, body, response.status_code, answer_headers, content,
                                    started))
            recording.answered(handler)  # else rows a test adds before its next request were never seen (kuma's notifications)
            return response
        finally:
            _depth.reset(token)
    return recorded


def record_ninja_client(call, recording: Recording):
    """ninja.testing.TestClient._call(func, request, kwargs): a view called without Django's handler,
    recorded under the path the project's URLconf serves it at (decompose_runtime.ninja_client)."""
    def recorded(client, func, request, kwargs):
        if _depth.get():
            return call(client, func, request, kwargs)
        token = _depth.set(1)
        try:
            asked = _ninja.request_of(client, func, request)
            if asked is not None:
                recording.starting(client)
            started = time.perf_counter()
            response = call(client, func, request, kwargs)
            if asked is not None:
                recording.add(exchange(*asked, *_ninja.answer_of(response), started))
                recording.answered(client)
            return response
        finally:
            _depth.reset(token)
    return recorded


# --- ASGI (FastAPI, Starlette) ------------------------------------------------------------------------

def record_asgi(call, recording: Recording):
    async def recorded(app, scope, receive, send):
        if scope.get("type") != "http" or _depth.get():
            return await call(app, scope, receive, send)
        token = _depth.set(1)
        recording.starting(app)
        started = time.perf_counter()
        body, seen, answer = bytearray(), {}, bytearray()
        # read now: routing rewrites the scope in place (a Mount sets root_path to its prefix)
        method, target = scope["method"], _asgi_path(scope)
        query = scope.get("query_string", b"").decode("latin-1")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])]

        async def capture_receive():
            message = await receive()
            if message.get("type") == "http.request":
                body.extend(message.get("body", b""))
            return message

        async def capture_send(message):
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                seen["headers"] = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])]
            elif message["type"] == "http.response.body":
                answer.extend(message.get("body", b""))
            await send(message)

        try:
            await call(app, scope, capture_receive, capture_send)
        finally:
            _depth.reset(token)
            recording.add(exchange(method, target, query, headers, bytes(body),
                                    seen.get("status", 0), seen.get("headers", []), bytes(answer), started))
            recording.answered(app)
    return recorded


def _asgi_path(scope: dict) -> str:
    """The path the client asked for: ASGI's `path` holds the root path already (spec 2.3, Starlette
    >= 0.33); servers and routers before that left it out."""
    root, path = scope.get("root_path", ""), scope["path"]
    return path if not root or path == root or path.startswith(root.rstrip("/") + "/") else root + path


# --- the plugin ---------------------------------------------------------------------------------------

ENTRY_POINTS = (
    ("flask", "Flask", "__call__", record_wsgi),
    ("django.core.handlers.wsgi", "WSGIHandler", "__call__", record_wsgi),
    ("django.test.client", "ClientHandler", "__call__", record_django_client),
    ("starlette.applications", "Starlette", "__call__", record_asgi),
)
# Wrapped once Django's settings are configured (by the first test, after pytest-django set them up):
# importing django-ninja reads the settings, and in a process where nobody configured them (a Flask
# suite with pytest-django installed) that printed Django's ImproperlyConfigured traceback at the end
# of the suite's output (tests/cli/test_contracts.py::test_a_failing_suite_is_a_clear_error).
LATE_ENTRY_POINTS = (
    ("ninja.testing.client", "TestClient", "_call", record_ninja_client),
)


def install_late(recording: Recording) -> list[tuple[type, str, Any]] | None:
    """LATE_ENTRY_POINTS wrapped when Django is configured in this process; None: not yet (ask again)."""
    conf = sys.modules.get("django.conf")
    if conf is None or not conf.settings.configured:
        return None
    return _wrap(LATE_ENTRY_POINTS, recording)


def note_construction(call, sightings: Any):
    """An app class's __init__: whoever built the app (decompose_runtime.sightings) is the world's app."""
    def constructed(app, *args, **kwargs):
        result = call(app, *args, **kwargs)
        try:
            sightings.built(app, sys._getframe(1))
        except Exception:  # noqa: BLE001  (inference is a convenience: it never breaks the suite)
            pass
        return result
    return constructed


CONSTRUCTORS = (
    ("flask", "Flask", "__init__", note_construction),
    ("starlette.applications", "Starlette", "__init__", note_construction),
    ("fastapi", "FastAPI", "__init__", note_construction),
)


def install(recording: Recording) -> list[tuple[type, str, Any]]:
    """Wrap every framework entry point (and the app constructors, unless wrapped at import) that can be
    imported; returns what to restore."""
    patched = _wrap(ENTRY_POINTS, recording)
    _sessionview.install()  # a server-side session's values, in an answer header (sessionview)
    return patched + (_CONSTRUCTED if _CONSTRUCTED else _wrap(CONSTRUCTORS, recording.sightings))


def _wrap(points: tuple, argument: Any) -> list[tuple[type, str, Any]]:
    import importlib

    patched = []
    for module_name, class_name, method, wrap in points:
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
        except Exception:  # noqa: BLE001  (framework not installed, or not configured: nothing to record)
            continue
        original = cls.__dict__[method]
        setattr(cls, method, wrap(original, argument))
        patched.append((cls, method, original))
    return patched


_SIGHTINGS = _sightings.Sightings(_ENVIRON_AT_IMPORT)
# An app built when a conftest is imported (`from app.main import app`) is built before any plugin is
# configured: when this run records, the constructors are wrapped now, as `-p` imports this module.
_RECORDING = any(a.startswith("--decompose-record=") for a in sys.argv)
_CONSTRUCTED = _wrap(CONSTRUCTORS, _SIGHTINGS) if _RECORDING else []
if _RECORDING:
    _startdata.watch()  # plain SQLAlchemy: the engines and metadata the suite is about to build


class _Progress:
    """One line per finished test, appended to a file (--decompose-record-progress here, --decompose-progress
    in the contract plugin) that decompose follows for its progress bar (decompose.contracts.progress)."""

    def __init__(self, path: str) -> None:
        self.path, self.total, self.done = path, 0, 0

    def pytest_collection_finish(self, session) -> None:
        self.total = len(session.items)

    def pytest_runtest_logfinish(self, nodeid, location) -> None:
        self.done += 1
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(f"{self.done}/{self.total}\n")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--decompose-record", metavar="PATH", default=None,
                     help="Record every request and answer through the app under test to PATH (decompose contracts).")
    parser.addoption("--decompose-record-progress", metavar="PATH", default=None,
                     help="Append 'done/total' to PATH as each test finishes (decompose's progress bar).")


class _Plugin:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.recording = Recording()
        self.patched = install(self.recording)
        self.late = False  # LATE_ENTRY_POINTS wrapped yet

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None):
        if not self.late:
            wrapped = install_late(self.recording)
            if wrapped is not None:
                self.patched += wrapped
                self.late = True
        self.recording.current, self.recording.after, self.recording.between = item.nodeid, None, {}
        yield
        self.recording.current = "(outside a test)"

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        for cls, method, original in self.patched:
            setattr(cls, method, original)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.recording.to_json(), indent=1, sort_keys=True) + "\n", encoding="utf-8")


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("--decompose-record")
    if path:
        config.pluginmanager.register(_Plugin(Path(path)), "decompose-recorder")
    progress = config.getoption("--decompose-record-progress")
    if progress and not config.pluginmanager.has_plugin("decompose-progress"):
        config.pluginmanager.register(_Progress(progress), "decompose-progress")
