def test_customers_cannot_use_back_office(client, customer_headers):
    response = client.get("/api/admin/orders", headers=customer_headers)
    assert response.status_code == 403
    assert response.get_json() == {"error": "admins only"}
    assert client.get("/api/admin/orders").status_code == 401


def test_create_and_update_product(client, admin_headers):
    response = client.post(
        "/api/admin/products", json={"sku": "cap-1", "name": "Cap", "price_cents": 900, "stock": 4}, headers=admin_headers
    )
    assert response.status_code == 201
    product = response.get_json()
    assert product["sku"] == "CAP-1"

    response = client.patch(f"/api/admin/products/{product['id']}", json={"price_cents": 800}, headers=admin_headers)
    assert response.get_json()["price"] == 800
    assert client.patch("/api/admin/products/999", json={}, headers=admin_headers).status_code == 404
    assert client.post("/api/admin/products", json={"sku": "CAP-1", "name": "Again", "price_cents": 1}, headers=admin_headers).status_code == 400


def test_ship_order(client, products, customer_headers, admin_headers):
    order = client.post("/api/account/orders", json={"lines": [{"sku": "MUG-1"}]}, headers=customer_headers).get_json()
    placed = client.get("/api/admin/orders?status=placed", headers=admin_headers).get_json()["orders"]
    assert [o["id"] for o in placed] == [order["id"]]

    response = client.post(f"/api/admin/orders/{order['id']}/ship", headers=admin_headers)
    assert response.status_code == 200
    assert response.get_json()["status"] == "shipped"
    assert client.post(f"/api/admin/orders/{order['id']}/ship", headers=admin_headers).status_code == 400
    assert client.get("/api/admin/orders?status=placed", headers=admin_headers).get_json()["orders"] == []
