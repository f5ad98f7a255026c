"""ASGI apps run from synchronous code: one event loop per process, lifespan started once per app.

    loop = ProcessLoop.shared()                 # a daemon thread running one loop for the process's life
    running = loop.run(Lifespan(app).startup())  # the app's startup handlers, on that loop
    loop.run(running.shutdown())                 # ... its shutdown handlers (reset, exit)
    status, headers, body = loop.run(http(app, scope, body, running.state))

Why. A FastAPI/Starlette app creates loop-bound resources at startup (asyncpg and aiosqlite pools,
httpx clients, asyncio queues and their consumer tasks) and uses them in every request. They work
only on the loop that created them, and only if startup ran. Mangum with `lifespan="on"` enters and
leaves the lifespan around every event, and with "off" never runs it; `chalice local` serves each
request on a new thread, and asyncio gives each thread its own loop. So the bridge (a Chalice view,
synchronous) and the monolith's host hand every request to one loop that lives as long as the
process (a warm Lambda instance, a `chalice local` server, a test session), and start the app's
lifespan on it once, before its first request; on a reset the old app's shutdown runs first.

An app's shutdown does not always end what it started: its background tasks (an audit writer, a
purge loop, a fire-and-forget task) may be cancelled and still cleaning up (a transaction rolled back,
a connection closed) when the next app starts, or not cancelled at all. The next app then races them:
a second cancellation (lnbits' startup cancels a task of the same name again) cuts a cleanup short and
leaves a SQLite write transaction open for good ("database is locked" from then on), and a writer left
running writes into the next scenario's database. So after the shutdown handlers, `Lifespan.shutdown`
settles the tasks created on the loop since its startup (`settle`): it gives them SETTLE_S to finish,
cancels those still running that no one is cancelling yet, and waits up to SHUTDOWN_TIMEOUT_S again.
Then it collects the garbage they left: a task cancelled inside a query leaves its database connection
in a reference cycle (the exception's traceback holds the frames that hold it), open, with SQLite's shared
lock of an unfinished statement, until the cycle collector runs; the next app's first write then waited
for it and failed with "database is locked" (lnbits' calibration, whose startup writes its settings).

Lifespan follows the ASGI spec as uvicorn's "auto" mode does: an app that raises on the `lifespan`
scope before answering has no lifespan (plain ASGI apps); `lifespan.startup.failed` is an error
the caller sees; the lifespan state (Starlette's `yield {...}`) is copied into each request's scope.

Copied into generated services and the monolith's path as `decompose_runtime.asgi`: standard
library only, CPython 3.9+.
"""

from __future__ import annotations

import asyncio
import atexit
import gc
import logging
import threading
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Set, Tuple, TypeVar

ASGIApp = Callable[[Dict[str, Any], Callable[..., Any], Callable[..., Any]], Awaitable[None]]
T = TypeVar("T")

LIFESPAN_TIMEOUT_S = 120.0  # a startup that hangs (a database that never answers) fails, it does not hang Lambda
SHUTDOWN_TIMEOUT_S = 30.0
SETTLE_S = 1.0  # what an app's own tasks get to end by themselves after its shutdown handlers, before cancel
LOG = logging.getLogger("decompose_runtime.asgi")


class LifespanError(RuntimeError):
    """The app's startup or shutdown failed (its own message) or did not finish in time."""


class ProcessLoop:
    """One asyncio loop on a daemon thread, for as long as the process lives."""

    _shared: Optional["ProcessLoop"] = None
    _guard = threading.Lock()

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, name="decompose-asgi-loop", daemon=True)
        self.thread.start()

    @classmethod
    def shared(cls) -> "ProcessLoop":
        with cls._guard:
            if cls._shared is None or cls._shared.loop.is_closed():
                cls._shared = cls()
            return cls._shared

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(self, coroutine: Awaitable[T], timeout: Optional[float] = None) -> T:
        """Run `coroutine` on the process's loop and wait for its result, from any thread but the loop's."""
        if threading.current_thread() is self.thread:
            getattr(coroutine, "close", lambda: None)()
            raise RuntimeError("ProcessLoop.run was called on its own loop's thread; await the coroutine instead")
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)  # type: ignore[arg-type]


class Lifespan:
    """The ASGI lifespan protocol of one app, driven from outside (startup, then shutdown)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.state: Dict[str, Any] = {}
        self.supported = True
        self._inbox: Optional[asyncio.Queue] = None
        self._task: Optional[asyncio.Future] = None
        self._events: Dict[str, asyncio.Future] = {}
        self._crash: Optional[BaseException] = None
        self._before: Set["asyncio.Task[Any]"] = set()  # the loop's tasks when startup began: not the app's

    async def startup(self) -> "Lifespan":
        """Run the app's startup handlers; returns self. Raises LifespanError when they fail."""
        loop = asyncio.get_running_loop()
        self._before = set(asyncio.all_tasks(loop))
        self._inbox = asyncio.Queue()
        self._events = {name: loop.create_future() for name in ("startup", "shutdown")}
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": self.state}
        self._task = asyncio.ensure_future(self._main(scope))
        await self._inbox.put({"type": "lifespan.startup"})
        await self._outcome("startup", LIFESPAN_TIMEOUT_S)
        return self

    async def shutdown(self, keep: Iterable["asyncio.Future[Any]"] = ()) -> None:
        """Run the app's shutdown handlers (nothing when it has no lifespan or never started), then settle
        the tasks started since its startup, but the caller's and `keep` (the reset request awaiting this)."""
        if self._task is None or self._inbox is None or self._task.done():
            return
        await self._inbox.put({"type": "lifespan.shutdown"})
        try:
            await self._outcome("shutdown", SHUTDOWN_TIMEOUT_S)
        finally:
            spared = self._before | set(keep) | {asyncio.current_task(), self._task}
            await settle({t for t in asyncio.all_tasks() if t not in spared})
            gc.collect()  # what the old app dropped holds no database lock when the next one starts

    async def _outcome(self, phase: str, timeout: float) -> None:
        assert self._task is not None
        done, _ = await asyncio.wait({self._events[phase], self._task}, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        if not done:
            raise LifespanError(f"the app's lifespan {phase} did not finish within {timeout:.0f} s")
        failure = self._events[phase].result() if self._events[phase].done() else None
        if failure is not None:
            raise LifespanError(f"the app's lifespan {phase} failed: {_last_line(failure)}")
        if self._crash is not None and not self._events[phase].done():
            raise LifespanError(f"the app's lifespan {phase} raised {type(self._crash).__name__}: {self._crash}")

    async def _main(self, scope: Dict[str, Any]) -> None:
        try:
            await self.app(scope, self._receive, self._send)
        except Exception as error:
            if not any(event.done() for event in self._events.values()):
                self.supported = False  # raised before answering: no lifespan, as uvicorn's "auto" reads it
                self._events["startup"].set_result(None)
            else:
                self._crash = error  # after startup.failed (Starlette re-raises) or during shutdown

    async def _receive(self) -> Dict[str, Any]:
        assert self._inbox is not None
        return await self._inbox.get()

    async def _send(self, message: Dict[str, Any]) -> None:
        kind = message.get("type", "")
        for phase in ("startup", "shutdown"):
            if kind in (f"lifespan.{phase}.complete", f"lifespan.{phase}.failed") and not self._events[phase].done():
                failed = kind.endswith(".failed")
                self._events[phase].set_result(str(message.get("message") or "no message") if failed else None)


async def settle(tasks: Set["asyncio.Task[Any]"], quiet_s: float = SETTLE_S,
                 limit_s: float = SHUTDOWN_TIMEOUT_S) -> Set["asyncio.Task[Any]"]:
    """Let `tasks` end: SETTLE_S on their own (a task being cancelled finishes its cleanup undisturbed),
    then one cancellation for each still running that no one is cancelling, and `limit_s` more; the
    tasks still running after that (logged: they outlive the app that started them)."""
    pending = {t for t in tasks if not t.done()}
    if pending:
        _, pending = await asyncio.wait(pending, timeout=quiet_s)
    for task in pending:
        if not _cancelling(task):
            task.cancel()
    if pending:
        _, pending = await asyncio.wait(pending, timeout=limit_s)
    for task in pending:
        LOG.warning("a task of the old app is still running after its shutdown: %r", task)
    return pending


def _cancelling(task: "asyncio.Task[Any]") -> bool:
    """Whether a cancellation is already on its way to `task` (3.11+ counts them; 3.9 and 3.10 cannot say)."""
    count = getattr(task, "cancelling", None)
    return bool(count()) if callable(count) else False


def _last_line(message: str) -> str:
    """Starlette reports a failed startup with the whole traceback: its last line names the error."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


Headers = List[Tuple[bytes, bytes]]


async def http(app: ASGIApp, scope: Dict[str, Any], body: bytes, state: Dict[str, Any]) -> Tuple[int, Headers, bytes]:
    """One HTTP request through `app`: (status, headers, body). An app error before its answer is logged
    and answered 500, as servers do; after the answer started it propagates."""
    scope = {**scope, "state": dict(state)}
    requests = [{"type": "http.request", "body": body, "more_body": False}]
    started: Dict[str, Any] = {}
    chunks: List[bytes] = []

    async def receive() -> Dict[str, Any]:
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client never disconnects before the answer is complete
        return {"type": "http.disconnect"}

    async def send(message: Dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            started.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(bytes(message.get("body", b"")))

    try:
        await app(scope, receive, send)
    except Exception:
        if started:
            raise
        LOG.exception("the ASGI app raised before answering %s %s", scope.get("method"), scope.get("path"))
        return 500, [(b"content-type", b"text/plain; charset=utf-8")], b"Internal Server Error"
    return int(started.get("status", 500)), [(bytes(k), bytes(v)) for k, v in started.get("headers", [])], b"".join(chunks)


class Running:
    """An app with its lifespan started on the process's loop; `stop()` runs its shutdown once."""

    def __init__(self, app: ASGIApp, loop: Optional[ProcessLoop] = None) -> None:
        self.app = app
        self.loop = loop or ProcessLoop.shared()
        self.lifespan = self.loop.run(Lifespan(app).startup())
        self._stopped = False
        atexit.register(self.stop)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        if not self.loop.loop.is_closed():
            self.loop.run(self.lifespan.shutdown(), SHUTDOWN_TIMEOUT_S + 5)

    def request(self, scope: Dict[str, Any], body: bytes) -> Tuple[int, Headers, bytes]:
        return self.loop.run(http(self.app, scope, body, self.lifespan.state))

    def call(self, make: Callable[[], Awaitable[T]]) -> T:
        """Await what `make()` returns on the app's loop (the coroutine is created there)."""
        async def inside() -> T:
            return await make()

        return self.loop.run(inside())


DOCUMENTATION_URLS = ("openapi_url", "docs_url", "redoc_url", "swagger_ui_oauth2_redirect_url")


def route_table(app: Any, documentation: bool = True) -> List[Tuple[str, str]]:
    """(method, path) of every HTTP route a Starlette/FastAPI app serves, through included routers and
    mounted apps; `documentation=False` leaves out FastAPI's own /docs, /redoc, /openapi.json and
    /docs/oauth2-redirect (of the app and of every mounted FastAPI app).

    FastAPI keeps `include_router` results as lazy entries in newer versions (`_IncludedRouter`,
    whose `effective_candidates()` hold the prefixed routes) and as flat `APIRoute`s before; both
    are read here by their public shape (`path`, `methods`), so the generated tests run on the
    monolith's own FastAPI whichever it is. Static files and other mounts without routes add nothing.
    """
    found: List[Tuple[str, str]] = []

    def walk_app(node: Any, prefix: str) -> None:
        skipped = set() if documentation else {prefix + url for url in
                                               (getattr(node, name, None) for name in DOCUMENTATION_URLS) if url}
        walk(getattr(node, "routes", None) or (), prefix, skipped)

    def walk(routes: Any, prefix: str, skipped: set) -> None:
        for route in routes:
            if callable(getattr(route, "effective_candidates", None)):
                walk(route.effective_candidates(), prefix, skipped)
                continue
            original = getattr(route, "original_route", route)
            path, methods = getattr(route, "path", None), getattr(original, "methods", None)
            if not isinstance(path, str):
                continue
            if not methods and getattr(route, "routes", None):  # a Mount: a sub-app or a router
                walk_app(getattr(route, "app", None) if hasattr(getattr(route, "app", None), "routes") else route,
                         prefix + path)
                continue
            found.extend((method, prefix + path) for method in sorted(methods or ()) if prefix + path not in skipped)

    walk_app(app, "")
    return found


def include(app: Any, router: Any, paths: List[str], **keywords: Any) -> None:
    """`app.include_router(router, **keywords)` under the prefix the monolith gave these routes.

    A service plugs its routers straight into the monolith's app, while the monolith may have reached
    them through a chain (`api_router.include_router(users.router)`, then `app.include_router(api_router,
    prefix=settings.API_V1_STR)`): each link adds a prefix, some read from settings at run time. `paths`
    are the monolith's full paths of the router's routes (from the analysis), so the prefix is what
    precedes the router's own paths in them; the one that places most of its routes wins. Without a
    match the router is included with the keywords alone (the generated route test then says so)."""
    prefix = outer_prefix(router, paths)
    if prefix is not None:
        keywords["prefix"] = prefix
    app.include_router(router, **keywords)


def outer_prefix(router: Any, paths: List[str]) -> Optional[str]:
    """The prefix that, put before the router's own paths, gives most of `paths` (None: none does)."""
    wanted = set(paths)
    counts: dict = {}
    for _, own in route_table(router):
        for path in wanted:
            if path.endswith(own):
                prefix = path[: len(path) - len(own)]
                if prefix == "" or (prefix.startswith("/") and not prefix.endswith("/")):
                    counts[prefix] = counts.get(prefix, 0) + 1
    if not counts:
        return None
    return max(sorted(counts), key=lambda prefix: counts[prefix])
