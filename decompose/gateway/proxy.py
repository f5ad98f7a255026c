"""The local strangler-fig gateway: an ASGI app that sends each request to the monolith or to the
service that owns its route, by the route table's mode (run by uvicorn in `decompose gateway serve`).

    gateway = Gateway(table, urls={"monolith": "http://127.0.0.1:8000", "cart": "http://127.0.0.1:8001"})
    uvicorn.run(gateway, host="127.0.0.1", port=8080)

- routes.toml is read again as soon as it changes: `decompose gateway route service --service cart`
  takes effect on the next request, without a restart.
- Paths are matched against the route templates the way API Gateway matches resources; a path no
  route matches goes to the monolith (it is `/{proxy+}` on AWS).
- The request target is checked and normalised once (decompose.gateway.target): the route is
  matched on exactly the path sent upstream, and the upstream URL is built from the configured
  upstream's scheme, host and port, so no target reaches another host. What the gateway refuses
  itself (a target that is not a path, a body over `max_body_mb`, Content-Length with
  Transfer-Encoding) answers 4xx with `x-decompose-upstream: gateway` and closes the connection.
- Bodies stream both ways (decompose.gateway.body). Request headers pass unchanged (Host included)
  except hop-by-hop ones, fixed or named in `Connection`; answers keep every header, repeated
  `Set-Cookie` included, plus `x-decompose-upstream`.
- An upstream that cannot be reached answers 502, one that takes longer than `timeout_s` 504,
  both as JSON naming it; with `fallback = true` a canary/service route asks the monolith instead
  when the service could not be reached (never after the request went out: it may have acted on it).
- `shadow`: the monolith answers; the same request is sent to the owner at the same time, in a
  separate task, and both answers are compared (decompose.contracts.compare), the result appended to
  the shadow log (JSON lines). Sent together, both see the same state; and before any write (a method
  other than GET, HEAD, OPTIONS, TRACE) is forwarded, the mirrors in flight are waited for, so a
  mirrored read is never answered after the client's next write. Only `shadow_methods` that are
  idempotent are mirrored, whatever routes.toml says: a mirrored POST would write twice.
- With DECOMPOSE_CONTRACT_RESET=1, POST /_decompose/reset is passed to the monolith, then to every
  service at once (one after the other when it carries a scenario's rows): a contract scenario
  replayed through the gateway starts on a fresh system.
- `canary:N`: N% of requests go to the owner; with `sticky = "cookie:NAME"` or `"header:NAME"`, a
  client is always on the same side of a route (a hash of the value), others are drawn at random.
- `record`: every exchange is appended to a JSON lines file in the contracts' recording format
  (`decompose contracts record --from FILE` builds contracts from it), grouped into scenarios by the
  `x-decompose-scenario` header, else the sticky cookie or header, else the client's address.
  Request bodies are then read ahead up to 1 MiB; exchanges over 1 MiB are counted, not kept.
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
from urllib.parse import quote, unquote

import httpx
from starlette.background import BackgroundTask
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from decompose.contracts.compare import Answer, Exchange, differences
from decompose.contracts.recorder import FORMAT, exchange
from decompose.errors import UserError
from decompose.gateway.body import Body
from decompose.gateway.table import MONOLITH, Entry, Table, missing_urls, read
from decompose.gateway.target import Refused, Upstream, check_head, normalise
from decompose.gateway.transport import bare, forwardable
from decompose.generation.runtime import reset
from decompose.generation.runtime.client import SECRET_HEADER

BODY_LIMIT = 1 << 20  # bodies larger than this are not kept for comparison, fallback or recording
SHADOW_IN_FLIGHT = 32  # mirrored requests waiting at most; beyond, a mirror is dropped (and counted)
SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})  # reads: no mirror needs to be answered before them
IDEMPOTENT = SAFE | {"PUT", "DELETE"}  # the only methods ever mirrored (RFC 9110 section 9.2.2)
UPSTREAM = "x-decompose-upstream"
SCENARIO = "x-decompose-scenario"
GATEWAY = "gateway"  # x-decompose-upstream of an answer the gateway gives itself
UNREACHED = (httpx.ConnectError, httpx.ConnectTimeout)  # the request never left: safe to ask the monolith instead
SECRET = SECRET_HEADER.lower()


@dataclass
class Decision:
    upstream: str  # "monolith" or a service
    shadow: bool = False


@dataclass
class Call:
    """One request as the gateway forwards it: the path normalised once, matched and sent as is."""
    request: Request
    path: str  # normalised, escapes kept (decompose.gateway.target)
    query: bytes
    began: float = field(default_factory=time.perf_counter)


@dataclass
class ShadowStats:
    compared: dict[str, int] = field(default_factory=dict)
    differing: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    dropped: int = 0  # too many in flight, or the monolith gave no answer to compare with
    too_large: int = 0  # request bodies over BODY_LIMIT: streamed to the monolith, not mirrored


@dataclass
class RecordStats:
    recorded: int = 0
    too_large: int = 0


@dataclass
class Primary:
    """The monolith's side of a shadowed request, filled in as its answer streams to the client."""
    answer: Answer | None = None
    ms: float = 0.0
    too_large: bool = False


class Gateway:
    def __init__(self, table: Table, urls: dict[str, str], client: httpx.AsyncClient | None = None,
                 shadow_log: Path | None = None, noise: dict[str, Callable[[str], bool]] | None = None,
                 draw: Callable[[], float] = random.random, record: Path | None = None) -> None:
        self.table, self.urls = table, {MONOLITH: table.settings["monolith"], **urls}
        self.upstreams = {name: Upstream.parse(name, url) for name, url in self.urls.items()}
        self.matcher = table.matcher()
        self.seen = _stamp(table.path)
        self.reload_error = ""
        settings = table.settings
        # trust_env=False: no proxy from HTTP_PROXY and no credentials from ~/.netrc; requests go to the upstreams only
        self.client = client or bare(httpx.AsyncClient(timeout=httpx.Timeout(settings["timeout_s"], connect=min(2.0, settings["timeout_s"])),
                                                  limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
                                                  trust_env=False))
        self.shadow_log, self.noise, self.draw = shadow_log, noise or {}, draw
        self.stats = ShadowStats()
        self.record, self.recorded = record, RecordStats()
        self.pending: set[asyncio.Task] = set()  # mirrors, until compared and logged
        self.asking: set[asyncio.Task] = set()  # mirrors, until the owner has answered: writes wait for these

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        self._reload()
        request = Request(scope, receive)
        try:
            call = Call(request, normalise(_raw_path(scope), scope.get("query_string", b"")), scope.get("query_string", b""))
            check_head(scope["headers"])
        except Refused as refused:
            await _refusal(refused)(scope, receive, send)
            return
        if call.path == reset.PATH and request.method == "POST" and reset.enabled():
            await (await self._reset_all(request))(scope, receive, send)
            return
        rule = self.matcher.match(request.method, call.path)
        entry = self.table.entries[rule.target] if rule else None
        decision = self.decide(entry, request)
        response = await self._answer(call, entry, decision)
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
            method = request.method
            return Decision(MONOLITH, shadow=method in self.table.settings["shadow_methods"] and method in IDEMPOTENT)
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

    async def _answer(self, call: Call, entry: Entry | None, decision: Decision) -> Response:
        """The answer to the client; the gateway's own 4xx for a body it refuses or a client that left."""
        settings = self.table.settings
        try:
            if call.request.method not in SAFE:
                await self._settle()
            body = Body(call.request, int(settings["max_body_mb"] * (1 << 20)), settings["timeout_s"])
            copied = decision.shadow or self.record is not None or (decision.upstream != MONOLITH and settings["fallback"])
            whole = await body.read_ahead(BODY_LIMIT) if copied else None
            primary = self._mirror(entry, call, whole) if decision.shadow and entry is not None else None
            try:
                response = await self._forward(call, decision, body, whole, primary)
            except BaseException:
                _unanswered(primary)
                raise
            if not isinstance(response, StreamingResponse):
                _unanswered(primary)  # a 502/504: nothing to compare the owner's answer with
            return response
        except Refused as refused:
            return _refusal(refused)
        except ClientDisconnect:
            return _refusal(Refused(400, "the client closed the connection before its body ended"))

    async def _forward(self, call: Call, decision: Decision, body: Body, whole: bytes | None,
                       primary: asyncio.Future | None) -> Response:
        try:
            upstream = await self._send(decision.upstream, call, body.content())
        except httpx.LocalProtocolError as error:
            raise Refused(400, f"the request cannot be forwarded as HTTP/1.1 ({error})") from None
        except httpx.TransportError as error:
            # only when the service was never reached: after a read timeout or a dropped connection it may
            # have acted on the request, and asking the monolith too could write twice
            if not (decision.upstream != MONOLITH and self.table.settings["fallback"] and isinstance(error, UNREACHED)
                    and body.replayable):
                return _failure(decision.upstream, error)
            try:
                upstream = await self._send(MONOLITH, call, body.content())
            except httpx.TransportError as again:
                return _failure(MONOLITH, again)
            decision = Decision(MONOLITH)
        return self._relay(call, decision, upstream, whole, primary)

    def _relay(self, call: Call, decision: Decision, upstream: httpx.Response, whole: bytes | None,
               primary: asyncio.Future | None) -> Response:
        """The upstream's answer, streamed to the client; a copy of up to BODY_LIMIT bytes is kept for
        the shadow comparison and the recording."""
        headers = forwardable(upstream.headers.raw)
        headers.append((UPSTREAM.encode(), decision.upstream.encode()))
        kept = bytearray() if primary is not None or self.record is not None else None
        started = time.perf_counter()

        def settle_primary() -> None:
            if primary is not None and not primary.done():
                primary.set_result(Primary(Answer(upstream.status_code, _lower(upstream.headers.multi_items()), bytes(kept or b"")),
                                           (time.perf_counter() - started) * 1000, len(kept or b"") > BODY_LIMIT))

        async def stream() -> AsyncIterator[bytes]:
            async for chunk in upstream.aiter_raw():
                if kept is not None and len(kept) <= BODY_LIMIT:
                    kept.extend(chunk)
                    if len(kept) > BODY_LIMIT:
                        settle_primary()  # too large to compare: the mirror need not wait for the rest
                yield chunk

        async def finish() -> None:
            try:
                await upstream.aclose()
            finally:
                settle_primary()
                if self.record is not None and kept is not None:
                    self._record(call, whole, upstream, decision.upstream, bytes(kept))

        response = StreamingResponse(stream(), status_code=upstream.status_code, background=BackgroundTask(finish))
        response.raw_headers = [(k.lower(), v) for k, v in headers]
        return response

    async def _send(self, name: str, call: Call, content: bytes | AsyncIterator[bytes]) -> httpx.Response:
        """The request to a configured upstream: its URL from the upstream's parts and the normalised path."""
        request = call.request
        headers = forwardable(request.scope["headers"])
        outgoing = self.client.build_request(request.method, self.upstreams[name].url(call.path, call.query),
                                             headers=headers, content=content)
        return await self.client.send(outgoing, stream=True)

    def _record(self, call: Call, body: bytes | None, upstream: httpx.Response, name: str, content: bytes) -> None:
        """One exchange, as the contracts' recorder writes it, appended to the recording (JSON lines)."""
        if body is None or len(content) > BODY_LIMIT:
            self.recorded.too_large += 1
            return
        request = call.request
        headers = [(k, v) for k, v in _text(forwardable(request.scope["headers"])) if k != SCENARIO]
        found = exchange(request.method, unquote(call.path), call.query.decode("latin-1"), headers, body,
                         upstream.status_code, _text(forwardable(upstream.headers.raw)), content, call.began)
        line = {"format": FORMAT, "scenario": self._scenario(request), "upstream": name, "exchange": found}
        with self.record.open("a", encoding="utf-8") as out:  # type: ignore[union-attr]
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

    def _mirror(self, entry: Entry, call: Call, body: bytes | None) -> asyncio.Future | None:
        """Send the request to the owner now, while the monolith gets it: both see the same state. The
        comparison waits for the monolith's answer (the returned future); the client never waits for it."""
        if body is None:
            self.stats.too_large += 1
            return None
        if len(self.pending) >= SHADOW_IN_FLIGHT:
            self.stats.dropped += 1
            return None
        loop = asyncio.get_running_loop()
        primary: asyncio.Future = loop.create_future()
        asked = _track(self.asking, loop.create_task(self._ask(entry.owner, call, body)))
        _track(self.pending, loop.create_task(self._shadow(entry, call, asked, primary)))
        return primary

    async def _settle(self) -> None:
        """Before a write goes out, the owner has answered every mirror already sent (or timed out):
        a read mirrored after the client's next write would see that write and differ for nothing."""
        if self.asking:
            await asyncio.wait(list(self.asking), timeout=self.table.settings["timeout_s"])

    async def _ask(self, owner: str, call: Call, body: bytes) -> tuple[Answer, float, bool] | str:
        """The owner's answer (at most BODY_LIMIT bytes of it kept), its time in ms, whether it was cut; or the error."""
        started = time.perf_counter()
        try:
            response = await self._send(owner, call, body)
            try:
                content = bytearray()
                async for chunk in response.aiter_raw():
                    content.extend(chunk)
                    if len(content) > BODY_LIMIT:
                        break
            finally:
                await response.aclose()
        except httpx.TransportError as error:
            return f"{type(error).__name__}: {error}"
        answer = Answer(response.status_code, _lower(response.headers.multi_items()), bytes(content))
        return answer, (time.perf_counter() - started) * 1000, len(content) > BODY_LIMIT

    async def _shadow(self, entry: Entry, call: Call, asked: asyncio.Task, primary: asyncio.Future) -> None:
        monolith: Primary = await primary
        service = await asked
        if monolith.answer is None:
            self.stats.dropped += 1
            return
        method, target = call.request.method, unquote(call.path) + (f"?{call.query.decode('latin-1')}" if call.query else "")
        record: dict[str, Any] = {"route": entry.route, "owner": entry.owner, "request": f"{method} {target}",
                                  "monolith": {"status": monolith.answer.status, "ms": round(monolith.ms, 1)}}
        if isinstance(service, str):
            record["service"] = {"error": service}
            self.stats.failed[entry.route] = self.stats.failed.get(entry.route, 0) + 1
            self._log(record)
            return
        answer, ms, cut = service
        record["service"] = {"status": answer.status, "ms": round(ms, 1)}
        if monolith.too_large or cut:
            record["differences"], record["note"] = [], "an answer was too large to compare"
        else:
            noise = self.noise.get(entry.route) or self.noise.get("*") or (lambda where: False)
            found = differences(0, Exchange(method, target, monolith.answer), Exchange(method, target, answer), noise)
            record["differences"] = [d.said("monolith", "service") for d in found]
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
                answer = await self.client.post(self.upstreams[name].url(reset.PATH), content=body, headers=headers,
                                                timeout=httpx.Timeout(reset.TIMEOUT_S, connect=2.0))
            except httpx.TransportError as error:
                return _failure(name, error)
            if answer.status_code != 200:
                return JSONResponse({"message": f"{name} refused the reset ({answer.status_code}): {answer.text[:300]}",
                                     "upstream": name}, status_code=502)
            skipped.append(set(answer.json().get("skipped", [])))
            return None

        failed = await one(MONOLITH)
        others = [name for name in sorted(self.urls) if name != MONOLITH]
        if failed is None and _loads_rows(body):
            for name in others:  # a scenario's rows, into a database they may share: one after the other
                failed = failed or await one(name)
        elif failed is None:
            results = await asyncio.gather(*(one(name) for name in others))
            failed = next((r for r in results if r is not None), None)
        return failed or JSONResponse({"skipped": sorted(set.intersection(*skipped))})

    async def drain(self) -> None:
        """Wait for every mirrored request still in flight (tests, shutdown)."""
        while self.pending or self.asking:
            await asyncio.gather(*list(self.pending), *list(self.asking), return_exceptions=True)

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



def _raw_path(scope: dict[str, Any]) -> bytes:
    """The target's path as the client sent it (ASGI servers that omit raw_path: the decoded path, re-escaped)."""
    raw = scope.get("raw_path")
    if raw is not None:
        return raw.partition(b"?")[0]
    return quote(scope["path"], safe="/:@!$&'()*+,;=%").encode("ascii")


def _track(tasks: set[asyncio.Task], task: asyncio.Task) -> asyncio.Task:
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return task


def _unanswered(primary: asyncio.Future | None) -> None:
    if primary is not None and not primary.done():
        primary.set_result(Primary())


def _text(pairs: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in pairs]


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size


def _lower(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((k.lower(), v) for k, v in pairs)


def _refusal(refused: Refused) -> Response:
    """The gateway's own answer to a request it does not forward; the connection is closed after it
    (what follows a malformed request cannot be trusted to start where the gateway thinks)."""
    return JSONResponse({"message": refused.message, "upstream": GATEWAY}, status_code=refused.status,
                        headers={UPSTREAM: GATEWAY, "connection": "close"})


def _failure(name: str, error: httpx.TransportError) -> Response:
    timeout = isinstance(error, httpx.TimeoutException)
    what = "did not answer in time" if timeout else "could not be reached"
    return JSONResponse({"message": f"{name} {what} ({type(error).__name__})", "upstream": name},
                        status_code=504 if timeout else 502, headers={UPSTREAM: name})


def _loads_rows(body: bytes) -> bool:
    """A reset that carries a scenario's rows ("data"): each process leaves the tables it knows holding
    exactly them (decompose_runtime.startdata), so processes sharing one database take turns."""
    try:
        return isinstance(json.loads(body or b"{}").get("data"), dict)
    except (ValueError, AttributeError):
        return False
