"""The monolith as an upstream of the local gateway: its own app (the plan's [contracts] app, an app or
an app factory) served on 127.0.0.1, with the contract reset endpoint when DECOMPOSE_CONTRACT_RESET=1.

    python -m decompose.gateway.host shop.app:create_app --port 8000 [--root .] [--allow-hook M:F] [--allow-env KEY]
    python -m decompose_runtime.host ...       # the same, in the monolith's interpreter (decompose.interpreter)

WSGI apps run on the standard library's threading WSGI server with Nagle's algorithm off (the same
late-answer trap as chalice local, see chalice_local.py); ASGI apps on uvicorn (on that server when the
monolith has no uvicorn) with their lifespan on:
startup before the first request, shutdown when the host stops, and on a reset the old app's shutdown
then the new app's startup (decompose_runtime.asgi drives it, the app's state reaches each request as
uvicorn would pass it). POST /_decompose/reset
sets the scenario's environment, calls the reset hooks and builds a new app, like a generated
service's endpoint (decompose_runtime.reset), so a contract scenario replayed through the gateway
starts on a fresh monolith as well as fresh services; like theirs, it takes only the plan's [contracts]
reset hooks and env keys (--plan; none without it) and the shared secret. This is for development and CI: production
keeps its own server.

It runs in the monolith's interpreter (CPython 3.9+, the monolith's own framework versions), copied into
the standalone package decompose_runtime beside reset.py: it imports the standard library, that
package, and uvicorn for an ASGI app (the monolith's own; without it, the same standard-library server
as for WSGI apps), never decompose.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

try:
    from . import appcall, asgi, lifeline, reset, servername, sessionview, sightings, sqlitelocks, startdata  # as decompose_runtime.host
except ImportError:
    from decompose.contracts import appcall, sightings, startdata  # as decompose.gateway.host
    from decompose.gateway import lifeline
    from decompose.generation.runtime import asgi, reset, servername, sessionview, sqlitelocks

HOST = "127.0.0.1"


class AppError(ValueError):
    """The app spec names nothing usable (the caller says how to fix it)."""


def load_app(spec: str, root: Path) -> Any:
    """The WSGI/ASGI app `spec` (module:attribute) names, imported with `root` on sys.path; a plain
    function is a factory, called with the spec's arguments when it has some
    (`pkg:create_app('testing')`, literals and module.Name references: decompose_runtime.sightings)."""
    module_name, attribute, call = sightings.split(spec)
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # user code: any import failure is theirs to see
        raise AppError(f"[contracts] app {spec}: importing {module_name} failed ({type(error).__name__}: {error})") from error
    found = getattr(module, attribute, None)
    if found is None:
        raise AppError(f"[contracts] app {spec}: {module_name} has no {attribute!r}")
    if inspect.isfunction(found) or call is not None:
        try:
            args, kwargs = sightings.arguments(call or "()")
        except (ValueError, SyntaxError, AttributeError) as error:
            raise AppError(f"[contracts] app {spec}: its arguments: {error}") from error
        found = found(*_shared(args), **_shared(kwargs))
    if not callable(found):
        raise AppError(f"[contracts] app {spec}: {type(found).__name__} is not a WSGI or ASGI app")
    return found


def _shared(values: Any) -> Any:
    """`gateway up --contract-world` runs the monolith beside the services, on one database and one cache: in that
    fleet (DECOMPOSE_CONTRACT_SHARED=1) an in-memory SQLite database is the scenario's file and a Flask-Caching
    cache of the process the scenario's folder, as in theirs (appcall)."""
    folder = os.environ.get(appcall.SCRATCH)
    if os.environ.get(appcall.SHARED) != "1" or not folder:
        return values
    appcall.share_memory_sqlite()
    appcall.share_flask_caching()
    return appcall.shared(values, folder)


def is_asgi(app: Any) -> bool:
    return inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(type(app).__call__)


class Hosted:
    """The current app, rebuilt on reset; requests to the reset path never reach the app."""

    def __init__(self, spec: str, root: Path, allowed: reset.Allowed = reset.Allowed()) -> None:
        self.spec, self.root, self.allowed = spec, root, allowed
        self.lock = threading.Lock()
        startdata.watch()  # before the app builds its engine (plain SQLAlchemy: the last one built is loaded)
        sessionview.install_in_contract_world()  # a server-side session's values, for the replay to bind
        self.app = load_app(spec, root)
        self.lifespan: asgi.Lifespan | None = None  # an ASGI app's, once uvicorn started it

        self.next: str | None = None  # a scenario's own app (its test built another: build.Scenario.app)
        # resets (and, when the database is bound to a thread, requests) run on this one thread
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="decompose-host")

    def rebuild(self) -> None:
        with self.lock:
            self.app = load_app(self.next or self.spec, self.root)
            startdata.fresh(self.app)  # Django: the test database, empty (decompose_runtime.django_data)

    def hooks_and_rebuild(self, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
        refused = self.choose(headers, body)
        if refused:
            return 403, {"message": refused}
        return reset.handle(headers, body, self.rebuild, self.allowed, self.seed)

    def seed(self, data: dict[str, Any], replace: bool = False) -> int:
        return startdata.load(self.app, data, replace=replace)

    def choose(self, headers: Any, body: bytes) -> str | None:
        """The app the next rebuild builds: a reset's "app", when it calls the host's own factory (other
        arguments: a test's other configuration class) and is one the host was started to replay
        (DECOMPOSE_CONTRACT_APPS, as for a generated service: appcall.Chooser), else the host's spec; why
        not, for a 403."""
        import json

        try:
            wanted = json.loads(body or b"{}").get("app") if not reset.refusal(headers, iam=False) else None
        except (ValueError, AttributeError):
            wanted = None  # reset.handle answers the malformed body
        if wanted is None or wanted == self.spec:
            self.next = None
            return None
        if not isinstance(wanted, str) or sightings.split(wanted)[:2] != sightings.split(self.spec)[:2]:
            return f"app {str(wanted)[:120]!r} does not call this host's factory {self.spec.partition('(')[0]}: nothing was reset"
        if wanted not in appcall.allowed_apps(os.environ):
            return (f"app {wanted[:120]!r} is not one this host was started to replay ({appcall.APPS}): "
                    "nothing was reset")
        self.next = wanted
        return None

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        if reset.enabled() and environ.get("PATH_INFO") == reset.PATH and environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
            status, answer = self.worker.submit(self.hooks_and_rebuild, headers, environ["wsgi.input"].read(length)).result()
            return _json(start_response, status, answer)
        environ = servername.as_tested(self.app, environ)  # Flask's SERVER_NAME, as the suite's test client sent it
        if startdata.thread_bound():  # an in-memory SQLite database: the thread the reset loaded it on
            return self.worker.submit(_whole, self.app, environ, start_response).result()
        return self.app(environ, start_response)

    async def asgi(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] == "http" and reset.enabled() and scope["path"] == reset.PATH and scope["method"] == "POST":
            await self._reset(scope, receive, send)
            return
        state = self.lifespan.state if self.lifespan is not None else {}
        await self.app({**scope, "state": dict(state)}, receive, send)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        """uvicorn's lifespan, passed on to the current app (and to each app a reset builds)."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    self.lifespan = await asgi.Lifespan(self.app).startup()
                except asgi.LifespanError as error:
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.lifespan is not None:
                    await self.lifespan.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _reset(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """The hooks run on a worker thread (user code may block); the app swap, lifespan included, on this loop."""
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        loop = asyncio.get_running_loop()

        request = asyncio.current_task()  # this reset's own request: the old app's shutdown must not cancel it

        def rebuild() -> None:
            asyncio.run_coroutine_threadsafe(self._swap(request), loop).result()

        refused = self.choose(headers, body)
        try:
            if refused:
                status, answer = 403, {"message": refused}
            else:
                status, answer = await loop.run_in_executor(None, reset.handle, headers, body, rebuild, self.allowed,
                                                            self.seed)
        except Exception as error:  # noqa: BLE001  (the new app's import or startup: user code, shown to the verifier)
            status, answer = 500, {"message": f"rebuilding the app failed: {type(error).__name__}: {error}"}
        payload = _encode(answer)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": payload})

    async def _swap(self, request: asyncio.Task | None = None) -> None:
        if self.lifespan is not None:
            await self.lifespan.shutdown(keep=[request] if request is not None else [])
            self.lifespan = None
        self.rebuild()
        self.lifespan = await asgi.Lifespan(self.app).startup()


def _whole(app: Any, environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The app's whole answer, read on the calling thread (the one its database connection belongs to)."""
    result = app(environ, start_response)
    try:
        return [b"".join(result)]
    finally:
        if hasattr(result, "close"):
            result.close()


def _encode(answer: dict[str, Any]) -> bytes:
    import json

    return json.dumps(answer).encode()


def _json(start_response: Any, status: int, answer: dict[str, Any]) -> list[bytes]:
    payload = _encode(answer)
    reason = {200: "OK", 400: "Bad Request", 403: "Forbidden", 500: "Internal Server Error"}.get(status, "")
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Handler(WSGIRequestHandler):
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # the stdlib names it format
        if os.environ.get("DECOMPOSE_HOST_LOG") == "1":
            super().log_message(format, *args)


HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer", "proxy-authenticate",
              "proxy-authorization"}  # wsgiref refuses them


def _asgi_on_wsgi(hosted: Hosted) -> Any:
    """A WSGI app handing each request to the hosted ASGI app on the process's one loop (decompose_runtime.asgi),
    its lifespan started first: an ASGI monolith served without uvicorn (an app on FastAPI 0.79 lists none)."""
    loop = asgi.ProcessLoop.shared()
    hosted.lifespan = loop.run(asgi.Lifespan(hosted.app).startup())

    def serve(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        status, headers, payload = loop.run(asgi.http(hosted.asgi, _scope(environ), body, {}))
        reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        start_response(f"{status} {reason}", [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers
                                              if k.decode("latin-1").lower() not in HOP_BY_HOP])
        return [payload]

    return serve


def _scope(environ: dict[str, Any]) -> dict[str, Any]:
    """The ASGI http scope of a WSGI environ (PATH_INFO is latin-1 decoded bytes, as PEP 3333 says)."""
    path = environ.get("PATH_INFO") or "/"
    headers = [(k[5:].replace("_", "-").lower().encode("latin-1"), v.encode("latin-1"))
               for k, v in environ.items() if k.startswith("HTTP_")]
    headers += [(k.replace("_", "-").lower().encode("latin-1"), environ[k].encode("latin-1"))
                for k in ("CONTENT_TYPE", "CONTENT_LENGTH") if environ.get(k)]
    raw = path.encode("latin-1")
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": environ.get("SERVER_PROTOCOL", "HTTP/1.1").partition("/")[2] or "1.1",
            "method": environ["REQUEST_METHOD"], "scheme": environ.get("wsgi.url_scheme", "http"),
            "path": raw.decode("utf-8", "replace"), "raw_path": raw, "root_path": "",
            "query_string": environ.get("QUERY_STRING", "").encode("latin-1"), "headers": headers,
            "client": (environ.get("REMOTE_ADDR", HOST), int(environ.get("REMOTE_PORT") or 0)),
            "server": (environ.get("SERVER_NAME", HOST), int(environ.get("SERVER_PORT") or 0))}


def allowed(argv: list[str]) -> reset.Allowed:
    """What a reset may name: the launcher's --allow-hook and --allow-env (the plan's [contracts] reset hooks
    and env keys; nothing without them)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--allow-hook", action="append", default=[])
    parser.add_argument("--allow-env", action="append", default=[])
    options, _ = parser.parse_known_args(argv)
    return reset.Allowed.of(options.allow_hook, options.allow_env)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m decompose_runtime.host", description=__doc__.split("\n\n")[0])
    parser.add_argument("app", help="module:attribute of the WSGI/ASGI app or app factory")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--root", type=Path, default=Path("."), help="the folder the app's package imports from")
    parser.add_argument("--allow-hook", action="append", default=[], help="a [contracts] reset hook a reset may call")
    parser.add_argument("--allow-env", action="append", default=[], help="a [contracts.env] key a reset may set")
    options = parser.parse_args(argv)
    lifeline.hold()  # started by a fleet: it stops when that process dies, even by SIGKILL
    sqlitelocks.install()  # each reset closes the old app's connections: none may keep a lock (3.11+)
    try:
        hosted = Hosted(options.app, options.root.resolve(), allowed(argv))
    except AppError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    served = hosted.wsgi
    if is_asgi(hosted.app):
        try:
            import uvicorn
        except ImportError:  # the monolith's environment has no uvicorn: its app on the stdlib server
            served = _asgi_on_wsgi(hosted)
        else:
            # a bound method hides its coroutine from uvicorn's guess, which then calls it as ASGI 2 (one argument)
            uvicorn.run(hosted.asgi, host=HOST, port=options.port, log_level="warning", lifespan="on", interface="asgi3")
            return 0
    with make_server(HOST, options.port, served, server_class=_Server, handler_class=_Handler) as server:
        print(f"serving {options.app} on http://{HOST}:{options.port}", file=sys.stderr, flush=True)
        server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
