"""unplug: a layer's composition root loses the registrations of containers other services own."""

from __future__ import annotations

from decompose.generation.model import LAYER
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
    tree, removed, keywords = unplug(parse("shop.app", FACTORY, False, "shop/app.py"), containers, homes, None)
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


ERRORS = '''\
from flask import jsonify

from shop.api import api


@api.errorhandler(ValueError)
def validation_error(error):
    return jsonify({"error": str(error)}), 400
'''


def test_a_decorator_naming_a_service_container_is_taken_off_the_layer_copy_not_the_function() -> None:
    containers = {"shop.api.posts:list_posts": "shop.api:api"}
    tree, removed, _ = unplug(parse("shop.api.errors", ERRORS, False, "shop/api/errors.py"), containers,
                              {"shop.api:api": "posts"}, None)
    assert removed == ["shop.api:api"]
    assert "@api.errorhandler" not in tree.code and "def validation_error(error):" in tree.code
