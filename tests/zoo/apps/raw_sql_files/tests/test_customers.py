import pytest

pytestmark = pytest.mark.anyio


async def test_health(client):
    r = await client.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": True}


async def test_create_and_get_customer(client, customer):
    assert customer["email"] == "ada@example.com"
    r = await client.get(f"/customers/{customer['id']}")
    assert r.status_code == 200
    assert r.json()["name"] == "Ada"


async def test_duplicate_email_conflicts(client, customer):
    r = await client.post("/customers", json={"email": "ada@example.com", "name": "Other"})
    assert r.status_code == 409


async def test_list_customers_paginates(client):
    for i in range(3):
        await client.post("/customers", json={"email": f"c{i}@example.com", "name": f"C{i}"})
    r = await client.get("/customers", params={"limit": 2})
    assert r.status_code == 200
    assert [c["email"] for c in r.json()] == ["c0@example.com", "c1@example.com"]
    r = await client.get("/customers", params={"limit": 2, "offset": 2})
    assert [c["email"] for c in r.json()] == ["c2@example.com"]


async def test_rename_customer(client, customer):
    r = await client.patch(f"/customers/{customer['id']}", json={"name": "Ada Lovelace"})
    assert r.status_code == 200
    assert r.json()["name"] == "Ada Lovelace"


async def test_missing_customer(client):
    r = await client.get("/customers/999")
    assert r.status_code == 404
    assert r.json() == {"detail": "customer 999 does not exist"}
