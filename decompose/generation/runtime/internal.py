"""The callee side of calls between services: one internal endpoint per service.

    POST /_decompose/call/{target}   {"args": [...], "kwargs": {...}, "context": {...} (optional)}
      -> the caller must be authenticated (auth.py: the IAM authorizer on AWS, the shared secret
         elsewhere; without either configured every call is refused: 503)
      -> target must be one of the functions this service exposes (else 404)
      -> the body must be a call of at most MAX_BODY bytes whose values decode (wire.py: known classes
         only, bounded nesting), else 400 with what was wrong; nothing runs
      -> inside the framework's app context and the caller's request context (carry.py: flask.g, the
         request's headers; a context that does not decode is a 400 and nothing runs), the function's module
         imported on the first call (Deferred: a module may read the app at import, as the monolith imported
         it inside a request), call (a coroutine function's result awaited on the
         process's one event loop, decompose_runtime.asgi, after the app's lifespan started), flush,
         encode the result, commit
         (rollback and encode the error if it raises; the full error goes to this service's log, the
         caller gets its class and, for classes this service knows, its args)
      <- 200 {"result": ...} or 200 {"error": ...}; 400 bad call; 403 not authorized; 413 too big

The callee commits its own unit of work: a call across services is no longer part of the caller's
transaction (the generation report lists every such call that writes).

Where the environment names a call log (CALL_LOG: set only by decompose's local fleet, never on AWS),
every call this endpoint runs appends its target there, one line each: `contracts verify --target
services` counts the internal calls each replayed request made (decompose.contracts.calls).
"""

from __future__ import annotations

import contextlib
import inspect
import json
import logging
import os
from collections.abc import Callable
from typing import Any

from chalice import Response

from . import asgi, carry, wire
from .auth import refusal
from .client import CALL_LOG

MAX_BODY = 6 * 1024 * 1024  # Lambda's synchronous payload limit: a bigger call could not arrive on AWS
LOG = logging.getLogger("decompose_runtime.internal")
USAGE = 'the body must be JSON: {"args": [...], "kwargs": {...}, "context": {...} (optional)}'


class Deferred:
    """An exposed function whose module is imported on its first call, inside the framework's app context.

    The monolith imported some modules only inside a request (CTFd's geoip opens its database from
    `current_app.config` at import): importing them when app.py loads fails outside any context.
    `module` is a generated function with a literal import: nothing here imports what a caller names."""

    def __init__(self, module: Callable[[], Any], name: str) -> None:
        self.module, self.name = module, name

    def resolve(self) -> Callable[..., Any]:
        return getattr(self.module(), self.name)


class Endpoint:
    def __init__(self, functions: dict[str, Callable[..., Any]], context: Callable[[], Any] | None = None,
                 session: Callable[[], Any] | None = None) -> None:
        self.functions = functions
        self.context = context or contextlib.nullcontext
        self.session = session
        self.prepare: Callable[[], None] = lambda: None  # an ASGI service: start the app's lifespan (app.py sets it)

    def handle(self, target: str, headers: Any, body: bytes | None, request_context: Any = None) -> Response:
        refused = refusal(headers, request_context)
        if refused:
            return _json(refused[0], {"message": refused[1]})
        function = self.functions.get(target)
        if function is None:
            return _json(404, {"message": f"this service exposes no {target[:200]!r}"})
        if len(body or b"") > MAX_BODY:
            return _json(413, {"message": f"a call's body is at most {MAX_BODY} bytes"})
        call = _parse(body or b"{}")
        if isinstance(call, str):
            return _json(400, {"message": call})
        with self.context():
            try:
                args, kwargs = wire.decode(call[0]), wire.decode(call[1])
            except wire.WireError as error:
                return _json(400, {"message": f"the call's values do not decode: {error}"})
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                return _json(400, {"message": USAGE})
            return self._in_context(call[2], target, function, args, kwargs)

    def _in_context(self, context: Any, target: str, function: Callable[..., Any], args: list, kwargs: dict) -> Response:
        try:
            with carry.restored(context):
                _logged(target)  # run, in the caller's context (one that does not decode is refused: not run)
                return _json(200, self._run(target, function, args, kwargs))
        except (wire.WireError, ValueError) as error:  # _run returns every error of the call itself
            return _json(400, {"message": f"the call's request context does not decode: {error}"})

    def _run(self, target: str, function: Callable[..., Any], args: list, kwargs: dict) -> dict:
        session = self.session() if self.session else None
        try:
            if isinstance(function, Deferred):
                function = function.resolve()
            result = function(*args, **kwargs)
            if inspect.isawaitable(result):  # an async monolith: its pools live on the loop its startup ran on
                self.prepare()
                result = asgi.ProcessLoop.shared().run(_awaited(result))
            if session is not None:
                session.flush()
            payload = {"result": wire.encode(result, "the result")}
            if session is not None:
                session.commit()
            return payload
        except Exception as error:  # noqa: BLE001 (every error goes back to the caller, typed)
            if session is not None:
                session.rollback()
            LOG.warning("internal call %s raised", target, exc_info=error)
            return {"error": wire.encode_error(error)}


def _logged(target: str) -> None:
    """One line per call run, for the local fleet's count (module docstring); one write, appended."""
    path = os.environ.get(CALL_LOG)
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(target + "\n")


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


def _parse(body: bytes) -> tuple[list, dict, Any] | str:
    """(args, kwargs, context) still in wire form, or what is wrong with the body."""
    try:
        call = json.loads(body)
    except (ValueError, RecursionError):
        return USAGE + " (it is not JSON, or nests too deep)"
    if not isinstance(call, dict):
        return USAGE
    args, kwargs = call.get("args", []), call.get("kwargs", {})
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        return USAGE + " (args must be a list and kwargs an object)"
    return args, kwargs, call.get("context")


def _json(status: int, payload: dict) -> Response:
    return Response(json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, status_code=status)
