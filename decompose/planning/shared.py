"""Utility detection: which elements form the shared kernel instead of dragging domains together.

After Bunch's "omnipresent modules" (Mitchell & Mancoridis, 2006): a supplier used from very many
places joins every cluster to every other and says nothing about domains, so it is taken out of the
graph before clustering and delivered as a shared library (a Lambda layer). Rules, in order:

1. Anchors never go to the kernel: route handlers, tables, ORM models and symbols that write a
   table. They are what a domain *is*, however many callers they have (a `User` model).
2. Supplier: used by at least `min_fan_in` distinct modules, and by more than `fan_in_factor` times
   the mean number of using modules of used elements.
3. Utility module: a module without anchors whose symbols, together, are used by as many modules
   as a supplier is (`utils.py`, `helpers.py`, `config.py`) goes to the kernel whole.
4. Configuration module: a module without anchors made mostly of UPPER_CASE assignments (Django's
   `settings/*.py`, a `constants.py`) goes to the kernel whole. Settings are read through the
   framework (`django.conf.settings.X`), so the analysis sees few uses of them, yet every service
   needs them when it starts; left in the graph they follow whatever string they name
   (`AUTH_USER_MODEL = "users.User"`) into a domain.
5. Closure: an element used only by kernel elements (config read by the app factory, a helper of a
   helper) joins the kernel.

`spread_out` runs after clustering: an element whose ties spread over several services with none
holding most of them (an app factory wiring every blueprint) is a composition root, also shared.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from decompose.analysis.link import reach
from decompose.planning.elements import TABLE_KINDS, USE_KINDS, ElementGraph, is_table


@dataclass(frozen=True)
class SharedSettings:
    min_fan_in: int = 5
    fan_in_factor: float = 3.0
    spread_services: int = 3  # a composition root reaches at least this many services...
    spread_share: float = 0.5  # ...and no service holds more than this share of its ties
    config_share: float = 0.75  # a configuration module: at least this share of UPPER_CASE assignments...
    config_min: int = 3  # ...and at least this many of them


def anchors(graph: ElementGraph) -> set[str]:
    found = {e for e in graph.elements if is_table(e)} | set(graph.routes) | set(graph.table_model.values())
    found |= {d.src for d in graph.deps if d.kind == "table-write"}
    return found


def shared_kernel(graph: ElementGraph, settings: SharedSettings = SharedSettings()) -> dict[str, str]:
    """element -> the reason it belongs to the shared kernel."""
    anchored = anchors(graph)
    users = _users(graph)
    threshold = _threshold(users, settings)
    kernel = {e: f"utility: used by {len(u)} modules (kernel threshold {threshold:.1f})"
              for e, u in users.items() if len(u) >= threshold and e not in anchored}
    _utility_modules(graph, users, kernel, anchored, threshold)
    _configuration_modules(graph, kernel, anchored, settings)
    close_over(graph, kernel, anchored)
    return dict(sorted(kernel.items()))


def _users(graph: ElementGraph) -> dict[str, set[str]]:
    """element -> modules whose code uses it (its own module excluded)."""
    users: dict[str, set[str]] = defaultdict(set)
    for dep in graph.deps:
        source = graph.module_of(dep.src)
        if dep.kind in USE_KINDS and source != graph.module_of(dep.dst):
            users[dep.dst].add(source)
    return users


def _threshold(users: dict[str, set[str]], settings: SharedSettings) -> float:
    if not users:
        return float("inf")
    mean = sum(len(u) for u in users.values()) / len(users)
    return max(settings.min_fan_in, settings.fan_in_factor * mean)


def _utility_modules(graph: ElementGraph, users: dict[str, set[str]], kernel: dict[str, str],
                     anchored: set[str], threshold: float) -> None:
    """Modules with no anchor whose symbols together are used by `threshold` modules or more."""
    for members in graph.members.values():
        if any(m in anchored for m in members) or len(members) == 1:
            continue
        using = set().union(*(users.get(m, set()) for m in members))
        if len(using) >= threshold:
            reason = f"utility module: used by {len(using)} modules, owns no route or table"
            for member in members:
                kernel.setdefault(member, reason)


def _configuration_modules(graph: ElementGraph, kernel: dict[str, str], anchored: set[str],
                           settings: SharedSettings) -> None:
    for module, members in graph.members.items():
        own = [m for m in members[1:] if not _dunder(m)]
        if not own or any(m in anchored for m in members):
            continue
        constants = sum(1 for m in own if _constant(graph, m))
        if constants >= settings.config_min and constants >= settings.config_share * len(own):
            for member in members:
                kernel.setdefault(member, f"configuration: {constants} settings of {len(own)} symbols")


def _constant(graph: ElementGraph, element: str) -> bool:
    name = element.rpartition(":")[2]
    return graph.elements[element].kind == "assignment" and name.isupper()


def close_over(graph: ElementGraph, kernel: dict[str, str], anchored: set[str]) -> None:
    """Add to `kernel` every element used only by kernel elements, until nothing changes.

    Module bodies (they follow their symbols) and code that touches a table, a model or a route
    handler (it has a domain) stay out.
    """
    used_by = graph.used_by
    held = anchored | graph.members.keys() | {d.src for d in graph.deps if d.kind in TABLE_KINDS or d.dst in anchored}
    changed = True
    while changed:
        changed = False
        for element in sorted(used_by.keys() - kernel.keys() - held):
            if all(user in kernel for user in used_by[element]):
                kernel[element] = "used only by the shared kernel"
                changed = True


def spread_out(graph: ElementGraph, placement: dict[str, str], anchored: set[str],
               settings: SharedSettings = SharedSettings()) -> dict[str, str]:
    """Composition roots and the wiring above them: element -> reason.

    An element whose ties spread over several services with none holding most of them, and that no
    route handler, model or table writer reaches (an app factory's blueprint list, a `urls.py`
    including every app), is wiring; so is everything that uses it.
    """
    ties: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for dep in graph.deps:
        if dep.kind in USE_KINDS + TABLE_KINDS and dep.dst in placement and dep.src in placement:
            ties[dep.src][placement[dep.dst]] += dep.count
    reached = reach(anchored, graph.uses)
    found: dict[str, str] = {}
    for element, by_service in sorted(ties.items()):
        if element in graph.members or element in reached or len(by_service) < settings.spread_services:
            continue
        if max(by_service.values()) <= settings.spread_share * sum(by_service.values()):
            found[element] = f"composition root: no request path reaches it, its ties spread over {len(by_service)} services"
            for user in sorted(reach({element}, graph.used_by) - {element} - found.keys()):
                found[user] = f"wiring: uses the composition root {element}"
    return found


def bodies_follow(graph: ElementGraph, placement: dict[str, int], kernel: dict[str, str]) -> dict[str, int | str]:
    """Where each module body (and its dunders, `__all__`) goes: element -> community or "kernel".

    A body goes where most of its symbols' lines went. A module with no symbols of its own (a
    package `__init__` re-exporting others) then goes to the kernel when the modules it imports
    went to several communities, none holding half of them, else to their majority.
    """
    homes: dict[str, int | str] = {}
    empty: set[str] = set()
    for module, members in graph.members.items():
        own = [m for m in members[1:] if not _dunder(m)]
        votes: dict[int | str, float] = defaultdict(float)
        for member in own:
            votes["kernel" if member in kernel else placement.get(member, "kernel")] += graph.elements[member].lines
        if votes:
            homes[module] = _winner(votes)
        else:
            empty.add(module)
    imports: dict[str, set[str]] = defaultdict(set)
    for dep in graph.deps:
        if dep.src in empty:
            imports[dep.src].add(graph.module_of(dep.dst))
    for module in sorted(empty):
        imported = imports[module] - {module}
        votes = defaultdict(float)
        for target in sorted(imported & homes.keys()):
            votes[homes[target]] += 1.0
        spread = len(votes) >= 3 and max(votes.values()) <= 0.5 * sum(votes.values())
        if votes:
            homes[module] = "kernel" if spread else _winner(votes)
    return {m: homes[graph.module_of(m)] for module in homes for m in graph.members[module]
            if m == module or _dunder(m)}


def _winner(votes: dict[int | str, float]) -> int | str:
    return max(sorted(votes, key=str), key=lambda h: votes[h])


def _dunder(element: str) -> bool:
    name = element.rpartition(":")[2]
    return name.startswith("__") and name.endswith("__")
