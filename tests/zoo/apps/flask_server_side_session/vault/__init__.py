"""A to-do site whose sessions live on the server: the cookie carries only a session id, the values sit in a
dict of the process. Every write needs the session's CSRF token, which no page shows (a client reads it
from its session), and signing in starts a new session with a new token."""
import secrets

from flask import Flask, abort, request, session

from vault.sessions import ServerSessions


class Config:
    SECRET_KEY = "vault-secret"


class TestingConfig(Config):
    TESTING = True


WRITES = ("POST", "PUT", "PATCH", "DELETE")


def guard():
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    if request.method in WRITES:
        sent = request.headers.get("X-CSRF-Token") if request.is_json else request.form.get("csrf")
        if sent != session["csrf"]:
            abort(403)


def create_app(config=Config):
    app = Flask(__name__)
    app.config.from_object(config)
    app.session_interface = ServerSessions()
    app.extensions["todos"] = {}
    app.before_request(guard)

    from vault import views
    app.register_blueprint(views.bp)
    return app
