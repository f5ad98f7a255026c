"""App-wide hooks a blueprint declares (decompose/generation/apphooks.py, flaskctx.app_wide): found in the
source with the blueprint they hang on and their decorator's arguments read from their own module, then
applied to an app that never registers that blueprint, so none of its routes is served."""

from __future__ import annotations

import flask

from decompose.generation.apphooks import app_hooks
from decompose.generation.layout import Sources
from decompose.generation.runtime.flaskctx import app_wide
from decompose.generation.unplug import containers_of
from decompose.planning.sourcefacts import app_hooks as hooks_in_tree
from tests.helpers import analyse

FILES = {
    "lib/__init__.py": "",
    "lib/rules.py": "class Closed(Exception):\n    pass\n",
    "lib/main/__init__.py": """from flask import Blueprint

main = Blueprint("main", __name__)

from . import views, errors  # noqa: E402
from ..rules import Closed  # noqa: E402


@main.app_context_processor
def inject():
    return {"SITE": "lib"}


@main.app_errorhandler(Closed)
def closed(error):
    return "closed", 503
""",
    "lib/main/views.py": """from . import main


@main.route("/")
def index():
    return "home"
""",
    "lib/main/errors.py": """from flask import g
import werkzeug.exceptions

from . import main
from ..login import manager


@main.app_errorhandler(werkzeug.exceptions.NotFound)
def not_found(error):
    return "none", 404


@main.app_template_filter(name="shout")
def shout(text):
    return text.upper()


@main.app_errorhandler((lambda code: code)(500))
def broken(error):
    return "broken", 500


@manager.user_loader
def load(user_id):
    return user_id
""",
    "lib/login.py": """class Manager:
    def user_loader(self, f):
        return f

    def app_errorhandler(self, code):
        return lambda f: f


manager = Manager()


@manager.app_errorhandler(404)
def not_a_blueprint_hook(error):
    return "no"
""",
}


def test_hooks_are_found_with_their_blueprint_and_arguments_read_from_their_module(tmp_path):
    analysis = analyse(tmp_path, FILES)
    sources = Sources.of(analysis, tmp_path)
    found = app_hooks(sources, set(containers_of(sources, analysis.routes).values()))
    assert [(h.function, h.blueprint, h.decorator, h.called, h.arguments) for h in found] == [
        ("lib.main.errors:not_found", "lib.main:main", "app_errorhandler", True, "_hooks.werkzeug.exceptions.NotFound"),
        ("lib.main.errors:shout", "lib.main:main", "app_template_filter", True, 'name="shout"'),
        ("lib.main:closed", "lib.main:main", "app_errorhandler", True, "_hooks.Closed"),
        ("lib.main:inject", "lib.main:main", "app_context_processor", False, ""),
    ]


def test_the_planner_reads_the_same_hooks_from_the_tree():
    import ast

    assert hooks_in_tree(ast.parse(FILES["lib/main/errors.py"])) == ["not_found", "shout", "broken"]
    assert hooks_in_tree(ast.parse(FILES["lib/main/__init__.py"])) == ["inject", "closed"]


class Closed(Exception):
    pass


def _service_app() -> flask.Flask:
    """What a service's framework.py builds when the `main` blueprint is another service's: the hooks, not the routes."""
    main = flask.Blueprint("main", __name__)
    main.add_url_rule("/", "index", lambda: "home")
    stamped = []
    app = flask.Flask(__name__)
    app.add_url_rule("/mine", "mine", lambda: flask.render_template_string("{{ SITE|shout }} {{ g.stamp }}"))
    app.add_url_rule("/shut", "shut", lambda: (_ for _ in ()).throw(Closed("shut")))
    app_wide(app, "app_context_processor", False, lambda: {"SITE": "lib"})
    app_wide(app, "app_template_filter", True, lambda text: text.upper() + "!", name="shout")
    app_wide(app, "before_app_request", False, lambda: setattr(flask.g, "stamp", "s1") or stamped.append(1))
    app_wide(app, "app_errorhandler", True, lambda error: ("none", 404), 404)
    app_wide(app, "app_errorhandler", True, lambda error: (f"closed: {error}", 503), Closed)
    return app


def test_app_wide_hooks_act_on_the_services_own_routes_and_no_foreign_route_is_served():
    client = _service_app().test_client()
    assert client.get("/mine").get_data(as_text=True) == "LIB! s1"
    assert (client.get("/shut").status_code, client.get("/shut").get_data(as_text=True)) == (503, "closed: shut")
    missing = client.get("/")
    assert (missing.status_code, missing.get_data(as_text=True)) == (404, "none")


LAYER_CONTAINER = {
    "pkg/__init__.py": """from flask import Flask


def create_app():
    app = Flask(__name__)
    from .api import api
    app.register_blueprint(api, url_prefix="/api/v1")
    return app
""",
    "pkg/api/__init__.py": """from flask import Blueprint

api = Blueprint("api", __name__)

from . import posts  # noqa: E402,F401
""",
    "pkg/api/posts.py": """from . import api


@api.route("/posts/")
def list_posts():
    return "posts"
""",
}


def test_a_container_the_layer_registers_is_not_registered_again_and_its_routes_are_declared_first(tmp_path):
    # flasky's plan left app.api (the api blueprint) in [shared]: the layer's create_app registers it at
    # /api/v1, the layer's copy of the package no longer imports the service's route modules
    from decompose.generation.layout import build_layout

    analysis = analyse(tmp_path, LAYER_CONTAINER)
    sources = Sources.of(analysis, tmp_path)
    homes = {e: "shared" for e in ("pkg", "pkg:create_app", "pkg.api", "pkg.api:api")}
    homes |= {"pkg.api.posts": "posts", "pkg.api.posts:list_posts": "posts"}
    layout = build_layout(analysis, homes, sources, containers_of(sources, analysis.routes), "pkg")
    (service,) = layout.services
    assert service.registrations == [] and service.route_modules == ["pkg.api.posts"]
    assert "pkg.api" not in service.views  # no copy shadowing the layer's package

