"""Accounts: sign-up, login, tokens, profile, follows."""
from __future__ import annotations

from sample_monolith.tests.conftest import PASSWORD


def test_signup_returns_the_new_user(api):
    response = api.signup("Alice@Example.com", display_name="Alice")
    assert response.status_code == 201
    assert response.get_json()["user"] == {
        "id": 1,
        "email": "alice@example.com",
        "display_name": "Alice",
        "bio": "",
        "role": "buyer",
        "theme": "light",
        "is_admin": False,
        "is_banned": False,
        "created_at": "2024-05-01T12:00:00Z",
    }


def test_signup_validation_errors(api):
    missing = api.post("/api/accounts/signup", json={"email": "a@example.com", "display_name": "A"})
    assert missing.status_code == 400
    assert missing.get_json() == {"error": "bad_request", "message": "'password' is required", "field": "password"}
    bad_email = api.post("/api/accounts/signup", json={"email": "nope", "password": PASSWORD, "display_name": "A"})
    assert bad_email.get_json()["message"] == "'email' is not a valid email address"
    short = api.post("/api/accounts/signup", json={"email": "a@example.com", "password": "short", "display_name": "A"})
    assert short.get_json()["message"] == "'password' must be at least 8 characters"
    role = api.signup("a@example.com", role="wizard")
    assert role.status_code == 400
    assert role.get_json()["message"] == "'role' must be one of: buyer, seller"
    not_json = api.post("/api/accounts/signup", data="email=a", content_type="text/plain")
    assert not_json.get_json()["message"] == "request body must be a JSON object"


def test_signup_rejects_unknown_fields(api):
    body = {"email": "a@example.com", "password": PASSWORD, "display_name": "A", "is_admin": True}
    response = api.post("/api/accounts/signup", json=body)
    assert response.status_code == 400
    assert response.get_json()["message"] == "unknown field(s): is_admin"


def test_signup_duplicate_email_conflicts(api):
    assert api.signup("dup@example.com").status_code == 201
    response = api.signup("DUP@example.com")
    assert response.status_code == 409
    assert response.get_json()["message"] == "an account with this email already exists"


def test_login_returns_token_and_sets_two_cookies(api):
    api.signup("carol@example.com", role="seller")
    response = api.post("/api/accounts/login", json={"email": "carol@example.com", "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["token"] == "test-token-0001"
    assert body["token_type"] == "Bearer"
    assert body["expires_at"] == "2024-05-08T12:00:00Z"
    assert body["user"]["role"] == "seller"
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies == [
        "session_hint=user-1; HttpOnly; Path=/; SameSite=Lax",
        "theme=light; Path=/; SameSite=Lax",
    ]


def test_login_with_wrong_password_is_unauthorized(api):
    api.signup("carol@example.com")
    wrong = api.post("/api/accounts/login", json={"email": "carol@example.com", "password": "wrong password"})
    assert wrong.status_code == 401
    assert wrong.get_json() == {"error": "unauthorized", "message": "invalid email or password"}
    unknown = api.post("/api/accounts/login", json={"email": "who@example.com", "password": PASSWORD})
    assert unknown.status_code == 401
    missing = api.post("/api/accounts/login", json={"email": "carol@example.com"})
    assert missing.status_code == 400


def test_me_requires_a_valid_bearer_token(api):
    assert api.get("/api/accounts/me").get_json() == {
        "error": "unauthorized",
        "message": "missing Authorization header",
    }
    wrong_scheme = api.get("/api/accounts/me", headers={"Authorization": "Basic abc"})
    assert wrong_scheme.status_code == 401
    assert wrong_scheme.get_json()["message"] == "Authorization header must be 'Bearer <token>'"
    bad = api.get("/api/accounts/me", "not-a-token")
    assert bad.status_code == 401
    assert bad.get_json()["message"] == "invalid token"


def test_me_returns_profile_and_follow_counts(api, seller):
    response = api.get("/api/accounts/me", seller)
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["email"] == "sally@example.com"
    assert body["followers"] == 0
    assert body["following"] == 0


def test_token_expires_after_ttl(api, buyer, clock):
    clock.advance(days=7)
    response = api.get("/api/accounts/me", buyer)
    assert response.status_code == 401
    assert response.get_json()["message"] == "token has expired"


def test_logout_revokes_the_token(api, buyer):
    response = api.post("/api/accounts/logout", buyer)
    assert response.status_code == 204
    assert "session_hint=;" in response.headers["Set-Cookie"]
    after = api.get("/api/accounts/me", buyer)
    assert after.status_code == 401
    assert after.get_json()["message"] == "token has been revoked"


def test_logout_without_token_is_unauthorized(api):
    assert api.post("/api/accounts/logout").status_code == 401


def test_update_profile(api, buyer):
    response = api.patch("/api/accounts/me", buyer, json={"display_name": " Bobby ", "bio": "I like boats", "theme": "dark"})
    assert response.status_code == 200
    user = response.get_json()["user"]
    assert (user["display_name"], user["bio"], user["theme"]) == ("Bobby", "I like boats", "dark")
    login = api.post("/api/accounts/login", json={"email": "bob@example.com", "password": PASSWORD})
    assert "theme=dark; Path=/; SameSite=Lax" in login.headers.getlist("Set-Cookie")


def test_update_profile_validation(api, buyer):
    assert api.patch("/api/accounts/me", buyer, json={}).get_json()["message"] == "no profile fields to update"
    theme = api.patch("/api/accounts/me", buyer, json={"theme": "neon"})
    assert theme.status_code == 400
    unknown = api.patch("/api/accounts/me", buyer, json={"email": "x@example.com"})
    assert unknown.get_json()["message"] == "unknown field(s): email"
    no_current = api.patch("/api/accounts/me", buyer, json={"password": "new password 1"})
    assert no_current.get_json()["message"] == "'current_password' is required to change the password"
    assert api.patch("/api/accounts/me", json={"bio": "x"}).status_code == 401


def test_change_password_requires_current_password(api, buyer):
    wrong = api.patch("/api/accounts/me", buyer, json={"password": "new password 1", "current_password": "nope nope"})
    assert wrong.status_code == 403
    ok = api.patch("/api/accounts/me", buyer, json={"password": "new password 1", "current_password": PASSWORD})
    assert ok.status_code == 200
    assert api.post("/api/accounts/login", json={"email": "bob@example.com", "password": PASSWORD}).status_code == 401
    assert api.login("bob@example.com", "new password 1")


def test_role_switch_blocked_while_seller_has_products(api, seller):
    product = api.product(seller)
    blocked = api.patch("/api/accounts/me", seller, json={"role": "buyer"})
    assert blocked.status_code == 409
    assert api.delete(f"/api/catalog/products/{product['id']}", seller).status_code == 204
    allowed = api.patch("/api/accounts/me", seller, json={"role": "buyer"})
    assert allowed.get_json()["user"]["role"] == "buyer"


def test_public_profile(api, seller, buyer):
    seller_id = api.user_id(seller)
    api.post(f"/api/accounts/users/{seller_id}/follow", buyer)
    response = api.get(f"/api/accounts/users/{seller_id}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["display_name"] == "Sally"
    assert "email" not in body["user"]
    assert body["followers"] == 1


def test_public_profile_not_found(api):
    response = api.get("/api/accounts/users/999")
    assert response.status_code == 404
    assert response.get_json() == {"error": "not_found", "message": "user not found"}


def test_follow_and_list_followers(api, seller, buyer):
    seller_id = api.user_id(seller)
    response = api.post(f"/api/accounts/users/{seller_id}/follow", buyer)
    assert response.status_code == 201
    assert response.get_json()["seller"]["id"] == seller_id
    followers = api.get(f"/api/accounts/users/{seller_id}/followers").get_json()
    assert [user["display_name"] for user in followers["items"]] == ["Bob"]
    assert followers["total"] == 1


def test_follow_errors(api, seller, buyer):
    seller_id, buyer_id = api.user_id(seller), api.user_id(buyer)
    assert api.post(f"/api/accounts/users/{seller_id}/follow").status_code == 401
    assert api.post("/api/accounts/users/999/follow", buyer).status_code == 404
    self_follow = api.post(f"/api/accounts/users/{seller_id}/follow", seller)
    assert self_follow.get_json()["message"] == "you cannot follow yourself"
    not_seller = api.post(f"/api/accounts/users/{buyer_id}/follow", seller)
    assert not_seller.status_code == 400
    assert not_seller.get_json()["message"] == "only sellers can be followed"
    assert api.post(f"/api/accounts/users/{seller_id}/follow", buyer).status_code == 201
    twice = api.post(f"/api/accounts/users/{seller_id}/follow", buyer)
    assert twice.status_code == 409
    assert twice.get_json()["message"] == "you already follow this seller"


def test_unfollow(api, seller, buyer):
    seller_id = api.user_id(seller)
    api.post(f"/api/accounts/users/{seller_id}/follow", buyer)
    assert api.delete(f"/api/accounts/users/{seller_id}/follow", buyer).status_code == 204
    again = api.delete(f"/api/accounts/users/{seller_id}/follow", buyer)
    assert again.status_code == 404
    assert again.get_json()["message"] == "follow not found"
    assert api.delete("/api/accounts/users/999/follow", buyer).status_code == 404


def test_followers_pagination(api, seller):
    seller_id = api.user_id(seller)
    for name in ("ann", "ben", "cat"):
        api.post(f"/api/accounts/users/{seller_id}/follow", api.user(f"{name}@example.com"))
    page = api.get(f"/api/accounts/users/{seller_id}/followers?page=2&per_page=2").get_json()
    assert [user["display_name"] for user in page["items"]] == ["Cat"]
    assert (page["page"], page["pages"], page["per_page"], page["total"]) == (2, 2, 2, 3)
    bad = api.get(f"/api/accounts/users/{seller_id}/followers?page=zero")
    assert bad.status_code == 400
    assert bad.get_json()["message"] == "query parameter 'page' must be an integer"
    too_many = api.get(f"/api/accounts/users/{seller_id}/followers?per_page=500")
    assert too_many.get_json()["message"] == "'per_page' must be at most 100"
    assert api.get("/api/accounts/users/999/followers").status_code == 404


def test_my_following(api, seller, buyer):
    other = api.user("otto@example.com", role="seller")
    for token in (seller, other):
        api.post(f"/api/accounts/users/{api.user_id(token)}/follow", buyer)
    response = api.get("/api/accounts/me/following", buyer)
    assert [user["display_name"] for user in response.get_json()["items"]] == ["Sally", "Otto"]
    assert api.get("/api/accounts/me/following").status_code == 401
