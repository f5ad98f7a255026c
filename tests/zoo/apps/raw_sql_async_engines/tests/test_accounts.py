import pytest

from tests.conftest import key

pytestmark = pytest.mark.anyio


async def test_health(client):
    r = await client.get("/health")
    assert r.json() == {"status": "ok", "registration": "open"}


async def test_register_then_me(client):
    r = await client.post("/api/accounts", json={"username": "carol", "password": "long enough"})
    assert r.status_code == 201, r.text
    r = await client.get("/api/me", headers={"X-Api-Key": r.json()["api_key"]})
    assert r.json()["username"] == "carol"


async def test_a_taken_username_is_refused(client, alan):
    r = await client.post("/api/accounts", json={"username": "alan", "password": "long enough"})
    assert r.status_code == 400


async def test_login_of_a_fixture_account(client, alan):
    r = await client.post("/api/login", json={"username": "alan", "password": "correct horse"})
    assert r.status_code == 200
    assert r.json()["username"] == "alan"


async def test_wrong_password(client, alan):
    r = await client.post("/api/login", json={"username": "alan", "password": "wrong"})
    assert r.status_code == 401


async def test_me_by_api_key(client, alan):
    r = await client.get("/api/me", headers=key(alan))
    assert r.status_code == 200
    assert r.json() == {"id": alan["id"], "username": "alan"}


async def test_an_unknown_key_is_refused(client):
    r = await client.get("/api/me", headers={"X-Api-Key": "nope"})
    assert r.status_code == 401
