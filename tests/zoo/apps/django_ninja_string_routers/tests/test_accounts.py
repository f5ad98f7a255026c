import pytest
from ninja.testing import TestClient

from accounts.api import router

pytestmark = pytest.mark.django_db


def test_issue_token_and_me(client, alice):
    response = client.post(
        "/api/accounts/token",
        {"username": "alice", "password": "alice-pw-1"},
        content_type="application/json",
    )
    assert response.status_code == 201
    token = response.json()["token"]
    me = client.get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200
    assert me.json() == {"id": alice.pk, "username": "alice", "email": "alice@example.com"}


def test_wrong_password(client, alice):
    response = client.post(
        "/api/accounts/token",
        {"username": "alice", "password": "nope"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "invalid credentials"}


def test_me_requires_token(client):
    assert client.get("/api/accounts/me").status_code == 401
    assert client.get("/api/accounts/me", HTTP_AUTHORIZATION="Bearer bogus").status_code == 401


def test_router_directly_with_ninja_client(alice_token):
    ninja_client = TestClient(router)
    response = ninja_client.get("/me", headers={"Authorization": f"Bearer {alice_token}"})
    assert response.status_code == 200
    assert response.json()["username"] == "alice"
