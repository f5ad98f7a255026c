"""Cart: add, update, remove, clear, view."""
from __future__ import annotations


def test_empty_cart(api, buyer):
    response = api.get("/api/cart", buyer)
    assert response.status_code == 200
    assert response.get_json() == {"currency": "USD", "item_count": 0, "items": [], "total_cents": 0}


def test_cart_requires_login(api):
    assert api.get("/api/cart").status_code == 401
    assert api.get("/api/cart", "expired-or-made-up").status_code == 401


def test_add_items_and_merge_quantities(api, seller, buyer):
    product = api.product(seller, price_cents=1250, stock=5)
    first = api.add_to_cart(buyer, product["id"], 2)
    assert first.status_code == 201
    assert first.get_json()["item"] == {
        "product_id": product["id"],
        "title": "Misty harbour",
        "unit_price_cents": 1250,
        "quantity": 2,
        "line_total_cents": 2500,
        "added_at": "2024-05-01T12:00:00Z",
    }
    merged = api.add_to_cart(buyer, product["id"], 1)
    assert merged.status_code == 200
    assert merged.get_json()["cart"]["item_count"] == 3
    assert merged.get_json()["cart"]["total_cents"] == 3750


def test_add_item_errors(api, seller, buyer):
    product = api.product(seller, stock=2)
    assert api.add_to_cart(buyer, 999).status_code == 404
    own = api.add_to_cart(seller, product["id"])
    assert own.status_code == 400
    assert own.get_json()["message"] == "you cannot buy your own product"
    zero = api.add_to_cart(buyer, product["id"], 0)
    assert zero.get_json()["message"] == "'quantity' must be at least 1"
    assert api.post("/api/cart/items", buyer, json={"quantity": 1}).get_json()["message"] == "'product_id' is required"
    too_many = api.add_to_cart(buyer, product["id"], 3)
    assert too_many.status_code == 409
    assert too_many.get_json() == {
        "error": "conflict",
        "message": "not enough stock",
        "product_id": product["id"],
        "available": 2,
    }
    assert api.add_to_cart(None, product["id"]).status_code == 401


def test_update_item_quantity(api, seller, buyer):
    product = api.product(seller, stock=10)
    api.add_to_cart(buyer, product["id"], 1)
    response = api.patch(f"/api/cart/items/{product['id']}", buyer, json={"quantity": 4})
    assert response.status_code == 200
    assert response.get_json()["item"]["quantity"] == 4
    assert response.get_json()["cart"]["total_cents"] == 6000


def test_update_item_errors(api, seller, buyer):
    product = api.product(seller, stock=3)
    path = f"/api/cart/items/{product['id']}"
    assert api.patch(path, buyer, json={"quantity": 1}).status_code == 404
    api.add_to_cart(buyer, product["id"])
    assert api.patch(path, buyer, json={"quantity": 4}).status_code == 409
    assert api.patch(path, buyer, json={"quantity": 100}).get_json()["message"] == (
        "at most 99 of one product fit in a cart"
    )
    assert api.patch(path, buyer, json={"quantity": "2"}).status_code == 400
    assert api.patch(path, buyer, json={"quantity": 2, "gift": True}).status_code == 400
    assert api.patch(path, json={"quantity": 2}).status_code == 401


def test_remove_item(api, seller, buyer):
    product = api.product(seller)
    api.add_to_cart(buyer, product["id"])
    path = f"/api/cart/items/{product['id']}"
    assert api.delete(path, buyer).status_code == 204
    missing = api.delete(path, buyer)
    assert missing.status_code == 404
    assert missing.get_json()["message"] == "cart item not found"


def test_clear_cart(api, seller, buyer):
    for title in ("One", "Two"):
        api.add_to_cart(buyer, api.product(seller, title=title)["id"])
    response = api.delete("/api/cart", buyer)
    assert response.status_code == 200
    assert response.get_json() == {"removed": 2}
    assert api.get("/api/cart", buyer).get_json()["items"] == []
    assert api.delete("/api/cart").status_code == 401


def test_carts_are_per_user(api, seller, buyer):
    other = api.user("olga@example.com")
    product = api.product(seller)
    api.add_to_cart(buyer, product["id"])
    assert api.get("/api/cart", other).get_json()["item_count"] == 0
    assert api.delete(f"/api/cart/items/{product['id']}", other).status_code == 404
