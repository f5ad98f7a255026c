"""A Flask answer shows its session's string values in X-Decompose-Session once sessionview is installed:
on a server-side session (the cookie holds an id) as on Flask's own signed cookie."""

import uuid

import pytest

from decompose.generation.runtime import sessionview

flask = pytest.importorskip("flask")


@pytest.fixture(autouse=True)
def _restored():
    """Flask as it was: the hook is process-wide."""
    original = flask.Flask.__dict__["process_response"]
    yield
    flask.Flask.process_response = original


class _ServerSessions(flask.sessions.SessionInterface):
    """Values in a dict of the process, the cookie holding only an id."""

    def __init__(self) -> None:
        self.store: dict[str, dict] = {}

    def open_session(self, app, request):
        sid = request.cookies.get("sid") or uuid.uuid4().hex
        session = flask.sessions.SecureCookieSession(self.store.get(sid, {}))
        session.sid = sid
        return session

    def save_session(self, app, session, response):
        self.store[session.sid] = dict(session)
        response.set_cookie("sid", session.sid)


def _app(server_side: bool) -> flask.Flask:
    app = flask.Flask(__name__)
    app.secret_key = "test"
    if server_side:
        app.session_interface = _ServerSessions()

    @app.post("/signin")
    def signin():
        flask.session.update(nonce="n" * 40, id=3)
        return "", 302

    @app.get("/plain")
    def plain():
        return "nothing in the session"

    return app


@pytest.mark.parametrize("server_side", [True, False])
def test_every_answer_shows_the_session_s_string_values(server_side):
    sessionview.install()
    client = _app(server_side).test_client()
    assert sessionview.HEADER not in client.get("/plain").headers  # an empty session shows nothing
    client.post("/signin")
    shown = client.get("/plain").headers[sessionview.HEADER]
    assert sessionview.decode(shown) == {"nonce": "n" * 40}  # strings only: the id is not one


def test_installed_once_and_only_in_the_contract_world(monkeypatch):
    sessionview.install()
    wrapped = flask.Flask.process_response
    assert sessionview.install() and flask.Flask.process_response is wrapped
    monkeypatch.delenv(sessionview.ENABLE, raising=False)
    assert not sessionview.install_in_contract_world()
    monkeypatch.setenv(sessionview.ENABLE, "1")
    assert sessionview.install_in_contract_world()


@pytest.mark.parametrize("value", ["", "%%%", "WzFd", "bm90IGpzb24"])  # empty, not base64, a list, not JSON
def test_a_header_that_is_not_a_shown_session_gives_nothing(value):
    assert sessionview.decode(value) == {}
