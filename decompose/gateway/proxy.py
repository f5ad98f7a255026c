"""The local strangler-fig gateway: an ASGI app that sends each request to the monolith or to the
service that owns its route, by the route table's mode (run by uvicorn in `decompose gateway serve`).

    gateway = Gateway(table, urls={"monolith": "http://127.0.0.1:8000", "cart": "http://127.0.0.1:8001"})
    uvicorn.run(gateway, host="127.0.0.1", port=8080)

- routes.toml is read again as soon as it changes: `decompose gateway route service --service cart`
  takes effect on the next request, without a restart.
- Paths are matched against the route templates the way API Gateway matches resources; a path no
  route matches goes to the monolith (it is `/{proxy+}` on AWS).
- Bodies stream both ways. Request headers pass unchanged (Host included) except hop-by-hop ones;
  answers keep every header, repeated `Set-Cookie` included, plus `x-decompose-upstream`.
- An upstream that cannot be reached answers 502, one that takes longer than `timeout_s` 504,
  both as JSON naming it; with `fallback = true` a canary/service route asks the monolith instead
  when the service could not be reached (never after the request went out: it may have acted on it).
- `shadow`: the monolith answers; after the answer has gone to the client, the same request is sent
  to the owner in a separate task and both answers are compared (decompose.contracts.compare), the
  result appended to the shadow log (JSON lines). Only `shadow_methods` are mirrored: a mirrored POST
  would write twice.
- With DECOMPOSE_CONTRACT_RESET=1, POST /_decompose/reset is passed to the monolith, then to every
  service at once: a contract scenario replayed through the gateway starts on a fresh system.
- `canary:N`: N% of requests go to the owner; with `sticky = "cookie:NAME"` or `"header:NAME"`, a
  client is always on the same side of a route (a hash of the value), others are drawn at random.
- `record`: every exchange is appended to a JSON lines file in the contracts' recording format
  (`decompose contracts record --from FILE` builds contracts from it), grouped into scenarios by the
  `x-decompose-scenario` header, else the sticky cookie or header, else the client's address.
  Request bodies are then read before forwarding; exchanges over 1 MiB are counted, not kept.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from decompose.contracts.compare import Answer, Exchange, differences, show
from decompose.contracts.recorder import FORMAT, exchange
from decompose.errors import UserError
from decompose.gateway.table import MONOLITH, Entry, Table, missing_urls, read
from decompose.gateway.transport import HOP_BY_HOP, bare
from decompose.generation.runtime import reset
from decompose.generation.runtime.client import SECRET_HEADER

BODY_LIMIT = 1 << 20  # answers larger than this are not kept for comparison or recording
SHADOW_IN_FLIGHT = 32  # mirrored requests waiting at most; beyond, a mirror is dropped (and counted)
UPSTREAM = "x-decompose-upstream"
SCENARIO = "x-decompose-scenario"
UNREACHED = (httpx.ConnectError, httpx.ConnectTimeout)  # the request never left: safe to ask the monolith instead
SECRET = SECRET_HEADER.lower()


@dataclass
class Decision:
    upstream: str  # "monolith" or a service
    shadow: bool = False


@dataclass
class ShadowStats:
    compared: dict[str, int] = field(default_factory=dict)
    differing: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    dropped: int = 0


@dataclass
class RecordStats:
    recorded: int = 0
    too_large: int = 0


class Gateway:
    def __init__(self, table: Table, urls: dict[str, str], client: httpx.AsyncClient | None = None,
                 shadow_log: Path | None = None, noise: dict[str, Callable[[str], bool]] | None = None,
                 draw: Callable[[], float] = random.random, record: Path | None = None) -> None:
        self.table, self.urls = table, {MONOLITH: table.settings["monolith"], **urls}
        self.matcher = table.matcher()
        self.seen = _stamp(table.path)
        self.reload_error = ""
        settings = table.settings
        self.client = client or bare(httpx.AsyncClient(timeout=httpx.Timeout(settings["timeout_s"], connect=min(2.0, settings["timeout_s"])),
                                                  limits=httpx.Limits(max_connections=256, max_keepalive_connections=64)))
        self.shadow_log, self.noise, self.draw = shadow_log, noise or {}, draw
        self.stats = ShadowStats()
        self.record, self.recorded = record, RecordStats()
        self.pending: set[asyncio.Task] = set()

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        self._reload()
        request = Request(scope, receive)
        if scope["path"] == reset.PATH and request.method == "POST" and reset.enabled():
            await (await self._reset_all(request))(scope, receive, send)
            return
        rule = self.matcher.match(request.method, scope["path"])
        entry = self.table.entries[rule.target] if rule else None
        decision = self.decide(entry, request)
        response = await self._answer(request, entry, decision)
        await response(scope, receive, send)

    def _reload(self) -> None:
        """routes.toml changed (`decompose gateway route ...`): the next request already follows it. A
        table that no longer reads, or names a service without a URL, is reported once and not used."""
        stamp = _stamp(self.table.path)
        if stamp == self.seen:
            return
        self.seen = stamp
        try:
            table = read(self.table.path)
            missing_urls(table, self.urls)
        except UserError as error:
            if error.what != self.reload_error:
                self.reload_error = error.what
                print(f"decompose gateway: kept the previous route table: {error.what} ({error.next_step})", file=sys.stderr, flush=True)
            return
        monolith = self.urls[MONOLITH]
        self.table, self.matcher, self.reload_error = table, table.matcher(), ""
        self.table.settings["monolith"] = monolith  # the URL the gateway was started with

    def decide(self, entry: Entry | None, request: Request) -> Decision:
        if entry is None or entry.mode.kind == MONOLITH:
            return Decision(MONOLITH)
        if entry.mode.kind == "service":
            return Decision(entry.owner)
        if entry.mode.kind == "shadow":
            return Decision(MONOLITH, shadow=request.method in self.table.settings["shadow_methods"])
        return Decision(entry.owner if self._canary_share(entry, request) < entry.mode.percent else MONOLITH)

    def _sticky(self, request: Request) -> str | None:
        """The value of the configured sticky cookie or header ("cookie:NAME", "header:NAME"), if the client sent it."""
        kind, _, name = self.table.settings["sticky"].partition(":")
        return request.cookies.get(name) if kind == "cookie" else request.headers.get(name) if kind == "header" else None

    def _canary_share(self, entry: Entry, request: Request) -> float:
        """0-100: a hash of the sticky value when the client sends one, else a random draw."""
        value = self._sticky(request)
        if not value:
            return self.draw() * 100
        digest = hashlib.sha256(f"{entry.route}\0{value}".encode()).digest()
        return int.from_bytes(digest[:4], "big") % 100

    async def _answer(self, request: Request, entry: Entry | None, decision: Decision) -> Response:
        began = time.perf_counter()
        buffered = decision.shadow or self.record is not None or (decision.upstream != MONOLITH and self.table.settings["fallback"])
        body: bytes | None = await request.body() if buffered else None
        try:
            upstream = await self._send(decision.upstream, request, body)
        except httpx.TransportError as error:
            # only when the service was never reached: after a read timeout or a dropped connection it may
            # have acted on the request, and asking the monolith too could write twice
            if decision.upstream != MONOLITH and self.table.settings["fallback"] and isinstance(error, UNREACHED):
                try:
                    upstream = await self._send(MONOLITH, request, body)
                except httpx.TransportError as again:
                    return _failure(MONOLITH, again)
                decision = Decision(MONOLITH)
            else:
                return _failure(decision.upstream, error)
        headers = [(k, v) for k, v in upstream.headers.multi_items() if k.lower() not in HOP_BY_HOP]
        headers.append((UPSTREAM, decision.upstream))
        kept = bytearray() if decision.shadow or self.record is not None else None
        started = time.perf_counter()

        async def stream() -> AsyncIterator[bytes]:
            async for chunk in upstream.aiter_raw():
                if kept is not None and len(kept) <= BODY_LIMIT:
                    kept.extend(chunk)
                yield chunk

        def after() -> None:
            if self.record is not None and kept is not None:
                self._record(request, body or b"", upstream, decision.upstream, bytes(kept), began)
            if decision.shadow and kept is not None and entry is not None:
                primary = Answer(upstream.status_code, _lower(upstream.headers.multi_items()), bytes(kept))
                self._mirror(entry, request, body or b"", primary, (time.perf_counter() - started) * 1000,
                             len(kept) > BODY_LIMIT)

        async def finish() -> None:
            await upstream.aclose()
            after()

        response = StreamingResponse(stream(), status_code=upstream.status_code, background=BackgroundTask(finish))
        response.raw_headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        return response

    async def _send(self, name: str, request: Request, body: bytes | None) -> httpx.Response:
        url = self.urls[name].rstrip("/") + request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
        if request.scope.get("query_string"):
            url += "?" + request.scope["query_string"].decode("latin-1")
        headers = [(k, v) for k, v in request.headers.items() if k not in HOP_BY_HOP]
        content: Any = body if body is not None else (request.stream() if _has_body(request) else b"")
        outgoing = self.client.build_request(request.method, url, headers=headers, content=content)
        return await self.client.send(outgoing, stream=True)

    def _record(self, request: Request, body: bytes, upstream: httpx.Response, name: str, content: bytes, began: float) -> None:
        """One exchange, as the contracts' recorder writes it, appended to the recording (JSON lines)."""
        if len(content) > BODY_LIMIT or len(body) > BODY_LIMIT:
            self.recorded.too_large += 1
            return
        headers = [(k, v) for k, v in request.headers.items() if k not in HOP_BY_HOP and k != SCENARIO]
        answer_headers = [(k, v) for k, v in upstream.headers.multi_items() if k.lower() not in HOP_BY_HOP]
        found = exchange(request.method, request.scope["path"], request.scope.get("query_string", b"").decode("latin-1"),
                         headers, body, upstream.status_code, answer_headers, content, began)
        line = {"format": FORMAT, "scenario": self._scenario(request), "upstream": name, "exchange": found}
        with self.record.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, sort_keys=True) + "\n")
        self.recorded.recorded += 1

    def _scenario(self, request: Request) -> str:
        """The scenario an exchange belongs to: the client's own name for it, else its sticky value, else its address."""
        if request.headers.get(SCENARIO):
            return request.headers[SCENARIO]
        value = self._sticky(request)
        if value:
            return f"{self.table.settings['sticky'].replace(':', ' ', 1)}={value}"
        return f"client {request.client.host if request.client else 'unknown'}"

    def _mirror(self, entry: Entry, request: Request, body: bytes, primary: Answer, primary_ms: float, too_large: bool) -> None:
        """Send the request to the owner in its own task; the client already has its answer."""
        if len(self.pending) >= SHADOW_IN_FLIGHT:
            self.stats.dropped += 1
            return
        task = asyncio.get_running_loop().create_task(self._shadow(entry, request, body, primary, primary_ms, too_large))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def _shadow(self, entry: Entry, request: Request, body: bytes, primary: Answer, primary_ms: float,
                      too_large: bool) -> None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        record: dict[str, Any] = {"route": entry.route, "owner": entry.owner, "request": f"{request.method} {target}",
                                  "monolith": {"status": primary.status, "ms": round(primary_ms, 1)}}
        started = time.perf_counter()
        try:
            response = await self._send(entry.owner, request, body)
            content = await response.aread()
            await response.aclose()
        except httpx.TransportError as error:
            record["service"] = {"error": f"{type(error).__name__}: {error}"}
            self.stats.failed[entry.route] = self.stats.failed.get(entry.route, 0) + 1
            self._log(record)
            return
        shadow = Answer(response.status_code, _lower(response.headers.multi_items()), content)
        record["service"] = {"status": shadow.status, "ms": round((time.perf_counter() - started) * 1000, 1)}
        if too_large:
            record["differences"], record["note"] = [], "the monolith's answer was too large to compare"
        else:
            noise = self.noise.get(entry.route) or self.noise.get("*") or (lambda where: False)
            found = differences(0, Exchange(request.method, target, primary), Exchange(request.method, target, shadow), noise)
            record["differences"] = [f"{d.where}: monolith {show(d.expected)}, service {show(d.actual)}" for d in found]
        self.stats.compared[entry.route] = self.stats.compared.get(entry.route, 0) + 1
        if record["differences"]:
            self.stats.differing[entry.route] = self.stats.differing.get(entry.route, 0) + 1
        self._log(record)

    def _log(self, record: dict[str, Any]) -> None:
        if self.shadow_log is not None:
            record = {"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **record}
            with self.shadow_log.open("a", encoding="utf-8") as log:
                log.write(json.dumps(record, sort_keys=True) + "\n")

    async def _reset_all(self, request: Request) -> Response:
        """A contract scenario's fresh start, for the whole system behind the gateway: the monolith first
        (it builds the app, so a fresh database gets its tables), then every service at once."""
        body, headers = await request.body(), [(k, v) for k, v in request.headers.items() if k in ("content-type", SECRET)]
        skipped: list[set[str]] = []

        async def one(name: str) -> Response | None:
            try:
                answer = await self.client.post(self.urls[name].rstrip("/") + reset.PATH, content=body, headers=headers)
            except httpx.TransportError as error:
                return _failure(name, error)
            if answer.status_code != 200:
                return JSONResponse({"message": f"{name} refused the reset ({answer.status_code}): {answer.text[:300]}",
                                     "upstream": name}, status_code=502)
            skipped.append(set(answer.json().get("skipped", [])))
            return None

        failed = await one(MONOLITH)
        if failed is None:
            results = await asyncio.gather(*(one(name) for name in sorted(self.urls) if name != MONOLITH))
            failed = next((r for r in results if r is not None), None)
        return failed or JSONResponse({"skipped": sorted(set.intersection(*skipped))})

    async def drain(self) -> None:
        """Wait for every mirrored request still in flight (tests, shutdown)."""
        while self.pending:
            await asyncio.gather(*list(self.pending), return_exceptions=True)

    async def _lifespan(self, receive: Callable, send: Callable) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.drain()
                await self.client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size


def _has_body(request: Request) -> bool:
    return "content-length" in request.headers or "transfer-encoding" in request.headers


def _lower(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((k.lower(), v) for k, v in pairs)


def _failure(name: str, error: httpx.TransportError) -> Response:
    timeout = isinstance(error, httpx.TimeoutException)
    what = "did not answer in time" if timeout else "could not be reached"
    return JSONResponse({"message": f"{name} {what} ({type(error).__name__})", "upstream": name},
                        status_code=504 if timeout else 502, headers={UPSTREAM: name})
