import pytest

pytestmark = pytest.mark.anyio


async def test_list_products_sorted_by_sku(client, products):
    r = await client.get("/products")
    assert r.status_code == 200
    assert [p["sku"] for p in r.json()] == ["KB-01", "MS-01"]


async def test_get_product(client, products):
    r = await client.get(f"/products/{products[0]['id']}")
    assert r.status_code == 200
    assert r.json() == products[0]


async def test_duplicate_sku(client, products):
    r = await client.post(
        "/products", json={"sku": "KB-01", "title": "Again", "price_cents": 1}
    )
    assert r.status_code == 409


async def test_set_stock(client, products):
    r = await client.put(f"/products/{products[1]['id']}/stock", json={"stock": 40})
    assert r.status_code == 200
    assert r.json()["stock"] == 40


async def test_deactivated_product_leaves_catalogue(client, products):
    r = await client.delete(f"/products/{products[0]['id']}")
    assert r.status_code == 204
    r = await client.get("/products")
    assert [p["sku"] for p in r.json()] == ["MS-01"]
    r = await client.get(f"/products/{products[0]['id']}")
    assert r.json()["active"] is False
