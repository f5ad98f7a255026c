"""A CTFd-shaped site: a CSRF nonce per session, shown in every page and checked on every POST (form field or
CSRF-Token header), drawn again at login; a testing configuration with SERVER_NAME; plugin assets served
through a helper that builds its rule from the caller's string."""
import os
import secrets

from flask import Flask, abort, request, session


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "zoo-secret")
    SERVER_NAME = None


class TestingConfig(Config):
    TESTING = True
    SERVER_NAME = "localhost"


def check_nonce():
    if not session.get("nonce"):
        session["nonce"] = secrets.token_hex(32)
    if request.method == "POST":
        sent = request.form.get("nonce") if request.form else request.headers.get("CSRF-Token")
        if sent != session["nonce"]:
            abort(403)


def create_app(config=Config):
    app = Flask(__name__)
    app.config.from_object(config)
    app.before_request(check_nonce)

    from ctfzoo import pages
    app.register_blueprint(pages.bp)

    from ctfzoo.plugins import badges
    badges.load(app)
    return app
