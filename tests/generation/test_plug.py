"""decompose_runtime.plug: a service mounts its own containers on the layer's object when the layer builds it."""

from __future__ import annotations

import importlib

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
