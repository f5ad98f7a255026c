import pytest

pytestmark = pytest.mark.django_db


def test_categories_read_only(api_client, staff_client, catalog):
    response = api_client.get("/api/shop/categories/")
    assert [(c["slug"], c["product_count"]) for c in response.json()] == [("bikes", 1), ("parts", 2)]
    assert api_client.get("/api/shop/categories/parts/").json()["name"] == "Parts"
    assert staff_client.post("/api/shop/categories/", {"name": "Tools", "slug": "tools"}).status_code == 405


def test_product_list_filters(api_client, catalog):
    skus = [p["sku"] for p in api_client.get("/api/shop/products/", {"category": "parts"}).json()]
    assert skus == ["PT-200", "PT-300"]
    in_stock = [p["sku"] for p in api_client.get("/api/shop/products/", {"in_stock": "1"}).json()]
    assert in_stock == ["BK-100", "PT-200"]


def test_product_detail(api_client, catalog):
    response = api_client.get(f"/api/shop/products/{catalog['chain'].pk}/")
    assert response.json() == {
        "id": catalog["chain"].pk, "sku": "PT-200", "name": "Chain", "price": "19.50", "stock": 10, "category": "parts",
    }
    assert api_client.get("/api/shop/products/9999/").status_code == 404


def test_only_staff_writes_products(customer_client, staff_client, catalog):
    payload = {"sku": "PT-400", "name": "Pedals", "price": "24.00", "stock": 4, "category": "parts"}
    assert customer_client.post("/api/shop/products/", payload).status_code == 403
    created = staff_client.post("/api/shop/products/", payload)
    assert created.status_code == 201
    product_id = created.json()["id"]
    patched = staff_client.patch(f"/api/shop/products/{product_id}/", {"price": "22.00"})
    assert patched.json()["price"] == "22.00"
    assert staff_client.delete(f"/api/shop/products/{product_id}/").status_code == 204


def test_product_validation(staff_client, catalog):
    response = staff_client.post("/api/shop/products/", {"sku": "X", "name": "Free", "price": "0", "category": "parts"})
    assert response.status_code == 400
    assert "price" in response.json()


def test_restock_action(api_client, staff_client, catalog):
    url = f"/api/shop/products/{catalog['saddle'].pk}/restock/"
    assert api_client.post(url, {"quantity": 5}).status_code == 401
    response = staff_client.post(url, {"quantity": 5})
    assert response.status_code == 200
    assert response.json()["stock"] == 5
    assert staff_client.post(url, {"quantity": 0}).status_code == 400
