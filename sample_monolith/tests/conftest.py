"""Fixtures for the sample monolith: a fresh SQLite app per test, a fixed clock and fixed tokens."""
from __future__ import annotations

import base64
import io
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from sample_monolith.app import create_app
from sample_monolith.extensions import db
from sample_monolith.services import notifications, shop

PASSWORD = "correct horse battery"
ADMIN_EMAIL = "admin@example.com"
GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
ERROR_CARD = "4000000000000119"
PNG_BYTES = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
GIF_BYTES = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


class FixedClock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class SequentialTokens:
    def __init__(self) -> None:
        self.issued = 0

    def __call__(self) -> str:
        self.issued += 1
        return f"test-token-{self.issued:04d}"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2024, 5, 1, 12, 0, 0))


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def test_config(tmp_path, clock, sleeps) -> dict[str, Any]:
    return {
        "TESTING": True,
        "AUTO_CREATE_TABLES": False,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'sample.db'}",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "CLOCK": clock,
        "TOKEN_FACTORY": SequentialTokens(),
        "SLEEP": sleeps.append,
        "NOTIFICATIONS_SYNC": True,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RECOGNIZER_ROUNDS": 10,
        "ADMIN_EMAILS": (ADMIN_EMAIL,),
    }


@pytest.fixture
def app(test_config):
    shop.clear_category_cache()
    notifications.reset_queue()
    app = create_app(test_config)
    with app.app_context():
        event.listen(db.engine, "connect", _skip_fsync)
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _skip_fsync(dbapi_connection, connection_record) -> None:
    """Test databases are throwaway; don't wait for the disk on every commit."""
    dbapi_connection.execute("PRAGMA synchronous=OFF")
    dbapi_connection.execute("PRAGMA journal_mode=MEMORY")


@pytest.fixture
def client(app):
    return app.test_client()


class Api:
    """Thin helper over the test client for the usual sign-up/log-in/call sequences."""

    def __init__(self, client) -> None:
        self.client = client

    def request(self, method: str, path: str, token: str | None = None, **kwargs: Any):
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path: str, token: str | None = None, **kwargs: Any):
        return self.request("GET", path, token, **kwargs)

    def post(self, path: str, token: str | None = None, **kwargs: Any):
        return self.request("POST", path, token, **kwargs)

    def patch(self, path: str, token: str | None = None, **kwargs: Any):
        return self.request("PATCH", path, token, **kwargs)

    def delete(self, path: str, token: str | None = None, **kwargs: Any):
        return self.request("DELETE", path, token, **kwargs)

    def signup(self, email: str, role: str = "buyer", password: str = PASSWORD, display_name: str | None = None):
        body = {"email": email, "password": password, "display_name": display_name or email.split("@")[0].title(),
                "role": role}
        return self.post("/api/accounts/signup", json=body)

    def login(self, email: str, password: str = PASSWORD) -> str:
        response = self.post("/api/accounts/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["token"]

    def user(self, email: str, role: str = "buyer") -> str:
        assert self.signup(email, role).status_code == 201
        return self.login(email)

    def user_id(self, token: str) -> int:
        return self.get("/api/accounts/me", token).get_json()["user"]["id"]

    def product(self, token: str, **fields: Any) -> dict[str, Any]:
        body = {"title": "Misty harbour", "price_cents": 1500, "stock": 5, **fields}
        response = self.post("/api/catalog/products", token, json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["product"]

    def photo(self, token: str, data: bytes = PNG_BYTES, filename: str = "harbour.png") -> dict[str, Any]:
        response = self.post(
            "/api/images", token, data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data"
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()["photo"]

    def add_to_cart(self, token: str, product_id: int, quantity: int = 1):
        return self.post("/api/cart/items", token, json={"product_id": product_id, "quantity": quantity})

    def checkout(self, token: str, card: str = GOOD_CARD):
        return self.post("/api/orders/checkout", token, json={"card_number": card})

    def buy(self, token: str, product_id: int, quantity: int = 1, card: str = GOOD_CARD) -> dict[str, Any]:
        assert self.add_to_cart(token, product_id, quantity).status_code == 201
        response = self.checkout(token, card)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["order"]


@pytest.fixture
def api(client) -> Api:
    return Api(client)


@pytest.fixture
def seller(api) -> str:
    return api.user("sally@example.com", role="seller")


@pytest.fixture
def buyer(api) -> str:
    return api.user("bob@example.com")


@pytest.fixture
def admin(api) -> str:
    return api.user(ADMIN_EMAIL)
