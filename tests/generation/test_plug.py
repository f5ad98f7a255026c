"""decompose_runtime.plug: a service mounts its own containers on the layer's object when the layer builds it."""

from __future__ import annotations

import importlib

import pytest

from decompose.generation.runtime import plug


def test_a_mount_waits_for_the_layer_then_runs_once() -> None:
    importlib.reload(plug)
    seen: list[object] = []
    plug.on("shop.api:shop_api", seen.append)
    assert seen == []  # the factory has not imported the Api yet
    api = object()
    plug.built("shop.api:shop_api", api)
    plug.built("shop.api:shop_api", api)  # a second announcement finds nothing waiting
    assert seen == [api]


def test_a_mount_after_the_object_is_built_runs_at_once_and_other_holders_are_apart() -> None:
    importlib.reload(plug)
    api, other = object(), object()
    plug.built("shop.api:shop_api", api)
    seen: list[object] = []
    plug.on("shop.api:shop_api", seen.append)
    plug.on("shop.admin:admin_api", seen.append)
    plug.built("shop.admin:admin_api", other)
    assert seen == [api, other]


def _mount_recorder(seen: list[object]):
    def mount(obj: object) -> None:
        seen.append(obj)

    return mount


def test_a_service_built_again_does_not_mount_twice_but_a_new_object_gets_every_mount() -> None:
    importlib.reload(plug)
    seen: list[object] = []
    mount = _mount_recorder(seen)
    api = object()
    plug.on("shop.api:shop_api", mount)
    plug.built("shop.api:shop_api", api)
    plug.on("shop.api:shop_api", mount)  # the app built again (a reset): the Api has its namespaces already
    assert seen == [api]
    again = object()  # the layer's module imported anew: a new Api needs them all
    plug.built("shop.api:shop_api", again)
    assert seen == [api, again]


def test_a_namespace_mounted_nowhere_gets_the_names_its_mount_would_give() -> None:
    """CTFd's `clear_standings` builds a cache key from `ScoreboardList.endpoint`, which flask-restx sets when
    `api.add_namespace` registers the class. A service that copies the class (its routes are another
    service's) mounts it nowhere: it names the classes as the monolith's Api does, and serves no route of them."""
    flask, restx = pytest.importorskip("flask"), pytest.importorskip("flask_restx")
    api = restx.Api(flask.Blueprint("api", __name__, url_prefix="/api/v1"))
    board = restx.Namespace("scoreboard")

    @board.route("")
    class ScoreboardList(restx.Resource):
        def get(self):
            return {}

    @board.route("/top/<int:count>", endpoint="top")
    class ScoreboardTop(restx.Resource):
        def get(self, count):
            return {}

    plug.name_resources(api, board)
    assert (ScoreboardList.endpoint, ScoreboardTop.endpoint) == ("scoreboard_scoreboard_list", "top")
    app = flask.Flask(__name__)
    app.register_blueprint(api.blueprint)
    assert not [r.rule for r in app.url_map.iter_rules() if "scoreboard" in r.rule or "top" in r.rule]
    monolith = restx.Api(flask.Blueprint("api", __name__, url_prefix="/api/v1"))  # as the monolith mounts it
    board_again = restx.Namespace("scoreboard")
    again = type("ScoreboardList", (restx.Resource,), {"get": lambda self: {}})
    board_again.add_resource(again, "")
    monolith.add_namespace(board_again, "/scoreboard")
    flask.Flask(__name__).register_blueprint(monolith.blueprint)
    assert again.endpoint == ScoreboardList.endpoint
