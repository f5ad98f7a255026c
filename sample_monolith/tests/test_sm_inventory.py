"""Inventory: stock levels, restocking, movement history, low-stock alerts."""
from __future__ import annotations


def test_stock_level_is_public(api, seller):
    product = api.product(seller, stock=7)
    response = api.get(f"/api/inventory/{product['id']}")
    assert response.status_code == 200
    assert response.get_json() == {
        "stock": {"product_id": product["id"], "quantity": 7, "updated_at": "2024-05-01T12:00:00Z"}
    }


def test_stock_level_not_found(api, seller):
    assert api.get("/api/inventory/999").status_code == 404
    product = api.product(seller)
    api.delete(f"/api/catalog/products/{product['id']}", seller)
    gone = api.get(f"/api/inventory/{product['id']}")
    assert gone.status_code == 404
    assert gone.get_json()["message"] == "stock for product not found"


def test_seller_restocks(api, seller, clock):
    product = api.product(seller, stock=0)
    assert api.get(f"/api/catalog/products/{product['id']}").get_json()["product"]["in_stock"] is False
    clock.advance(days=1)
    response = api.post(f"/api/inventory/{product['id']}/restock", seller, json={"quantity": 12, "note": "new prints"})
    assert response.status_code == 200
    assert response.get_json()["stock"] == {
        "product_id": product["id"],
        "quantity": 12,
        "updated_at": "2024-05-02T12:00:00Z",
    }
    assert api.get(f"/api/catalog/products/{product['id']}").get_json()["product"]["in_stock"] is True


def test_restock_errors(api, seller, buyer, admin):
    product = api.product(seller)
    path = f"/api/inventory/{product['id']}/restock"
    assert api.post(path, json={"quantity": 1}).status_code == 401
    not_owner = api.post(path, buyer, json={"quantity": 1})
    assert not_owner.status_code == 403
    assert not_owner.get_json()["message"] == "only the seller or an administrator can manage this stock"
    assert api.post(path, seller, json={"quantity": 0}).get_json()["message"] == "'quantity' must be at least 1"
    assert api.post(path, seller, json={"quantity": 1, "reason": "x"}).status_code == 400
    assert api.post("/api/inventory/999/restock", seller, json={"quantity": 1}).status_code == 404
    assert api.post(path, admin, json={"quantity": 1}).status_code == 200


def test_movements_record_every_change(api, seller, buyer):
    product = api.product(seller, stock=5)
    api.post(f"/api/inventory/{product['id']}/restock", seller, json={"quantity": 2, "note": "reprint"})
    order = api.buy(buyer, product["id"], 3)
    api.post(f"/api/orders/{order['id']}/cancel", buyer)
    response = api.get(f"/api/inventory/{product['id']}/movements", seller)
    assert response.status_code == 200
    moves = [(m["delta"], m["reason"], m["order_id"], m["note"]) for m in response.get_json()["items"]]
    assert moves == [
        (5, "initial", None, ""),
        (2, "restock", None, "reprint"),
        (-3, "reserved", order["id"], ""),
        (3, "order_cancelled", order["id"], ""),
    ]


def test_movements_are_private_to_the_seller(api, seller, buyer):
    product = api.product(seller)
    path = f"/api/inventory/{product['id']}/movements"
    assert api.get(path).status_code == 401
    assert api.get(path, buyer).status_code == 403
    assert api.get("/api/inventory/999/movements", seller).status_code == 404


def test_low_stock(api, seller):
    api.product(seller, title="Plenty", stock=10)
    scarce = api.product(seller, title="Scarce", stock=2)
    empty = api.product(seller, title="Empty", stock=0)
    response = api.get("/api/inventory/low-stock", seller)
    assert response.status_code == 200
    assert [level["product_id"] for level in response.get_json()["items"]] == [empty["id"], scarce["id"]]
    strict = api.get("/api/inventory/low-stock?threshold=0", seller).get_json()
    assert [level["product_id"] for level in strict["items"]] == [empty["id"]]


def test_low_stock_errors(api, seller, buyer):
    assert api.get("/api/inventory/low-stock").status_code == 401
    buyer_response = api.get("/api/inventory/low-stock", buyer)
    assert buyer_response.status_code == 403
    assert buyer_response.get_json()["message"] == "only sellers have stock to monitor"
    assert api.get("/api/inventory/low-stock?threshold=-1", seller).status_code == 400
