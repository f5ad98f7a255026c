import hashlib
import hmac


def _badge(name):
    return hmac.new(b"kitchen-test-secret", name.encode(), hashlib.sha256).hexdigest()[:12]


def test_signup_is_open_in_the_tests(client):
    answer = client.post("/users/signup", json={"name": "ada"})
    assert answer.status_code == 201
    assert answer.json() == {"name": "ada", "badge": _badge("ada")}


def test_badge_is_signed_with_the_test_key(client):
    assert client.get("/users/bob/badge").json() == {"name": "bob", "badge": _badge("bob")}
