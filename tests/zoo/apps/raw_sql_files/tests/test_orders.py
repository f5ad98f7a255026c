import pytest

pytestmark = pytest.mark.anyio


async def _place(client, customer, lines):
    return await client.post(
        "/orders",
        json={
            "customer_id": customer["id"],
            "lines": [{"product_id": p, "quantity": q} for p, q in lines],
        },
    )


async def test_place_order_reserves_stock(client, customer, products):
    keyboard, mouse = products
    r = await _place(client, customer, [(keyboard["id"], 2), (mouse["id"], 1)])
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["status"] == "placed"
    assert order["total_cents"] == 2 * 4500 + 1500
    assert [line["sku"] for line in order["lines"]] == ["KB-01", "MS-01"]

    r = await client.get(f"/products/{keyboard['id']}")
    assert r.json()["stock"] == 3


async def test_out_of_stock_rolls_back(client, customer, products):
    keyboard, mouse = products
    r = await _place(client, customer, [(keyboard["id"], 1), (mouse["id"], 5)])
    assert r.status_code == 409
    assert r.json()["product_id"] == mouse["id"]
    r = await client.get(f"/products/{keyboard['id']}")
    assert r.json()["stock"] == 5
    r = await client.get(f"/customers/{customer['id']}/orders")
    assert r.json() == []


async def test_get_order_and_customer_orders(client, customer, products):
    r = await _place(client, customer, [(products[0]["id"], 1)])
    order_id = r.json()["id"]
    r = await client.get(f"/orders/{order_id}")
    assert r.status_code == 200
    assert r.json()["lines"][0]["quantity"] == 1
    r = await client.get(f"/customers/{customer['id']}/orders")
    assert [o["id"] for o in r.json()] == [order_id]


async def test_cancel_returns_stock(client, customer, products):
    mouse = products[1]
    r = await _place(client, customer, [(mouse["id"], 2)])
    order_id = r.json()["id"]
    r = await client.post(f"/orders/{order_id}/cancel")
    assert r.status_code == 200
    assert r.json()["status"] == "cancelled"
    r = await client.get(f"/products/{mouse['id']}")
    assert r.json()["stock"] == 2
    r = await client.post(f"/orders/{order_id}/cancel")
    assert r.status_code == 409


async def test_list_orders_by_status(client, customer, products):
    first = (await _place(client, customer, [(products[0]["id"], 1)])).json()
    second = (await _place(client, customer, [(products[0]["id"], 1)])).json()
    await client.post(f"/orders/{first['id']}/cancel")
    r = await client.get("/orders")
    assert [o["id"] for o in r.json()] == [second["id"]]
    r = await client.get("/orders", params={"status": "cancelled"})
    assert [o["id"] for o in r.json()] == [first["id"]]


async def test_order_for_unknown_customer(client, products):
    r = await client.post(
        "/orders",
        json={"customer_id": 42, "lines": [{"product_id": products[0]["id"], "quantity": 1}]},
    )
    assert r.status_code == 404
