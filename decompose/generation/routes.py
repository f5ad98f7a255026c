"""Monolith routes -> Chalice routes: one per path template, its methods merged.

API Gateway (and so Chalice) wants one name per variable path part among siblings
(`/items/{id}` and `/items/{item_id}/photos` cannot both exist), and matches one path segment per
variable, as a whole segment (`{badge_key}.{fmt}` becomes `{badge_key}`). The real path goes to the
framework unchanged, so renaming a variable part is safe: the framework still parses its own `<int:item_id>`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from decompose.analysis.model import EVERY_METHOD, Route, concrete

_VARIABLE = re.compile(r"^\{([^{}]+)\}$")
_ANY_VARIABLE = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class ChaliceRoute:
    path: str
    methods: tuple[str, ...]
    function: str
    doc: str
    example: str  # the path with every variable part filled (for generated tests)


def chalice_routes(routes: Iterable[Route], every_method: bool = False) -> list[ChaliceRoute]:
    """every_method: each path takes every concrete method and the framework answers the ones its view
    refuses (Django's 405 from `@require_POST`, as the monolith answers it, not Chalice's own 405: the
    zoo's `GET /orders/checkout/` reached a POST-only Chalice route through the `/orders/{order_id}/` GET
    route of the same service). The docstring still names the routes' own methods."""
    routes = list(routes)
    names = sibling_names(sorted({r.template for r in routes}))
    names = {template: folded(path, set(names.values())) for template, path in names.items()}
    by_path: dict[str, set[str]] = {}
    handlers: dict[str, set[str]] = {}
    slashed: dict[str, bool] = {}  # the monolith's paths end with "/": the example asks for that path, not its redirect
    for route in routes:
        path = names[route.template]
        by_path.setdefault(path, set()).update(concrete(route.methods))  # Chalice has no "ANY"
        handlers.setdefault(path, set()).add(route.handler)
        slashed[path] = slashed.get(path, True) and route.path.endswith("/")
    used: set[str] = set()
    found = []
    for path in sorted(by_path):
        function = unique(_function_name(path), used)
        doc = f"{', '.join(sorted(by_path[path]))} {path}: {', '.join(sorted(handlers[path]))}"
        methods = EVERY_METHOD if every_method else tuple(sorted(by_path[path]))
        example = example_path(path) + ("/" if slashed[path] and path != "/" else "")
        found.append(ChaliceRoute(path, methods, function, doc, example))
    return found


def sibling_names(templates: list[str]) -> dict[str, str]:
    """Rename variable parts so that siblings agree: the first name (in sorted order) wins."""
    chosen: dict[tuple[str, ...], str] = {}
    renamed = {}
    for template in templates:
        parts = template.strip("/").split("/") if template != "/" else []
        out: list[str] = []
        for index, part in enumerate(parts):
            part = _whole_segment(part)
            match = _VARIABLE.match(part)
            if match:
                key = tuple(out)
                chosen.setdefault(key, match.group(1).rstrip("+"))
                # the rest of the path (Django's <path:x>): greedy where API Gateway allows it, as the last part
                greedy = "+" if match.group(1).endswith("+") and index == len(parts) - 1 else ""
                part = "{" + chosen[key] + greedy + "}"
            out.append(part)
        renamed[template] = "/" + "/".join(out)
    return renamed


def folded(path: str, paths: set[str]) -> str:
    """The greedy route of `paths` that takes `path` too, else `path`: API Gateway allows one variable child per
    resource, so `/files/{path}` (or `/files/{path}/raw`) beside `/files/{path+}` would be refused at deploy; the
    greedy route matches its paths as well, and the framework, which gets the real path, tells them apart."""
    parts = path.split("/")
    for other in sorted(paths):
        pieces = other.split("/")
        last = len(pieces) - 1
        if (other != path and pieces[last].endswith("+}") and len(parts) > last
                and parts[:last] == pieces[:last] and parts[last] == pieces[last].replace("+}", "}")):
            return other
    return path


def _whole_segment(part: str) -> str:
    """A segment holding a variable beside text or another variable (`{badge_key}.{fmt}`, `{slug}.json`)
    as one variable named after its first: API Gateway takes a variable only as a whole segment (Chalice
    answered such a route with a KeyError on `badge_key`); the framework parses the real segment itself."""
    names = _ANY_VARIABLE.findall(part)
    return "{" + names[0] + "}" if names and not _VARIABLE.match(part) else part


def _function_name(path: str) -> str:
    slug = re.sub(r"[^0-9a-zA-Z]+", "_", path).strip("_").lower()
    return f"route_{slug}" if slug else "route_root"


def unique(name: str, used: set[str], sep: str = "_") -> str:
    """`name`, or name_2, name_3, ... if taken; the answer is marked as taken."""
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name}{sep}{n}", n + 1
    used.add(candidate)
    return candidate


def example_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)
