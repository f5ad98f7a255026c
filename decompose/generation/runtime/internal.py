"""The callee side of calls between services: one internal endpoint per service.

    POST /_decompose/call/{target}   {"args": [...], "kwargs": {...}}
      -> the shared secret is checked (when DECOMPOSE_INTERNAL_SECRET is set: locally and in dev;
         on AWS the route's IAM authorizer has already checked the caller's signature)
      -> target must be one of the functions this service exposes (else 404)
      -> inside the framework's app context: call, flush, encode the result, commit
         (rollback and encode the error if it raises)
      <- 200 {"result": ...} or 200 {"error": ...}; 400 for a body that is not a call; 403 bad secret

The callee commits its own unit of work: a call across services is no longer part of the caller's
transaction (the generation report lists every such call that writes).
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
from collections.abc import Callable
from typing import Any

from chalice import Response

from . import wire
from .client import SECRET_HEADER


class Endpoint:
    def __init__(self, functions: dict[str, Callable[..., Any]], context: Callable[[], Any] | None = None,
                 session: Callable[[], Any] | None = None) -> None:
        self.functions = functions
        self.context = context or contextlib.nullcontext
        self.session = session

    def handle(self, target: str, headers: Any, body: bytes) -> Response:
        secret = os.environ.get("DECOMPOSE_INTERNAL_SECRET")
        if secret and not hmac.compare_digest(str(headers.get(SECRET_HEADER.lower(), "")), secret):
            return _json(403, {"message": "missing or wrong X-Decompose-Secret"})
        function = self.functions.get(target)
        if function is None:
            return _json(404, {"message": f"this service exposes no {target!r}"})
        try:
            call = json.loads(body or b"{}")
            args, kwargs = call.get("args", []), call.get("kwargs", {})
        except (ValueError, AttributeError):
            return _json(400, {"message": "the body must be JSON: {\"args\": [...], \"kwargs\": {...}}"})
        with self.context():
            return _json(200, self._run(function, args, kwargs))

    def _run(self, function: Callable[..., Any], args: Any, kwargs: Any) -> dict:
        session = self.session() if self.session else None
        try:
            result = function(*wire.decode(args), **wire.decode(kwargs))
            if session is not None:
                session.flush()
            payload = {"result": wire.encode(result, "the result")}
            if session is not None:
                session.commit()
            return payload
        except Exception as error:  # noqa: BLE001 (every error goes back to the caller, typed)
            if session is not None:
                session.rollback()
            return {"error": wire.encode_error(error)}


def _json(status: int, payload: dict) -> Response:
    return Response(json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, status_code=status)
