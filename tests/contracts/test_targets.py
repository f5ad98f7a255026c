"""The in-process service target: a generated-style Chalice app answered through chalice.test.Client,
reset in-process before every scenario, with every other service's requests sent by URL."""

from __future__ import annotations

import os
import sys

import pytest

from decompose.contracts import appcall
from decompose.contracts.binding import Request
from decompose.contracts.replay import TargetError
from decompose.contracts.targets import Http, InProcessService
from decompose.errors import UserError
from tests.helpers import write_tree

SERVICE = {
    "app.py": '''
        import os
        from chalice import Chalice, Response

        app = Chalice(app_name="cart")
        BUILT = []

        def _rebuild():
            BUILT.append(os.environ.get("CART_DB"))

        @app.route("/api/cart/{item}", methods=["PUT"], content_types=["application/json"])
        def put(item):
            request = app.current_request
            return Response(body={"item": item, "db": BUILT[-1], "cookie": request.headers.get("cookie"),
                                  "accept": request.headers.get("accept"), "body": request.json_body},
                            status_code=201, headers={"Set-Cookie": ["a=1", "b=2"]})

        @app.route("/api/boom")
        def boom():
            raise RuntimeError("kaput")
    ''',
    "hooks_for_cart_test.py": '''
        CALLS = []

        def clear():
            CALLS.append("cleared")
    ''',
}


@pytest.fixture()
def service(tmp_path, monkeypatch):
    folder = write_tree(tmp_path / "cart", SERVICE)
    monkeypatch.syspath_prepend(str(folder))
    for name in ("CART_DB", "X", "DECOMPOSE_URL_ORDERS"):  # what the tests set: restored afterwards
        monkeypatch.setenv(name, "none")
    yield folder
    sys.modules.pop("hooks_for_cart_test", None)


def test_requests_the_service_owns_are_answered_in_process_after_an_in_process_reset(service, monkeypatch):
    target = InProcessService(service, {"DECOMPOSE_URL_ORDERS": "http://127.0.0.1:9"},
                              ("hooks_for_cart_test:clear", "elsewhere.module:clear"), Http({}, [], ()))
    target.fresh({"CART_DB": "sqlite:///scratch/1.db"})
    request = Request("PUT", "/api/cart/7?x=1", (("content-type", "application/json"), ("cookie", "s=1"),
                                                 ("cookie", "t=2"), ("accept", "a"), ("accept", "b")), b'{"n": 2}')
    answer = target.send(request, "cart")
    assert answer.status == 201
    assert ("set-cookie", "a=1") in answer.headers and ("set-cookie", "b=2") in answer.headers
    body = __import__("json").loads(answer.body)
    assert body == {"item": "7", "db": "sqlite:///scratch/1.db", "cookie": "s=1; t=2", "accept": "a, b", "body": {"n": 2}}
    assert sys.modules["hooks_for_cart_test"].CALLS == ["cleared"]
    assert target.name.startswith("service cart in-process")


def test_a_crash_in_the_service_is_a_500_and_other_owners_go_by_url(service):
    target = InProcessService(service, {}, (), Http({}, [], ()))
    target.fresh({})
    assert target.send(Request("GET", "/api/boom"), "cart").status == 500
    with pytest.raises(TargetError, match="no URL for service 'orders'"):
        target.send(Request("GET", "/api/orders"), "orders")


class Fleet(Http):
    """Every process of this fake fleet has none of the hooks' modules."""

    def _reset(self, base, env, only_data=None):
        self.reset_envs.append((base, env))
        self.chosen = getattr(self, "chosen", []) + [(base, (only_data or {}).get("app"))]
        return set(self.hooks)


def test_a_hook_must_run_in_some_process_here_or_in_the_fleet(service):
    for hooks, fails in ((("hooks_for_cart_test:clear",), False), (("nowhere.module:clear",), True)):
        fleet = Fleet({"orders": "http://127.0.0.1:9"}, ["http://127.0.0.1:9", "http://127.0.0.1:10"], hooks)
        fleet.reset_envs = []
        target = InProcessService(service, {}, hooks, fleet)
        if fails:
            with pytest.raises(TargetError, match="reset hook nowhere.module:clear ran in no process"):
                target.fresh({"X": "1"})
        else:
            target.fresh({"X": "1"})
        assert sorted(fleet.reset_envs) == [("http://127.0.0.1:10", {"X": "1"}), ("http://127.0.0.1:9", {"X": "1"})]


def test_a_scenarios_own_app_is_built_here_and_asked_of_every_process_of_the_fleet(service, monkeypatch):
    """A scenario whose test built the app with another configuration: the in-process service builds that call,
    every other process is asked for it by its reset; the next scenario of the world's app goes back to its call."""
    monkeypatch.setenv(appcall.VARIABLE, "shop:create_app(tests.base.Config)")
    fleet = Fleet({"orders": "http://127.0.0.1:9"}, ["http://127.0.0.1:9", "http://127.0.0.1:10"], ())
    fleet.reset_envs = []
    target = InProcessService(service, {}, (), fleet)
    target.fresh({"X": "1"}, app="shop:create_app(tests.base.AuthConfig)")
    assert os.environ[appcall.VARIABLE] == "shop:create_app(tests.base.AuthConfig)"
    assert sorted(fleet.chosen) == [("http://127.0.0.1:10", "shop:create_app(tests.base.AuthConfig)"),
                                    ("http://127.0.0.1:9", "shop:create_app(tests.base.AuthConfig)")]
    fleet.chosen = []
    target.fresh({"X": "1"})
    assert os.environ[appcall.VARIABLE] == "shop:create_app(tests.base.Config)"
    assert sorted(fleet.chosen) == [("http://127.0.0.1:10", None), ("http://127.0.0.1:9", None)]


def test_a_folder_without_a_generated_service_is_a_clear_error(tmp_path):
    with pytest.raises(UserError, match="no generated service here"):
        InProcessService(tmp_path, {}, (), Http({}, [], ()))
    write_tree(tmp_path / "old", {"app.py": "from chalice import Chalice\napp = Chalice(app_name='old')\n"})
    with pytest.raises(UserError, match="predates contract replay"):
        InProcessService(tmp_path / "old", {}, (), Http({}, [], ()))


def test_a_recorded_host_goes_to_a_local_process_and_not_to_a_deployed_url():
    from decompose.contracts.targets import _for

    request = Request("GET", "/api/me", (("host", "localhost:5000"), ("accept", "*/*")))
    assert _for("http://127.0.0.1:8123", request) is request
    assert _for("http://localhost:9000/", request) is request
    assert _for("https://abc.execute-api.eu-west-1.amazonaws.com/dev", request).headers == (("accept", "*/*"),)


def test_a_header_value_goes_on_the_wire_without_its_trailing_space():
    """A suite's `HTTP_AUTHORIZATION="Bearer "` (an empty token) is sent as HTTP carries it."""
    import http.server
    import threading

    seen: list[str | None] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            seen.append(self.headers.get("authorization"))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        target = Http(f"http://127.0.0.1:{server.server_port}", [], ())
        answer = target.send(Request("GET", "/api/me", (("authorization", "Bearer "),)))
        target.close()
    finally:
        server.shutdown()
    assert (answer.status, seen) == (204, ["Bearer"])


LIFESPAN_APP = {
    "lifespan_app_for_targets.py": '''
        EVENTS = []

        class App:  # an instance, not a function: a function names a factory
            async def __call__(self, scope, receive, send):
                await serve(scope, receive, send)

        async def serve(scope, receive, send):
            if scope["type"] == "lifespan":
                while True:
                    message = await receive()
                    kind = message["type"].rsplit(".", 1)[-1]
                    EVENTS.append(kind)
                    await send({"type": f"lifespan.{kind}.complete"})
                    if kind == "shutdown":
                        return
            body = ",".join(EVENTS).encode()
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": body})

        app = App()
    ''',
    "no_lifespan_app_for_targets.py": '''
        class App:
            async def __call__(self, scope, receive, send):
                if scope["type"] != "http":
                    raise ValueError("only http, not " + scope["type"])
                await send({"type": "http.response.start", "status": 200, "headers": []})
                await send({"type": "http.response.body", "body": b"served"})

        app = App()
    ''',
}


def test_an_asgi_app_replayed_in_process_runs_its_lifespan_and_one_without_is_served_as_before(tmp_path, capsys):
    """Its start-up makes what the scenario's starting data goes into (migrations: the tables)."""
    from decompose.contracts.targets import InProcess

    write_tree(tmp_path, LIFESPAN_APP)
    target = InProcess("lifespan_app_for_targets:app", tmp_path, ())
    target.fresh({})
    assert target.send(Request("GET", "/", (), b"")).body == b"startup"
    target.close()
    assert sys.modules["lifespan_app_for_targets"].EVENTS == ["startup", "shutdown"]
    bare = InProcess("no_lifespan_app_for_targets:app", tmp_path, ())
    bare.fresh({})
    assert bare.send(Request("GET", "/", (), b"")).body == b"served"
    bare.close()
    assert "lifespan did not start (ValueError: only http, not lifespan)" in capsys.readouterr().err
