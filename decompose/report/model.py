"""What the HTML report shows, as plain JSON-able data: built from analysis.json and, when there is
one, the plan. Pure: no files, no printing; the same inputs give the same dict (and the same bytes).

Modules are the nodes of the default view, placed here (grouped force-directed layout, seeded, so
stable) so that a large codebase opens without the browser laying out thousands of nodes. Symbols travel as compact
arrays and are drawn only on demand, for one service or module at a time.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from decompose.analysis.model import Analysis
from decompose.planning.constraints import SHARED
from decompose.planning.waves import facts_of, to_json, waves
from decompose.report.service_map import service_map

CODE_KINDS = ("import", "import-lazy", "import-dynamic", "import-type-checking", "call", "reference", "inherit",
              "enqueue", "string-ref")
UNPLANNED = "(unplanned)"
STRONGEST = 5
LAYOUT_ITERATIONS = 60
MAX_GROUP = 600  # modules laid out together; the cost grows with the square of this
GRAVITY = 1.0
NODE_GAP = 46.0  # pixels between most nodes and their nearest neighbour, at zoom 1


@dataclass(frozen=True)
class PlanView:
    """The parts of a reviewed plan the report needs."""

    homes: dict[str, str]  # element -> service (or "shared")
    reasons: dict[str, str]
    services: list[dict[str, Any]]  # name, routes, tables, figures
    scores: dict[str, Any]
    baseline: dict[str, Any]
    path: str
    manual: dict[str, list[str]] = field(default_factory=dict)  # service -> manual steps (from generation.json)
    contracts: dict[str, str] = field(default_factory=dict)  # service -> contract status in words, when contracts exist
    verdicts: dict[str, str] = field(default_factory=dict)  # service -> "passed" | "failed" against its service (last verify)


def build(analysis: Analysis, plan: PlanView | None = None) -> dict[str, Any]:
    modules = sorted((m for m in analysis.modules if m.parse_error is None), key=lambda m: m.name)
    names = {m.name for m in modules}
    owner = _module_services(modules, plan)
    links = _module_links(analysis, names)
    positions = _layout(owner, links)
    ties = _ties(links)
    facts = _facts(analysis, names)
    nodes = []
    for m in modules:
        x, y = positions[m.name]
        nodes.append({"id": m.name, "path": m.path, "lines": m.lines, "role": m.role, "service": owner[m.name],
                      "x": x, "y": y, "reason": (plan.reasons.get(m.name, "") if plan else ""),
                      "ties": ties.get(m.name, []), **facts[m.name]})
    edges = [{"source": a, "target": b, "weight": w, "kind": _main_kind(kinds), "kinds": dict(sorted(kinds.items())),
              "cross": owner[a] != owner[b] and SHARED not in (owner[a], owner[b])}
             for (a, b), (w, kinds) in sorted(links.items())]
    return {
        "project": project_name(analysis),
        "planned": plan is not None,
        "plan": plan.path if plan else None,
        "counts": {"modules": len(modules), "symbols": len(analysis.symbols), "edges": len(analysis.edges),
                   "routes": len(analysis.routes), "tables": len(analysis.tables), "hazards": len(analysis.hazards),
                   "failures": len(analysis.failures)},
        "services": _services(plan, owner) if plan else [],
        "scores": {"plan": plan.scores, "baseline": plan.baseline} if plan else None,
        "nodes": nodes,
        "edges": edges,
        "symbols": _symbols(analysis, names, plan),
        "migration": _migration(analysis, plan) if plan else {"shared_tables": [], "cross_calls": []},
        "service_map": _service_map(analysis, plan, owner) if plan else None,
        "waves": _waves(analysis, plan) if plan else [],
        "hazards": [{"kind": h.kind, "symbol": h.symbol, "path": h.path, "line": h.line, "why": h.why,
                     "resolution": h.resolution, "in_request_path": h.in_request_path,
                     "service": _home(h.symbol, plan)} for h in analysis.hazards],
        "failures": [{"path": f.path, "kind": f.kind, "message": f.message, "line": f.line} for f in analysis.failures],
        "unresolved": [{"module": u.module, "path": u.path, "line": u.line, "what": u.what} for u in analysis.unresolved],
    }


def project_name(analysis: Analysis) -> str:
    """The monolith's top-level package(s), else the analysed folder's name."""
    tops = sorted({m.name.split(".")[0] for m in analysis.modules if m.role == "app"})
    return ", ".join(tops[:3]) if tops else analysis.root


def _home(element: str, plan: PlanView | None) -> str:
    if plan is None:
        return ""
    return plan.homes.get(element) or plan.homes.get(element.split(":")[0], UNPLANNED)


def _module_services(modules: list, plan: PlanView | None) -> dict[str, str]:
    """A module's service: where its body sits, else where most of its symbols sit. Without a plan,
    the module's package (the top two name segments), so the colours still show structure."""
    if plan is None:
        return {m.name: ".".join(m.name.split(".")[:2]) for m in modules}
    votes: dict[str, Counter] = defaultdict(Counter)
    for element, service in plan.homes.items():
        module = element.split(":")[0]
        votes[module][service] += 1 if ":" in element else 1000
    return {m.name: (votes[m.name].most_common(1)[0][0] if votes[m.name] else UNPLANNED) for m in modules}


def _module_of(element: str, names: set[str]) -> str | None:
    module = element.split(":")[0]
    return module if module in names else None


def _module_links(analysis: Analysis, names: set[str]) -> dict[tuple[str, str], tuple[int, Counter]]:
    links: dict[tuple[str, str], tuple[int, Counter]] = {}
    for edge in analysis.edges:
        if edge.kind not in CODE_KINDS:
            continue
        a, b = _module_of(edge.src, names), _module_of(edge.dst, names)
        if a is None or b is None or a == b:
            continue
        weight, kinds = links.get((a, b), (0, Counter()))
        kinds[edge.kind] += edge.weight
        links[(a, b)] = (weight + edge.weight, kinds)
    return links


def _main_kind(kinds: Counter) -> str:
    return min(kinds.items(), key=lambda item: (-item[1], item[0]))[0]


def _layout(owner: dict[str, str], links: dict) -> dict[str, tuple[float, float]]:
    """Grouped, seeded, so stable and fast on thousands of modules: each group (service, or package
    without a plan) is laid out on its own with Fruchterman-Reingold, then the groups are placed by
    the same method on the graph of groups and pushed apart until no two overlap."""
    owner = _layout_groups(owner)
    members: dict[str, list[str]] = defaultdict(list)
    for module, group in sorted(owner.items()):
        members[group].append(module)
    inside: dict[str, dict[str, np.ndarray]] = {}
    radius: dict[str, float] = {}
    for group, names in sorted(members.items()):
        local = _force_layout(names, [(a, b, w) for (a, b), (w, _) in links.items() if owner[a] == owner[b] == group])
        inside[group], radius[group] = local, NODE_GAP + max((float(np.hypot(*p)) for p in local.values()), default=0.0)
    between: Counter = Counter()
    for (a, b), (weight, _) in links.items():
        if owner[a] != owner[b]:
            between[tuple(sorted((owner[a], owner[b])))] += weight
    groups = sorted(members)
    centres = _separate(groups, _force_layout(groups, [(a, b, w) for (a, b), w in between.items()]), radius)
    placed = {}
    for group in groups:
        cx, cy = centres[group]
        for module, (x, y) in inside[group].items():
            placed[module] = (round(float(cx + x), 1), round(float(cy + y), 1))
    return placed


def _layout_groups(owner: dict[str, str]) -> dict[str, str]:
    """Groups of at most MAX_GROUP modules: a service (or package) too large, or the unplanned
    modules (tests, migrations), is split by package, one name segment deeper each time."""
    groups = {m: (g if g != UNPLANNED else f"{g} {'.'.join(m.split('.')[:2])}") for m, g in owner.items()}
    for depth in range(2, 8):
        sizes = Counter(groups.values())
        if max(sizes.values(), default=0) <= MAX_GROUP:
            break
        groups = {m: (f"{g} {'.'.join(m.split('.')[:depth + 1])}" if sizes[g] > MAX_GROUP else g)
                  for m, g in groups.items()}
    return groups


def _force_layout(names: list[str], weighted: list[tuple[str, str, int]]) -> dict[str, np.ndarray]:
    """Fruchterman-Reingold on a dense matrix (names are at most a few thousand), scaled so that
    most nodes sit NODE_GAP pixels from their nearest neighbour; centred on the origin."""
    n = len(names)
    if n == 1:
        return {names[0]: np.zeros(2)}
    index = {name: i for i, name in enumerate(names)}
    adjacency = np.zeros((n, n))
    for a, b, w in weighted:
        adjacency[index[a], index[b]] += math.log2(1 + w)
        adjacency[index[b], index[a]] += math.log2(1 + w)
    pos = np.random.default_rng(42).random((n, 2)) - 0.5
    k = 1.0 / math.sqrt(n)
    step = 0.1
    for _ in range(LAYOUT_ITERATIONS):
        delta = pos[:, None, :] - pos[None, :, :]
        distance = np.maximum(np.sqrt((delta ** 2).sum(axis=2)), 0.01)
        force = (k * k / distance ** 2 - adjacency * distance / k)
        move = (delta * force[:, :, None]).sum(axis=1) - GRAVITY * pos  # gravity keeps loose parts near
        length = np.maximum(np.sqrt((move ** 2).sum(axis=1)), 0.01)
        pos += move * (step / length)[:, None]
        step -= 0.1 / (LAYOUT_ITERATIONS + 1)
    pos -= pos.mean(axis=0)
    pos *= NODE_GAP / max(_typical_gap(pos), 1e-9)
    return {name: pos[i] for name, i in index.items()}


def _separate(groups: list[str], centres: dict[str, np.ndarray], radius: dict[str, float]) -> dict[str, np.ndarray]:
    """Group centres pushed apart until no two groups' circles overlap (keeping the layout's shape)."""
    points = np.array([centres[g] for g in groups], dtype=float)
    radii = np.array([radius[g] for g in groups])
    if len(groups) > 1:
        points *= 2 * float(np.median(radii)) / max(_typical_gap(points), 1e-9)
    points += np.random.default_rng(7).normal(scale=1e-3, size=points.shape)  # no two exactly together
    needed = radii[:, None] + radii[None, :] + NODE_GAP
    np.fill_diagonal(needed, 0.0)
    for _ in range(500):
        delta = points[:, None, :] - points[None, :, :]
        distance = np.maximum(np.sqrt((delta ** 2).sum(axis=2)), 1e-6)
        overlap = np.clip(needed - distance, 0.0, None)
        if overlap.max() <= 1.0:
            break
        points += (delta / distance[:, :, None] * (overlap / 2)[:, :, None]).sum(axis=1)
    return {g: points[i] for i, g in enumerate(groups)}


def _typical_gap(points: np.ndarray) -> float:
    """The 20th percentile of nearest-neighbour distances, in chunks to bound memory."""
    nearest = []
    for start in range(0, len(points), 512):
        chunk = points[start:start + 512]
        distances = np.sqrt(((chunk[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
        distances[np.arange(len(chunk)), np.arange(start, start + len(chunk))] = np.inf
        nearest.append(distances.min(axis=1))
    return float(np.percentile(np.concatenate(nearest), 20))


def _ties(links: dict) -> dict[str, list[dict[str, Any]]]:
    """Per module, its STRONGEST neighbours by total weight, both directions."""
    weights: dict[str, Counter] = defaultdict(Counter)
    for (a, b), (weight, _) in links.items():
        weights[a][b] += weight
        weights[b][a] += weight
    return {module: [{"module": m, "weight": w} for m, w in sorted(c.items(), key=lambda i: (-i[1], i[0]))[:STRONGEST]]
            for module, c in weights.items()}


def _facts(analysis: Analysis, names: set[str]) -> dict[str, dict[str, list]]:
    facts: dict[str, dict[str, list]] = {n: {"routes": [], "tables": [], "hazards": []} for n in names}
    for route in analysis.routes:
        if route.module in facts:
            facts[route.module]["routes"].append(f"{','.join(route.methods)} {route.template}")
    for table in analysis.tables:
        module = _module_of(table.model, names)
        if module:
            facts[module]["tables"].append(table.name)
    for hazard in analysis.hazards:
        module = _module_of(hazard.symbol, names)
        if module:
            facts[module]["hazards"].append(f"{hazard.kind} (line {hazard.line})")
    return {n: {k: sorted(set(v)) for k, v in f.items()} for n, f in facts.items()}


def _symbols(analysis: Analysis, names: set[str], plan: PlanView | None) -> dict[str, Any]:
    """Compact arrays: rows [id, module index, kind, lines, service] and edges [src, dst, kind, weight]."""
    module_index = {n: i for i, n in enumerate(sorted(names))}
    kept = sorted((s for s in analysis.symbols if s.module in module_index), key=lambda s: s.id)
    index = {s.id: i for i, s in enumerate(kept)}
    rows = [[s.id, module_index[s.module], s.kind, max(1, s.end_line - s.line + 1), _home(s.id, plan)] for s in kept]
    kinds = sorted(CODE_KINDS)
    weights: Counter = Counter()
    for edge in analysis.edges:
        if edge.kind in CODE_KINDS and edge.src in index and edge.dst in index and edge.src != edge.dst:
            weights[(index[edge.src], index[edge.dst], kinds.index(edge.kind))] += edge.weight
    return {"modules": sorted(names), "kinds": kinds, "rows": rows,
            "edges": [[a, b, k, w] for (a, b, k), w in sorted(weights.items())]}


def _services(plan: PlanView, owner: dict[str, str]) -> list[dict[str, Any]]:
    modules = Counter(owner.values())
    symbols = Counter(s for e, s in plan.homes.items() if ":" in e)
    return [{**service, "modules": modules.get(service["name"], 0), "symbols": symbols.get(service["name"], 0)}
            for service in plan.services]


def _migration(analysis: Analysis, plan: PlanView) -> dict[str, list]:
    """Shared tables (used by more than one service) and calls across services: work to do."""
    users: dict[str, set[str]] = defaultdict(set)
    calls: Counter = Counter()
    for edge in analysis.edges:
        src = _home(edge.src, plan)
        if edge.kind in ("table-read", "table-write") and src not in (SHARED, UNPLANNED, ""):
            users[edge.dst.removeprefix("table:")].add(src)
        elif edge.kind == "call":
            dst = _home(edge.dst, plan)
            if src != dst and SHARED not in (src, dst) and UNPLANNED not in (src, dst) and dst:
                calls[(src, dst, edge.src, edge.dst)] += edge.weight
    shared = [{"table": t, "services": sorted(s)} for t, s in sorted(users.items()) if len(s) > 1]
    crossing = [{"from": a, "to": b, "caller": c, "callee": d, "weight": w}
                for (a, b, c, d), w in sorted(calls.items())]
    return {"shared_tables": shared, "cross_calls": crossing}


def _service_map(analysis: Analysis, plan: PlanView, owner: dict[str, str]) -> dict[str, Any]:
    found = service_map(analysis, plan, owner)
    for node in found["nodes"]:
        if node["kind"] == "service":
            node["manual"] = plan.manual.get(node["id"], [])
            node["contract"] = plan.contracts.get(node["id"], "")
    return found


def _waves(analysis: Analysis, plan: PlanView) -> list[dict[str, Any]]:
    facts = facts_of(analysis, plan.homes, [s["name"] for s in plan.services], plan.verdicts)
    return to_json(waves(facts))["waves"]
