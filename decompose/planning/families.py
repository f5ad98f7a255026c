"""Django route families: the views of one Django app, which the planner keeps in one service (as a
blueprint or a router) and the naming names by the app's label.

    urlconf_families(graph, handler) -> ["django-app:<app>"] for a view a URLconf mounts
    django_app(module)               -> the app a view module belongs to
"""

from __future__ import annotations

from decompose.planning.elements import ElementGraph

VIEW_PACKAGES = ("views", "apis", "viewsets")  # packages that hold an app's views: the app is above


def urlconf_families(graph: ElementGraph, handler: str) -> list[str]:
    """Django: the app whose views a URLconf mounts is a route family (`django-app:applications`). An
    app's URLconf (`applications/urls.py`) is the grouping of routes its team chose, as a blueprint is;
    a view the project's root URLconf mounts belongs with the rest of its app. Routes a module declares
    on a router of its own (django-ninja) are families by their router (`route_containers`)."""
    module = graph.module_of(handler)
    if any(r.framework == "django" and r.module != module for r in graph.routes.get(handler, ())):
        return [f"django-app:{django_app(module)}"]
    return []


def django_app(module: str) -> str:
    """The app a view module belongs to: its package, above a views package (`shop.views.cart` -> `shop`)."""
    parts = module.split(".")[:-1]
    while len(parts) > 1 and parts[-1] in VIEW_PACKAGES:
        parts.pop()
    return ".".join(parts) or module
