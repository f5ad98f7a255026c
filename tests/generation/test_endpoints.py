"""url_for across services (decompose/generation/endpoints.py): every Flask view another service serves is a
build-only URL rule under the monolith's endpoint name, so `url_for("main.index")` in the auth service builds
the URL the gateway serves, and no request ever reaches a view the service does not have."""

from __future__ import annotations

import flask
import pytest
from werkzeug.exceptions import NotFound

from decompose.generation.endpoints import foreign_endpoints
from decompose.generation.layout import Sources
from decompose.generation.unplug import containers_of
from tests.helpers import analyse

FILES = {
    "blog/__init__.py": "",
    "blog/main.py": """from flask import Blueprint

main = Blueprint("main", __name__)


@main.route("/")
def index():
    return "home"


@main.route("/post/<int:post_id>", methods=["GET", "POST"], endpoint="post")
def show_post(post_id):
    return str(post_id)
""",
    "blog/auth.py": """from flask import Blueprint, redirect, url_for

NAME = "auth"
auth = Blueprint(name=NAME, import_name=__name__, url_prefix="/auth")


@auth.route("/logout")
def logout():
    return redirect(url_for("main.index"))
""",
}


def _endpoints(tmp_path, served):
    analysis = analyse(tmp_path, FILES)
    sources = Sources.of(analysis, tmp_path)
    return foreign_endpoints(sources, analysis.routes, containers_of(sources, analysis.routes), served)


def test_the_views_of_other_services_are_found_with_their_monolith_endpoint_names(tmp_path):
    assert _endpoints(tmp_path, {"blog.auth:logout"}) == [
        ("/", "main.index", ("GET",)), ("/post/<int:post_id>", "main.post", ("GET", "POST"))]


def test_a_blueprint_whose_name_is_not_a_literal_gives_no_rule(tmp_path):
    assert _endpoints(tmp_path, {"blog.main:index", "blog.main:show_post"}) == []


def _service_app() -> flask.Flask:
    """What a generated auth service's framework.py builds: its own blueprint, the others build-only."""
    app = flask.Flask("svc")
    auth = flask.Blueprint("auth", "svc", url_prefix="/auth")
    auth.add_url_rule("/logout", "logout", lambda: flask.redirect(flask.url_for("main.index")))
    app.register_blueprint(auth)
    known = {rule.endpoint for rule in app.url_map.iter_rules()}
    for path, endpoint, methods in [("/", "main.index", ["GET"]), ("/auth/logout", "auth.logout", ["GET"])]:
        if endpoint not in known:
            app.add_url_rule(path, endpoint, methods=methods, build_only=True)
    return app


def test_a_service_builds_the_url_of_a_view_it_does_not_serve_and_never_matches_it():
    app = _service_app()
    client = app.test_client()
    assert client.get("/auth/logout").headers["Location"].endswith("/")
    with app.test_request_context():
        assert flask.url_for("main.index") == "/"
        with pytest.raises(NotFound):
            app.url_map.bind("localhost").match("/")
    assert client.get("/").status_code == 404
