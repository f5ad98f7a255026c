"""The boundary check: dependencies that cross planned service boundaries outside an interface.

Each service's `interface` in the plan lists what other code may use of it (written by
`decompose plan` from the couplings that existed then). A dependency from one service (or the
shared kernel) into another service's element that is not in its interface is a violation: new
coupling since the plan was made. Code the plan does not place (a new symbol in a split module)
is reported as a warning, so the plan can be updated.
"""

from __future__ import annotations

from dataclasses import dataclass

from decompose.analysis.model import Location
from decompose.planning.elements import ElementGraph
from decompose.planning.plan import Plan, crossing, placement_of


@dataclass(frozen=True)
class Violation:
    rule: str  # boundary | unplanned
    level: str  # error | warning
    src: str
    dst: str
    kind: str
    message: str
    locations: tuple[Location, ...]


def check_boundaries(graph: ElementGraph, plan: Plan) -> list[Violation]:
    homes, problems = placement_of(plan, graph)
    allowed = {(s.name, e) for s in plan.services for e in s.interface}  # an interface opens its own service only
    found = []
    for dep in crossing(graph, homes):
        if (homes[dep.dst], dep.dst) not in allowed:
            message = (f"{homes[dep.src]} -> {homes[dep.dst]}: {dep.src} {_verb(dep.kind)} {dep.dst}, "
                       f"which is not in the interface of {homes[dep.dst]}")
            found.append(Violation("boundary", "error", dep.src, dep.dst, dep.kind, message, dep.locations))
    for problem in problems:
        if problem.unplaced:
            module = problem.where
            location = Location(graph_path(graph, module), 1)
            found.append(Violation("unplanned", "warning", module, "", "", f"{module}: {problem.what}", (location,)))
    return sorted(found, key=lambda v: (v.rule, v.src, v.dst, v.kind))


def graph_path(graph: ElementGraph, module: str) -> str:
    return graph.paths.get(module, module.replace(".", "/") + ".py")


def _verb(kind: str) -> str:
    return {"call": "calls", "reference": "references", "inherit": "inherits from", "enqueue": "enqueues",
            "table-read": "reads", "table-write": "writes", "string-ref": "names"}.get(kind, kind)
