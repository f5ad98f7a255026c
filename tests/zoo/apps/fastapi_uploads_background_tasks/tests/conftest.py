import os
import tempfile

import pytest

_scratch = tempfile.mkdtemp(prefix="gallery-tests-")
os.environ["GALLERY_DATABASE"] = "sqlite:///" + os.path.join(_scratch, "test.db")

from fastapi.testclient import TestClient  # noqa: E402

from gallery.db import Base, engine  # noqa: E402
from gallery.main import app  # noqa: E402


@pytest.fixture
def client():
    Base.metadata.create_all(engine)
    with TestClient(app) as client:
        yield client
    Base.metadata.drop_all(engine)


def upload(client, album, name="cat.jpg", data=b"\xff\xd8 a cat"):
    return client.post("/photos", data={"album": album}, files={"file": (name, data, "image/jpeg")})
