"""Path templates matched as API Gateway matches resources: literal segments beat variables."""

import pytest

from decompose.gateway.matching import RouteTable, Rule

TABLE = RouteTable([
    Rule.of("/api/orders/{order_id}", ("GET",), "orders"),
    Rule.of("/api/orders/checkout", ("POST",), "checkout"),
    Rule.of("/api/orders/{order_id}/cancel", ("POST",), "orders"),
    Rule.of("/api/files/{path+}", ("GET",), "files"),
    Rule.of("/api/files/readme", ("GET",), "docs"),
    Rule.of("/", ("GET",), "site"),
])


@pytest.mark.parametrize(("method", "path", "target"), [
    ("GET", "/api/orders/7", "orders"),
    ("POST", "/api/orders/checkout", "checkout"),
    ("POST", "/api/orders/7/cancel", "orders"),
    ("GET", "/api/orders/7?expand=items", "orders"),
    ("GET", "/api/files/a/b/c.txt", "files"),
    ("GET", "/api/files/readme", "docs"),
    ("GET", "/", "site"),
    ("get", "/api/orders/%37", "orders"),
])
def test_the_most_specific_template_that_allows_the_method_wins(method, path, target):
    rule = TABLE.match(method, path)
    assert rule is not None and rule.target == target


@pytest.mark.parametrize(("method", "path"), [
    ("DELETE", "/api/orders/7"),  # method not routed
    ("GET", "/api/orders"),  # a variable segment cannot be empty
    ("GET", "/api/orders/7/cancel/now"),
    ("GET", "/api/files"),
])
def test_no_rule_no_match(method, path):
    assert TABLE.match(method, path) is None


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH", "PUT"])
def test_a_route_of_any_method_matches_each_method(method):
    table = RouteTable([Rule.of("/healthz/", ("ANY",), "health"), Rule.of("/", ("GET",), "site")])
    assert table.match(method, "/healthz/").target == "health"


def test_a_variable_beside_text_in_its_segment_matches_that_segment_only():
    """healthchecks' badges (`/b/{states}/{badge_key}.{fmt}`): the segment was taken as literal text and
    every badge went to the monolith."""
    table = RouteTable([Rule.of("/b/{states}/{badge_key}.{fmt}", ("GET",), "badge"),
                        Rule.of("/b/{states}/{badge_key}", ("GET",), "other")])
    assert table.match("GET", "/b/2/abc-1.svg").target == "badge"
    assert table.match("GET", "/b/2/abc-1").target == "other"  # no dot: not the badge's segment
    assert table.match("GET", "/b/2/abc/1.svg") is None  # one segment, never two


def test_a_mounted_tree_stays_on_the_monolith_beside_a_moved_variable():
    """Django's admin (a mount, no route) must not reach a moved `/{city}/` or `/{language}/{slug}/`."""
    from decompose.analysis.model import Mount
    from decompose.gateway.matching import mounted_trees

    mounts = [Mount("django", "/admin/", "django.contrib.admin.site.urls", "conf.urls", 3),
              Mount("django", "/{language}/accounts/", "allauth.urls", "conf.urls", 4),
              Mount("django", "/", "wagtail.urls", "conf.urls", 5)]
    trees = mounted_trees(mounts, {"/{city}/", "/{language}/{slug}/", "/{language}/accounts/"})
    assert trees == ["/admin/", "/admin/{path+}", "/{language}/accounts/{path+}"]  # "/" is every path; a route's own wins
    table = RouteTable([Rule.of("/{city}/", ("GET",), "events"), Rule.of("/{language}/{slug}/", ("GET",), "pages"),
                        *(Rule.of(template, ("ANY",), "monolith") for template in trees)])
    assert [table.match("GET", path).target for path in ("/berlin/", "/en/about/")] == ["events", "pages"]
    for path in ("/admin/", "/admin/login/", "/admin/auth/user/3/change/", "/en/accounts/login/"):
        assert table.match("POST" if "login" in path else "GET", path).target == "monolith", path


def test_a_greedy_part_is_the_rest_of_the_path_only_as_the_last_part():
    """`/docs/{page+}/edit` (a Flask `<path:page>` before more parts): API Gateway has no greedy part there, so the
    services' Chalice route takes one segment, and a deeper path stays with the monolith here too."""
    table = RouteTable([Rule.of("/docs/{page+}/edit", ("GET",), "docs"), Rule.of("/{route+}", ("GET",), "pages")])
    assert table.match("GET", "/docs/intro/edit").target == "docs"
    assert table.match("GET", "/docs/guides/intro/edit").target == "pages"  # the root's greedy route, not docs
    assert table.match("GET", "/about/team").target == "pages"
    assert RouteTable([Rule.of("/docs/{page+}/edit", ("GET",), "docs")]).match("GET", "/docs/a/b/edit") is None
