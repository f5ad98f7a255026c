"""Names for proposed services: what their routes, tables or modules say they are about.

A community is named after its largest route family (`/orders/...` -> `orders`), else the table
its code writes most, else the module holding most of its lines. Names are unique, lower-case and
valid as Chalice app names (letters, digits, hyphens); a taken name gets the next candidate.
"""

from __future__ import annotations

import re
from collections import Counter

from decompose.planning.elements import TABLE_PREFIX, ElementGraph, route_family

_UNSAFE = re.compile(r"[^a-z0-9]+")


def clean(name: str) -> str:
    return _UNSAFE.sub("-", name.lower()).strip("-") or "service"


def candidates(graph: ElementGraph, community: set[str]) -> list[str]:
    families: Counter[str] = Counter()
    for element in community:
        for route in graph.routes.get(element, ()):
            family = route_family(route.template)
            if family != "route:/":
                families[family.removeprefix("route:/")] += 1
    writes: Counter[str] = Counter()
    for dep in graph.deps:
        if dep.kind == "table-write" and dep.src in community:
            writes[dep.dst.removeprefix(TABLE_PREFIX)] += dep.count
    lines: Counter[str] = Counter()
    for element in community:
        lines[graph.module_of(element).rsplit(".", 1)[-1]] += max(graph.elements[element].lines, 1)
    ordered = [n for counter in (families, writes, lines) for n, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]
    return [clean(n) for n in ordered]


def name_communities(graph: ElementGraph, communities: list[set[str]], taken: set[str]) -> list[str]:
    """One unique name per community, in order; `taken` holds names already used (pinned services)."""
    used = set(taken)
    names = []
    for community in communities:
        options = [c for c in candidates(graph, community) if c not in used]
        name = options[0] if options else _numbered(clean(next(iter(candidates(graph, community)), "service")), used)
        used.add(name)
        names.append(name)
    return names


def _numbered(base: str, used: set[str]) -> str:
    number = 2
    while f"{base}-{number}" in used:
        number += 1
    return f"{base}-{number}"
