"""The ASGI runtime of generated services (decompose_runtime.asgi behind AsgiBridge): an app's lifespan
runs once per process on one event loop that outlives every request, whichever thread Chalice serves
the request on, so what startup creates (pools, queues, the tasks draining them) keeps working.

The apps here are written the way FastAPI apps with an asyncpg/aiosqlite pool are: resources bound to
the loop that created them, made in the lifespan and kept on `app.state` or in the lifespan state.

No `from __future__ import annotations` here: FastAPI reads the view annotations at definition time.
"""

import asyncio
import importlib.util
import json
import threading
from contextlib import asynccontextmanager
from typing import Any

import pytest
from chalice import Chalice
from chalice.app import Request
from chalice.local import LambdaContext, LambdaEventConverter, RouteMatcher
from chalice.test import Client

from decompose.generation.runtime import asgi
from decompose.generation.runtime.bridge import ANY_CONTENT_TYPE, BINARY_TYPES, AsgiBridge, configure

pytestmark = pytest.mark.skipif(not importlib.util.find_spec("fastapi"), reason="needs fastapi")

ROUTES = ["/audit", "/state", "/boom"]


class Journal:
    """What happened in the app's lifespan, seen from the test."""

    def __init__(self) -> None:
        self.startups = 0
        self.shutdowns = 0
        self.fail_startup = ""


def pool_app(journal: Journal) -> Any:
    """A FastAPI app with a loop-bound queue drained by a task its lifespan starts (an async pool's shape)."""
    from fastapi import FastAPI, Request as FastAPIRequest

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if journal.fail_startup:
            raise RuntimeError(journal.fail_startup)
        journal.startups += 1
        app.state.queue = asyncio.Queue()
        app.state.seen = []

        async def drain() -> None:
            while True:
                item = await app.state.queue.get()
                app.state.seen.append(item)
                app.state.queue.task_done()

        worker = asyncio.ensure_future(drain())
        yield {"token": f"startup-{journal.startups}"}
        worker.cancel()
        journal.shutdowns += 1

    app = FastAPI(lifespan=lifespan)

    @app.get("/audit")
    async def audit() -> dict:
        await app.state.queue.put("hit")
        await app.state.queue.join()  # works only on the loop that made the queue and runs the drain task
        return {"seen": len(app.state.seen)}

    @app.get("/state")
    async def state(request: FastAPIRequest) -> dict:
        return {"token": request.state.token}

    @app.get("/boom")
    async def boom() -> dict:
        raise ValueError("boom")

    return app


def service(bridge: AsgiBridge) -> Chalice:
    app = configure(Chalice(app_name="asgi-service"))

    def forward(**_params: str) -> Any:
        return bridge.forward(app.current_request)

    for path in ROUTES:
        app.route(path, methods=["GET"], name=path.strip("/"), content_types=ANY_CONTENT_TYPE)(forward)
    return app


def on_new_thread(bridge: AsgiBridge, path: str) -> Any:
    """One request as `chalice local` serves it: on a thread of its own, which has no event loop."""
    replies: list[Any] = []

    def one() -> None:
        event = LambdaEventConverter(RouteMatcher(ROUTES), BINARY_TYPES).create_lambda_event("GET", path, {}, None)
        replies.append(bridge.forward(Request(event, LambdaContext("f", 128))))

    thread = threading.Thread(target=one)
    thread.start()
    thread.join(timeout=30)
    return replies[0]


def test_startup_runs_once_and_its_loop_bound_resources_serve_requests_on_any_thread() -> None:
    journal = Journal()
    bridge = AsgiBridge(lambda: pool_app(journal))
    try:
        answers = [json.loads(on_new_thread(bridge, "/audit").body) for _ in range(3)]
        with Client(service(bridge)) as client:
            answers.append(client.http.get("/audit").json_body)
    finally:
        bridge.reset()

    assert answers == [{"seen": 1}, {"seen": 2}, {"seen": 3}, {"seen": 4}]
    assert (journal.startups, journal.shutdowns) == (1, 1)


def test_lifespan_state_reaches_every_request() -> None:
    journal = Journal()
    bridge = AsgiBridge(lambda: pool_app(journal))
    try:
        with Client(service(bridge)) as client:
            first, second = client.http.get("/state").json_body, client.http.get("/state").json_body
    finally:
        bridge.reset()

    assert first == second == {"token": "startup-1"}


def test_reset_shuts_the_old_app_down_and_starts_the_new_one() -> None:
    journal = Journal()
    bridge = AsgiBridge(lambda: pool_app(journal))
    with Client(service(bridge)) as client:
        assert client.http.get("/state").json_body == {"token": "startup-1"}
        bridge.reset()
        assert (journal.startups, journal.shutdowns) == (1, 1)
        assert client.http.get("/state").json_body == {"token": "startup-2"}
        assert client.http.get("/audit").json_body == {"seen": 1}
    bridge.reset()
    assert (journal.startups, journal.shutdowns) == (2, 2)


def test_a_failed_startup_answers_500_and_is_retried_on_the_next_request() -> None:
    journal = Journal()
    journal.fail_startup = "database not reachable yet"
    bridge = AsgiBridge(lambda: pool_app(journal))
    with Client(service(bridge)) as client:
        with pytest.raises(asgi.LifespanError, match="startup failed: RuntimeError: database not reachable yet$"):
            bridge.running()
        assert client.http.get("/audit").status_code == 500
        journal.fail_startup = ""
        assert client.http.get("/audit").json_body == {"seen": 1}
    bridge.reset()


def test_an_app_error_is_the_frameworks_500_and_the_next_request_still_works() -> None:
    bridge = AsgiBridge(lambda: pool_app(Journal()))
    with Client(service(bridge)) as client:
        assert client.http.get("/boom").status_code == 500
        assert client.http.get("/audit").json_body == {"seen": 1}
    bridge.reset()


def test_direct_calls_share_the_running_app_and_its_loop() -> None:
    """What a generated test compares a Chalice answer with: the app called as its server calls it."""
    bridge = AsgiBridge(lambda: pool_app(Journal()))
    with Client(service(bridge)) as client:
        through_chalice = client.http.get("/audit")
        status, headers, body = bridge.direct("GET", "/audit", {"accept": "application/json"})
    bridge.reset()

    assert through_chalice.json_body == {"seen": 1}
    assert (status, json.loads(body)) == (200, {"seen": 2})
    assert (b"content-type", b"application/json") in headers


async def plain_asgi(scope: dict, receive: Any, send: Any) -> None:
    """A bare ASGI app that knows only HTTP, as many hand-written and older apps are."""
    assert scope["type"] == "http", "no lifespan here"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": scope["path"].encode()})


def test_an_app_without_lifespan_support_is_served_without_one() -> None:
    running = asgi.Running(plain_asgi)
    try:
        assert running.lifespan.supported is False
        assert running.request({"type": "http", "method": "GET", "path": "/x", "headers": []}, b"")[::2] == (200, b"/x")
    finally:
        running.stop()


def test_a_startup_that_reports_failure_is_an_error_with_its_message() -> None:
    async def refusing(scope: dict, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "no DATABASE_URL"})

    with pytest.raises(asgi.LifespanError, match="startup failed: no DATABASE_URL"):
        asgi.Running(refusing)


def test_process_loop_refuses_to_wait_on_its_own_thread() -> None:
    loop = asgi.ProcessLoop.shared()

    async def nested() -> None:
        loop.run(asyncio.sleep(0))

    with pytest.raises(RuntimeError, match="its own loop's thread"):
        loop.run(nested(), timeout=10)


def test_route_table_walks_included_routers_and_mounted_apps_and_can_leave_the_docs_out() -> None:
    from fastapi import APIRouter, FastAPI

    inner = APIRouter(prefix="/items")
    inner.get("")(lambda: [])
    inner.post("/{item_id}")(lambda item_id: item_id)
    outer = APIRouter()
    outer.include_router(inner)
    app = FastAPI()
    app.include_router(outer, prefix="/api")
    v2 = FastAPI()
    v2.get("/notes")(lambda: [])
    app.mount("/v2", v2)

    served = [(m, p) for m, p in asgi.route_table(app, documentation=False) if m != "HEAD"]
    everything = {p for _, p in asgi.route_table(app)}

    assert sorted(served) == [("GET", "/api/items"), ("GET", "/v2/notes"), ("POST", "/api/items/{item_id}")]
    assert {"/docs", "/openapi.json", "/redoc", "/docs/oauth2-redirect", "/v2/docs", "/v2/openapi.json"} <= everything


def test_an_internal_call_to_a_coroutine_function_is_awaited_on_the_apps_loop_after_its_startup(monkeypatch) -> None:
    """Another service calls an async function of this one (a repository method on the startup's pool)."""
    from decompose.generation.runtime.internal import Endpoint

    journal = Journal()
    bridge = AsgiBridge(lambda: pool_app(journal))

    async def count_rows(extra: int) -> dict:
        loop = asyncio.get_running_loop()
        return {"rows": 2 + extra, "on_the_process_loop": loop is asgi.ProcessLoop.shared().loop}

    endpoint = Endpoint({"shop.repo:count_rows": count_rows})
    endpoint.prepare = bridge.warm
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", "s3cret")
    answer = endpoint.handle("shop.repo:count_rows", {"x-decompose-secret": "s3cret"}, b'{"args": [1], "kwargs": {}}')
    bridge.reset()

    assert (answer.status_code, json.loads(answer.body)) == (200, {"result": {"rows": 3, "on_the_process_loop": True}})
    assert journal.startups == 1


def test_a_router_is_included_under_the_prefix_of_the_monoliths_chain() -> None:
    """The monolith reached the router through `api.include_router(users)` then
    `app.include_router(api, prefix=settings.API_V1_STR)`: the service includes it alone, under the
    prefix that the monolith's full paths put before the router's own ones."""
    from fastapi import APIRouter, FastAPI

    users = APIRouter(prefix="/users")
    users.get("/")(lambda: [])
    users.get("/{user_id}")(lambda user_id: {})
    users.get("/me/items")(lambda: [])
    monolith_paths = ["/api/v1/users/", "/api/v1/users/me/items", "/api/v1/users/{user_id}"]
    assert asgi.outer_prefix(users, monolith_paths) == "/api/v1"
    assert asgi.outer_prefix(users, ["/users/", "/users/{user_id}"]) == ""
    assert asgi.outer_prefix(users, ["/elsewhere"]) is None

    app = FastAPI()
    asgi.include(app, users, monolith_paths, tags=["users"])
    served = sorted(p for m, p in asgi.route_table(app, documentation=False) if m == "GET")
    assert served == monolith_paths


def test_a_fastapi_registration_leaves_its_prefix_to_the_runtime_and_keeps_its_other_keywords() -> None:
    from decompose.generation.model import Registration
    from decompose.generation.render import _registration

    reg = Registration("app.api.routes.users:router", 'prefix=settings.API_V1_STR, tags=["users"]', ("/api/v1/users/",))
    assert _registration(reg, "fastapi") == {"module": "app.api.routes.users", "name": "router", "keywords": 'tags=["users"]',
                                             "paths": ["/api/v1/users/"], "holder": "", "method": "", "arguments": "", "order": 0}
    assert _registration(reg, "flask")["keywords"] == 'prefix=settings.API_V1_STR, tags=["users"]'


def test_settle_lets_a_cleanup_finish_and_stops_what_no_one_stopped():
    from decompose.generation.runtime import asgi as runtime

    done: list[str] = []

    async def cleaning():
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await asyncio.sleep(0.2)  # a second cancellation here would leave the cleanup half done
            done.append("cleaned")
            raise

    async def forever():
        try:
            await asyncio.Event().wait()
        finally:
            done.append("stopped")

    async def scenario():
        first, second = asyncio.ensure_future(cleaning()), asyncio.ensure_future(forever())
        await asyncio.sleep(0)
        first.cancel()  # the app's shutdown cancelled this one; nothing cancelled the other
        left = await runtime.settle({first, second}, quiet_s=0.05, limit_s=5)
        return left, first.cancelled(), second.cancelled()

    assert asyncio.run(scenario()) == (set(), True, True)
    assert sorted(done) == ["cleaned", "stopped"]


def test_the_old_apps_garbage_holds_no_database_lock_when_the_next_app_starts(tmp_path):
    # a task cancelled mid-query leaves its connection in a reference cycle (traceback -> frames -> cursor),
    # its unfinished statement holding SQLite's shared lock until the cycle collector runs
    import gc
    import sqlite3

    from decompose.generation.runtime import asgi as runtime

    path = tmp_path / "app.db"
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE settings (k TEXT)")
        setup.executemany("INSERT INTO settings VALUES (?)", [("a",), ("b",)])

    def lifespan_app(startup, shutdown):
        async def app(scope, receive, send):
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    startup()
                    await send({"type": "lifespan.startup.complete"})
                else:
                    shutdown()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        return app

    def leave_a_reader() -> None:
        reader = sqlite3.connect(path, timeout=0.1)
        cursor = reader.execute("SELECT k FROM settings")
        cursor.fetchone()  # the statement stays open: a shared lock
        cycle: dict = {"cursor": cursor, "connection": reader}
        cycle["self"] = cycle

    def write_settings() -> None:
        with sqlite3.connect(path, timeout=0.1) as writer:
            writer.execute("INSERT INTO settings VALUES ('c')")

    async def reset() -> None:
        old = await runtime.Lifespan(lifespan_app(lambda: None, leave_a_reader)).startup()
        await old.shutdown()
        await runtime.Lifespan(lifespan_app(write_settings, lambda: None)).startup()

    gc.disable()  # the cycle survives until someone collects it, as an old generation's garbage does
    try:
        asyncio.run(reset())
    finally:
        gc.enable()
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT count(*) FROM settings").fetchone() == (3,)
