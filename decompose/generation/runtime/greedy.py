"""`chalice local` and `chalice.test.Client` matching a greedy route (`/{path+}`) as API Gateway does.

A Django `<path:path>/` route matches any depth (/about/, /guides/install/); its Chalice route is
`/{path+}`, which API Gateway matches against the rest of the path. Chalice's local matcher
(`chalice.local.RouteMatcher`, which its test client uses too) compares one segment per part, so
/guides/install matched nothing there (403 Missing Authentication Token). `allow()` adds API Gateway's
rule to it: a path no route matches segment by segment goes to the route whose last part is greedy
and whose other parts match the path's first segments. On Lambda nothing calls the matcher.

Copied into generated services as `decompose_runtime.greedy`: standard library and chalice only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse


def allow() -> None:
    """Teach chalice's local route matcher greedy routes (once per process; without chalice.local, nothing)."""
    try:
        from chalice import local
    except ImportError:  # pragma: no cover  (a deployment without chalice's local server)
        return
    original = local.RouteMatcher.match_route
    if getattr(original, "greedy", False):
        return

    def match_route(self: Any, url: str) -> Any:
        try:
            return original(self, url)
        except ValueError:
            found = match(self.route_urls, url)
            if found is None:
                raise
            route, captured = found
            return local.MatchResult(route, captured, parse_qs(urlparse(url).query, keep_blank_values=True))

    match_route.greedy = True  # type: ignore[attr-defined]
    local.RouteMatcher.match_route = match_route


def match(routes: list[str], url: str) -> tuple[str, dict[str, str]] | None:
    """(route, captured) of the first route (in sorted order, as chalice tries them) ending in a greedy part
    that takes the rest of `url`'s path; None when none does."""
    path = urlparse(url).path
    if path != "/" and path.endswith("/"):  # API Gateway drops a trailing slash, as chalice local does
        path = path[:-1]
    parts = path.split("/")
    for route in sorted(routes):
        pieces = route.split("/")
        last = pieces[-1]
        if not (last.startswith("{") and last.endswith("+}")) or len(parts) < len(pieces):
            continue
        captured = _prefix(parts, pieces[:-1])
        if captured is not None:
            captured[last[1:-2]] = "/".join(parts[len(pieces) - 1:])
            return route, captured
    return None


def _prefix(parts: list[str], pieces: list[str]) -> dict[str, str] | None:
    captured = {}
    for part, piece in zip(parts, pieces):
        if piece.startswith("{") and piece.endswith("}"):
            captured[piece[1:-1]] = part
        elif part != piece:
            return None
    return captured
