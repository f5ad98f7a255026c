"""Orders: checkout across inventory, payments and notifications; history; cancellation."""
from __future__ import annotations

from unittest import mock

from sample_monolith.tests.conftest import DECLINED_CARD, ERROR_CARD, GOOD_CARD


def stock_of(api, product_id):
    return api.get(f"/api/inventory/{product_id}").get_json()["stock"]["quantity"]


def test_checkout_creates_a_paid_order(api, seller, buyer):
    product = api.product(seller, price_cents=1500, stock=5)
    api.add_to_cart(buyer, product["id"], 2)
    response = api.checkout(buyer)
    assert response.status_code == 201
    assert response.get_json()["order"] == {
        "id": 1,
        "buyer_id": 2,
        "status": "paid",
        "total_cents": 3000,
        "currency": "USD",
        "items": [
            {
                "product_id": product["id"],
                "seller_id": 1,
                "title": "Misty harbour",
                "unit_price_cents": 1500,
                "quantity": 2,
                "line_total_cents": 3000,
            }
        ],
        "payment": {"id": 1, "status": "captured", "amount_cents": 3000},
        "created_at": "2024-05-01T12:00:00Z",
        "cancelled_at": None,
    }
    assert stock_of(api, product["id"]) == 3
    assert api.get("/api/cart", buyer).get_json()["items"] == []
    kinds = [note["kind"] for note in api.get("/api/notifications", seller).get_json()["items"]]
    assert kinds == ["item_sold"]


def test_checkout_with_empty_cart_or_bad_card(api, seller, buyer):
    empty = api.checkout(buyer)
    assert empty.status_code == 400
    assert empty.get_json()["message"] == "cart is empty"
    api.add_to_cart(buyer, api.product(seller)["id"])
    bad_card = api.checkout(buyer, "4242424242424241")
    assert bad_card.status_code == 400
    assert bad_card.get_json()["message"] == "'card_number' is not a valid card number"
    missing = api.post("/api/orders/checkout", buyer, json={})
    assert missing.get_json()["message"] == "'card_number' is required"
    assert api.checkout(None).status_code == 401


def test_declined_card_keeps_failed_order_and_releases_stock(api, seller, buyer):
    product = api.product(seller, stock=5)
    api.add_to_cart(buyer, product["id"], 2)
    response = api.checkout(buyer, DECLINED_CARD)
    assert response.status_code == 402
    assert response.get_json() == {
        "error": "payment_required",
        "message": "card was declined",
        "reason": "card_declined",
        "payment_id": 1,
    }
    assert stock_of(api, product["id"]) == 5
    assert api.get("/api/cart", buyer).get_json()["item_count"] == 2
    orders = api.get("/api/orders", buyer).get_json()["items"]
    assert [(order["status"], order["payment"]["status"]) for order in orders] == [("payment_failed", "declined")]


def test_provider_errors_are_retried_with_backoff_then_502(api, seller, buyer, sleeps):
    product = api.product(seller, stock=5)
    api.add_to_cart(buyer, product["id"])
    response = api.checkout(buyer, ERROR_CARD)
    assert response.status_code == 502
    assert response.get_json()["message"] == "payment provider unavailable, please retry later"
    assert sleeps == [0.25, 0.5]
    payment = api.get("/api/payments/1", buyer).get_json()["payment"]
    assert (payment["status"], payment["attempts"], payment["failure_reason"]) == ("failed", 3, "processing_error")
    assert stock_of(api, product["id"]) == 5


def test_checkout_conflicts_when_stock_ran_out(api, seller, buyer):
    rival = api.user("rita@example.com")
    product = api.product(seller, stock=2)
    api.add_to_cart(buyer, product["id"], 2)
    api.buy(rival, product["id"], 1)
    with mock.patch("sample_monolith.services.payments.charge") as charge:
        response = api.checkout(buyer)
    assert response.status_code == 409
    assert response.get_json() == {
        "error": "conflict",
        "message": "insufficient stock",
        "shortages": [{"product_id": product["id"], "requested": 2, "available": 1}],
    }
    charge.assert_not_called()
    assert api.get("/api/orders", buyer).get_json()["total"] == 0


def test_checkout_conflicts_when_seller_is_banned(api, seller, buyer, admin):
    product = api.product(seller)
    api.add_to_cart(buyer, product["id"])
    api.post("/api/admin/users/1/ban", admin, json={"reason": "counterfeits"})
    response = api.checkout(buyer)
    assert response.status_code == 409
    assert response.get_json()["message"] == f"the seller of product {product['id']} is banned"


def test_list_orders_newest_first_with_status_filter(api, seller, buyer):
    product = api.product(seller, stock=10)
    first = api.buy(buyer, product["id"])
    second = api.buy(buyer, product["id"])
    api.post(f"/api/orders/{first['id']}/cancel", buyer)
    everything = api.get("/api/orders", buyer).get_json()
    assert [order["id"] for order in everything["items"]] == [second["id"], first["id"]]
    paid = api.get("/api/orders?status=paid", buyer).get_json()
    assert [order["id"] for order in paid["items"]] == [second["id"]]
    bad = api.get("/api/orders?status=shipped", buyer)
    assert bad.status_code == 400
    assert api.get("/api/orders").status_code == 401


def test_get_order(api, seller, buyer, admin):
    order = api.buy(buyer, api.product(seller)["id"])
    path = f"/api/orders/{order['id']}"
    assert api.get(path, buyer).get_json()["order"] == order
    assert api.get(path, admin).status_code == 200
    stranger = api.get(path, seller)
    assert stranger.status_code == 403
    assert stranger.get_json()["message"] == "this order belongs to another user"
    assert api.get("/api/orders/999", buyer).status_code == 404


def test_cancel_refunds_and_restocks(api, seller, buyer, clock):
    product = api.product(seller, stock=4)
    order = api.buy(buyer, product["id"], 3)
    clock.advance(minutes=30)
    response = api.post(f"/api/orders/{order['id']}/cancel", buyer)
    assert response.status_code == 200
    cancelled = response.get_json()["order"]
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancelled_at"] == "2024-05-01T12:30:00Z"
    assert cancelled["payment"]["status"] == "refunded"
    assert stock_of(api, product["id"]) == 4
    kinds = [note["kind"] for note in api.get("/api/notifications", buyer).get_json()["items"]]
    assert kinds == ["order_cancelled", "order_placed"]


def test_cancel_errors(api, seller, buyer):
    product = api.product(seller, stock=4)
    order = api.buy(buyer, product["id"])
    path = f"/api/orders/{order['id']}/cancel"
    assert api.post(path).status_code == 401
    assert api.post(path, seller).status_code == 403
    assert api.post("/api/orders/999/cancel", buyer).status_code == 404
    assert api.post(path, buyer).status_code == 200
    twice = api.post(path, buyer)
    assert twice.status_code == 409
    assert twice.get_json()["message"] == "order is already cancelled"
    api.add_to_cart(buyer, product["id"])
    api.checkout(buyer, DECLINED_CARD)
    failed = api.post("/api/orders/2/cancel", buyer)
    assert failed.status_code == 409
    assert failed.get_json()["message"] == "a payment_failed order cannot be cancelled"


def test_checkout_after_decline_succeeds_with_another_card(api, seller, buyer):
    product = api.product(seller, stock=1)
    api.add_to_cart(buyer, product["id"])
    assert api.checkout(buyer, DECLINED_CARD).status_code == 402
    retry = api.checkout(buyer, GOOD_CARD)
    assert retry.status_code == 201
    assert retry.get_json()["order"]["id"] == 2
    assert stock_of(api, product["id"]) == 0
