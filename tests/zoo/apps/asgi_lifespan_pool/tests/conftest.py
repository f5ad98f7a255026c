import pytest
from fastapi.testclient import TestClient

from journal.main import app


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNAL_DATABASE", str(tmp_path / "journal.sqlite3"))
    # The context manager runs the lifespan: the connection, the audit queue and
    # its writer task all live on the TestClient's event loop.
    with TestClient(app) as c:
        yield c


@pytest.fixture
def note(client):
    r = client.post("/notes", json={"title": "Groceries", "body": "eggs, flour, milk"})
    assert r.status_code == 201, r.text
    return r.json()
