import pytest

from vault import TestingConfig, create_app


@pytest.fixture
def client():
    return create_app(TestingConfig).test_client()


def token(client):
    with client.session_transaction() as values:
        return values["csrf"]


def sign_in(client, name="grace"):
    client.get("/signin")  # gives the session its first token
    return client.post("/signin", data={"name": name, "csrf": token(client)})


def test_sign_in_then_who_am_i(client):
    assert sign_in(client).status_code == 302
    assert client.get("/api/me").json == {"user": "grace"}


def test_a_todo_sent_with_the_token_of_the_new_session(client):
    sign_in(client)
    answer = client.post("/api/todos", json={"title": "write tests"}, headers={"X-CSRF-Token": token(client)})
    assert answer.status_code == 201 and answer.json == {"id": 1, "title": "write tests", "owner": "grace"}


def test_a_todo_deleted(client):
    sign_in(client, "ada")
    client.post("/api/todos", json={"title": "a"}, headers={"X-CSRF-Token": token(client)})
    assert client.delete("/api/todos/1", json={}, headers={"X-CSRF-Token": token(client)}).status_code == 204


def test_a_write_without_the_token_is_refused(client):
    sign_in(client)
    assert client.post("/api/todos", json={"title": "x"}).status_code == 403


def test_a_file(client):
    assert client.get("/files/notes.txt").json == {"file": "notes.txt"}
