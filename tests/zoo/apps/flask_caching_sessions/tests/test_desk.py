import pytest

from desk import TestingConfig, create_app


@pytest.fixture
def client():
    return create_app(TestingConfig).test_client()


def test_signed_in_at_login_known_at_me(client):
    assert client.post("/login", data={"name": "grace"}).json == {"user": "grace"}
    assert client.get("/api/me").json == {"user": "grace"}


def test_a_ticket_opened_then_listed(client):
    client.post("/login", data={"name": "ada"})
    assert client.post("/api/tickets", json={"title": "printer"}).status_code == 201
    assert client.get("/api/tickets").json == {"tickets": [{"id": 1, "title": "printer", "owner": "ada"}]}


def test_signed_out_then_refused(client):
    client.post("/login", data={"name": "ada"})
    client.post("/logout")
    assert client.get("/api/tickets").status_code == 403


def test_anonymous_is_refused(client):
    assert client.get("/api/tickets").status_code == 403
    assert client.get("/api/me").json == {"user": None}
