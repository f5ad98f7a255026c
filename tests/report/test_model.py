"""The report's data from small analyses: module graph, services, migration work, and safe embedding."""

import json

import pytest

from decompose.report.html import embed_json, render_html
from decompose.report.mermaid import services_graph
from decompose.report.model import PlanView, build
from tests.helpers import analyse

SHOP = {
    "shop/__init__.py": "",
    "shop/models.py": """
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

        class Base(DeclarativeBase):
            pass

        class Order(Base):
            __tablename__ = "orders"
            id: Mapped[int] = mapped_column(primary_key=True)
    """,
    "shop/orders.py": """
        from shop.models import Order
        from shop.payments import charge

        def place(session):
            order = Order()
            session.add(order)
            charge(order)
            return order
    """,
    "shop/payments.py": """
        from shop.models import Order

        def charge(order):
            return Order.query.get(order.id)
    """,
}


@pytest.fixture
def analysis(tmp_path):
    return analyse(tmp_path, SHOP)


def plan_view(homes: dict[str, str]) -> PlanView:
    services = [{"name": n, "routes": [], "tables": [], "interface": 0, "elements": 1, "cohesion": 1.0}
                for n in sorted(set(homes.values()) - {"shared"})]
    return PlanView(homes, {"shop.orders": "placed by hand"}, services, {"sm": 0.5}, {"sm": 0.1}, "decompose.toml")


def test_without_a_plan_modules_are_coloured_by_package(analysis):
    data = build(analysis)
    assert data["planned"] is False and data["project"] == "shop"
    assert {n["id"]: n["service"] for n in data["nodes"]}["shop.orders"] == "shop.orders"
    assert {(e["source"], e["target"]) for e in data["edges"]} >= {("shop.orders", "shop.payments"),
                                                                   ("shop.orders", "shop.models")}
    assert all(isinstance(n["x"], float) for n in data["nodes"])


def test_with_a_plan_cross_service_edges_shared_tables_and_calls_are_found(analysis):
    homes = {"shop.orders": "orders", "shop.orders:place": "orders", "shop.payments": "payments",
             "shop.payments:charge": "payments", "shop.models": "shared", "shop.models:Order": "shared",
             "shop.models:Base": "shared"}
    data = build(analysis, plan_view(homes))
    edge = next(e for e in data["edges"] if (e["source"], e["target"]) == ("shop.orders", "shop.payments"))
    assert edge["cross"] is True and edge["kind"] in ("call", "import")
    assert not next(e for e in data["edges"] if e["target"] == "shop.models")["cross"]  # the kernel is not a boundary
    assert data["migration"]["shared_tables"] == [{"table": "orders", "services": ["orders", "payments"]}]
    assert {(c["caller"], c["callee"]) for c in data["migration"]["cross_calls"]} == {
        ("shop.orders:place", "shop.payments:charge")}
    orders = next(n for n in data["nodes"] if n["id"] == "shop.orders")
    assert orders["reason"] == "placed by hand" and orders["ties"][0]["module"] in ("shop.models", "shop.payments")


def test_symbols_travel_as_compact_rows_and_edges(analysis):
    symbols = build(analysis)["symbols"]
    ids = [row[0] for row in symbols["rows"]]
    assert "shop.orders:place" in ids and "shop.payments:charge" in ids
    call = symbols["kinds"].index("call")
    assert [ids.index("shop.orders:place"), ids.index("shop.payments:charge"), call, 1] in symbols["edges"]


def test_the_same_analysis_gives_the_same_bytes(analysis):
    first = render_html(build(analysis), "shop")
    assert first == render_html(build(analysis), "shop")
    assert "cytoscape" in first and "https://" not in first.split("<script>", 1)[0]


def test_text_from_the_code_cannot_break_out_of_the_page():
    hostile = {"label": "</script><script>alert(1)</script>", "line": "\u2028"}
    text = embed_json(hostile)
    assert "</script" not in text and "<" not in text
    assert json.loads(text) == hostile


def test_mermaid_draws_services_with_weighted_arrows(analysis):
    homes = {"shop.orders": "orders", "shop.orders:place": "orders", "shop.payments": "payments",
             "shop.payments:charge": "payments", "shop.models": "shared", "shop.models:Order": "shared",
             "shop.models:Base": "shared"}
    text = services_graph(build(analysis, plan_view(homes)))
    assert text.startswith("flowchart LR\n")
    assert 's_orders["orders<br/>0 routes · 0 tables"]' in text
    assert any(line.strip().startswith("s_orders -->|") and line.endswith("s_payments") for line in text.splitlines())
    assert "s_orders -.->|" in text  # uses of the shared kernel are dotted
    with pytest.raises(ValueError, match="needs a plan"):
        services_graph(build(analysis))
