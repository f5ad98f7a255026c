from fastapi.testclient import TestClient
from pytest import fixture

from archive.app import app


@fixture
def client():
    return TestClient(app)
