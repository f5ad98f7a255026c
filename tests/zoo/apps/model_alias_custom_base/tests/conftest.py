import pytest

from quill.app import create_app
from quill.extensions import db as _db
from quill.articles.models import Article
from quill.users.models import User


@pytest.fixture
def app():
    app = create_app(
        test_config={
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "ARTICLES_PER_PAGE": 2,
        }
    )
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def alice(app):
    return User.create(username="alice", email="alice@example.com", bio="writes things")


@pytest.fixture
def bob(app):
    return User.create(username="bob", email="bob@example.com")


@pytest.fixture
def article(alice):
    return Article.create(slug="hello-world", title="Hello world", body="First post.", author=alice)


def as_user(user):
    return {"X-User": user.username}
