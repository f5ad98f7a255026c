"""Mounting a service's own containers on an object of the shared layer, when the layer builds it.

The monolith mounts every flask-restx namespace on its Api at import time (`api.add_namespace(ns,
"/pages")` in `CTFd/api/__init__.py`), and the factory then registers the Api's blueprint on the app.
In the layer those statements name other services' code, so generation replaces them with
`built("CTFd.api:CTFd_API_v1", CTFd_API_v1)`; the service's framework module said beforehand, with `on`,
what to mount there (its own namespaces, fixed at generation time). Nothing here imports a name.
"""
from __future__ import annotations

import threading
from typing import Any, Callable

_lock = threading.Lock()
_mounts: dict[str, dict[str, Callable[[Any], None]]] = {}  # holder -> mount's name -> mount
_built: dict[str, Any] = {}


def on(holder: str, mount: Callable[[Any], None]) -> None:
    """Run `mount(obj)` once the layer object `holder` (module:name) is built; now, if it already is.
    Each mount runs once per object: a service's app built again (a contract reset) finds its
    namespaces already on the Api, whose blueprint brings them to the new app."""
    name = f"{mount.__module__}.{mount.__qualname__}"
    with _lock:
        if name in _mounts.setdefault(holder, {}):
            return
        _mounts[holder][name] = mount
        obj = _built.get(holder)
    if obj is not None:
        mount(obj)


def built(holder: str, obj: Any) -> None:
    """Called by the layer where the monolith mounted its containers on `obj`: every mount said so far
    runs on it (once: the same object announced again runs none)."""
    with _lock:
        if _built.get(holder) is obj:
            return
        _built[holder] = obj
        mounts = list(_mounts.get(holder, {}).values())
    for mount in mounts:
        mount(obj)


def name_resources(api: Any, namespace: Any) -> None:
    """The names `api.add_namespace(namespace)` gives the namespace's resource classes, without mounting it
    (its routes are another service's; its classes are here because code here names them). flask-restx and
    flask-restplus set `Resource.endpoint` when they register a resource, from the route's `endpoint=` or the
    Api's own `default_endpoint`, which decides here as it did in the monolith."""
    for route in getattr(namespace, "resources", ()):
        resource, options = route[0], route[-1]  # restx: (resource, urls, route_doc, kwargs); restplus: no route_doc
        given = options.get("endpoint") if isinstance(options, dict) else None
        resource.endpoint = str(given or api.default_endpoint(resource, namespace))
