"""Services must answer requests: after the repair, a service left with no route is dissolved.

    homes, why = dissolve_ownerless(graph, homes, pinned)

The repair (validity.py) moves whole modules to the shared layer (every module defining ORM models
among them), so a community that held a model and its table, or the app factory's own route
(`@app.route("/")` in `create_app`), can be left with a table and a helper: a service that answers
no request, which nobody would deploy (issue #23: `api-token`, `models`, `order-lines` beside the
services whose routes read and write those tables). Its tables go to the service whose code
touches them most (the model's users when no code touches the table itself); each of its modules
goes, whole, where its users are: to the one service that uses it, or to the shared layer when the
layer or several services use it (or nothing does). A service the user pinned code to stays (a worker).
"""

from __future__ import annotations

from collections import defaultdict

from decompose.planning.constraints import SHARED
from decompose.planning.elements import TABLE_KINDS, USE_KINDS, ElementGraph, is_table


def owners(graph: ElementGraph, homes: dict[str, str]) -> set[str]:
    """The services owning at least one route handler."""
    return {homes[e] for e in homes if e in graph.routes and homes[e] != SHARED}


def dissolve_ownerless(graph: ElementGraph, homes: dict[str, str],
                       pinned: set[str] = frozenset()) -> tuple[dict[str, str], dict[str, str]]:
    """(homes without ownerless services; element -> why it moved to the shared layer).

    Services the user pinned code to (`pinned`) stay: the user asked for them (a worker)."""
    keep = owners(graph, homes) | set(pinned)
    doomed = sorted({h for h in homes.values() if h != SHARED} - keep)
    if not doomed or not keep:
        return homes, {}
    homes = dict(homes)
    _adopt_tables(graph, homes, set(doomed), keep)
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
                    reasons[member] = (f"its service owned no route; used by "
                                       f"{', '.join(sorted(using)) or 'nothing else'}")
    return homes, reasons


def _adopt_tables(graph: ElementGraph, homes: dict[str, str], doomed: set[str], keep: set[str]) -> None:
    """Each table of a dissolved service goes to the kept service touching it (or its model) most."""
    for table in sorted(e for e in homes if is_table(e) and homes[e] in doomed):
        homes[table] = _heaviest(graph, homes, keep, {table}) or _heaviest(
            graph, homes, keep, {graph.table_model.get(table, "")}) or min(keep)


def _heaviest(graph: ElementGraph, homes: dict[str, str], keep: set[str], targets: set[str]) -> str | None:
    weight: dict[str, int] = defaultdict(int)
    for dep in graph.deps:
        if dep.dst in targets and dep.kind in TABLE_KINDS + USE_KINDS and homes.get(dep.src) in keep:
            weight[homes[dep.src]] += dep.count
    return max(sorted(weight), key=lambda s: weight[s]) if weight else None


def _using_homes(graph: ElementGraph, homes: dict[str, str]) -> dict[str, set[str]]:
    """element -> the homes (services or the shared layer) of the code that uses it."""
    found: dict[str, set[str]] = defaultdict(set)
    for dep in graph.deps:
        if dep.kind in USE_KINDS and dep.src in homes and graph.module_of(dep.src) != graph.module_of(dep.dst):
            found[dep.dst].add(homes[dep.src])
    return found
