"""django-ninja's TestClient(router) recorded under the path the project serves (decompose.contracts.ninja_client).

Fakes stand for Django's URL patterns and ninja's PathView (no Django settings needed): a view is a
bound method of its PathView (ninja 0.16) or a closure over it (1.x)."""

from __future__ import annotations

from unittest.mock import Mock

from decompose.contracts import ninja_client


class Operation:
    def __init__(self, view_func):
        self.view_func = view_func


class PathView:
    def __init__(self, *handlers):
        self.operations = [Operation(h) for h in handlers]

    def view(self, request, **kwargs):  # ninja 0.16: the URL's callback is this bound method
        return None

    def closure(self):  # ninja 1.x: a function closing over the PathView
        def sync_view_wrapper(request, *args, **kwargs):
            return self

        return sync_view_wrapper


class Pattern:
    def __init__(self, route, callback=None, children=None):
        self.pattern = route
        self.callback = callback
        if children is not None:
            self.url_patterns = children


class Query:
    def __init__(self, text=""):
        self.text = text

    def urlencode(self):
        return self.text


class Request:
    def __init__(self, method, path, query="", body=b"", meta=None, **identity):
        self.method, self.path, self.GET, self._body = method, path, Query(query), body
        self.META = meta if meta is not None else {"REMOTE_ADDR": "127.0.0.1"}
        self.auth = identity.get("auth")
        self.user = identity.get("user", Mock())


class Client:
    def __init__(self, urls):
        self.urls = urls


def list_articles(request): ...
def get_article(request, slug): ...
def list_comments(request, slug): ...


def project(detail_view, listing_view, prefix="api/"):
    """The project's URLconf: `path(prefix, api.urls)` with the router mounted at /articles."""
    return [Pattern("healthz/", callback=lambda r: None),
            Pattern(prefix, children=[Pattern("articles/", callback=listing_view),
                                      Pattern("articles/<slug>", callback=detail_view)])]


def test_a_router_relative_path_gets_the_mount_prefix_back():
    """ninja 1.x clones path views per mount: the handler functions, not the objects, identify the route."""
    mounted, tested = PathView(get_article), PathView(get_article)
    client = Client([Pattern("", callback=PathView(list_articles).closure()), Pattern("<slug>", callback=tested.closure())])
    request = Request("get", "/hello-ninja", query="full=1", meta={"HTTP_AUTHORIZATION": "Bearer t", "REMOTE_ADDR": "x"})
    asked = ninja_client.request_of(client, tested.closure(), request,
                                    project(mounted.closure(), PathView(list_articles).closure()))
    assert asked == ("GET", "/api/articles/hello-ninja", "full=1", [("AUTHORIZATION", "Bearer t")], b"")


def test_bound_method_views_and_regex_prefixes_of_older_ninja():
    listing = PathView(list_articles)
    client = Client([Pattern("", callback=listing.view)])
    request = Request("POST", "/", body=b'{"title": "x"}')
    asked = ninja_client.request_of(client, listing.view, request, project(PathView(get_article).view, listing.view, "^api/"))
    assert asked == ("POST", "/api/articles/", "", [("CONTENT-TYPE", "application/json")], b'{"title": "x"}')


def test_what_http_cannot_replay_is_not_recorded():
    listing, comments = PathView(list_articles), PathView(list_comments)
    client = Client([Pattern("", callback=listing.view)])
    patterns = project(PathView(get_article).view, listing.view)
    assert ninja_client.request_of(client, listing.view, Request("GET", "/", user=object()), patterns) is None
    assert ninja_client.request_of(client, listing.view, Request("GET", "/", auth="token"), patterns) is None
    unmounted = Client([Pattern("", callback=comments.view)])
    assert ninja_client.request_of(unmounted, comments.view, Request("GET", "/"), patterns) is None
    converter_prefix = [Pattern("api/<slug>/comments/", callback=comments.view)]
    assert ninja_client.request_of(unmounted, comments.view, Request("GET", "/"), converter_prefix) is None


def test_answer_reads_the_wrapped_response():
    class Response:
        status_code, content = 201, b"{}"

        def __init__(self):
            self._response = self
            self.cookies = {}

        def items(self):
            return [("Content-Type", "application/json")]

    assert ninja_client.answer_of(Response()) == (201, [("Content-Type", "application/json")], b"{}")
