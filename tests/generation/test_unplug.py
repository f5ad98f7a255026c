"""unplug: a layer's composition root loses the registrations of containers other services own."""

from __future__ import annotations

from decompose.generation.model import LAYER, Mount
from decompose.generation.source import parse
from decompose.generation.unplug import unplug

FACTORY = '''\
from flask import Flask

from shop import admin, views


def register_blueprints(app):
    app.register_blueprint(views.public.blueprint)
    app.register_blueprint(admin.views.blueprint, url_prefix="/admin")
'''


def _unplugged(homes: dict[str, str]) -> tuple[str, list[str], dict[str, str]]:
    containers = {"shop.views.public:index": "shop.views.public:blueprint",
                  "shop.admin.views:orders": "shop.admin.views:blueprint"}
    tree, removed, keywords, _ = unplug(parse("shop.app", FACTORY, False, "shop/app.py"), containers, homes, None)
    return tree.code, removed, keywords


def test_attribute_chains_through_imported_packages_are_unplugged() -> None:
    text, removed, keywords = _unplugged({"shop.views.public:blueprint": "products", "shop.admin.views:blueprint": "admin"})
    assert removed == ["shop.admin.views:blueprint", "shop.views.public:blueprint"]
    assert "app.register_blueprint(" not in text
    assert keywords == {"shop.admin.views:blueprint": 'url_prefix="/admin"'}


def test_containers_of_the_layer_stay_registered() -> None:
    text, removed, _ = _unplugged({"shop.views.public:blueprint": LAYER, "shop.admin.views:blueprint": "admin"})
    assert removed == ["shop.admin.views:blueprint"]
    assert "views.public.blueprint" in text and "admin.views.blueprint" not in text
    assert "from shop import views\n" in text  # admin was used only by its registration


ERRORS = '''\
from flask import jsonify

from shop.api import api


@api.errorhandler(ValueError)
def validation_error(error):
    return jsonify({"error": str(error)}), 400
'''


def test_a_decorator_naming_a_service_container_is_taken_off_the_layer_copy_not_the_function() -> None:
    containers = {"shop.api.posts:list_posts": "shop.api:api"}
    tree, removed, _, _ = unplug(parse("shop.api.errors", ERRORS, False, "shop/api/errors.py"), containers,
                              {"shop.api:api": "posts"}, None)
    assert removed == ["shop.api:api"]
    assert "@api.errorhandler" not in tree.code and "def validation_error(error):" in tree.code


ROOT = '''\
from fastapi import APIRouter, FastAPI

from .views.api import api_router
from .views.node_api import node_router, public_node_router
from .views.wallet_api import wallet_router

core_app = APIRouter()


def init_core_routers(app: FastAPI):
    app.include_router(core_app)
    app.include_router(node_router)
    app.include_router(public_node_router)
    app.include_router(api_router, prefix="/api")
    app.include_router(wallet_router)
'''


def _root_unplugged(homes: dict[str, str]) -> str:
    containers = {f"shop.core.views.{m}:{h}": f"shop.core.views.{m}:{r}" for m, h, r in (
        ("api", "health", "api_router"), ("node_api", "node", "node_router"),
        ("node_api", "public", "public_node_router"), ("wallet_api", "wallet", "wallet_router"))}
    tree, _, _, _ = unplug(parse("shop.core", ROOT, True, "shop/core/__init__.py"), containers, homes, None)
    return tree.code


def test_imports_of_unplugged_containers_leave_the_layer() -> None:
    text = _root_unplugged({"shop.core.views.api:api_router": "api", "shop.core.views.node_api:node_router": "node",
                            "shop.core.views.node_api:public_node_router": LAYER,
                            "shop.core.views.wallet_api:wallet_router": "wallet"})
    assert "from .views.api import" not in text and "api_router" not in text
    assert "from .views.node_api import public_node_router\n" in text
    assert "app.include_router(public_node_router)" in text and "app.include_router(core_app)" in text
    assert "wallet" not in text
    compile(text, "shop/core/__init__.py", "exec")


def test_the_whole_import_goes_when_every_name_is_unplugged() -> None:
    text = _root_unplugged({"shop.core.views.node_api:node_router": "node",
                            "shop.core.views.node_api:public_node_router": "node"})
    assert "node_api" not in text and "node_router" not in text
    assert "from .views.api import api_router\n" in text


API = '''\
from flask import Blueprint
from flask_restx import Api

from shop.api.v1.orders import orders_namespace
from shop.api.v1.carts import carts_namespace
from shop.api.v1.pages import pages_namespace

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
shop_api = Api(blueprint, version="v1")
shop_api.add_namespace(orders_namespace, "/orders")
shop_api.add_namespace(carts_namespace, path="/carts")
shop_api.add_namespace(pages_namespace, "/pages")
'''


def test_restx_namespaces_of_services_leave_the_api_which_tells_the_plug_it_is_built() -> None:
    containers = {"shop.api.v1.orders:OrderList": "shop.api.v1.orders:orders_namespace",
                  "shop.api.v1.carts:CartList": "shop.api.v1.carts:carts_namespace",
                  "shop.api.v1.pages:PageList": "shop.api.v1.pages:pages_namespace"}
    homes = {"shop.api.v1.orders:orders_namespace": "orders", "shop.api.v1.carts:carts_namespace": "carts",
             "shop.api.v1.pages:pages_namespace": LAYER}
    tree, removed, _, mounts = unplug(parse("shop.api", API, True, "shop/api/__init__.py"), containers, homes, None)
    text = tree.code
    assert removed == ["shop.api.v1.carts:carts_namespace", "shop.api.v1.orders:orders_namespace"]
    assert "orders_namespace" not in text and "carts_namespace" not in text
    assert 'shop_api.add_namespace(pages_namespace, "/pages")' in text  # the layer's own stays mounted
    assert text.count("decompose_runtime.plug.built('shop.api:shop_api', shop_api)") == 1
    assert text.index("plug.built") < text.index("add_namespace(pages_namespace")  # where the first one was
    assert mounts == {"shop.api.v1.orders:orders_namespace": Mount("shop.api:shop_api", "add_namespace", '"/orders"'),
                      "shop.api.v1.carts:carts_namespace": Mount("shop.api:shop_api", "add_namespace", 'path="/carts"')}
    compile(text, "shop/api/__init__.py", "exec")


RESOURCE = '''\
from flask_restx import Namespace, Resource

orders_namespace = Namespace("orders")


@orders_namespace.route("")
@orders_namespace.doc(description="every order")
class OrderList(Resource):
    def get(self):
        return []
'''


def test_a_restx_resource_class_hangs_on_the_namespace_its_route_decorator_names() -> None:
    from decompose.analysis.model import Route
    from decompose.generation.unplug import containers_of

    class Sources:  # the two things containers_of reads
        modules = {"shop.api.v1.orders": None}
        symbols = {"shop.api.v1.orders:orders_namespace": None, "shop.api.v1.orders:OrderList": None}

        @staticmethod
        def parsed(module: str):
            return parse(module, RESOURCE, False, "shop/api/v1/orders.py")

    route = Route("flask", ("GET",), "/api/v1/orders", "/api/v1/orders", "shop.api.v1.orders:OrderList", "OrderList",
                  "shop.api.v1.orders", 6)
    assert containers_of(Sources(), [route]) == {"shop.api.v1.orders:OrderList": "shop.api.v1.orders:orders_namespace"}


CONTEXT_FACTORY = '''\
from flask import Flask

from shop.models import db


def create_app():
    app = Flask(__name__)
    db.init_app(app)
    with app.app_context():
        from shop.orders import orders
        from shop.pages import pages

        app.register_blueprint(orders, url_prefix="/orders")
        app.register_blueprint(pages)
        db.create_all()
    return app
'''


def test_a_blueprint_the_factory_registers_is_plugged_in_by_the_service_at_the_same_place() -> None:
    # CTFd imports and registers its blueprints inside the factory's app context, before create_all
    containers = {"shop.orders:index": "shop.orders:orders", "shop.pages:show": "shop.pages:pages"}
    homes = {"shop.orders:orders": "orders", "shop.pages:pages": LAYER}
    tree, removed, keywords, mounts = unplug(parse("shop", CONTEXT_FACTORY, True, "shop/__init__.py"), containers, homes, None)
    text = tree.code
    assert removed == ["shop.orders:orders"] and "from shop.orders import" not in text
    assert "decompose_runtime.plug.built('shop:create_app', app)" in text
    assert text.index("plug.built") < text.index("app.register_blueprint(pages)") < text.index("db.create_all()")
    assert mounts == {"shop.orders:orders": Mount("shop:create_app", "register_blueprint", 'url_prefix="/orders"')}
    assert keywords == {"shop.orders:orders": 'url_prefix="/orders"'}
    compile(text, "shop/__init__.py", "exec")


CONTROLLER = '''\
from fastapi import APIRouter

from kitchen.routes._base import BaseController, controller

router = APIRouter(prefix="/households/cookbooks")


@controller(router)
class CookbookController(BaseController):
    def _mine(self, item_id):
        return item_id

    @router.get("/{item_id}")
    def get_one(self, item_id: int):
        return self._mine(item_id)
'''


def test_a_class_based_controller_method_hangs_on_the_router_its_decorator_names() -> None:
    # mealie: the analysis names the class as the handler and the method as handler_name
    from decompose.analysis.model import Route
    from decompose.generation.unplug import containers_of

    class Sources:  # the two things containers_of reads
        modules = {"kitchen.routes.cookbooks": None}
        symbols = {"kitchen.routes.cookbooks:router": None, "kitchen.routes.cookbooks:CookbookController": None}

        @staticmethod
        def parsed(module: str):
            return parse(module, CONTROLLER, False, "kitchen/routes/cookbooks.py")

    route = Route("fastapi", ("GET",), "/api/households/cookbooks/{item_id}", "/api/households/cookbooks/{item_id}",
                  "kitchen.routes.cookbooks:CookbookController", "get_one", "kitchen.routes.cookbooks", 14)
    assert containers_of(Sources(), [route]) == {
        "kitchen.routes.cookbooks:CookbookController": "kitchen.routes.cookbooks:router"}


ROUTE_PACKAGE = '''\
from fastapi import APIRouter

from . import about, cookbooks, mealplan, mealplan_rules

router = APIRouter()

router.include_router(about.router)
router.include_router(mealplan_rules.router, tags=["Rules"])
router.include_router(cookbooks.router)
router.include_router(mealplan.router)
'''


def test_routers_a_layer_router_includes_are_mounted_back_on_it_in_the_monolith_order() -> None:
    # the parent keeps its prefix and dependencies (an admin router's), and the service its routes' order
    containers = {f"kitchen.routes.{m}:view": f"kitchen.routes.{m}:router"
                  for m in ("about", "cookbooks", "mealplan", "mealplan_rules")}
    homes = {"kitchen.routes.about:router": LAYER, "kitchen.routes.cookbooks:router": "cookbooks",
             "kitchen.routes.mealplan:router": "meals", "kitchen.routes.mealplan_rules:router": "meals"}
    tree, removed, _, mounts = unplug(parse("kitchen.routes", ROUTE_PACKAGE, True, "kitchen/routes/__init__.py"),
                                      containers, homes, None)
    text = tree.code
    assert removed == ["kitchen.routes.cookbooks:router", "kitchen.routes.mealplan:router",
                       "kitchen.routes.mealplan_rules:router"]
    assert "router.include_router(about.router)" in text and "mealplan" not in text and "cookbooks" not in text
    assert text.count("decompose_runtime.plug.built('kitchen.routes:router', router)") == 1
    holder = "kitchen.routes:router"
    assert mounts == {"kitchen.routes.mealplan_rules:router": Mount(holder, "include_router", 'tags=["Rules"]'),
                      "kitchen.routes.cookbooks:router": Mount(holder, "include_router"),
                      "kitchen.routes.mealplan:router": Mount(holder, "include_router")}
    ranks = {c: m.order for c, m in mounts.items()}
    assert ranks["kitchen.routes.mealplan_rules:router"] < ranks["kitchen.routes.mealplan:router"]
    compile(text, "kitchen/routes/__init__.py", "exec")


SETTINGS_PREFIX = '''\
from fastapi import APIRouter

from app.core.config import settings
from app.routes import items

api_router = APIRouter()
api_router.include_router(items.router, prefix=settings.ITEMS_PREFIX)
'''


def test_a_router_included_with_a_name_of_the_layer_is_unplugged_not_mounted() -> None:
    # the service could not repeat `settings.ITEMS_PREFIX` in its own module: it includes the router on the
    # app under the prefix of the monolith's paths instead (decompose_runtime.asgi.include)
    containers = {"app.routes.items:read_items": "app.routes.items:router"}
    tree, removed, keywords, mounts = unplug(parse("app.api", SETTINGS_PREFIX, False, "app/api.py"), containers,
                                             {"app.routes.items:router": "items"}, None)
    assert removed == ["app.routes.items:router"] and mounts == {}
    assert "include_router" not in tree.code and "plug.built" not in tree.code
    assert keywords == {"app.routes.items:router": "prefix=settings.ITEMS_PREFIX"}


def test_the_service_mounts_its_routers_in_the_monolith_order_not_by_name() -> None:
    from decompose.generation.model import Registration
    from decompose.generation.render import _mounts, _registration

    holder = "kitchen.routes:router"
    registrations = [_registration(Registration(f"kitchen.routes.{m}:router", mount=Mount(holder, "include_router", "", rank)),
                                   "fastapi") for m, rank in (("mealplan", 9), ("mealplan_rules", 3))]
    [group] = _mounts(registrations)
    assert [r["module"] for r in group["mounted"]] == ["kitchen.routes.mealplan_rules", "kitchen.routes.mealplan"]
