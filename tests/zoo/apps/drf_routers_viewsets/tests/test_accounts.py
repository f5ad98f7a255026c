import pytest

pytestmark = pytest.mark.django_db


def test_obtain_token_then_me(api_client, customer):
    response = api_client.post("/api/accounts/token/", {"username": "rider", "password": "rider-pw-1"})
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/accounts/me/")
    assert me.status_code == 200
    assert me.json() == {"id": customer.pk, "username": "rider", "email": "rider@example.com", "is_staff": False, "open_orders": 0}


def test_bad_credentials(api_client, customer):
    response = api_client.post("/api/accounts/token/", {"username": "rider", "password": "wrong"})
    assert response.status_code == 400


def test_me_anonymous_and_wrong_method(api_client, customer_client):
    assert api_client.get("/api/accounts/me/").status_code == 401
    assert customer_client.post("/api/accounts/me/").status_code == 405
