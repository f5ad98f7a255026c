"""Flask: `Flask()` apps and `Blueprint()`s, `@x.route/get/post/...`, `add_url_rule`, and
`register_blueprint(bp, url_prefix=...)` (which replaces the blueprint's own prefix), nested too."""

from decompose.frameworks.paths import join_flask
from decompose.frameworks.routers import DecoratorRoutes, Dialect, MountSpec

FLASK = Dialect(
    framework="flask",
    app_callees=("flask.Flask", "apiflask.APIFlask", "quart.Quart"),
    router_callees=("flask.Blueprint", "flask.blueprints.Blueprint", "apiflask.APIBlueprint",
                    "flask_smorest.Blueprint", "quart.Blueprint"),
    router_prefix_kw="url_prefix",
    mounts=(MountSpec("register_blueprint", ("blueprint", 0), ("url_prefix", None), overrides=True),),
    decorator_methods={"route": None, "get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE"},
    add_method="add_url_rule",
    add_view=("view_func", 2),
    join=join_flask,
)


def detector() -> DecoratorRoutes:
    return DecoratorRoutes(FLASK)
