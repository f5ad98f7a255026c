"""analysis -> networkx DiGraph at module or symbol granularity.

Parallel edges of different kinds between the same two nodes are merged into one edge whose
`weight` is the sum and whose `kinds` maps kind -> weight, so every exporter sees a simple graph.
"""

from __future__ import annotations

import networkx as nx

from decompose.analysis.index import split_id
from decompose.analysis.model import Analysis
from decompose.graph import LEVELS


def build_graph(analysis: Analysis, level: str = "module") -> nx.DiGraph:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    graph = nx.DiGraph()
    for module in analysis.modules:
        if level == "module":
            graph.add_node(module.name, kind="module", lines=module.lines, role=module.role)
    if level == "symbol":
        for symbol in analysis.symbols:
            graph.add_node(symbol.id, kind=symbol.kind, lines=symbol.end_line - symbol.line + 1, module=symbol.module)
    for table in analysis.tables:
        graph.add_node(f"table:{table.name}", kind="table", lines=0, role="table")
    for edge in analysis.edges:
        src, dst = _endpoint(edge.src, level), _endpoint(edge.dst, level)
        if src == dst:
            continue
        _ensure(graph, src, level)
        _ensure(graph, dst, level)
        data = graph.get_edge_data(src, dst) or {"weight": 0, "kinds": {}}
        data["weight"] += edge.weight
        data["kinds"][edge.kind] = data["kinds"].get(edge.kind, 0) + edge.weight
        graph.add_edge(src, dst, **data)
    return graph


def _endpoint(node: str, level: str) -> str:
    if node.startswith("table:") or level == "symbol":
        return node
    return split_id(node)[0]


def _ensure(graph: nx.DiGraph, node: str, level: str) -> None:
    if node not in graph:
        kind = "table" if node.startswith("table:") else ("module" if ":" not in node else "symbol")
        graph.add_node(node, kind=kind, lines=0, module=split_id(node)[0])
