"""A Flask service's url_for still builds the URLs of routes other services serve: their endpoints are read
from the source (the flasky layout: a blueprint made in a package's __init__, its views in another module
importing it with `from . import main`) and added as build-only rules, from which nothing is served."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask, url_for

from decompose.generation.flaskurls import Trees, endpoint_map, rules
from decompose.generation.runtime.flaskctx import build_only
from tests.helpers import analyse

FLASKY = {
    "app/__init__.py": """
        from flask import Flask

        def create_app(config_name):
            app = Flask(__name__)
            from .main import main as main_blueprint
            app.register_blueprint(main_blueprint)
            from .auth import auth as auth_blueprint
            app.register_blueprint(auth_blueprint, url_prefix='/auth')
            return app
    """,
    **{f"app/{name}/__init__.py": f"from flask import Blueprint\n\n{name} = Blueprint('{name}', __name__)\n\nfrom . import views\n"
       for name in ("main", "auth")},
    "app/main/views.py": """
        from . import main

        @main.route('/')
        def index():
            return 'home'

        @main.route('/user/<username>', endpoint='profile')
        def user(username):
            return username
    """,
    "app/auth/views.py": """
        from flask import redirect, url_for
        from . import auth

        @auth.route('/logout')
        def logout():
            return redirect(url_for('main.index'))
    """,
}


@pytest.fixture()
def found(tmp_path):
    analysis = analyse(tmp_path, FLASKY)
    modules = {m.name: m for m in analysis.modules}
    return endpoint_map(analysis.routes, Trees(tmp_path, modules))


def test_endpoints_are_read_from_the_views_blueprint_and_decorator(found):
    assert sorted(found.values()) == ["auth.logout", "main.index", "main.profile"]


def test_a_service_gets_the_rules_of_the_routes_served_elsewhere(found):
    elsewhere = rules(found, lambda route: not route.module.startswith("app.auth"))
    assert elsewhere == ["('/', 'main.index', ('GET',))", "('/user/<username>', 'main.profile', ('GET',))"]


def test_url_for_builds_another_services_url_and_nothing_is_served_from_it():
    auth = Blueprint("auth", __name__)
    auth.add_url_rule("/logout", "logout", lambda: url_for("main.index"))
    app = Flask("auth_service")
    app.register_blueprint(auth, url_prefix="/auth")
    build_only(app, [("/", "main.index", ("GET",)), ("/auth/logout", "auth.logout", ("GET",))])
    client = app.test_client()

    assert client.get("/auth/logout").get_data(as_text=True) == "/"
    assert client.get("/").status_code == 404  # served by another service: the gateway sends it there
    assert [r.rule for r in app.url_map.iter_rules() if r.endpoint == "auth.logout"] == ["/auth/logout"]
