import pytest

from ledger import create_app
from ledger.models import db


@pytest.fixture
def client():
    app = create_app({"TESTING": True})
    with app.app_context():
        yield app.test_client()
        db.session.remove()
        db.drop_all()
