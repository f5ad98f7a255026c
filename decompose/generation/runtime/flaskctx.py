"""Flask's request context, carried by a call between services (carry.py says why).

    capture()  in the caller's request: {"g": {name: wire value}, "request": {method, path, query, headers}}
    restored() in the callee's app context: a request context built from "request" (so `request.headers`,
               `session` and flask-login's `current_user` read what the caller's request had), then
               flask.g filled with "g" (`g.user` set by the caller's login decorator)

`app_wide(app, decorator, called, function, *arguments)` applies to the app itself what a blueprint
declared for the whole app (`@main.app_errorhandler(404)` becomes `app.errorhandler(404)`): the hook of a
blueprint this service does not register (decompose.generation.apphooks).

Only what travels as a wire value is carried (ORM rows by primary key, plain data): a connection kept
in `g` stays behind, and the callee opens its own. The request's body is not carried (a helper reads
its arguments, not the caller's body). Flask is imported only when a call is made: this module is part
of every service's runtime.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from . import wire
from .auth import SECRET_HEADER

LEFT_BEHIND = frozenset({  # headers about the caller's connection and body, not its request
    "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection",
    "content-length", SECRET_HEADER.lower(),
})


# a blueprint's app-wide decorator -> the app's own (the generator emits only these names)
APP_WIDE = {
    "app_context_processor": "context_processor",
    "app_errorhandler": "errorhandler",
    "before_app_request": "before_request",
    "before_app_first_request": "before_first_request",
    "after_app_request": "after_request",
    "teardown_app_request": "teardown_request",
    "app_template_filter": "template_filter",
    "app_template_global": "template_global",
    "app_template_test": "template_test",
    "app_url_value_preprocessor": "url_value_preprocessor",
    "app_url_defaults": "url_defaults",
}


def app_wide(app: Any, decorator: str, called: bool, function: Any, /, *arguments: Any, **keywords: Any) -> Any:
    """`@bp.<decorator>(*arguments)` on the app itself: `app.<its app method>(*arguments)(function)`."""
    method = getattr(app, APP_WIDE[decorator])
    return (method(*arguments, **keywords) if called else method)(function)


def capture() -> dict:
    import flask

    found: dict[str, Any] = {}
    if flask.has_app_context():
        found["g"] = _globals(flask.g._get_current_object())
    if flask.has_request_context():
        request = flask.request
        found["request"] = {"method": request.method, "path": request.path,
                            "query": request.query_string.decode("latin-1"),
                            "headers": [[k, v] for k, v in request.headers.items() if k.lower() not in LEFT_BEHIND]}
    return {key: value for key, value in found.items() if value}


def _globals(space: Any) -> dict:
    values = {}
    for name, value in sorted(vars(space).items()):
        try:
            values[name] = wire.encode(value, f"flask.g.{name}")
        except (TypeError, ValueError):  # WireError is a TypeError: this value stays in the caller's process
            continue
    return values


@contextlib.contextmanager
def restored(context: dict) -> Iterator[None]:
    import flask

    request = context.get("request")
    values = _decoded_globals(context.get("g", {}))
    with _request_context(flask, request) if request else contextlib.nullcontext():
        for name, value in values.items():
            setattr(flask.g, name, value)
        yield


def _decoded_globals(carried: Any) -> dict:
    if not isinstance(carried, dict) or not all(isinstance(k, str) and k.isidentifier() for k in carried):
        raise ValueError("the context's g must map attribute names to values")
    return {name: wire.decode(value) for name, value in carried.items()}


def _request_context(flask: Any, request: Any) -> Any:
    if not isinstance(request, dict):
        raise ValueError("the context's request must be an object")
    method, path, query, headers = (request.get(k) for k in ("method", "path", "query", "headers"))
    if not (isinstance(method, str) and isinstance(path, str) and path.startswith("/") and isinstance(query, str)):
        raise ValueError("the context's request needs a method, a path starting with '/' and a query string")
    if not isinstance(headers, list) or not all(
            isinstance(h, list) and len(h) == 2 and all(isinstance(p, str) for p in h) for h in headers):
        raise ValueError("the context's request headers must be [name, value] pairs of strings")
    return flask.current_app.test_request_context(path, method=method, query_string=query,
                                                  headers=[(k, v) for k, v in headers])

