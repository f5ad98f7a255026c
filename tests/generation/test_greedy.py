"""Greedy routes (`/{path+}`) under `chalice local` and `chalice.test.Client` (decompose_runtime.greedy)."""

from chalice import Chalice
from chalice.test import Client

from decompose.generation.runtime import greedy
from decompose.generation.runtime.bridge import configure


def test_the_rest_of_a_path_goes_to_the_greedy_route_after_every_exact_one():
    assert greedy.match(["/{path+}", "/api/notes"], "/guides/install/") == ("/{path+}", {"path": "guides/install"})
    assert greedy.match(["/docs/{path+}"], "/docs/a/b?x=1") == ("/docs/{path+}", {"path": "a/b"})
    assert greedy.match(["/docs/{path+}"], "/blog/a/b") is None
    assert greedy.match(["/api/{version}/{path+}"], "/api/v2/a/b") == ("/api/{version}/{path+}",
                                                                       {"version": "v2", "path": "a/b"})
    assert greedy.match(["/api/notes"], "/api/notes/1") is None  # no greedy route: no match


def test_chalices_test_client_answers_a_page_at_any_depth_through_a_greedy_route():
    """The zoo's `<path:path>/` pages: /guides/install/ answered 403 (Missing Authentication Token) locally."""
    app = configure(Chalice(app_name="pages"))

    @app.route("/{path+}")
    def page(**_params):
        return {"path": app.current_request.context.get("resourcePath"), "at": app.current_request.path}

    @app.route("/api/notes")
    def notes():
        return {"notes": []}

    with Client(app) as client:
        assert client.http.get("/guides/install/").status_code == 200
        assert client.http.get("/about/").status_code == 200
        assert client.http.get("/api/notes").json_body == {"notes": []}
    greedy.allow()  # a second service in the process: the matcher is patched once
