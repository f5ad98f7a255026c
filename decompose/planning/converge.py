"""What `decompose plan --converge` does with a crossing: the constraint that removes it without gluing services.

    crossings (generation: stubs, split transactions) + the plan -> constraints -> plan again

A crossing is a call from one service (the caller's) into code another service owns that cannot
leave the caller's process: a stub, or a write inside the caller's transaction. Gluing the two
services together (a `together` pair contracted before clustering) removes it, but chains of them
collapse an app into one service (the sample's `payments` ended holding checkout, the orders table
and the reports). So, per called symbol, the smaller move first:

1. **follow**: code one other service calls and its own service does not use moves to the caller
   (`follow = { callee = caller }`, applied after clustering: the services stay the ones clustering
   found and only the callee moves);
2. **kernel**: code several services need (or needed again after following a caller) goes to the
   shared layer (`follow = { callee = "shared" }`, after clustering too), which runs in every caller's
   process; the layer holds whole modules, so its module comes along, and the kernel's size is reported;
3. **caller follows**: a callee that cannot move (a route handler, a model, code of a module holding
   routes) takes the caller to it instead, when the caller is no route handler;
4. **left**: neither side can move (two route handlers, code pinned by hand, a route handler the
   shared layer's code calls): no constraint is written, since gluing them (`together`) would merge
   two route families; it is reported and the user decides.

A route handler never moves, so every route family stays whole. Pure: no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from decompose.planning.constraints import SHARED, Constraints
from decompose.planning.elements import ElementGraph, is_table


@dataclass(frozen=True, order=True)
class Crossing:
    caller: str
    target: str
    service: str  # the caller's
    owner: str  # the target's


@dataclass(frozen=True, order=True)
class Decision:
    kind: str  # follow | kernel | caller-follows | left (no move removes it)
    element: str  # what moves (the callee, or the caller for caller-follows)
    to: str  # the element it is placed with, or "shared"
    why: str


def resolve_crossings(graph: ElementGraph, fixed: set[str], homes: dict[str, str], constraints: Constraints,
                      crossings: list[Crossing]) -> tuple[Constraints, list[Decision]]:
    """The constraints with one decision per crossed symbol added. `fixed`: modules that hold routes
    or ORM models (their code is a domain's own, never moved to the layer by us)."""
    pins, follow = constraints.pins, dict(constraints.follow)
    decisions: list[Decision] = []
    by_target: dict[str, list[Crossing]] = defaultdict(list)
    for crossing in sorted(set(crossings)):
        by_target[crossing.target].append(crossing)
    for target, found in sorted(by_target.items()):
        decision = _decide(graph, fixed, homes, pins, follow, target, found)
        follow.update({made.element: made.to for made in decision if made.kind != "left"})
        decisions.extend(decision)
    return replace(constraints, follow=dict(sorted(follow.items()))), decisions


def _decide(graph: ElementGraph, fixed: set[str], homes: dict[str, str], pins: dict[str, str], follow: dict[str, str],
            target: str, found: list[Crossing]) -> list[Decision]:
    callers = sorted({c.service for c in found})
    owner = found[0].owner
    at_home = any(homes.get(u) == owner for u in graph.used_by.get(target, ()) if u != target)
    if _movable(graph, pins, target) and len(callers) == 1 and target not in follow:
        return [Decision("follow", target, found[0].caller, f"only service {callers[0]} calls it ({found[0].caller})")]
    if _movable(graph, pins, target) and graph.module_of(target) not in fixed and follow.get(target) != SHARED:
        users = sorted(set(callers) | ({owner} if at_home else set()))
        return [Decision("kernel", target, SHARED, f"needed in the process of services {', '.join(users)}")]
    made = []
    for crossing in found:
        if SHARED in (pins.get(target), follow.get(target)):  # the layer runs in every process: nothing to move
            made.append(Decision("left", crossing.caller, target, f"{target} is in the shared kernel already"))
            continue
        if ":" not in crossing.caller:  # a stub the layer's code (or code copied with it) needs in a service
            made.append(Decision("left", crossing.caller, target, f"{crossing.caller} needs {target} in service "
                                 f"{crossing.service}, and {target} cannot move (a route handler, a model or code of a "
                                 "module holding routes): move it or its caller by hand"))
            continue
        if _movable(graph, pins, crossing.caller) and crossing.caller not in follow and follow.get(target) != crossing.caller:
            made.append(Decision("caller-follows", crossing.caller, target,
                                 f"{target} cannot move (a route handler, a model or code of a routed module)"))
        else:  # gluing them (`together`) would merge two route families: the user decides
            made.append(Decision("left", crossing.caller, target, "neither side can move alone (route handlers, pinned "
                                 "code, or a caller placed with other code already)"))
    return made


def _movable(graph: ElementGraph, pins: dict[str, str], element: str) -> bool:
    """Code converging may place: no route handler, table, or code the user (or a round) pinned."""
    return element in graph.elements and element not in graph.routes and not is_table(element) and element not in pins

