"""Graph exports: Graphviz dot, Mermaid, GraphML. Deterministic: nodes and edges sorted."""

from __future__ import annotations

import io
import re

import networkx as nx


def _kinds(data: dict) -> str:
    return ",".join(f"{k}:{v}" for k, v in sorted(data["kinds"].items()))


def _sorted_edges(graph: nx.DiGraph) -> list[tuple[str, str, dict]]:
    return sorted(graph.edges(data=True), key=lambda e: (e[0], e[1]))


def to_dot(graph: nx.DiGraph) -> str:
    lines = ["digraph decompose {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];']
    for node in sorted(graph.nodes):
        attrs = graph.nodes[node]
        shape = ', shape=cylinder' if attrs.get("kind") == "table" else ""
        lines.append(f'  {_quote(node)} [label={_quote(node)}{shape}];')
    for src, dst, data in _sorted_edges(graph):
        lines.append(f'  {_quote(src)} -> {_quote(dst)} [weight={data["weight"]}, label={_quote(_kinds(data))}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_mermaid(graph: nx.DiGraph) -> str:
    ids = {node: f"n{i}" for i, node in enumerate(sorted(graph.nodes))}
    lines = ["graph LR"]
    for node, ident in ids.items():
        label = _mermaid_label(node)
        lines.append(f'  {ident}[("{label}")]' if graph.nodes[node].get("kind") == "table" else f'  {ident}["{label}"]')
    for src, dst, data in _sorted_edges(graph):
        lines.append(f"  {ids[src]} -->|{data['weight']}| {ids[dst]}")
    return "\n".join(lines) + "\n"


def _mermaid_label(text: str) -> str:
    return re.sub(r'["<>{}|]', "_", text)


def to_graphml(graph: nx.DiGraph) -> str:
    flat = nx.DiGraph()
    for node in sorted(graph.nodes):
        flat.add_node(node, **{k: v for k, v in graph.nodes[node].items() if isinstance(v, (str, int, float))})
    for src, dst, data in _sorted_edges(graph):
        flat.add_edge(src, dst, weight=data["weight"], kinds=_kinds(data))
    buffer = io.BytesIO()
    nx.write_graphml(flat, buffer, encoding="utf-8")
    return buffer.getvalue().decode("utf-8")


EXPORTERS = {"dot": to_dot, "mermaid": to_mermaid, "graphml": to_graphml}
