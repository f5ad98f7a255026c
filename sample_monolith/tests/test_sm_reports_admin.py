"""Reports and the admin area."""
from __future__ import annotations

from sample_monolith.tests.conftest import DECLINED_CARD


def test_seller_sales_report(api, seller, buyer, clock):
    other_seller = api.user("otto@example.com", role="seller")
    print_ = api.product(seller, title="Print", price_cents=1000, stock=10)
    poster = api.product(seller, title="Poster", price_cents=3000, stock=10)
    others = api.product(other_seller, title="Other", price_cents=500, stock=10)
    api.add_to_cart(buyer, print_["id"], 2)
    api.add_to_cart(buyer, others["id"])
    api.checkout(buyer)
    clock.advance(days=1)
    api.buy(buyer, poster["id"])
    response = api.get("/api/reports/sales", seller)
    assert response.status_code == 200
    assert response.get_json() == {
        "scope": "seller",
        "seller_id": 1,
        "since": None,
        "until": None,
        "orders": 2,
        "units": 3,
        "revenue_cents": 5000,
        "by_day": [
            {"date": "2024-05-01", "orders": 1, "revenue_cents": 2000},
            {"date": "2024-05-02", "orders": 1, "revenue_cents": 3000},
        ],
        "top_products": [
            {"product_id": poster["id"], "title": "Poster", "units": 1, "revenue_cents": 3000},
            {"product_id": print_["id"], "title": "Print", "units": 2, "revenue_cents": 2000},
        ],
    }


def test_admin_sales_report_with_date_window_ignores_unpaid_orders(api, seller, buyer, admin, clock):
    product = api.product(seller, price_cents=700, stock=10)
    api.buy(buyer, product["id"])
    clock.advance(days=2)
    api.buy(buyer, product["id"], 2)
    api.add_to_cart(buyer, product["id"])
    api.checkout(buyer, DECLINED_CARD)
    report = api.get("/api/reports/sales?since=2024-05-02&until=2024-05-31", admin).get_json()
    assert (report["scope"], report["orders"], report["revenue_cents"]) == ("all", 1, 1400)
    assert report["since"] == "2024-05-02"


def test_sales_report_errors(api, buyer, seller):
    assert api.get("/api/reports/sales").status_code == 401
    forbidden = api.get("/api/reports/sales", buyer)
    assert forbidden.status_code == 403
    assert forbidden.get_json()["message"] == "sales reports are only available to sellers and administrators"
    assert api.get("/api/reports/sales?since=yesterday", seller).status_code == 400
    backwards = api.get("/api/reports/sales?since=2024-06-01&until=2024-05-01", seller)
    assert backwards.get_json()["message"] == "'since' must be on or before 'until'"


def test_admin_lists_and_filters_users(api, seller, buyer, admin):
    response = api.get("/api/admin/users", admin)
    assert response.status_code == 200
    users = response.get_json()["items"]
    assert [user["email"] for user in users] == ["sally@example.com", "bob@example.com", "admin@example.com"]
    assert users[2]["is_admin"] is True
    assert "ban_reason" in users[0]
    search = api.get("/api/admin/users?q=SAL", admin).get_json()
    assert [user["email"] for user in search["items"]] == ["sally@example.com"]
    api.post("/api/admin/users/2/ban", admin, json={"reason": "spam"})
    banned = api.get("/api/admin/users?banned=true", admin).get_json()
    assert [(user["email"], user["ban_reason"]) for user in banned["items"]] == [("bob@example.com", "spam")]


def test_admin_area_is_forbidden_for_non_admins(api, seller):
    for method, path in [
        ("GET", "/api/admin/users"),
        ("POST", "/api/admin/users/1/ban"),
        ("POST", "/api/admin/users/1/unban"),
        ("GET", "/api/admin/stats"),
    ]:
        assert api.request(method, path).status_code == 401
        response = api.request(method, path, seller, json={"reason": "x"})
        assert response.status_code == 403
        assert response.get_json() == {"error": "forbidden", "message": "administrator privileges required"}


def test_ban_blocks_login_and_existing_tokens(api, buyer, admin):
    response = api.post("/api/admin/users/1/ban", admin, json={"reason": "chargebacks"})
    assert response.status_code == 200
    assert response.get_json()["user"]["is_banned"] is True
    assert api.get("/api/accounts/me", buyer).status_code == 403
    login = api.post("/api/accounts/login", json={"email": "bob@example.com", "password": "correct horse battery"})
    assert login.status_code == 403
    assert login.get_json()["message"] == "this account has been banned"


def test_ban_errors(api, buyer, admin):
    assert api.post("/api/admin/users/1/ban", admin, json={}).get_json()["message"] == "'reason' is required"
    assert api.post("/api/admin/users/99/ban", admin, json={"reason": "x"}).status_code == 404
    self_ban = api.post("/api/admin/users/2/ban", admin, json={"reason": "x"})
    assert self_ban.status_code == 400
    assert self_ban.get_json()["message"] == "administrators cannot be banned"
    api.post("/api/admin/users/1/ban", admin, json={"reason": "x"})
    twice = api.post("/api/admin/users/1/ban", admin, json={"reason": "x"})
    assert twice.status_code == 409
    assert twice.get_json()["message"] == "user is already banned"


def test_unban(api, buyer, admin):
    api.post("/api/admin/users/1/ban", admin, json={"reason": "x"})
    response = api.post("/api/admin/users/1/unban", admin)
    assert response.status_code == 200
    assert response.get_json()["user"]["ban_reason"] is None
    assert api.get("/api/accounts/me", buyer).status_code == 200
    again = api.post("/api/admin/users/1/unban", admin)
    assert again.status_code == 409
    assert again.get_json()["message"] == "user is not banned"
    assert api.post("/api/admin/users/99/unban", admin).status_code == 404


def test_admin_stats(api, seller, buyer, admin):
    product = api.product(seller, price_cents=900, stock=5)
    api.buy(buyer, product["id"])
    api.add_to_cart(buyer, product["id"])
    api.checkout(buyer, DECLINED_CARD)
    response = api.get("/api/admin/stats", admin)
    assert response.status_code == 200
    assert response.get_json() == {
        "users": {"total": 3, "sellers": 1, "admins": 1, "banned": 0},
        "products": {"active": 1},
        "orders": {"cancelled": 0, "paid": 1, "payment_failed": 1, "pending": 0},
        "revenue_cents": 900,
        "notifications": {"outbox": {"delivered": 2}, "queue_depth": 0},
    }
