"""The plan: services listed by module where a module is cohesive, by symbol where it is split.

`roll_up` turns a Placement (element -> service) into a Plan; `placement_of` reads a Plan (perhaps
edited by hand) back into element -> service and collects per-field problems: unknown names, an
element in two places, a table with two owners, a route left without a service, code not placed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from decompose.planning.constraints import SHARED, Constraints
from decompose.planning.elements import CODE_KINDS, TABLE_KINDS, TABLE_PREFIX, ElementGraph, is_table
from decompose.planning.planner import Placement, route_containers

PLAN_SCHEMA_VERSION = 1


@dataclass
class Service:
    name: str
    modules: list[str] = field(default_factory=list)
    symbols: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)  # table names, without the `table:` prefix
    routes: list[str] = field(default_factory=list)  # "GET /orders/{order_id}"
    interface: list[str] = field(default_factory=list)  # elements other services may use


@dataclass(frozen=True)
class Settings:
    analysis: str = ".decompose/analysis.json"
    strategy: str = "louvain"
    resolution: float = 1.5
    seed: int = 42
    services: int = 0


@dataclass
class Plan:
    services: list[Service]
    shared: Service  # name "shared"; its routes: those the monolith's app object serves (they stay on the monolith)
    constraints: Constraints = field(default_factory=Constraints)
    settings: Settings = field(default_factory=Settings)
    reasons: dict[str, str] = field(default_factory=dict)  # element -> why it sits where it is
    remediate: tuple = ()  # decompose.remediation.model.Decision per hazard, as [remediate] says

    def service(self, name: str) -> Service | None:
        return next((s for s in self.services if s.name == name), None)


@dataclass(frozen=True)
class Problem:
    where: str  # e.g. services.orders.symbols[3]
    what: str
    fix: str
    unplaced: bool = False  # code the plan places nowhere (new code): a warning for `decompose check`


def route_ids(graph: ElementGraph, handler: str) -> list[str]:
    return sorted({f"{method} {r.template}" for r in graph.routes.get(handler, ()) for method in r.methods})


def roll_up(graph: ElementGraph, placement: Placement, constraints: Constraints, settings: Settings) -> Plan:
    homes = {**placement.partition(), **{e: SHARED for e in placement.shared}}
    services = {name: Service(name) for name in placement.services}
    shared = Service(SHARED)
    by_name = {**services, SHARED: shared}
    for module, members in sorted(graph.members.items()):
        places = {homes[m] for m in members if m in homes}
        if len(places) == 1 and all(m in homes for m in members):
            by_name[places.pop()].modules.append(module)
        else:
            for member in members[1:]:
                if member in homes:
                    by_name[homes[member]].symbols.append(member)
    for element, home in sorted(homes.items()):
        if is_table(element):
            by_name[home].tables.append(element.removeprefix(TABLE_PREFIX))
        if element in graph.routes:
            by_name[home].routes.extend(route_ids(graph, element))
    for name, elements in interfaces(graph, homes).items():
        if name in services:
            services[name].interface = elements
    return Plan(list(services.values()), shared, constraints, settings, dict(placement.shared))


def interfaces(graph: ElementGraph, homes: dict[str, str]) -> dict[str, list[str]]:
    """service -> its elements that code elsewhere uses (calls, references, tables, dotted strings).

    Uses from the shared kernel count too: a kernel that needs a service's code is coupling to
    migrate away, and the boundary check must see it.
    """
    found: dict[str, set[str]] = defaultdict(set)
    for dep in crossing(graph, homes):
        found[homes[dep.dst]].add(dep.dst)
    return {name: sorted(elements) for name, elements in found.items()}


BOUNDARY_KINDS = CODE_KINDS + TABLE_KINDS + ("string-ref",)


def crossing(graph: ElementGraph, homes: dict[str, str]) -> list:
    """Dependencies from one place into another service (into the kernel is always allowed)."""
    return [d for d in graph.deps if d.kind in BOUNDARY_KINDS and d.src in homes and d.dst in homes
            and homes[d.src] != homes[d.dst] and homes[d.dst] != SHARED]


def placement_of(plan: Plan, graph: ElementGraph, builders: frozenset[str] = frozenset()) -> tuple[dict[str, str], list[Problem]]:
    """element -> service (or "shared") as the plan says, and every problem found on the way.

    `builders`: the functions and objects that build the app; a route declared inside one
    (`@app.route("/")` in `create_app`) or hanging on the app object itself (`@app.get("/health")`
    beside `app = FastAPI()`) belongs to the shared layer's app, so it may stay in shared.
    """
    homes: dict[str, str] = {}
    where: dict[str, str] = {}
    problems: list[Problem] = []
    for service in (*plan.services, plan.shared):
        _place_modules(graph, service, homes, where, problems)
    for service in (*plan.services, plan.shared):
        _place_symbols(graph, service, homes, where, problems)
    for service in plan.services:
        _place_tables(graph, service, homes, where, problems)
    _unplaced(graph, homes, problems)
    problems.extend(_route_problems(graph, plan, homes, where, builders))
    return homes, problems


def _section(service: Service) -> str:
    return SHARED if service.name == SHARED else f"services.{service.name}"


def _claim(element: str, home: str, at: str, homes: dict[str, str], where: dict[str, str], problems: list[Problem]) -> None:
    if element in homes and homes[element] != home:
        problems.append(Problem(at, f"{element} is also placed by {where[element]}",
                                "keep it in one service (or in shared) only"))
        return
    homes[element], where[element] = home, at


def _place_modules(graph: ElementGraph, service: Service, homes, where, problems) -> None:  # noqa: ANN001
    for index, module in enumerate(service.modules):
        at = f"{_section(service)}.modules[{index}]"
        if module in graph.scripts:
            problems.append(Problem(at, f"{module} is a script (run by hand: `if __name__ == \"__main__\":`, imported by no "
                                    "module of the app, no route): scripts stay out of the services and the Lambdas",
                                    "remove it from the plan, or run 'decompose plan' again"))
            continue
        if module not in graph.members:
            problems.append(Problem(at, f"unknown module {module!r}", "use a dotted module name of application code from analysis.json"))
            continue
        taken = sorted({where[m] for m in graph.members[module] if m in homes and homes[m] != service.name})
        if taken:  # one problem for the field, not one per symbol of the module
            problems.append(Problem(at, f"{module} is also placed by {', '.join(taken)}",
                                    "keep it in one service (or in shared) only"))
        for member in graph.members[module]:
            if member not in homes:
                homes[member], where[member] = service.name, at


def _place_symbols(graph: ElementGraph, service: Service, homes, where, problems) -> None:  # noqa: ANN001
    for index, symbol in enumerate(service.symbols):
        at = f"{_section(service)}.symbols[{index}]"
        if symbol not in graph.elements or is_table(symbol) or symbol in graph.members:
            problems.append(Problem(at, f"unknown symbol {symbol!r}", "write module:Name for a module-level function, class or assignment"))
            continue
        _claim(symbol, service.name, at, homes, where, problems)


def _place_tables(graph: ElementGraph, service: Service, homes, where, problems) -> None:  # noqa: ANN001
    for index, table in enumerate(service.tables):
        at = f"services.{service.name}.tables[{index}]"
        element = TABLE_PREFIX + table
        if element not in graph.elements:
            problems.append(Problem(at, f"unknown table {table!r}", "use a table name from analysis.json"))
        elif element in homes and homes[element] != service.name:
            problems.append(Problem(at, f"table {table!r} has two owners: {homes[element]} and {service.name}",
                                    "a table is owned by exactly one service; remove it from one of them"))
        else:
            homes[element], where[element] = service.name, at


def _unplaced(graph: ElementGraph, homes: dict[str, str], problems: list[Problem]) -> None:
    missing = [e for e in graph.elements if e not in homes and not _implicit(graph, e, homes)]
    by_module: dict[str, list[str]] = defaultdict(list)
    for element in missing:
        by_module[graph.module_of(element)].append(element)
    for module, elements in sorted(by_module.items()):
        names = ", ".join(e.rpartition(":")[2] if ":" in e else e for e in elements[:5])
        more = f" and {len(elements) - 5} more" if len(elements) > 5 else ""
        problems.append(Problem(module, f"not placed in any service: {names}{more}",
                                "add the module (or its symbols) to a service or to shared", unplaced=True))


def _implicit(graph: ElementGraph, element: str, homes: dict[str, str]) -> bool:
    """A split module's body goes with every part of it; a table is placed by its owner list only."""
    return graph.elements[element].kind == "module" and any(m in homes for m in graph.members[element][1:])


def _route_problems(graph: ElementGraph, plan: Plan, homes: dict[str, str], where: dict[str, str],
                    builders: frozenset[str]) -> list[Problem]:
    problems = []
    on_app = route_containers(graph) if builders else {}
    owner = {route: homes.get(handler) for handler in graph.routes for route in route_ids(graph, handler)}
    placed_by = {route: where.get(handler, route) for handler in graph.routes for route in route_ids(graph, handler)}
    listed: dict[str, str] = {}
    for service in (*plan.services, plan.shared):
        for index, route in enumerate(service.routes):
            at = f"{_section(service)}.routes[{index}]"
            if route not in owner:
                problems.append(Problem(at, f"unknown route {route!r}", "write METHOD /template as in analysis.json"))
            elif owner[route] != service.name:
                problems.append(Problem(at, f"route {route!r} is handled by code placed in {owner[route] or 'no service'}",
                                        "move the route to the service holding its handler, or move the handler"))
            listed[route] = service.name
    for route, home in sorted(owner.items()):
        if home == SHARED and not any(h in builders or on_app.get(h) in builders for h in _handlers(graph, route)):
            problems.append(Problem(placed_by[route], f"route {route!r} left without a service: its handler is in shared",
                                    "move the handler to a service"))
        elif home == SHARED and route not in listed:
            problems.append(Problem("shared.routes", f"route {route!r} hangs on the app the shared kernel builds "
                                    "(it stays on the monolith) but is not listed", "add it to shared.routes"))
        elif home not in (None, SHARED) and route not in listed:
            problems.append(Problem(f"services.{home}.routes", f"route {route!r} is not listed",
                                    f"add it to services.{home}.routes"))
    return problems


def _handlers(graph: ElementGraph, route: str) -> list[str]:
    return [h for h in graph.routes if route in route_ids(graph, h)]
