"""Clustering strategies: small classes in a registry, each turning a Problem into communities.

- `louvain` (default): seeded Louvain (louvain.py) on the weighted element graph without the shared
  kernel; communities that own no route and no table are merged into the one they are most tied to,
  since a service exists to answer requests or own data. With a target K the resolution is searched.
- `baseline`: the naive strategy every report compares against: seeded Louvain on the module
  import graph (resolution 1), each element following its module. No kernel, no tables, no routes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Protocol

import networkx as nx

from decompose.planning.elements import ElementGraph, weighted_graph
from decompose.planning.louvain import louvain
from decompose.planning.weights import Weights

Communities = list[set[str]]


@dataclass(frozen=True)
class Problem:
    graph: ElementGraph
    weights: Weights
    kernel: frozenset[str] = frozenset()
    groups: dict[str, str] = field(default_factory=dict)  # element -> representative of its group
    anchored: frozenset[str] = frozenset()
    resolution: float = 1.5
    seed: int = 42
    services: int = 0  # target number of services; 0: let the resolution decide


class Strategy(Protocol):
    name: str
    summary: str

    def communities(self, problem: Problem) -> Communities: ...


STRATEGIES: dict[str, Strategy] = {}


def register(cls: type) -> type:
    STRATEGIES[cls.name] = cls()
    return cls


@register
class Louvain:
    name = "louvain"
    summary = "seeded Louvain on the weighted symbol/table graph, shared kernel removed, anchors required"

    def communities(self, problem: Problem) -> Communities:
        graph = _contracted(weighted_graph(problem.graph, problem.weights, problem.kernel), problem.groups)
        if problem.services:
            found = _search(graph, problem)
        else:
            found = _anchored(graph, _louvain(graph, problem.resolution, problem.seed), problem)
        return _expanded(found, problem.groups, problem.graph)


@register
class Baseline:
    name = "baseline"
    summary = "naive: seeded Louvain on module imports, every symbol follows its module"

    def communities(self, problem: Problem) -> Communities:
        graph = nx.Graph()
        graph.add_nodes_from(sorted(problem.graph.members))
        for dep in problem.graph.deps:
            src, dst = problem.graph.module_of(dep.src), problem.graph.module_of(dep.dst)
            if dep.kind.startswith("import") and src != dst:
                old = graph.get_edge_data(src, dst, {"weight": 0})["weight"]
                graph.add_edge(src, dst, weight=old + dep.count)
        modules = _louvain(graph, 1.0, problem.seed)
        by_module = {m: i for i, community in enumerate(modules) for m in community}
        found: list[set[str]] = [set() for _ in modules]
        for element in problem.graph.elements:
            found[by_module[problem.graph.module_of(element)]].add(element)
        return [c for c in found if c]


def _louvain(graph: nx.Graph, resolution: float, seed: int) -> Communities:
    if graph.number_of_nodes() == 0:
        return []
    found = louvain(graph, resolution=resolution, seed=seed)
    return sorted(found, key=lambda c: (-len(c), min(c)))


def _contracted(graph: nx.Graph, groups: dict[str, str]) -> nx.Graph:
    """Merge each group (pins to one service, keep-together) into its representative node."""
    if not groups:
        return graph
    result = nx.Graph()
    result.add_nodes_from(sorted({groups.get(n, n) for n in graph.nodes}))
    for a, b, w in sorted(graph.edges(data="weight")):
        a, b = groups.get(a, a), groups.get(b, b)
        if a != b:
            result.add_edge(a, b, weight=result.get_edge_data(a, b, {"weight": 0})["weight"] + w)
    return result


def _expanded(found: Communities, groups: dict[str, str], graph: ElementGraph) -> Communities:
    members: dict[str, set[str]] = defaultdict(set)
    for element, rep in groups.items():
        members[rep].add(element)
    result = []
    for community in found:
        elements = set()
        for node in community:
            elements |= members.get(node, {node})
        elements &= graph.elements.keys()  # drop route-family nodes
        if elements:
            result.append(elements)
    return sorted(result, key=lambda c: (-len(c), min(c)))


def _anchored(graph: nx.Graph, found: Communities, problem: Problem) -> Communities:
    """Merge each community without a route or table into its most tied neighbour, in rounds."""
    anchors = {problem.groups.get(a, a) for a in problem.anchored}
    communities = [set(c) for c in found]
    while True:
        targets = _merge_targets(graph, communities, anchors)
        if not targets:
            return sorted(communities, key=lambda c: (-len(c), min(c)))
        parent = list(range(len(communities)))

        def root(k: int) -> int:
            while parent[k] != k:
                k = parent[k]
            return k

        for i, j in targets:
            a, b = root(i), root(j)
            if a != b:
                parent[a] = b
        merged: dict[int, set[str]] = defaultdict(set)
        for k, community in enumerate(communities):
            merged[root(k)] |= community
        communities = list(merged.values())


def _merge_targets(graph: nx.Graph, communities: Communities, anchors: set[str]) -> list[tuple[int, int]]:
    where = {n: k for k, c in enumerate(communities) for n in c}
    targets = []
    for i, community in enumerate(communities):
        if community & anchors:
            continue
        ties: dict[int, float] = defaultdict(float)
        for node in sorted(community):  # a fixed order: float sums, so ties break the same on every run
            for other, data in graph[node].items():
                if where[other] != i:
                    ties[where[other]] += data["weight"]
        if ties:
            targets.append((i, max(sorted(ties), key=lambda k: ties[k])))
    return targets


def _search(graph: nx.Graph, problem: Problem) -> Communities:
    """Bisect the resolution (log scale) for the fewest anchored communities >= `problem.services`.

    The planner then merges the most tied services down to the target; with too few communities
    even at the highest resolution, the largest count found is kept (and reported).
    """
    low, high, best = 0.01, 50.0, None
    for _ in range(16):
        resolution = (low * high) ** 0.5
        found = _anchored(graph, _louvain(graph, resolution, problem.seed), problem)
        if best is None or _closer(len(found), len(best), problem.services):
            best = found
        if len(found) == problem.services:
            break
        low, high = (resolution, high) if len(found) < problem.services else (low, resolution)
    return best or []


def _closer(count: int, best: int, target: int) -> bool:
    """Prefer counts at or above the target (merging is safe, splitting is not), then the nearest."""
    return (count >= target, -abs(count - target)) > (best >= target, -abs(best - target))
