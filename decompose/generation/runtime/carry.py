"""The request context a call between services carries: what the caller's request set, as the callee reads it.

In the monolith a helper called from a view runs inside that view's request: it reads `flask.g.user`
(set by the caller's login decorator), `current_user`, `request.headers`. Called from another service
it runs in the callee's internal endpoint, where none of that exists. So the caller sends its request
context with the call, and the callee runs the function inside it:

    caller (client.py)    {"args": ..., "kwargs": ..., "context": capture()}
    callee (internal.py)  with restored(call["context"]): function(*args, **kwargs)

What a context holds is the framework's business (one module per framework: flaskctx.py); the
service's generated framework.py registers its framework's pair once (`configure`). Without one,
nothing is carried and nothing is restored. Values travel in the wire format (wire.py), so the callee
builds only classes it knows; a value that cannot travel is left out, and reading it in the callee
fails as it did before.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

Capture = Callable[[], dict]
Restore = Callable[[dict], Any]  # a context manager
_FRAMEWORK: list[tuple[Capture, Restore]] = []


def configure(capture: Capture, restore: Restore) -> None:
    _FRAMEWORK[:] = [(capture, restore)]


def capture() -> dict:
    """The caller's request context in wire form ({} outside a request, or without a framework)."""
    return _FRAMEWORK[0][0]() if _FRAMEWORK else {}


@contextlib.contextmanager
def restored(context: Any) -> Iterator[None]:
    """The callee runs inside the caller's request context (nothing to restore: as it is)."""
    if not context or not _FRAMEWORK:
        yield
        return
    if not isinstance(context, dict):
        raise ValueError("the call's context must be an object")
    with _FRAMEWORK[0][1](context):
        yield
