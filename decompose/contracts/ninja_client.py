"""django-ninja's `TestClient(router)` as the monolith would have been asked: the recorder's Django part.

`ninja.testing.TestClient` never goes through Django's request handler: it resolves the path against
the router (or API) it was given, builds a request object by hand and calls the view. The path a
test passes is relative to that router (`client.get("/{slug}")` for a router the API mounts at
`/articles` under `path("api/", api.urls)`), so recording it as sent would describe a route nobody
serves. The mount is found in the project's own URLconf: the pattern whose django-ninja view runs the
same handler functions as the one the client resolved; its prefix is put back in front of the path.

    request_of(client, view, request) -> (method, path, query, headers, body), or None when the call
                                         cannot be replayed over HTTP (router not mounted in the
                                         URLconf, a forced `user=`/`auth=`, a non-literal prefix)
    answer_of(response)               -> (status, headers, body) of a NinjaResponse

Works on django-ninja 0.16 (views are bound methods of a PathView) and 1.x (closures over it).
Standard library at import: it runs in the monolith's interpreter beside the recorder.
"""

from __future__ import annotations

import json
import re
from typing import Any

_REGEX_SYNTAX = re.compile(r"[\\^$()\[\]*+?{}|<>]")  # a prefix holding these is not one literal path


def request_of(client: Any, view: Any, request: Any,
               patterns: Any = None) -> tuple[str, str, str, list[tuple[str, str]], bytes] | None:
    """`patterns`: the project's URL patterns (by default the root URLconf's)."""
    if _forced_identity(request):
        return None
    if patterns is None:
        from django.urls import get_resolver

        patterns = get_resolver().url_patterns
    prefix = _mount_prefix(client, view, patterns)
    if prefix is None:
        return None
    relative = str(request.path).split("?", 1)[0].lstrip("/")
    query = request.GET.urlencode() if hasattr(request.GET, "urlencode") else ""
    body = request._body if isinstance(request._body, bytes) else str(request._body or "").encode("utf-8")
    return request.method.upper(), "/" + prefix + relative, query, _headers(request.META, body), body


def answer_of(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    real = getattr(response, "_response", response)
    headers = list(real.items()) + [("Set-Cookie", c.OutputString()) for c in getattr(real, "cookies", {}).values()]
    return response.status_code, headers, response.content


def _forced_identity(request: Any) -> bool:
    """`client.get(..., user=u)` or `auth=...` set the identity on the request object: HTTP cannot say that."""
    from unittest.mock import Mock

    return getattr(request, "auth", None) is not None or not isinstance(getattr(request, "user", None), Mock)


def _headers(meta: dict[str, Any], body: bytes) -> list[tuple[str, str]]:
    headers = [(k[5:].replace("_", "-"), str(v)) for k, v in sorted(meta.items()) if k.startswith("HTTP_")]
    content_type = meta.get("CONTENT_TYPE")
    if not content_type and body and _is_json(body):
        content_type = "application/json"  # `json=` sends none: ninja parses any body, a real server wants the type
    return headers + ([("CONTENT-TYPE", content_type)] if content_type else [])


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def _mount_prefix(client: Any, view: Any, patterns: Any) -> str | None:
    """The literal URL prefix the project's URLconf serves the client's router under, or None."""
    path_view = _path_view(view)
    handlers = _handlers(path_view)
    relative = next((str(url.pattern) for url in client.urls if _path_view(url.callback) is path_view), None)
    if not handlers or relative is None:
        return None
    for route, callback in _flatten(patterns):  # URLconf order: the first mount wins
        if route.endswith(relative) and _handlers(_path_view(callback)) & handlers:
            prefix = route[: len(route) - len(relative)]
            return None if _REGEX_SYNTAX.search(prefix) else prefix
    return None


def _flatten(patterns: Any, prefix: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for entry in patterns:
        route = prefix + _literal(str(entry.pattern))
        if hasattr(entry, "url_patterns"):
            found += _flatten(entry.url_patterns, route)
        else:
            found.append((route, entry.callback))
    return found


def _literal(pattern: str) -> str:
    """A RegexPattern's `^api/` as a route; a RoutePattern is already one."""
    return pattern.removeprefix("^").removesuffix("\\Z").removesuffix("$")


def _path_view(view: Any) -> Any:
    """The PathView behind a django-ninja view: the bound method's owner (0.16) or a closure cell (1.x)."""
    owner = getattr(view, "__self__", None)
    if hasattr(owner, "operations"):
        return owner
    for cell in getattr(view, "__closure__", None) or ():
        try:
            value = cell.cell_contents
        except ValueError:
            continue
        if hasattr(value, "operations"):
            return value
    return None


def _handlers(path_view: Any) -> set[int]:
    return {id(op.view_func) for op in getattr(path_view, "operations", ())}
