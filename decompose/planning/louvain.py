"""Louvain community detection (Blondel et al. 2008), seeded, with a guaranteed end.

networkx's `louvain_communities` (up to 3.6.1, the newest release today) can loop for ever: a node
moves between communities whose gains differ only by round-off (networkx#8739, fixed upstream
by networkx#8757 but not released). A planner that hangs is worse than none, so this is the same
algorithm, in the same shape as networkx's (local moving on a shuffled node order, then
aggregation, stopping when modularity gains less than `threshold`), with two guards:
- a node only leaves its community for a strictly better one, by a relative margin far above
  round-off, so every move increases modularity and no state can repeat;
- each level makes at most `max_passes` passes over its nodes.
"""

from __future__ import annotations

import random
from collections import defaultdict

import networkx as nx

MARGIN = 1e-9


def louvain(graph: nx.Graph, resolution: float = 1.0, seed: int = 42, threshold: float = 1e-7,
            max_passes: int = 100) -> list[set[str]]:
    nodes = sorted(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    adjacency: list[dict[int, float]] = [defaultdict(float) for _ in nodes]
    loops = [0.0] * len(nodes)
    for a, b, weight in graph.edges(data="weight", default=1.0):
        if a == b:
            loops[index[a]] += weight
        else:
            adjacency[index[a]][index[b]] += weight
            adjacency[index[b]][index[a]] += weight
    members = [{n} for n in nodes]
    total = sum(loops) + sum(sum(a.values()) for a in adjacency) / 2
    if total <= 0:
        return members
    rng = random.Random(seed)
    quality = _modularity(adjacency, loops, total, resolution)
    while True:
        community, moved = _one_level(adjacency, loops, total, resolution, rng, max_passes)
        if not moved:
            break
        adjacency, loops, members = _aggregate(adjacency, loops, members, community)
        new_quality = _modularity(adjacency, loops, total, resolution)
        if new_quality - quality <= threshold:
            break
        quality = new_quality
    return members


def _degrees(adjacency: list[dict[int, float]], loops: list[float]) -> list[float]:
    return [sum(a.values()) + 2 * loop for a, loop in zip(adjacency, loops)]


def _modularity(adjacency: list[dict[int, float]], loops: list[float], total: float, resolution: float) -> float:
    """Modularity with every node its own community (the aggregated graph's view)."""
    return sum(loop / total - resolution * (d / (2 * total)) ** 2
               for loop, d in zip(loops, _degrees(adjacency, loops)))


def _one_level(adjacency: list[dict[int, float]], loops: list[float], total: float, resolution: float,
               rng: random.Random, max_passes: int) -> tuple[list[int], bool]:
    degree = _degrees(adjacency, loops)
    community = list(range(len(adjacency)))
    totals = list(degree)
    order = list(range(len(adjacency)))
    rng.shuffle(order)
    moved = False
    for _ in range(max_passes):
        moves = 0
        for node in order:
            here = community[node]
            ties: dict[int, float] = defaultdict(float)
            for other, weight in adjacency[node].items():
                ties[community[other]] += weight
            totals[here] -= degree[node]
            scale = resolution * degree[node] / (2 * total)
            best, best_gain = here, ties.get(here, 0.0) - scale * totals[here]
            for candidate in sorted(ties):
                gain = ties[candidate] - scale * totals[candidate]
                if gain > best_gain + MARGIN * max(1.0, abs(best_gain)):
                    best, best_gain = candidate, gain
            totals[best] += degree[node]
            if best != here:
                community[node] = best
                moves += 1
        moved = moved or moves > 0
        if moves == 0:
            break
    return community, moved


def _aggregate(adjacency: list[dict[int, float]], loops: list[float], members: list[set[str]],
               community: list[int]) -> tuple[list[dict[int, float]], list[float], list[set[str]]]:
    labels = {c: i for i, c in enumerate(sorted(set(community)))}
    size = len(labels)
    new_adjacency: list[dict[int, float]] = [defaultdict(float) for _ in range(size)]
    new_loops = [0.0] * size
    new_members: list[set[str]] = [set() for _ in range(size)]
    for node, neighbours in enumerate(adjacency):
        mine = labels[community[node]]
        new_loops[mine] += loops[node]
        new_members[mine] |= members[node]
        for other, weight in neighbours.items():
            theirs = labels[community[other]]
            if theirs == mine:
                new_loops[mine] += weight / 2  # each inner edge is seen from both ends
            else:
                new_adjacency[mine][theirs] += weight
    return new_adjacency, new_loops, new_members
