def test_account_requires_token(client):
    response = client.get("/api/account")
    assert response.status_code == 401
    assert response.get_json() == {"error": "log in first"}
    assert client.get("/api/account", headers={"Authorization": "Basic abc"}).status_code == 401


def test_me(client, customer_headers):
    body = client.get("/api/account", headers=customer_headers).get_json()
    assert body == {"id": 1, "email": "kim@example.com", "name": "Kim", "admin": False, "orders": 0}


def test_place_order_and_list(client, products, customer_headers):
    response = client.post(
        "/api/account/orders",
        json={"lines": [{"sku": "MUG-1", "quantity": 2}, {"sku": "TEE-1"}]},
        headers=customer_headers,
    )
    assert response.status_code == 201
    order = response.get_json()
    assert order["total"] == 2 * 1200 + 2500
    assert order["status"] == "placed"

    orders = client.get("/api/account/orders", headers=customer_headers).get_json()["orders"]
    assert [o["id"] for o in orders] == [order["id"]]
    assert client.get(f"/api/products/{products[0].id}").get_json()["stock"] == 3


def test_order_validation(client, products, customer_headers):
    assert client.post("/api/account/orders", json={"lines": []}, headers=customer_headers).status_code == 400
    too_many = client.post("/api/account/orders", json={"lines": [{"sku": "TEE-1", "quantity": 3}]}, headers=customer_headers)
    assert too_many.status_code == 400
    assert "not enough stock" in too_many.get_json()["error"]
    unknown = client.post("/api/account/orders", json={"lines": [{"sku": "NOPE"}]}, headers=customer_headers)
    assert unknown.status_code == 400
