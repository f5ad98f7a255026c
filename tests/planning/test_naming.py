"""Service names on hand-built graphs: verbs scattered over URL segments give way to the package."""

from decompose.analysis.model import Route
from decompose.planning.naming import candidates
from tests.planning.test_ownership import graph_of


def _graph(paths: dict[str, str]):
    handlers = [f"shop.accounts.routes:{name}" for name in paths]
    graph = graph_of({"shop.accounts.routes": list(paths)}, [], handlers)
    graph.routes = {h: [Route("flask", ("POST",), path, path, h, h, "shop.accounts.routes", 1)]
                    for h, path in zip(handlers, paths.values(), strict=True)}
    return graph, set(handlers)


def test_routes_scattered_over_verbs_are_named_after_their_package():
    graph, community = _graph({"login": "/api/login", "register": "/api/register", "logout": "/api/logout",
                               "me": "/api/me"})
    assert candidates(graph, community)[0] == "accounts"


def test_a_route_family_holding_half_the_routes_names_the_service():
    graph, community = _graph({"login": "/api/orders", "register": "/api/orders/{id}", "logout": "/api/logout",
                               "me": "/api/receipts"})
    assert candidates(graph, community)[0] == "orders"


def test_a_service_is_named_as_its_team_named_the_blueprint_or_router_holding_most_of_its_routes():
    from decompose.analysis.model import Location, Route
    from decompose.planning.elements import Dep, Element, ElementGraph
    from decompose.planning.naming import candidates

    def graph_with(container: str) -> ElementGraph:
        graph = ElementGraph()
        for element, kind in ((f"app.views:{container}", "assignment"), ("app.views:index", "function"),
                              ("app.fake:users", "function")):
            graph.elements[element] = Element(element, kind, element.split(":")[0], 1, 50)
        graph.routes["app.views:index"] = [Route("flask", ("GET",), "/", "/", "app.views:index", "index", "app.views", 4)]
        graph.deps = [Dep("app.views:index", f"app.views:{container}", "reference", 1, (Location("app/views.py", 4),))]
        return graph

    def first(container: str) -> str:
        return candidates(graph_with(container), {"app.views:index", f"app.views:{container}", "app.fake:users"})[0]

    assert first("main") == "main"  # flasky's main blueprint, not `fake`
    assert first("admin_router") == "admin"
    assert first("bp") != "bp"


def test_a_worker_holding_tables_is_named_after_their_django_app_label_even_with_an_underscore():
    """Django names a table `app_label + "_" + model`: `blog_examples_timestampswithauto` is the
    `blog_examples` app's, not a `blog` label nor the whole table."""
    from decompose.planning.elements import Element

    graph = graph_of({"site.blog_examples.models": ["TimestampsWithAuto", "TimestampsWithDefault"]}, [], [])
    community = set(graph.members["site.blog_examples.models"])
    for model in ("TimestampsWithAuto", "TimestampsWithDefault"):
        table = f"table:blog_examples_{model.lower()}"
        graph.elements[table] = Element(table, "table", "site.blog_examples.models", 1, 1)
        graph.table_model[table] = f"site.blog_examples.models:{model}"
        community.add(table)
    assert candidates(graph, community)[0] == "blog-examples"
