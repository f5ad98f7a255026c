"""A Django app with routes is a route family (planning/families.py): the views one app's URLconf mounts
stay in one service, a view the root URLconf mounts goes with its app, and the service is named by the
app's label, never by the `views` module. Hand-built graphs, as in test_naming."""

from decompose.analysis.model import Route
from decompose.planning.constraints import Constraints, resolve
from decompose.planning.elements import Element, ElementGraph
from decompose.planning.families import django_app
from decompose.planning.naming import candidates
from decompose.planning.planner import route_families

# handler -> the URLconf that mounts it
MOUNTED = {
    "applications.views:application_list": "applications.urls",
    "applications.views:rsvp": "applications.urls",
    "applications.views:communication": "applications.urls",
    "core.views:index": "core.urls",
    "core.views:events": "core.urls",
    "core.views:coc_legacy": "site.urls",  # the project's root URLconf mounts a view of core
    "shop.views.cart:add": "shop.urls",
    "shop.views.items:listing": "shop.urls",
    "api.plus:notifications": "api.plus",  # a django-ninja router in the view's own module: not a URLconf family
    "api.plus:bookmarks": "api.plus",
}


def _graph() -> ElementGraph:
    graph = ElementGraph()
    for handler, urlconf in MOUNTED.items():
        module, _, name = handler.partition(":")
        graph.elements[handler] = Element(handler, "function", module, 1, 5)
        path = f"/{name}/"
        graph.routes[handler] = [Route("django", ("ANY",), path, path, handler, name, urlconf, 3)]
    return graph


def test_the_views_of_one_django_app_are_one_family_wherever_a_urlconf_mounts_them():
    graph = _graph()
    families = sorted(sorted(f) for f in route_families(graph, resolve(graph, Constraints())))
    assert families == [
        ["applications.views:application_list", "applications.views:communication", "applications.views:rsvp"],
        ["core.views:coc_legacy", "core.views:events", "core.views:index"],
        ["shop.views.cart:add", "shop.views.items:listing"],
    ]


def test_a_pinned_view_leaves_its_family():
    graph = _graph()
    resolved = resolve(graph, Constraints(pins={"core.views:coc_legacy": "pages"}))
    assert ["core.views:events", "core.views:index"] in [sorted(f) for f in route_families(graph, resolved)]


def test_the_app_of_a_view_module_is_above_its_views_package():
    assert django_app("shop.views.cart") == "shop"
    assert django_app("styleguide_example.users.apis") == "styleguide_example.users"
    assert django_app("views") == "views"


def test_a_service_holding_an_apps_views_is_named_by_the_app_label_not_the_views_module():
    graph = _graph()
    community = {h for h in MOUNTED if h.startswith("applications.")}
    assert candidates(graph, community)[0] == "applications"
    shop = {h for h in MOUNTED if h.startswith("shop.")}
    assert candidates(graph, shop)[0] == "shop"
    core = {h for h in MOUNTED if h.startswith("core.")}
    assert candidates(graph, core)[:4] == ["coc-legacy", "events", "index", "core"]  # `core` names a layer:
    # the routes and tables come first, the label next, and the `views` module last
