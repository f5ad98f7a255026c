import pytest

from tests.conftest import key

pytestmark = pytest.mark.anyio


async def test_list_wallets(client, alan):
    r = await client.get("/api/wallets", headers=key(alan))
    assert r.status_code == 200
    assert [w["name"] for w in r.json()] == ["spending"]


async def test_new_wallet_then_list(client, bea):
    r = await client.post("/api/wallets", json={"name": "travel"}, headers=key(bea))
    assert r.status_code == 201
    r = await client.get("/api/wallets", headers=key(bea))
    assert [w["name"] for w in r.json()] == ["savings", "travel"]


async def test_pay_and_list_payments(client, alan):
    wallet = alan["wallet"]["id"]
    r = await client.post(f"/api/wallets/{wallet}/payments", json={"amount": 300, "memo": "rent"}, headers=key(alan))
    assert r.status_code == 201, r.text
    assert r.json() == {"paid": 300, "balance": 700}
    r = await client.get(f"/api/wallets/{wallet}/payments", headers=key(alan))
    assert r.json() == [{"amount": 300, "memo": "rent"}]


async def test_insufficient_balance(client, bea):
    r = await client.post(f"/api/wallets/{bea['wallet']['id']}/payments", json={"amount": 500}, headers=key(bea))
    assert r.status_code == 402


async def test_another_accounts_wallet_is_not_found(client, alan, bea):
    r = await client.get(f"/api/wallets/{bea['wallet']['id']}/payments", headers=key(alan))
    assert r.status_code == 404
