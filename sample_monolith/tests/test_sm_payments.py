"""Payments: history, detail, admin refunds."""
from __future__ import annotations

from sample_monolith.tests.conftest import DECLINED_CARD


def test_list_my_payments(api, seller, buyer):
    product = api.product(seller, stock=5)
    api.add_to_cart(buyer, product["id"])
    api.checkout(buyer, DECLINED_CARD)
    api.checkout(buyer)
    response = api.get("/api/payments", buyer)
    assert response.status_code == 200
    statuses = [(p["id"], p["status"], p["card_last4"]) for p in response.get_json()["items"]]
    assert statuses == [(2, "captured", "4242"), (1, "declined", "0002")]
    assert api.get("/api/payments", seller).get_json()["total"] == 0
    assert api.get("/api/payments").status_code == 401


def test_payment_detail(api, seller, buyer, admin):
    order = api.buy(buyer, api.product(seller, price_cents=4200)["id"])
    path = f"/api/payments/{order['payment']['id']}"
    payment = api.get(path, buyer).get_json()["payment"]
    assert payment == {
        "id": 1,
        "order_id": order["id"],
        "amount_cents": 4200,
        "currency": "USD",
        "status": "captured",
        "card_last4": "4242",
        "provider_ref": payment["provider_ref"],
        "failure_reason": None,
        "attempts": 1,
        "refunded_cents": 0,
        "refunds": [],
        "created_at": "2024-05-01T12:00:00Z",
    }
    assert payment["provider_ref"].startswith("ch_")
    assert api.get(path, admin).status_code == 200
    assert api.get(path, seller).status_code == 403
    assert api.get("/api/payments/999", buyer).status_code == 404


def test_admin_partial_then_full_refund(api, seller, buyer, admin):
    order = api.buy(buyer, api.product(seller, price_cents=5000)["id"])
    path = f"/api/payments/{order['payment']['id']}/refund"
    partial = api.post(path, admin, json={"amount_cents": 2000, "reason": "damaged print"})
    assert partial.status_code == 201
    body = partial.get_json()
    assert body["refund"]["amount_cents"] == 2000
    assert body["refund"]["reason"] == "damaged print"
    assert (body["payment"]["status"], body["payment"]["refunded_cents"]) == ("partially_refunded", 2000)
    rest = api.post(path, admin, json={"reason": "customer unhappy"})
    assert rest.get_json()["refund"]["amount_cents"] == 3000
    assert rest.get_json()["payment"]["status"] == "refunded"


def test_refund_errors(api, seller, buyer, admin):
    order = api.buy(buyer, api.product(seller, price_cents=1000)["id"])
    path = f"/api/payments/{order['payment']['id']}/refund"
    assert api.post(path, json={"reason": "x"}).status_code == 401
    assert api.post(path, buyer, json={"reason": "x"}).status_code == 403
    assert api.post("/api/payments/999/refund", admin, json={"reason": "x"}).status_code == 404
    assert api.post(path, admin, json={}).get_json()["message"] == "'reason' is required"
    excessive = api.post(path, admin, json={"amount_cents": 1001, "reason": "x"})
    assert excessive.status_code == 400
    assert excessive.get_json()["refundable_cents"] == 1000
    assert api.post(path, admin, json={"reason": "full"}).status_code == 201
    again = api.post(path, admin, json={"reason": "again"})
    assert again.status_code == 409
    assert again.get_json()["message"] == "a refunded payment cannot be refunded"


def test_declined_payment_cannot_be_refunded(api, seller, buyer, admin):
    api.add_to_cart(buyer, api.product(seller)["id"])
    api.checkout(buyer, DECLINED_CARD)
    response = api.post("/api/payments/1/refund", admin, json={"reason": "x"})
    assert response.status_code == 409
    assert response.get_json()["message"] == "a declined payment cannot be refunded"
