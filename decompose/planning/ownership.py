"""Services must answer requests: after the repair, a service left with no route is dissolved.

    homes, why = dissolve_ownerless(graph, homes, pinned)

The repair (validity.py) moves whole modules to the shared layer (every module defining ORM models
among them), so a community that held a model and its table, or the app factory's own route
(`@app.route("/")` in `create_app`), can be left with a table and a helper: a service that answers
no request, which nobody would deploy (issue #23: `api-token`, `models`, `order-lines` beside the
services whose routes read and write those tables). A service holding tables joins, whole, the
service with routes most tied to its tables, models and code (directly, else through one element
of the layer); one holding none is taken apart: each of its modules goes, whole, where its users are: to the one
service that uses it, or to the shared layer when the layer or several services use it (or
nothing does). A service the user pinned code to stays (a worker), and so does one holding tables
that no service with routes touches, directly or through the layer (a worker owning its data).
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
    for service in _merge_tables(graph, homes, doomed, keep):
        doomed.remove(service)  # merged into a service with routes, or kept as a worker
    _workers_by_models_module(graph, homes, keep)
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


def _merge_tables(graph: ElementGraph, homes: dict[str, str], doomed: list[str], keep: set[str]) -> list[str]:
    """Services holding tables join, whole, the kept service touching their tables (else their
    models, else their code) most: a table and its model stay together, with the routes using them.
    One that no request path touches at all stays: a worker owning its data (tasks, commands)."""
    merged = []
    for service in doomed:
        elements = {e for e, h in homes.items() if h == service}
        tables = {e for e in elements if is_table(e)}
        if not tables:
            continue
        target = _heaviest(graph, homes, keep, _data(graph, elements))
        for element in elements if target else ():
            homes[element] = target
        merged.append(service)
    return merged


def _workers_by_models_module(graph: ElementGraph, homes: dict[str, str], keep: set[str]) -> None:
    """Workers whose tables' models share one module are one worker: a models module is one data set,
    and one route-less service per table (styleguide's four `blog-examples-timestamps*` services, its
    `testing_examples` rosters and students) is not a service a person would deploy."""
    modules: dict[str, set[str]] = defaultdict(set)  # models module -> the workers holding its tables
    for element, home in homes.items():
        if is_table(element) and home not in keep and home != SHARED:
            model = graph.table_model.get(element)
            modules[graph.module_of(model) if model in graph.elements else graph.module_of(element)].add(home)
    into = {s: s for workers in modules.values() for s in workers}

    def root(service: str) -> str:
        while into[service] != service:
            service = into[service]
        return service

    for workers in modules.values():
        first, *rest = sorted(workers)
        for other in rest:
            a, b = sorted((root(first), root(other)))
            into[b] = a
    for element, home in homes.items():
        if home in into:
            homes[element] = root(home)


def _data(graph: ElementGraph, elements: set[str]) -> set[str]:
    """A worker's data and the modules of the code that reads or writes it: its tables, their models,
    the modules of their accessors (a generic helper module it happens to hold, such as a
    `model_update` other services call, is not its data)."""
    models = {graph.table_model.get(t) for t in elements if is_table(t)}
    accessors = {d.src for d in graph.deps if d.kind in TABLE_KINDS and d.dst in elements}
    modules = {graph.module_of(e) for e in elements if e in models or e in accessors}
    return {e for e in elements if is_table(e) or graph.module_of(e) in modules}


def _heaviest(graph: ElementGraph, homes: dict[str, str], keep: set[str], targets: set[str]) -> str | None:
    """The kept service most tied to `targets` directly; with no direct tie, through one element of
    the layer (a function in [shared] that the service's routes call and that writes the table)."""
    direct: dict[str, float] = defaultdict(float)
    layered: dict[str, float] = defaultdict(float)
    through = _layer_users(graph, homes, keep)
    for dep in graph.deps:
        if dep.kind not in TABLE_KINDS + USE_KINDS:
            continue
        mine, other = dep.dst, dep.src
        if mine in targets and homes.get(other) in keep:
            direct[homes[other]] += dep.count
        elif mine in targets and homes.get(other) == SHARED:
            for service in through.get(other, ()):
                layered[service] += dep.count
    weight = direct or layered
    return max(sorted(weight), key=lambda s: weight[s]) if weight else None


def _layer_users(graph: ElementGraph, homes: dict[str, str], keep: set[str]) -> dict[str, set[str]]:
    """layer element -> the kept services whose code uses it directly."""
    found: dict[str, set[str]] = defaultdict(set)
    for dep in graph.deps:
        if dep.kind in TABLE_KINDS + USE_KINDS and homes.get(dep.dst) == SHARED and homes.get(dep.src) in keep:
            found[dep.dst].add(homes[dep.src])
    return found


def _using_homes(graph: ElementGraph, homes: dict[str, str]) -> dict[str, set[str]]:
    """element -> the homes (services or the shared layer) of the code that uses it."""
    found: dict[str, set[str]] = defaultdict(set)
    for dep in graph.deps:
        if dep.kind in USE_KINDS and dep.src in homes and graph.module_of(dep.src) != graph.module_of(dep.dst):
            found[dep.dst].add(homes[dep.src])
    return found
