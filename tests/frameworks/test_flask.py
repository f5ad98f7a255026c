from tests.helpers import analyse


def routes(analysis):
    return {(r.methods, r.path, r.handler, r.mounted) for r in analysis.routes}


def test_blueprints_with_prefixes_registered_in_a_factory(tmp_path):
    a = analyse(tmp_path, {
        "shop/__init__.py": "",
        "shop/views/__init__.py": "",
        "shop/views/orders.py": """
            from flask import Blueprint
            bp = Blueprint("orders", __name__, url_prefix="/orders")

            @bp.route("/<int:order_id>", methods=["GET", "DELETE"])
            def order(order_id):
                return {}

            @bp.post("/")
            def create():
                return {}
        """,
        "shop/app.py": """
            from flask import Flask
            from shop.views.orders import bp as orders_bp

            def create_app():
                app = Flask(__name__)
                app.register_blueprint(orders_bp, url_prefix="/api/orders")

                @app.get("/health")
                def health():
                    return "ok"
                return app
        """,
    })
    assert routes(a) == {
        (("DELETE", "GET"), "/api/orders/<int:order_id>", "shop.views.orders:order", True),
        (("POST",), "/api/orders/", "shop.views.orders:create", True),
        (("GET",), "/health", "shop.app:create_app", True),
    }
    health = next(r for r in a.routes if r.path == "/health")
    assert health.handler_name == "health"
    assert {r.template for r in a.routes} == {"/api/orders/{order_id}", "/api/orders/", "/health"}


def test_add_url_rule_with_a_method_view_and_nested_blueprints(tmp_path):
    a = analyse(tmp_path, {
        "app.py": """
            from flask import Blueprint, Flask
            from flask.views import MethodView

            class ItemAPI(MethodView):
                def get(self, item_id): ...
                def put(self, item_id): ...

            api = Blueprint("api", __name__, url_prefix="/api")
            v1 = Blueprint("v1", __name__, url_prefix="/v1")
            v1.add_url_rule("/items/<item_id>", view_func=ItemAPI.as_view("item"))
            api.register_blueprint(v1)
            app = Flask(__name__)
            app.register_blueprint(api)
        """,
    })
    assert routes(a) == {(("GET", "PUT"), "/api/v1/items/<item_id>", "app:ItemAPI", True)}


def test_blueprints_registered_in_a_loop_over_a_tuple(tmp_path):
    a = analyse(tmp_path, {
        "shop/__init__.py": "",
        "shop/a.py": 'from flask import Blueprint\nbp = Blueprint("a", __name__, url_prefix="/a")\n@bp.get("/x")\ndef x(): ...\n',
        "shop/setup.py": "from shop import a\nBLUEPRINTS = (a.bp,)\ndef register(app):\n    for blueprint in BLUEPRINTS:\n        app.register_blueprint(blueprint)\n",
    })
    assert routes(a) == {(("GET",), "/a/x", "shop.a:x", True)}


def test_unregistered_blueprint_is_reported_unmounted(tmp_path):
    a = analyse(tmp_path, {"v.py": 'import flask\nbp = flask.Blueprint("b", __name__)\n@bp.route("/lost")\ndef lost(): ...\n'})
    assert routes(a) == {(("GET",), "/lost", "v:lost", False)}


def test_not_a_router(tmp_path):
    """INVALID: `.route`/`.get` on something that is not a Flask app or blueprint."""
    a = analyse(tmp_path, {"v.py": 'cache = {}\n@cache.get("/x")\ndef f(): ...\nrequests.get("/y")\n'})
    assert a.routes == []


def test_routes_registered_through_a_helper_function(tmp_path):
    """flaskbb's pattern: register_view(bp, routes=[...], view_func=View.as_view(...))."""
    a = analyse(tmp_path, {
        "forum/__init__.py": "",
        "forum/helpers.py": """
            def register_view(bp_or_app, routes, view_func, *args, **kwargs):
                for route in routes:
                    bp_or_app.add_url_rule(route, view_func=view_func, *args, **kwargs)

            def not_a_wrapper(bp, view_func):
                bp.add_url_rule("/fixed", view_func=other)
        """,
        "forum/views.py": """
            from flask import Blueprint
            from flask.views import MethodView
            from forum.helpers import register_view, not_a_wrapper

            forum = Blueprint("forum", __name__, url_prefix="/forum")

            class ViewTopic(MethodView):
                def get(self, topic_id): ...
                def post(self, topic_id): ...

            register_view(forum, routes=["/topic/<int:topic_id>", "/t/<int:topic_id>"], view_func=ViewTopic.as_view("topic"))
            register_view(forum, ["/latest"], ViewTopic.as_view("latest"))
            not_a_wrapper(forum, view_func=ViewTopic.as_view("x"))
        """,
    })
    assert routes(a) == {
        (("GET", "POST"), "/forum/topic/<int:topic_id>", "forum.views:ViewTopic", False),
        (("GET", "POST"), "/forum/t/<int:topic_id>", "forum.views:ViewTopic", False),
        (("GET", "POST"), "/forum/latest", "forum.views:ViewTopic", False),
    }


def test_rules_a_helper_builds_from_its_caller_s_string_literal(tmp_path):
    """CTFd's plugin assets: `register_plugin_assets_directory(app, base_path="/plugins/flags/assets/")` strips
    the literal, builds `"/" + base_path + "/<path:path>"` and adds it with a nested view, from `load(app)`."""
    a = analyse(tmp_path, {
        "ctf/__init__.py": """
            from flask import Flask, send_from_directory

            def register_assets(app, base_path, admins_only=False, endpoint=None):
                base_path = base_path.strip("/")

                def assets_handler(path):
                    return send_from_directory(base_path, path)

                rule = "/" + base_path + "/<path:path>"
                app.add_url_rule(rule=rule, endpoint=endpoint, view_func=assets_handler)

            def create_app():
                app = Flask(__name__)
                return app
        """,
        "ctf/plugins/__init__.py": "",
        "ctf/plugins/flags.py": """
            from ctf import register_assets

            def load(app):
                register_assets(app, base_path="/plugins/flags/assets/")
                register_assets(app, "plugins/keys/")
                register_assets(app, base_path=computed())  # not a literal: no route
        """,
    })
    assert routes(a) == {
        (("GET",), "/plugins/flags/assets/<path:path>", "ctf:register_assets", True),
        (("GET",), "/plugins/keys/<path:path>", "ctf:register_assets", True),
    }


def test_prefixes_from_flask_config_objects(tmp_path):
    """flaskbb: app.config.from_object("pkg.configs.DefaultConfig"), then url_prefix=app.config["X"]."""
    a = analyse(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/configs.py": 'class DefaultConfig:\n    ADMIN_URL_PREFIX = "/admin"\n',
        "pkg/admin.py": """
            from flask import Blueprint
            admin = Blueprint("admin", __name__)
            @admin.get("/users")
            def users(): ...
            def register(app):
                app.register_blueprint(admin, url_prefix=app.config["ADMIN_URL_PREFIX"])
                app.register_blueprint(admin, url_prefix=app.config["MISSING_PREFIX"])
        """,
        "pkg/app.py": """
            from flask import Flask
            def create_app():
                app = Flask(__name__)
                app.config.from_object("pkg.configs.DefaultConfig")
                return app
        """,
    })
    assert {r.path for r in a.routes} == {"/admin/users", '${app.config["MISSING_PREFIX"]}/users'}


def test_a_path_converter_is_the_rest_of_the_path(tmp_path):
    """Flask's `<path:x>` matches across slashes (CTFd's `/files/<path:path>`, `/<path:route>` pages): the greedy
    `{x+}` as its last part; one segment where it shares its segment with text, as API Gateway has no such part."""
    a = analyse(tmp_path, {
        "site/__init__.py": """
            from flask import Blueprint, Flask

            views = Blueprint("views", __name__)

            @views.route("/files/<path:path>")
            def files(path): ...

            @views.route("/themes/<theme>/static/<path:path>")
            def themes(theme, path): ...

            @views.route("/<path:route>")
            def page(route): ...

            @views.route("/raw/<path:name>.txt")
            def raw(name): ...

            app = Flask(__name__)
            app.register_blueprint(views)
        """,
    })
    assert sorted(r.template for r in a.routes) == [
        "/files/{path+}", "/raw/{name}.txt", "/themes/{theme}/static/{path+}", "/{route+}"]
