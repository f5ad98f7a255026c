import io
import threading

import pytest

from depot.app import create_app
from depot.extensions import db


@pytest.fixture
def app():
    app = create_app({"TESTING": True})
    with app.app_context():
        yield app
        for worker in threading.enumerate():  # the fingerprint threads of this test, before the tables go
            if worker is not threading.current_thread() and worker.daemon:
                worker.join(5)
        db.session.remove()
        db.drop_all()


@pytest.fixture
def client(app):
    return app.test_client()


def upload(client, folder, name="notes.txt", data=b"hello depot\n"):
    return client.post("/api/documents", data={"folder": folder, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")
