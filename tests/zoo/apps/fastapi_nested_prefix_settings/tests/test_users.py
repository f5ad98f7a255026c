from app.core.config import settings

API = settings.API_V1_STR


def test_health_check(client):
    r = client.get(f"{API}/utils/health-check/")
    assert r.status_code == 200
    assert r.json() == {"ok": True}


def test_read_me_as_superuser(client, superuser_token_headers):
    r = client.get(f"{API}/users/me", headers=superuser_token_headers)
    assert r.status_code == 200
    me = r.json()
    assert me["is_superuser"] is True
    assert me["email"] == settings.FIRST_SUPERUSER


def test_read_me_requires_token(client):
    r = client.get(f"{API}/users/me")
    assert r.status_code == 401


def test_update_me(client, normal_user_token_headers):
    r = client.patch(
        f"{API}/users/me",
        headers=normal_user_token_headers,
        json={"full_name": "Alice Liddell"},
    )
    assert r.status_code == 200
    assert r.json()["full_name"] == "Alice Liddell"


def test_signup_duplicate_email(client, normal_user_token_headers):
    r = client.post(
        f"{API}/users/signup",
        json={"email": "alice@example.com", "password": "another-password"},
    )
    assert r.status_code == 400


def test_superuser_creates_and_lists_users(client, superuser_token_headers):
    r = client.post(
        f"{API}/users/",
        headers=superuser_token_headers,
        json={"email": "bob@example.com", "password": "bob-password", "full_name": "Bob"},
    )
    assert r.status_code == 200
    bob = r.json()
    assert bob["email"] == "bob@example.com"
    assert "hashed_password" not in bob

    r = client.get(f"{API}/users/", headers=superuser_token_headers)
    assert r.status_code == 200
    emails = [u["email"] for u in r.json()["data"]]
    assert "bob@example.com" in emails

    r = client.get(f"{API}/users/{bob['id']}", headers=superuser_token_headers)
    assert r.status_code == 200
    assert r.json()["full_name"] == "Bob"


def test_normal_user_cannot_list_users(client, normal_user_token_headers):
    r = client.get(f"{API}/users/", headers=normal_user_token_headers)
    assert r.status_code == 403


def test_delete_user(client, superuser_token_headers):
    r = client.post(
        f"{API}/users/",
        headers=superuser_token_headers,
        json={"email": "carol@example.com", "password": "carol-password"},
    )
    user_id = r.json()["id"]
    r = client.delete(f"{API}/users/{user_id}", headers=superuser_token_headers)
    assert r.status_code == 200
    assert r.json() == {"message": "User deleted successfully"}
    r = client.get(f"{API}/users/{user_id}", headers=superuser_token_headers)
    assert r.status_code == 404
