import pytest

from ctfzoo import TestingConfig, create_app


@pytest.fixture
def client():
    return create_app(TestingConfig).test_client()


def nonce(client):
    with client.session_transaction() as sess:
        return sess["nonce"]


def login(client, name="ada"):
    client.get("/login")  # populates the session with a nonce
    return client.post("/login", data={"name": name, "nonce": nonce(client)})


def test_the_home_page(client):
    assert b"<h1>Home</h1>" in client.get("/").data


def test_login_then_a_note_sent_with_the_new_nonce(client):
    assert login(client).status_code == 302
    answer = client.post("/api/notes", json={"title": "hello"}, headers={"CSRF-Token": nonce(client)})
    assert answer.status_code == 201 and answer.json == {"saved": "hello", "by": "ada"}
    assert b"Signed in as ada" in client.get("/").data


def test_a_form_without_the_nonce_is_refused(client):
    client.get("/login")
    assert client.post("/login", data={"name": "ada"}).status_code == 403


def test_a_plugin_asset(client):
    assert client.get("/plugins/badges/assets/badge.txt").data == b"badge\n"
