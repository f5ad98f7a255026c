"""Our Louvain: finds obvious communities, is seeded, and ends where networkx 3.6.1 loops for ever."""

import networkx as nx

from decompose.planning.louvain import louvain


def _two_cliques() -> nx.Graph:
    graph = nx.Graph()
    for group in ("abcde", "vwxyz"):
        graph.add_weighted_edges_from((p, q, 1.0) for i, p in enumerate(group) for q in group[i + 1:])
    graph.add_edge("e", "v", weight=1.0)
    return graph


def test_two_cliques_joined_by_one_edge_are_two_communities():
    assert sorted(sorted(c) for c in louvain(_two_cliques())) == [list("abcde"), list("vwxyz")]


def test_same_seed_same_answer_and_isolated_nodes_stay_alone():
    graph = _two_cliques()
    graph.add_node("lonely")
    first = louvain(graph, seed=7)
    assert first == louvain(graph, seed=7)
    assert {"lonely"} in first


def test_a_high_resolution_splits_more():
    graph = nx.connected_caveman_graph(6, 5)
    nx.set_edge_attributes(graph, 1.0, "weight")
    graph = nx.relabel_nodes(graph, {n: f"n{n:02d}" for n in graph})
    assert len(louvain(graph, resolution=0.05)) < len(louvain(graph, resolution=1.0)) < len(louvain(graph, resolution=20.0))


def test_the_graph_that_makes_networkx_loop_for_ever_ends():
    # networkx#8739: G674 of the graph atlas loops in networkx <= 3.6.1 for most seeds.
    graph = nx.Graph([(0, 1), (0, 2), (0, 5), (0, 6), (1, 2), (1, 4), (2, 3), (2, 5), (2, 6), (3, 4)])
    graph = nx.relabel_nodes(graph, {n: f"n{n}" for n in graph})
    for seed in range(50):
        found = louvain(graph, resolution=1, seed=seed)
        assert sorted(n for c in found for n in c) == sorted(graph.nodes)
