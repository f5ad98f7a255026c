"""Monolith routes -> Chalice routes: methods merged per template, sibling variables unified, names
unique and stable, example paths for generated tests."""

import pytest

from decompose.analysis.model import Route
from decompose.generation.routes import ChaliceRoute, chalice_routes, example_path


def route(template: str, *methods: str, handler: str = "pkg.views:view", path: str | None = None) -> Route:
    return Route(framework="flask", methods=tuple(methods) or ("GET",), path=path or template, template=template,
                 handler=handler, handler_name=handler.rsplit(":", 1)[1], module=handler.split(":")[0], line=1)


def test_methods_and_handlers_are_merged_per_template():
    found = chalice_routes([
        route("/items", "GET", handler="pkg.views:list_items"),
        route("/items", "POST", "GET", handler="pkg.views:create_item"),
    ])
    assert found == [ChaliceRoute(
        path="/items", methods=("GET", "POST"), function="route_items",
        doc="GET, POST /items: pkg.views:create_item, pkg.views:list_items", example="/items")]


def test_sibling_variable_names_are_unified():
    found = chalice_routes([
        route("/items/{id}", "GET", handler="pkg.views:get_item"),
        route("/items/{item_id}/photos", "GET", handler="pkg.views:photos"),
    ])
    assert [(r.path, r.function, r.example) for r in found] == [
        ("/items/{id}", "route_items_id", "/items/1"),
        ("/items/{id}/photos", "route_items_id_photos", "/items/1/photos"),
    ]


def test_same_place_different_variable_names_merge_into_one_route():
    found = chalice_routes([
        route("/items/{item_id}", "DELETE", handler="pkg.views:delete"),
        route("/items/{id}", "GET", handler="pkg.views:get"),
    ])
    assert [(r.path, r.methods) for r in found] == [("/items/{id}", ("DELETE", "GET"))]


def test_variables_under_different_parents_keep_their_names():
    found = chalice_routes([route("/users/{user_id}"), route("/orders/{order_id}/lines/{line}")])
    assert [r.path for r in found] == ["/orders/{order_id}/lines/{line}", "/users/{user_id}"]


def test_a_greedy_last_part_stays_greedy_and_one_elsewhere_is_one_segment():
    """Django's `<path:x>` (`/{x+}`): API Gateway takes a greedy part only as the last one; a route with more after
    it keeps one segment there (its deeper paths reach no route of the service)."""
    found = chalice_routes([route("/files/{path+}"), route("/docs/{page+}/edit"), route("/{rest+}/")])
    assert [(r.path, r.example) for r in found] == [("/docs/{page}/edit", "/docs/1/edit"), ("/files/{path+}", "/files/1"),
                                                    ("/{rest+}", "/1/")]


def test_a_variable_sharing_its_segment_becomes_the_whole_segment():
    """healthchecks' badges (`b/<states>/<badge_key>.<fmt>`): API Gateway takes a variable only as a whole
    segment, and Chalice answered the route with a KeyError on `badge_key`."""
    found = chalice_routes([route("/b/{states}/{badge_key}.{fmt}"), route("/badge/{key}/{signature}/{tag}.{fmt}"),
                            route("/feeds/{slug}.json")])
    assert [(r.path, r.example) for r in found] == [("/b/{states}/{badge_key}", "/b/1/1"),
                                                    ("/badge/{key}/{signature}/{tag}", "/badge/1/1/1"),
                                                    ("/feeds/{slug}", "/feeds/1")]


def test_root_path():
    found = chalice_routes([route("/", "GET", handler="pkg.views:index")])
    assert found == [ChaliceRoute("/", ("GET",), "route_root", "GET /: pkg.views:index", "/")]


def test_a_path_with_a_trailing_slash_is_asked_for_as_it_is_not_as_its_redirect():
    found = chalice_routes([route("/members", path="/members/", handler="pkg.views:roster"),
                            route("/members/{name}", path="/members/<name>", handler="pkg.views:member")])
    assert [(r.path, r.example) for r in found] == [("/members", "/members/"), ("/members/{name}", "/members/1")]


def test_function_names_are_unique():
    found = chalice_routes([route("/a-b"), route("/a_b"), route("/a/b")])
    assert [(r.path, r.function) for r in found] == [
        ("/a-b", "route_a_b"), ("/a/b", "route_a_b_2"), ("/a_b", "route_a_b_3")]


def test_output_is_stable_whatever_the_input_order():
    routes = [route("/b/{x}", "PUT"), route("/a"), route("/b/{y}/c"), route("/", "POST"), route("/a", "DELETE")]
    first = chalice_routes(routes)
    assert chalice_routes(list(reversed(routes))) == first
    assert [r.path for r in first] == ["/", "/a", "/b/{x}", "/b/{x}/c"]


def test_no_routes():
    assert chalice_routes([]) == []


@pytest.mark.parametrize("path, expected", [
    ("/", "/"),
    ("/items", "/items"),
    ("/items/{id}", "/items/1"),
    ("/a/{x}/b/{y}", "/a/1/b/1"),
])
def test_example_path(path, expected):
    assert example_path(path) == expected


def test_a_view_that_answers_any_method_gets_every_concrete_method():
    [found] = chalice_routes([route("/healthz/", "ANY", handler="site.urls:healthz")])
    assert found.methods == ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")  # Chalice has no "ANY"


def test_a_django_service_takes_every_method_and_lets_django_refuse_what_the_view_does():
    found = chalice_routes([route("/orders/checkout/", "POST"), route("/orders/{order_id}/", "GET")], every_method=True)
    assert [r.methods for r in found] == [("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")] * 2
    assert found[0].doc == "POST /orders/checkout: pkg.views:view"  # the route's own methods, still said


def test_a_variable_beside_a_greedy_route_of_the_same_service_is_that_greedy_route():
    """API Gateway allows one variable child per resource: `/files/{id}` and `/files/{id}/raw` beside `/files/{path+}`
    would be refused by `chalice deploy`; the greedy route takes their paths and methods (the framework, which
    gets the real path, routes them as the monolith does)."""
    found = chalice_routes([route("/files/{id}", "DELETE", handler="pkg.files:drop"), route("/files/{path+}"),
                            route("/files/{id}/raw", handler="pkg.files:raw"), route("/other/{x}")])
    assert [(r.path, r.methods, r.doc) for r in found] == [
        ("/files/{id+}", ("DELETE", "GET"), "DELETE, GET /files/{id+}: pkg.files:drop, pkg.files:raw, pkg.views:view"),
        ("/other/{x}", ("GET",), "GET /other/{x}: pkg.views:view")]
