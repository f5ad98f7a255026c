from conftest import login


def test_health(client):
    assert client.get("/api/health").get_json() == {"status": "ok"}


def test_register_then_login(client):
    response = client.post("/api/register", json={"email": "New@Example.com", "name": "Newcomer", "password": "s3cret-pass"})
    assert response.status_code == 201
    assert response.get_json()["email"] == "new@example.com"

    response = client.post("/api/login", json={"email": "new@example.com", "password": "s3cret-pass"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["name"] == "Newcomer"
    assert len(body["token"]) > 20


def test_register_validation(client, user):
    assert client.post("/api/register", json={"email": "x", "name": "X", "password": "longenough"}).status_code == 400
    assert client.post("/api/register", json={"email": "a@b.co", "name": "A", "password": "short"}).status_code == 400
    dup = client.post("/api/register", json={"email": user.email, "name": "Dup", "password": "longenough"})
    assert dup.status_code == 409


def test_login_wrong_password(client, user):
    response = client.post("/api/login", json={"email": user.email, "password": "wrong"})
    assert response.status_code == 401


def test_me_with_factory_user(client, user, auth_headers):
    response = client.get("/api/me", headers=auth_headers)
    assert response.status_code == 200
    assert response.get_json() == {"id": user.id, "email": "owner@example.com", "name": user.name, "projects": 0}


def test_me_requires_token(client):
    assert client.get("/api/me").status_code == 401
    assert client.get("/api/me", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_logout_revokes_token(client, user):
    headers = login(client, user)
    assert client.post("/api/logout", headers=headers).status_code == 204
    assert client.get("/api/me", headers=headers).status_code == 401
