"""Per-request medians of a generated ASGI service against the monolith's own app, on the same routes.

    python benchmarks/asgi_latency.py [--requests 300] [--work DIR]

What flows through: a small FastAPI monolith written here (its lifespan opens an aiosqlite connection
when aiosqlite is installed, else an in-memory store behind an asyncio queue, kept on app.state by
the composition root; routers with prefixes)
-> `decompose analyze`, `plan`, `generate` in a scratch folder -> in the service's own Python process,
each route timed both ways on the same warm app:

- monolith: the app called as its ASGI server calls it (`BRIDGE.direct`: one scope, the process's
  event loop, the app's lifespan started once), which is what uvicorn does minus the socket;
- service: the same request through the generated Chalice app (`chalice.test.Client`: Chalice's
  routing, the API Gateway proxy event, Mangum's translation, the bridge's hop onto the loop).

The ratio is the cost the service adds per request, HTTP transport left out on both sides. With
`--http`, the same routes over HTTP on one keep-alive connection each: the monolith on uvicorn
(decompose's host, as `gateway up` runs it) against the service on `chalice local` (one thread per
request, the bridge handing each to the process's one loop). Before the
runtime kept one loop and one lifespan per process, the only way to make such an app work in a service
was a pool per request (265-585 ms against 1-11 ms in the monolith, issue #25). The numbers in
docs/generation.md come from this script.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

MONOLITH = {
    "ledger/__init__.py": "",
    "ledger/entries.py": '''
        from fastapi import APIRouter, Request

        router = APIRouter(prefix="/entries")


        @router.get("")
        async def recent(request: Request, limit: int = 10):
            return await request.app.state.store.recent(limit)


        @router.post("/{label}")
        async def add(label: str, request: Request):
            return {"id": await request.app.state.store.add(label)}
        ''',
    "ledger/health.py": '''
        from fastapi import APIRouter

        router = APIRouter()


        @router.get("/health")
        async def health():
            return {"status": "ok"}
        ''',
    "ledger/main.py": '''
        import asyncio
        import os
        from contextlib import asynccontextmanager

        from fastapi import FastAPI

        from ledger import entries, health

        try:
            import aiosqlite
        except ImportError:  # the benchmark still runs: a queue-backed store bound to the loop instead
            aiosqlite = None


        class Store:
            """Entries behind one connection (or one queue drained by a task) made at startup."""

            async def open(self) -> "Store":
                if aiosqlite is not None:
                    self.conn = await aiosqlite.connect(os.environ.get("LEDGER_DB", ":memory:"))
                    await self.conn.execute("CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY, label TEXT)")
                else:
                    self.rows, self.queue = [], asyncio.Queue()
                    self.worker = asyncio.ensure_future(self._drain())
                return self

            async def _drain(self) -> None:
                while True:
                    self.rows.append(await self.queue.get())
                    self.queue.task_done()

            async def add(self, label: str) -> int:
                if aiosqlite is None:
                    await self.queue.put(label)
                    await self.queue.join()
                    return len(self.rows)
                cursor = await self.conn.execute("INSERT INTO entries (label) VALUES (?)", (label,))
                await self.conn.commit()
                return cursor.lastrowid

            async def recent(self, limit: int) -> list:
                if aiosqlite is None:
                    return self.rows[-limit:]
                async with self.conn.execute("SELECT label FROM entries ORDER BY id DESC LIMIT ?", (limit,)) as rows:
                    return [row[0] async for row in rows]

            async def close(self) -> None:
                if aiosqlite is not None:
                    await self.conn.close()
                else:
                    self.worker.cancel()


        @asynccontextmanager
        async def lifespan(app: FastAPI):
            app.state.store = await Store().open()
            yield
            await app.state.store.close()


        app = FastAPI(lifespan=lifespan)
        app.include_router(entries.router, prefix="/api")
        app.include_router(health.router)
        ''',
}

TIMER = r'''
import json, statistics, sys, time
from chalice.test import Client
from app import BRIDGE, app

requests, routes = int(sys.argv[1]), json.loads(sys.argv[2])
results = {}
with Client(app) as client:
    for method, path in routes:
        def service():
            return client.http.request(method, path, headers={"accept": "application/json"}).status_code

        def monolith():
            return BRIDGE.direct(method, path, {"accept": "application/json"})[0]

        timings = {}
        for name, call in (("monolith", monolith), ("service", service)) * 2:  # interleaved, twice
            for _ in range(20):
                assert call() < 400, (name, method, path)
            samples = []
            for _ in range(requests // 2):
                started = time.perf_counter()
                call()
                samples.append((time.perf_counter() - started) * 1000)
            timings.setdefault(name, []).extend(samples)
        results[f"{method} {path}"] = {name: statistics.median(s) for name, s in timings.items()}
BRIDGE.reset()
print(json.dumps(results))
'''


def write(folder: Path) -> None:
    for rel, text in MONOLITH.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())


def decompose(folder: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "decompose", *args], cwd=folder, check=True, capture_output=True, text=True)


def measure(work: Path, requests: int) -> dict[str, dict[str, float]]:
    write(work)
    for args in (("analyze", ".", "-q"), ("plan", "-q"), ("generate", "-q")):
        decompose(work, *args)
    report = json.loads((work / "services" / "generation.json").read_text())
    results: dict[str, dict[str, float]] = {}
    for service in report["services"]:
        folder = work / "services" / service["name"]
        routes = [[method, re.sub(r"\{[^}]+\}", "7", path)] for method, path in (r.split(" ", 1) for r in service["routes"])]
        done = subprocess.run([sys.executable, "-c", TIMER, str(requests), json.dumps(routes)], cwd=folder,
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"timing service {service['name']} failed:\n{done.stderr[-3000:]}")
        results.update(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


def measure_http(work: Path, requests: int) -> dict[str, dict[str, float]]:
    """Both over HTTP: the monolith on uvicorn, each service on `chalice local`, started and stopped here."""
    sys.path.insert(0, str(REPO))
    from decompose.gateway.upstreams import Fleet, Upstream, chalice_local, free_port

    report = json.loads((work / "services" / "generation.json").read_text())
    results: dict[str, dict[str, float]] = {}
    for service in report["services"]:
        port = free_port()
        host = Upstream("monolith", [sys.executable, "-m", "decompose.gateway.host", "ledger.main:app", "--port", str(port),
                                     "--root", str(work)], work, port)
        upstreams = [host, chalice_local("service", work / "services" / service["name"], free_port())]
        with Fleet(upstreams, logs=work / "logs") as fleet:
            for method, path in (r.split(" ", 1) for r in service["routes"]):
                path = re.sub(r"\{[^}]+\}", "7", path)
                results[f"{method} {path}"] = _http_medians({n: fleet.url(n) for n in ("monolith", "service")},
                                                            method, path, requests)
    return results


def _http_medians(urls: dict[str, str], method: str, path: str, requests: int) -> dict[str, float]:
    """One keep-alive connection per side, the requests alternated between them (the load of a shared
    machine falls on both alike); the first 20 of each warm the app up."""
    import http.client
    import statistics
    import time
    from urllib.parse import urlsplit

    connections = {name: http.client.HTTPConnection(urlsplit(url).hostname, urlsplit(url).port, timeout=30)
                   for name, url in urls.items()}
    samples: dict[str, list[float]] = {name: [] for name in urls}
    for number in range(requests + 20):
        for name, connection in connections.items():
            started = time.perf_counter()
            connection.request(method, path, headers={"accept": "application/json"})
            answer = connection.getresponse()
            answer.read()
            if answer.status >= 400:
                raise SystemExit(f"{urls[name]}: {method} {path} answered {answer.status}")
            if number >= 20:
                samples[name].append((time.perf_counter() - started) * 1000)
    for connection in connections.values():
        connection.close()
    return {name: statistics.median(values) for name, values in samples.items()}


def table(results: dict[str, dict[str, float]]) -> str:
    lines = ["| route | monolith median ms | service median ms | ratio |", "|---|---|---|---|"]
    for route, t in sorted(results.items()):
        lines.append(f"| {route} | {t['monolith']:.2f} | {t['service']:.2f} | {t['service'] / t['monolith']:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="timed requests per route and side")
    parser.add_argument("--http", action="store_true", help="also over HTTP: uvicorn against chalice local")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="asgi-latency-") as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        print("in process (the app called as its server calls it, against the generated Chalice app):")
        print(table(measure(work, args.requests)))
        if args.http:
            print("\nover HTTP (uvicorn against chalice local, one keep-alive connection):")
            print(table(measure_http(work, args.requests)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
