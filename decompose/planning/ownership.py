"""Services must own something: after the repair, a service left with no route and no table is dissolved.

    homes, why = dissolve_ownerless(graph, homes, pinned)

The repair (validity.py) moves whole modules to the shared layer, so a community that held the app
factory's own route (`@app.route("/")` in `create_app`) can be left with its error handlers and
e-mail helpers: a service that answers no request and owns no data, which nobody would deploy.
Each of its modules goes, whole, where its users are: to the one service that uses it, or to the
shared layer when the layer or several services use it (or nothing does).
"""

from __future__ import annotations

from collections import defaultdict

from decompose.planning.constraints import SHARED
from decompose.planning.elements import USE_KINDS, ElementGraph, is_table


def owners(graph: ElementGraph, homes: dict[str, str]) -> set[str]:
    """The services owning at least one route handler or table."""
    return {homes[e] for e in homes if (e in graph.routes or is_table(e)) and homes[e] != SHARED}


def dissolve_ownerless(graph: ElementGraph, homes: dict[str, str],
                       pinned: set[str] = frozenset()) -> tuple[dict[str, str], dict[str, str]]:
    """(homes without ownerless services; element -> why it moved to the shared layer).

    Services the user pinned code to (`pinned`) stay: the user asked for them (a worker)."""
    keep = owners(graph, homes) | set(pinned)
    doomed = sorted({h for h in homes.values() if h != SHARED} - keep)
    if not doomed or not keep:
        return homes, {}
    homes = dict(homes)
    reasons: dict[str, str] = {}
    users = _using_homes(graph, homes)
    for module, members in sorted(graph.members.items()):
        if not any(homes.get(m) in doomed for m in members):
            continue
        using = {u for m in members for u in users.get(m, ())} - set(doomed)
        target = next(iter(using)) if len(using) == 1 and SHARED not in using else SHARED
        for member in members:
            if homes.get(member) in doomed:
                homes[member] = target
                if target == SHARED:
                    reasons[member] = (f"its service owned no route and no table; used by "
                                       f"{', '.join(sorted(using)) or 'nothing else'}")
    return homes, reasons


def _using_homes(graph: ElementGraph, homes: dict[str, str]) -> dict[str, set[str]]:
    """element -> the homes (services or the shared layer) of the code that uses it."""
    found: dict[str, set[str]] = defaultdict(set)
    for dep in graph.deps:
        if dep.kind in USE_KINDS and dep.src in homes and graph.module_of(dep.src) != graph.module_of(dep.dst):
            found[dep.dst].add(homes[dep.src])
    return found
