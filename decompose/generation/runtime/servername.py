"""The Host a Flask app configured with SERVER_NAME answers, for requests from this machine.

Flask routes only requests whose Host matches `SERVER_NAME` (any other gets 404, or whatever the app's
handlers make of it: CTFd's TestingConfig sets "localhost", and its `/setup` then answered 302 on every
replay). A suite's test client sends that name, since Flask's test client takes SERVER_NAME as its host; a
contract replay sends `127.0.0.1:<port>`. So a request whose Host is a loopback address is given the
configured name, as the test client gave it. A deployed service is never reached on a loopback Host:
nothing changes there. Standard library only, CPython 3.9 to 3.13.
"""
from __future__ import annotations

from typing import Any, Callable

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def as_tested(app: Any, environ: dict) -> dict:
    """`environ`, its HTTP_HOST set to the app's SERVER_NAME when that is configured and the Host is loopback."""
    config = getattr(app, "config", None)
    name = config.get("SERVER_NAME") if isinstance(config, dict) else None
    if not isinstance(name, str) or not name or _host(environ.get("HTTP_HOST", "")) not in LOOPBACK:
        return environ
    return {**environ, "HTTP_HOST": name}


def wrapped(app: Any) -> Callable[[dict, Any], Any]:
    """A WSGI app passing each request to `app` through `as_tested`."""
    def serve(environ: dict, start_response: Any) -> Any:
        return app(as_tested(app, environ), start_response)
    return serve


def _host(value: str) -> str:
    if value.startswith("["):
        return value[1:].partition("]")[0]
    return value.rpartition(":")[0] if value.count(":") == 1 else value
