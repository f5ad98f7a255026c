"""Constraints a user writes in the plan, resolved to elements, and the record of those not honoured.

    [constraints]
    max_services = 8                                  # 0: no limit
    pin = { "shop.services.cart" = "orders", "shop.utils:slugify" = "shared" }
    together = [["shop.models:Order", "shop.models:OrderLine"]]
    apart = [["shop.billing", "shop.orders"]]
    follow = { "shop.inventory:reserve" = "shop.orders:checkout", "shop.mail:send" = "shared" }   # after clustering

A name is a module (all of its elements), a symbol id (`module:Name`) or a table (`table:NAME`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from decompose.planning.elements import ElementGraph

SHARED = "shared"


@dataclass(frozen=True)
class Constraints:
    pins: dict[str, str] = field(default_factory=dict)  # name -> service (or "shared")
    together: tuple[tuple[str, ...], ...] = ()
    apart: tuple[tuple[str, ...], ...] = ()
    max_services: int = 0
    follow: dict[str, str] = field(default_factory=dict)  # name -> the name whose home it takes (after clustering)


@dataclass(frozen=True)
class Unhonoured:
    constraint: str  # e.g. pin["shop.utils"]
    why: str


def expand(graph: ElementGraph, name: str) -> list[str]:
    """The elements a constraint name stands for; [] when it names nothing in the analysis."""
    if name in graph.members:
        return list(graph.members[name])
    return [name] if name in graph.elements else []


@dataclass
class Resolved:
    """Constraints as element sets, and what could not be resolved."""

    pins: dict[str, str] = field(default_factory=dict)  # element -> service
    groups: dict[str, str] = field(default_factory=dict)  # element -> representative
    apart: list[tuple[list[str], list[str]]] = field(default_factory=list)
    follow: dict[str, str] = field(default_factory=dict)  # element -> the element whose home it takes
    unhonoured: list[Unhonoured] = field(default_factory=list)


def resolve(graph: ElementGraph, constraints: Constraints) -> Resolved:
    resolved = Resolved()
    for name, service in sorted(constraints.pins.items()):
        elements = expand(graph, name)
        if not elements:
            resolved.unhonoured.append(Unhonoured(f"pin[{name!r}]", "names no module, symbol or table of the analysis"))
        for element in elements:
            resolved.pins[element] = service
    parent: dict[str, str] = {}
    for service in sorted(set(resolved.pins.values()) - {SHARED}):
        _union(parent, [e for e, s in sorted(resolved.pins.items()) if s == service])
    for index, names in enumerate(constraints.together):
        _together(graph, resolved, parent, index, names)
    for index, names in enumerate(constraints.apart):
        _apart(graph, resolved, index, names)
    for name, leader in sorted(constraints.follow.items()):
        _follow(graph, resolved, name, leader)
    resolved.groups = {e: _find(parent, e) for e in sorted(parent)}
    return resolved


def _together(graph: ElementGraph, resolved: Resolved, parent: dict[str, str], index: int, names: tuple[str, ...]) -> None:
    where = f"together[{index}]"
    elements = _named(graph, resolved, where, names)
    services = sorted({resolved.pins[e] for e in elements if e in resolved.pins})
    if len(services) > 1:
        resolved.unhonoured.append(Unhonoured(where, f"its members are pinned to different services: {', '.join(services)}"))
    elif SHARED in services:
        resolved.unhonoured.append(Unhonoured(where, "a member is pinned to the shared kernel, which is not a service"))
    elif elements:
        _union(parent, elements)


def _apart(graph: ElementGraph, resolved: Resolved, index: int, names: tuple[str, ...]) -> None:
    where = f"apart[{index}]"
    parts = [expand(graph, n) for n in names]
    _named(graph, resolved, where, names)
    parts = [p for p in parts if p]
    for i, first in enumerate(parts):
        for second in parts[i + 1:]:
            resolved.apart.append((first, second))


def _follow(graph: ElementGraph, resolved: Resolved, name: str, leader: str) -> None:
    """`follow = { X = Y }`: X's elements take Y's home once clustering is done (Y a symbol, a table, or
    "shared": the kernel). Clustering never sees it, so it moves only X: what `plan --converge` writes to
    keep a call in one process."""
    elements, leaders = expand(graph, name), [SHARED] if leader == SHARED else expand(graph, leader)
    where = f"follow[{name!r}]"
    if not elements or len(leaders) != 1:
        why = "names no module, symbol or table of the analysis" if not elements else \
            f"{leader!r} must name one symbol or table of the analysis, or 'shared'"
        resolved.unhonoured.append(Unhonoured(where, why))
        return
    for element in elements:
        if element in resolved.pins:
            resolved.unhonoured.append(Unhonoured(where, f"{element} is pinned to {resolved.pins[element]}"))
        elif element != leaders[0]:
            resolved.follow[element] = leaders[0]


def _named(graph: ElementGraph, resolved: Resolved, where: str, names: tuple[str, ...]) -> list[str]:
    elements = []
    for name in names:
        found = expand(graph, name)
        if not found:
            resolved.unhonoured.append(Unhonoured(f"{where}: {name!r}", "names no module, symbol or table of the analysis"))
        elements.extend(found)
    return elements


def _find(parent: dict[str, str], item: str) -> str:
    while parent.get(item, item) != item:
        item = parent[item]
    return item


def _union(parent: dict[str, str], items: list[str]) -> None:
    if not items:
        return
    roots = sorted({_find(parent, i) for i in items})
    for item in items:
        parent.setdefault(item, item)
    for other in roots[1:]:
        parent[other] = roots[0]
