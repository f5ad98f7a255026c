import pytest

from library.app import create_app
from library.extensions import db


@pytest.fixture
def app():
    app = create_app({"TESTING": True})
    with app.app_context():
        yield app
        db.session.remove()
        db.drop_all()


@pytest.fixture
def client(app):
    return app.test_client()
