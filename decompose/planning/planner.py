"""The planner: element graph -> shared kernel -> strategy -> constraints -> named services.

    kernel    = shared_kernel(graph)                    utilities out of the graph (shared.py)
    groups    = resolve(constraints)                    pins and keep-together contracted
    found     = STRATEGIES[name].communities(problem)   clustering (strategies.py)
    kernel   += spread_out(found)                       composition roots (app factories)
    found     = route families whole, apart, pins split, max_services, strays
    services  = name_communities(found)                 (naming.py)

Every step is deterministic: sorted inputs, seeded Louvain.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from decompose.planning.constraints import SHARED, Constraints, Resolved, Unhonoured, resolve
from decompose.planning.elements import TABLE_KINDS, TABLE_PREFIX, ElementGraph, weighted_graph
from decompose.planning.families import urlconf_families
from decompose.planning.naming import candidates, name_communities
from decompose.planning.sourcefacts import SourceFacts
from decompose.planning.shared import SharedSettings, anchors, bodies_follow, close_over, shared_kernel, spread_out
from decompose.planning.strategies import STRATEGIES, Communities, Problem
from decompose.planning.weights import Weights


@dataclass(frozen=True)
class PlanOptions:
    strategy: str = "louvain"
    resolution: float = 1.5
    seed: int = 42
    services: int = 0
    weights: Weights = field(default_factory=Weights)
    shared: SharedSettings = field(default_factory=SharedSettings)
    constraints: Constraints = field(default_factory=Constraints)
    facts: SourceFacts | None = field(default=None, compare=False)  # what the source says: which name a route decorator calls


@dataclass
class Placement:
    services: dict[str, set[str]]  # service name -> elements
    shared: dict[str, str]  # element -> why it is in the kernel
    unhonoured: list[Unhonoured]
    strategy: str

    def partition(self) -> dict[str, str]:
        return {e: name for name, elements in self.services.items() for e in elements}


def propose(graph: ElementGraph, options: PlanOptions) -> Placement:
    """Plan once; with a target K, plan again aiming higher while settling leaves fewer than K."""
    placement = _propose_once(graph, options, options.services)
    aim = options.services
    for _ in range(4):
        missing = options.services - len(placement.services)
        if not options.services or missing <= 0:
            break
        aim += missing
        placement = _propose_once(graph, options, aim)
    if options.services and len(placement.services) != options.services:
        placement.unhonoured.append(Unhonoured(
            f"--services {options.services}", f"found {len(placement.services)}: no finer split gives each service a route or table"))
    return placement


def _propose_once(graph: ElementGraph, options: PlanOptions, aim: int) -> Placement:
    resolved = resolve(graph, options.constraints)
    anchored = anchors(graph)
    kernel = {} if options.strategy == "baseline" else _kernel(graph, options, resolved)
    problem = Problem(graph, options.weights, frozenset(kernel), resolved.groups, frozenset(anchored),
                      options.resolution, options.seed, aim)
    found = STRATEGIES[options.strategy].communities(problem)
    if options.strategy != "baseline":
        found = _settle(graph, options, resolved, anchored, kernel, found)
    pinned, found = _pinned(graph, options, resolved, found)
    names = name_communities(graph, found, set(pinned) | {SHARED})
    services = {**pinned, **dict(zip(names, found))}
    return Placement(dict(sorted(services.items())), dict(sorted(kernel.items())), resolved.unhonoured, options.strategy)


def _kernel(graph: ElementGraph, options: PlanOptions, resolved: Resolved) -> dict[str, str]:
    kernel = shared_kernel(graph, options.shared)
    held = set(resolved.groups) | {e for e, s in resolved.pins.items() if s != SHARED}
    kernel = {e: why for e, why in kernel.items() if e not in held}
    kernel.update({e: "pinned to the shared kernel" for e, s in resolved.pins.items() if s == SHARED})
    return kernel


def hook_needs(graph: ElementGraph, facts: SourceFacts) -> dict[str, str]:
    """What a blueprint's app-wide hook uses, and what that uses in turn: every service runs the hook on
    every request (generation keeps the hook in each of them), so what it reaches belongs in the kernel,
    never behind a client or a stub. Route handlers, blueprints, tables, models and table writers stay
    where they are (they are a domain's; a hook reaching one is a call, as before)."""
    held = anchors(graph) | facts.hooks | graph.members.keys() | set(route_containers(graph, facts).values())
    schema = {graph.elements[t].module for t in graph.elements if t.startswith(TABLE_PREFIX)}  # in the layer already
    found: dict[str, str] = {}
    for hook in sorted(facts.hooks & graph.elements.keys()):
        pending = [hook]
        while pending:
            for used in graph.uses.get(pending.pop(), ()):
                if used not in held and used not in found and graph.module_of(used) not in schema:
                    found[used] = f"the app-wide hook {hook} uses it: every service runs it on every request"
                    pending.append(used)
    return found


def _settle(graph: ElementGraph, options: PlanOptions, resolved: Resolved, anchored: set[str],
            kernel: dict[str, str], found: Communities) -> Communities:
    """Composition roots to the kernel, then keep-apart, strays and max_services."""
    held = set(resolved.groups) | set(resolved.pins)
    if options.facts is not None:  # after clustering: the hooks' needs leave the communities, not the ties
        kernel.update({e: why for e, why in hook_needs(graph, options.facts).items() if e not in held and e not in kernel})
    while True:
        found = [c - kernel.keys() for c in found]
        placement = {e: str(i) for i, c in enumerate(found) for e in c}
        roots = {e: why for e, why in spread_out(graph, placement, anchored, options.shared).items()
                 if e in placement and e not in held}
        if not roots:
            break
        kernel.update(roots)
        close_over(graph, kernel, anchored | held)
    tied = weighted_graph(graph, options.weights, frozenset(kernel))
    found = _families_whole(found, route_families(graph, resolved, options.facts), resolved.groups)
    found = _apart(tied, found, resolved)
    found = _strays(graph, found, anchored, kernel)
    found = _internal_follow_entries(graph, found, kernel, anchored | held)
    found = _classes_to_users(graph, found, anchored | held)
    limits = [n for n in (options.constraints.max_services, options.services) if n > 0]
    found = _at_most(tied, found, min(limits, default=0), resolved)
    found = _follow(found, kernel, resolved)
    return _bodies(graph, found, kernel, held | set(resolved.follow))


def _follow(found: Communities, kernel: dict[str, str], resolved: Resolved) -> Communities:
    """`follow` constraints, once clustering is done: each element takes its leader's home (a chain
    resolves leader first), so the communities are the ones clustering found and only it moves."""
    for _ in range(len(resolved.follow) + 1):
        where, moved = _where(found), False
        for element, leader in sorted(resolved.follow.items()):
            home = "kernel" if leader == SHARED or leader in kernel else where.get(leader)
            if home is None or home == ("kernel" if element in kernel else where.get(element)):
                continue
            for community in found:
                community.discard(element)
            if home == "kernel":
                kernel[element] = ("placed in the shared kernel (follow)" if leader == SHARED else
                                   f"placed with {leader} (follow), which is in the shared kernel")
            else:
                kernel.pop(element, None)
                found[home].add(element)
            moved = True
        if not moved:
            break
    return [c for c in found if c]


def _bodies(graph: ElementGraph, found: Communities, kernel: dict[str, str], held: set[str]) -> Communities:
    """Module bodies (and `__all__`-like dunders) follow their symbols: a cohesive module rolls up whole."""
    homes = bodies_follow(graph, _where(found), kernel)
    for element, home in homes.items():
        if element in held:
            continue
        for community in found:
            community.discard(element)
        if home == "kernel":
            kernel.setdefault(element, "module body: most of its symbols are in the shared kernel")
        else:
            kernel.pop(element, None)
            found[home].add(element)
    return [c for c in found if c]


def _apart(tied, found: Communities, resolved: Resolved) -> Communities:  # noqa: ANN001
    for first, second in resolved.apart:
        where = _where(found)
        shared_homes = {where.get(e) for e in first} & {where.get(e) for e in second} - {None}
        for home in sorted(shared_homes):
            mover = [e for e in second if where.get(e) == home and e not in resolved.pins]
            if not mover:
                resolved.unhonoured.append(Unhonoured(f"apart: {first[0]} / {second[0]}", "both are pinned to the same service"))
                continue
            found[home] -= set(mover)
            target = _best_home(tied, mover, found, exclude=home)
            if target is None:
                found.append(set(mover))
            else:
                found[target] |= set(mover)
    return [c for c in found if c]


def _classes_to_users(graph: ElementGraph, found: Communities, held: set[str]) -> Communities:
    """A class that only another community's code uses moves there. A class cannot cross a service
    boundary (generation makes it a stub that fails when used): flasky's RegistrationForm, tied to the
    users table by its validators, sat with that table while only the auth blueprint's `register` uses
    it. Models, pinned and grouped code stay; a class used by several communities stays where it is
    (`--converge` says which to keep together)."""
    where = _where(found)
    for element in sorted(e for e in where if graph.elements[e].kind == "class" and e not in held):
        users = {where.get(u) for u in graph.used_by.get(element, ()) if graph.module_of(u) != graph.module_of(element)}
        users.discard(None)
        if len(users) == 1 and where[element] not in users:
            target = users.pop()
            found[where[element]].discard(element)
            found[target].add(element)
            where[element] = target
    return [c for c in found if c]


def _internal_follow_entries(graph: ElementGraph, found: Communities, kernel: dict[str, str],
                             held: set[str]) -> Communities:
    """Code only its own module reaches follows the module's entry points (its routes and the symbols
    other modules use): nothing outside calls it, so a request reaches it through them, however the
    module finds it (styleguide's `trigger_errors` looks its module-mates up with `inspect.getmembers`,
    so they have no tie and followed their module body's imports into another service). Moved only
    when one community holds more than half of the entries' weight."""
    where = _where(found)
    for module, members in sorted(graph.members.items()):
        votes = _entry_votes(graph, module, members, where, kernel)
        if not votes:
            continue
        home = max(sorted(votes), key=lambda h: votes[h])
        if 2 * votes[home] <= sum(votes.values()):
            continue
        for element in members[1:]:
            if element in where and where[element] != home and element not in held and _internal(graph, element, kernel):
                found[where[element]].discard(element)
                found[home].add(element)
                where[element] = home
    return [c for c in found if c]


def _entry_votes(graph: ElementGraph, module: str, members: list[str], where: dict[str, int],
                 kernel: dict[str, str]) -> dict[int, float]:
    """community -> weight of the module's entry points there: route handlers (1 each) and symbols
    used from other modules outside the kernel (1 per using element)."""
    votes: dict[int, float] = defaultdict(float)
    for element in members[1:]:
        if element not in where:
            continue
        outside = [u for u in graph.used_by.get(element, ()) if graph.module_of(u) != module and u not in kernel]
        votes[where[element]] += len(outside) + (1.0 if element in graph.routes else 0.0)
    return {h: w for h, w in votes.items() if w > 0}


def _internal(graph: ElementGraph, element: str, kernel: dict[str, str]) -> bool:
    """No dependency (use or table access, in or out) beyond its own module and the kernel."""
    module = graph.module_of(element)
    if element in graph.routes or any(d.kind in TABLE_KINDS for d in graph.outgoing.get(element, ())):
        return False
    linked = [*graph.uses.get(element, ()), *graph.used_by.get(element, ())]
    return all(graph.module_of(o) == module or o in kernel for o in linked)


def _strays(graph: ElementGraph, found: Communities, anchored: set[str], kernel: dict[str, str]) -> Communities:
    """Communities with no anchor and no tie left: each element follows its module, else the kernel."""
    keep = [c for c in found if c & anchored]
    stray = [e for c in found if not c & anchored for e in sorted(c)]
    if not keep:
        return found
    where = _where(keep)
    for element in stray:
        homes = [where[m] for m in graph.members[graph.module_of(element)] if m in where]
        if homes:
            keep[max(sorted(set(homes)), key=homes.count)].add(element)
        else:
            kernel[element] = "no dependencies in or out, and no module-mate in a service"
    return keep


def _at_most(tied, found: Communities, limit: int, resolved: Resolved) -> Communities:  # noqa: ANN001
    pinned = {s: {e for e, p in resolved.pins.items() if p == s} for s in set(resolved.pins.values())}
    while limit and len(found) > limit:
        pair = _closest_pair(tied, found, pinned)
        if pair is None:
            resolved.unhonoured.append(Unhonoured("max_services", f"{len(found)} services remain: the rest are pinned apart or have no ties"))
            break
        i, j = pair
        found[i] |= found[j]
        del found[j]
    return found


def _closest_pair(tied, found: Communities, pinned: dict[str, set[str]]) -> tuple[int, int] | None:  # noqa: ANN001
    where = _where(found)
    ties: dict[tuple[int, int], float] = defaultdict(float)
    for a, b, w in tied.edges(data="weight"):
        i, j = where.get(a), where.get(b)
        if i is not None and j is not None and i != j:
            ties[(min(i, j), max(i, j))] += w
    owners = [{s for s, members in pinned.items() if members & c} - {SHARED} for c in found]
    scored = [(w / min(len(found[i]), len(found[j])), (i, j)) for (i, j), w in sorted(ties.items())
              if len(owners[i] | owners[j]) <= 1]
    return max(scored)[1] if scored else None


def _pinned(graph: ElementGraph, options: PlanOptions, resolved: Resolved, found: Communities) -> tuple[dict[str, set[str]], Communities]:
    """Pinned elements go to their service; a community becomes that service when pins are most of it.

    A community mostly made of elements pinned to one service takes its name; one holding pins to
    several services is split between them by ties. Elsewhere only the pinned elements move: to
    the community whose own name would be the pinned service, else to a service of their own.
    """
    if not resolved.pins:
        return {}, found
    pinned: dict[str, set[str]] = defaultdict(set)
    rest = []
    tied = weighted_graph(graph, options.weights)
    for community in found:
        pins = {e: resolved.pins[e] for e in community if resolved.pins.get(e, SHARED) != SHARED}
        services = sorted(set(pins.values()))
        if len(services) > 1:
            for service, part in _split(tied, community, resolved.pins, services).items():
                pinned[service] |= part
        elif services and 2 * len(pins) >= len(community):
            pinned[services[0]] |= community
        else:
            rest.append(community - pins.keys())
    for element, service in resolved.pins.items():  # a pin always wins, wherever clustering put it
        if service != SHARED and element in graph.elements:
            for part in (*pinned.values(), *rest):
                part.discard(element)
            pinned[service].add(element)
    joined: set[str] = set()
    for index, community in enumerate(rest):
        top = next(iter(candidates(graph, community)), None) if community else None
        if top in pinned and top not in joined:
            joined.add(top)
            pinned[top] |= community
            rest[index] = set()
    return dict(pinned), [c for c in rest if c]


def _split(tied, community: set[str], pins: dict[str, str], services: list[str]) -> dict[str, set[str]]:  # noqa: ANN001
    """Grow each pinned service over the community, strongest tie first (deterministic)."""
    label = {e: pins[e] for e in community if e in pins and pins[e] != SHARED}
    free = sorted(community - label.keys())
    while free:
        scores = []
        for element in free:
            ties: dict[str, float] = defaultdict(float)
            for other, data in tied[element].items() if element in tied else ():
                if other in label:
                    ties[label[other]] += data["weight"]
            best = max(sorted(ties), key=lambda s: ties[s]) if ties else services[0]
            scores.append((ties.get(best, 0.0), element, best))
        _, element, best = max(scores, key=lambda t: (t[0], t[1]))
        label[element] = best
        free.remove(element)
    return {s: {e for e, lab in label.items() if lab == s} for s in services}


def _where(found: Communities) -> dict[str, int]:
    return {e: i for i, c in enumerate(found) for e in c}


def _best_home(tied, elements: list[str], found: Communities, exclude: int) -> int | None:  # noqa: ANN001
    where = _where(found)
    ties: dict[int, float] = defaultdict(float)
    for element in elements:
        for other, data in tied[element].items() if element in tied else ():
            home = where.get(other)
            if home is not None and home != exclude:
                ties[home] += data["weight"]
    return max(sorted(ties), key=lambda k: ties[k]) if ties else None


def route_families(graph: ElementGraph, resolved: Resolved, facts: SourceFacts | None = None) -> list[list[str]]:
    """Handlers hanging on one blueprint or router, pinned ones left out: each family goes to one service.

    A blueprint or router is the grouping of routes its team chose; spreading one over several
    services gives names like `users` beside `deps` for the same router. Measured on the corpus,
    keeping them whole raised MoJoFM on microblog-api (73.4 -> 79.2) and template (75.5 -> 79.4),
    left the sample and the Django apps as they were, and lowered flasky (74.8 -> 70.5), whose hand
    labels split its `main` blueprint by domain.
    """
    return [h for _, h in sorted(_families(graph, resolved, facts).items()) if len(h) > 1]


def _families(graph: ElementGraph, resolved: Resolved, facts: SourceFacts | None) -> dict[str, list[str]]:
    families: dict[str, list[str]] = defaultdict(list)
    pinned_groups = {resolved.groups[e] for e in resolved.pins if e in resolved.groups}
    containers = route_containers(graph, facts)
    for handler in sorted(containers.keys() | graph.routes.keys()):
        if handler in resolved.pins or resolved.groups.get(handler) in pinned_groups:
            continue
        if handler in containers:
            families[containers[handler]].append(handler)
        for app in urlconf_families(graph, handler):
            families[app].append(handler)
    for child, parent in sorted(nested_routers(graph, set(families) & graph.elements.keys()).items()):
        families[parent].extend(families.pop(child, []))
    return families


def family_keys(graph: ElementGraph, facts: SourceFacts | None = None) -> list[str]:
    """The app's route families (blueprints, routers, Django apps with routes), pins or not: what
    `plan --converge` must leave at least as many services as."""
    return sorted(_families(graph, Resolved(), facts))


def nested_routers(graph: ElementGraph, containers: set[str]) -> dict[str, str]:
    """child container -> the outermost container it is mounted in: a module holding a router with
    routes of its own mounts another one in its module-level code (`router.add_router("/{slug}/comments",
    comments_router)`, `bp.register_blueprint(child)`); the child's paths exist only through the parent."""
    holder = {}
    for container in sorted(containers, reverse=True):
        holder[graph.module_of(container)] = container
    parent = {}
    for dep in graph.deps:
        if dep.kind in ("reference", "call") and dep.dst in containers and graph.elements[dep.src].kind == "module":
            outer = holder.get(dep.src)
            if outer is not None and outer != dep.dst:
                parent.setdefault(dep.dst, outer)
    roots = {}
    for child in parent:
        root, seen = parent[child], {child}
        while root in parent and root not in seen:
            seen.add(root)
            root = parent[root]
        if root != child:
            roots[child] = root
    return roots


def _families_whole(found: Communities, families: list[list[str]], groups: dict[str, str] | None = None) -> Communities:
    """Each family's handlers move to the community holding most of them (after clustering, so a
    family does not weigh as one huge node in Louvain and pull its routes away from their tables).
    A handler kept together with other code (`together`, as `--converge` writes it for a view and its
    form) moves with that code, and families that such code ties together (one error class kept with
    handlers of two routers) move as one: every family stays whole and every pair together."""
    groups = groups or {}
    members: dict[str, list[str]] = defaultdict(list)
    for element, representative in sorted(groups.items()):
        members[representative].append(element)
    parent = {h: h for family in families for h in family}

    def root(element: str) -> str:
        while parent[element] != element:
            element = parent[element]
        return element

    for family in families:
        for handler in family[1:]:
            parent[root(handler)] = root(family[0])
    by_group: dict[str, str] = {}
    for handler in sorted(parent):
        if handler in groups:
            other = by_group.setdefault(groups[handler], handler)
            parent[root(handler)] = root(other)
    units: dict[str, list[str]] = defaultdict(list)
    for handler in sorted(parent):
        units[root(handler)].append(handler)
    for handlers in units.values():
        where = _where(found)
        homes = [where[h] for h in handlers if h in where]
        if len(set(homes)) < 2:
            continue
        target = max(sorted(set(homes)), key=homes.count)
        for element in {e for h in handlers for e in members.get(groups.get(h, ""), [h])}:
            if where.get(element, target) != target:
                found[where[element]].discard(element)
                found[target].add(element)
    return [c for c in found if c]


def route_containers(graph: ElementGraph, facts: SourceFacts | None = None) -> dict[str, str]:
    """handler -> the assignment its route decorator names on the route's own line (`bp` in `@bp.route`);
    with the source's facts, the one the decorator calls (`router`, not `token_auth`, in
    `@router.post("/", auth=token_auth)`: a router's handlers with and without auth are one family)."""
    found: dict[str, str] = {}
    for dep in sorted(graph.deps, key=lambda d: (d.src, d.dst)):
        if dep.src not in graph.routes or graph.elements[dep.dst].kind != "assignment":
            continue
        module, name = graph.module_of(dep.src), dep.dst.partition(":")[2]
        lines = {r.line for r in graph.routes[dep.src] if r.module == module}
        if any(loc.line in lines and (facts is None or facts.decorates(module, loc.line, name)) for loc in dep.locations):
            found.setdefault(dep.src, dep.dst)
    return found
