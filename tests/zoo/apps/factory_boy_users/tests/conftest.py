import pytest

from tasknotes import create_app
from tasknotes.db import db

from factories import DEFAULT_PASSWORD, UserFactory


@pytest.fixture
def app():
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",  # in memory, one per app
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def user(app):
    return UserFactory(email="owner@example.com")


@pytest.fixture
def other_user(app):
    return UserFactory()


def login(client, user, password=DEFAULT_PASSWORD):
    response = client.post("/api/login", json={"email": user.email, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.fixture
def auth_headers(client, user):
    return login(client, user)
