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


def test_the_rules_of_one_endpoint_keep_the_order_url_for_builds_the_first_of(tmp_path):
    """CTFd's `@users.route("/profile")` stacked over `@users.route("/user")`: Flask registers the lower
    decorator first, so the monolith's pages link to /user. Sorted by path, the services linked to /profile."""
    files = {**FILES, "blog/main.py": FILES["blog/main.py"] + '''

@main.route("/profile")
@main.route("/user")
def private():
    return "me"
'''}
    analysis = analyse(tmp_path, files)
    sources = Sources.of(analysis, tmp_path)
    found = foreign_endpoints(sources, analysis.routes, containers_of(sources, analysis.routes), {"blog.auth:logout"})
    assert [path for path, endpoint, _ in found if endpoint == "main.private"] == ["/user", "/profile"]
    app = flask.Flask("svc")
    for path, endpoint, methods in found:
        app.add_url_rule(path, endpoint, methods=list(methods), build_only=True)
    with app.test_request_context():
        assert flask.url_for("main.private") == "/user"


RESTX = {
    "ledger/__init__.py": "",
    "ledger/api/__init__.py": """from flask import Blueprint
from flask_restx import Api

from ledger.api.accounts import accounts_namespace
from ledger.api.teams import teams_namespace

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
ledger_api = Api(blueprint, doc=False)
ledger_api.add_namespace(accounts_namespace, "/accounts")
ledger_api.add_namespace(teams_namespace, "/teams")
""",
    "ledger/api/accounts.py": """from flask_restx import Namespace, Resource

accounts_namespace = Namespace("accounts")


@accounts_namespace.route("/<int:account_id>")
class AccountDetail(Resource):
    def get(self, account_id):
        return {}
""",
    "ledger/api/teams.py": """from flask_restx import Namespace, Resource

teams_namespace = Namespace("teams", description="Teams")


@teams_namespace.route("")
class TeamList(Resource):
    def get(self):
        return []


@teams_namespace.route("/<int:team_id>", endpoint="team_detail")
class HTTPTeamPublic(Resource):
    def get(self, team_id):
        return {}
""",
}


def test_flask_restx_resources_of_other_services_are_rules_under_the_names_their_api_gives(tmp_path):
    """CTFd's tokens service answered a 404 whose flask-restx help lists the rules close to the path: without
    the other services' rules it named others than the monolith's. The names are checked against flask-restx."""
    from decompose.generation.model import Mount

    restx = pytest.importorskip("flask_restx")
    analysis = analyse(tmp_path, RESTX)
    sources = Sources.of(analysis, tmp_path)
    mounts = {"ledger.api.teams:teams_namespace": Mount("ledger.api:ledger_api", "add_namespace", '"/teams"'),
              "ledger.api.accounts:accounts_namespace": Mount("ledger.api:ledger_api", "add_namespace", '"/accounts"')}
    found = foreign_endpoints(sources, analysis.routes, containers_of(sources, analysis.routes),
                              {"ledger.api.accounts:AccountDetail"}, mounts)
    monolith = flask.Flask("ledger")
    api = restx.Api(flask.Blueprint("api", "ledger", url_prefix="/api/v1"), doc=False)
    teams = restx.Namespace("teams")
    teams.add_resource(type("TeamList", (restx.Resource,), {"get": lambda self: []}), "")
    teams.add_resource(type("HTTPTeamPublic", (restx.Resource,), {"get": lambda self, team_id: {}}),
                       "/<int:team_id>", endpoint="team_detail")
    api.add_namespace(teams, "/teams")
    monolith.register_blueprint(api.blueprint)
    rules = {(r.rule, r.endpoint) for r in monolith.url_map.iter_rules() if "teams" in r.rule}
    assert {(path, endpoint) for path, endpoint, _ in found} == rules == {
        ("/api/v1/teams", "api.teams_team_list"), ("/api/v1/teams/<int:team_id>", "api.team_detail")}
