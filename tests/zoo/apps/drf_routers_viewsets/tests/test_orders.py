import pytest

from orders.models import Order

pytestmark = pytest.mark.django_db


def place(client, *items):
    return client.post("/api/sales/orders/", {"items": [{"product": sku, "quantity": q} for sku, q in items]})


def test_place_and_list_orders(customer_client, catalog):
    response = place(customer_client, ("BK-100", 1), ("PT-200", 2))
    assert response.status_code == 201
    order = response.json()
    assert order["status"] == "open"
    assert order["total"] == "538.00"
    catalog["chain"].refresh_from_db()
    assert catalog["chain"].stock == 8
    listing = customer_client.get("/api/sales/orders/").json()
    assert [o["id"] for o in listing] == [order["id"]]
    detail = customer_client.get(f"/api/sales/orders/{order['id']}/").json()
    assert detail["items"][0] == {"product": "BK-100", "quantity": 1, "unit_price": "499.00"}


def test_out_of_stock_rejected(customer_client, catalog):
    response = place(customer_client, ("PT-300", 1))
    assert response.status_code == 400
    assert "items" in response.json()


def test_orders_require_auth_and_are_private(api_client, customer_client, staff_client, catalog):
    order_id = place(customer_client, ("PT-200", 1)).json()["id"]
    assert api_client.get("/api/sales/orders/").status_code == 401
    assert staff_client.get(f"/api/sales/orders/{order_id}/").status_code == 404


def test_cancel_action_and_delete(customer_client, catalog):
    order_id = place(customer_client, ("PT-200", 4)).json()["id"]
    assert customer_client.delete(f"/api/sales/orders/{order_id}/").status_code == 409
    cancelled = customer_client.post(f"/api/sales/orders/{order_id}/cancel/")
    assert cancelled.json()["status"] == "cancelled"
    catalog["chain"].refresh_from_db()
    assert catalog["chain"].stock == 10
    assert customer_client.post(f"/api/sales/orders/{order_id}/cancel/").status_code == 409
    assert customer_client.delete(f"/api/sales/orders/{order_id}/").status_code == 204


def test_returns_list_create(customer_client, catalog):
    order_id = place(customer_client, ("BK-100", 1)).json()["id"]
    early = customer_client.post("/api/sales/returns/", {"order": order_id, "reason": "too big"})
    assert early.status_code == 400
    Order.objects.filter(pk=order_id).update(status="paid")
    created = customer_client.post("/api/sales/returns/", {"order": order_id, "reason": "too big"})
    assert created.status_code == 201
    assert [r["reason"] for r in customer_client.get("/api/sales/returns/").json()] == ["too big"]
