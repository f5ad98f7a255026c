import pytest

from shop.app import create_app
from shop.extensions import db as _db
from shop.models import Product, User
from shop.settings import TestConfig


@pytest.fixture
def app():
    app = create_app(TestConfig)
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()


@pytest.fixture
def client(app):
    return app.test_client()


def _user(email, name, password, admin=False):
    user = User(email=email, name=name, is_admin=admin)
    user.set_password(password)
    _db.session.add(user)
    _db.session.commit()
    return user


@pytest.fixture
def customer(app):
    return _user("kim@example.com", "Kim", "hunter2")


@pytest.fixture
def admin_user(app):
    return _user("boss@example.com", "Boss", "topsecret", admin=True)


@pytest.fixture
def products(app):
    rows = [
        Product(sku="MUG-1", name="Mug", price_cents=1200, stock=5),
        Product(sku="TEE-1", name="T-shirt", price_cents=2500, stock=2),
        Product(sku="OLD-1", name="Old poster", price_cents=500, stock=1, active=False),
    ]
    _db.session.add_all(rows)
    _db.session.commit()
    return rows


def login(client, email, password):
    response = client.post("/api/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.fixture
def customer_headers(client, customer):
    return login(client, "kim@example.com", "hunter2")


@pytest.fixture
def admin_headers(client, admin_user):
    return login(client, "boss@example.com", "topsecret")
