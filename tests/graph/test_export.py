import xml.etree.ElementTree as ET

from decompose.graph.build import build_graph
from decompose.graph.export import to_dot, to_graphml, to_mermaid
from tests.helpers import analyse

TREE = {
    "shop/__init__.py": "",
    "shop/models.py": 'from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\nclass Order(db.Model):\n    __tablename__ = "orders"\n',
    "shop/views.py": "from shop.models import Order\ndef list_orders():\n    return Order.query.all()\ndef count():\n    return len(list_orders())\n",
}


def test_module_level_rolls_symbol_edges_up(tmp_path):
    graph = build_graph(analyse(tmp_path, TREE), "module")
    assert graph.has_edge("shop.views", "shop.models")
    kinds = graph.edges["shop.views", "shop.models"]["kinds"]
    assert kinds["import"] == 1 and kinds["call"] >= 1
    assert graph.has_edge("shop.views", "table:orders")
    assert not any(":" in n and not n.startswith("table:") for n in graph.nodes)


def test_symbol_level_keeps_symbols(tmp_path):
    graph = build_graph(analyse(tmp_path, TREE), "symbol")
    assert graph.has_edge("shop.views:count", "shop.views:list_orders")
    assert graph.has_edge("shop.views:list_orders", "table:orders")


def test_exports_are_valid_and_deterministic(tmp_path):
    analysis = analyse(tmp_path, TREE)
    graph = build_graph(analysis, "module")
    dot, mermaid, graphml = to_dot(graph), to_mermaid(graph), to_graphml(graph)
    assert dot.startswith("digraph decompose {") and '"shop.views" -> "shop.models"' in dot
    assert mermaid.startswith("graph LR") and '[("table:orders")]' in mermaid
    root = ET.fromstring(graphml)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert len(root.findall(".//g:node", ns)) == graph.number_of_nodes()
    assert len(root.findall(".//g:edge", ns)) == graph.number_of_edges()
    again = build_graph(analyse(tmp_path, TREE), "module")
    assert (to_dot(again), to_mermaid(again), to_graphml(again)) == (dot, mermaid, graphml)
