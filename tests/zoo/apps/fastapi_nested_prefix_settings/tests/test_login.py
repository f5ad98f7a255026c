from app.core.config import settings


def test_get_access_token(client):
    r = client.post(
        f"{settings.API_V1_STR}/login/access-token",
        data={
            "username": settings.FIRST_SUPERUSER,
            "password": settings.FIRST_SUPERUSER_PASSWORD,
        },
    )
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["access_token"]


def test_get_access_token_incorrect_password(client):
    r = client.post(
        f"{settings.API_V1_STR}/login/access-token",
        data={"username": settings.FIRST_SUPERUSER, "password": "incorrect"},
    )
    assert r.status_code == 400
    assert r.json() == {"detail": "Incorrect email or password"}


def test_use_access_token(client, superuser_token_headers):
    r = client.post(
        f"{settings.API_V1_STR}/login/test-token", headers=superuser_token_headers
    )
    assert r.status_code == 200
    assert r.json()["email"] == settings.FIRST_SUPERUSER


def test_bad_token_is_rejected(client):
    r = client.post(
        f"{settings.API_V1_STR}/login/test-token",
        headers={"Authorization": "Bearer not.a.token"},
    )
    assert r.status_code == 403
