import pytest

from app import create_app, db
from app.models import Book, Member


@pytest.fixture
def app():
    app = create_app("testing")
    ctx = app.app_context()
    ctx.push()
    yield app
    db.session.remove()
    db.drop_all()
    ctx.pop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def book(app):
    b = Book(isbn="9780141439518", title="Pride and Prejudice", author="Jane Austen", copies=1)
    db.session.add(b)
    db.session.commit()
    return b.id


@pytest.fixture
def member(app):
    m = Member(name="Ada", email="ada@example.org")
    db.session.add(m)
    db.session.commit()
    return m.id
