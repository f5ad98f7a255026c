"""Load and fault benchmark of the local strangler-fig gateway on loopback: what the gateway adds to a
request, and what clients see when the service behind a route dies.

    python benchmarks/gateway_load.py                                   # defaults: about 2.5 minutes
    python benchmarks/gateway_load.py --seconds 5 --concurrency 8 --rounds 3 --route "GET /api/catalog/categories"

The system under test is the sample monolith planned (`decompose plan --converge`) and generated in a
temporary folder, with its [contracts] world, started by `decompose.gateway.api.up` as
`decompose gateway up --contract-world` does: the monolith (decompose.gateway.host, a threaded WSGI
server), every service under `chalice local`, the gateway under uvicorn; then reset once through the
gateway. The load generator is httpx.AsyncClient in this process: --concurrency workers, each sending
GET requests for one route back to back for the run's duration, every request timed with
time.perf_counter and bounded by a client-side --hang-s (a request unanswered by then counts as hung).

1. Steady state, --rounds rounds, the four variants interleaved in every round (monolith direct,
   gateway with the route in `monolith` mode, the owner service direct, gateway in `service` mode),
   each measured for --seconds after --warmup seconds of load: requests/s, p50 and p99 latency
   (medians of the rounds), and every non-2xx answer, transport error or answer from the wrong
   upstream counted. The gateway's cost: the medians of the per-round differences (p50, p99) and
   ratios (requests/s) against the direct call.
2. Fault, twice, the route in `service` mode: the owner's process group is killed by PID (SIGKILL,
   `Fleet.kill`) halfway through a --fault-seconds run, first with `fallback = false` in routes.toml,
   then, the service restarted on its port, with `fallback = true`. Requests are split by time:
   finished before the kill, in flight during it, started after it; per window the count of each
   status + `x-decompose-upstream`, and the longest latency.

Exit status 1 if a steady-state request failed, any request hung, or a fault run did not answer as
expected: 200 from the service before the kill; after it 502 naming the service without fallback,
200 from the monolith with it. The load generator shares the machine's cores with everything it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx

from decompose.gateway import api
from decompose.gateway.proxy import UPSTREAM
from decompose.gateway.table import MONOLITH, read
from decompose.gateway.upstreams import Fleet
from decompose.generation.runtime.client import SECRET_HEADER
from decompose.generation.runtime.reset import PATH as RESET

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_monolith"
STARTED = time.perf_counter()
HANG = "hang"
WINDOWS = ("before the kill", "in flight at the kill", "after the kill")


@dataclass(frozen=True)
class Sample:
    start: float
    end: float
    status: int | str  # the HTTP status, "hang" (client timeout) or a transport error's class name
    upstream: str  # the gateway's x-decompose-upstream header, "" when called directly

    @property
    def ms(self) -> float:
        return (self.end - self.start) * 1000

    @property
    def outcome(self) -> str:
        return f"{self.status} {self.upstream}".strip()


@dataclass(frozen=True)
class Run:
    rps: float
    p50: float
    p99: float
    requests: int
    errors: int


@dataclass(frozen=True)
class Variant:
    name: str
    base: str  # the URL requests go to
    mode: str | None  # the route's mode, through the gateway
    expect: str  # the x-decompose-upstream of a correct answer ("" direct)


@dataclass
class Results:
    owner: str
    timeout_s: float
    services: int
    runs: dict[str, list[Run]]  # per variant, in the order of `variants`
    faults: dict[str, dict[str, list[Sample]]]  # "fallback = ..." -> window -> samples


def say(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def cli(where: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "decompose", *args, "-q"], cwd=where, check=True)


def workspace(where: Path) -> None:
    """The sample analysed, planned, generated, with its contract world and a route table."""
    cli(where, "analyze", str(SAMPLE))
    cli(where, "plan", "--converge")
    cli(where, "generate")
    plan = where / "decompose.toml"
    plan.write_text(plan.read_text() + "\n" + (SAMPLE / "contracts.toml").read_text())
    cli(where, "gateway", "init")


async def load(url: str, seconds: float, concurrency: int, hang_s: float) -> tuple[list[Sample], float]:
    """`concurrency` workers sending GET url back to back for `seconds`: the samples, the time it took."""
    samples: list[Sample] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=hang_s, limits=limits) as client:
        async def worker(deadline: float) -> None:
            while (start := time.perf_counter()) < deadline:
                samples.append(Sample(start, *await one(client, url, hang_s)))

        began = time.perf_counter()
        await asyncio.gather(*(worker(began + seconds) for _ in range(concurrency)))
        return samples, time.perf_counter() - began


async def one(client: httpx.AsyncClient, url: str, hang_s: float) -> tuple[float, int | str, str]:
    """(end, status, upstream) of one GET; `hang_s` bounds the whole request, not each read."""
    try:
        answer = await asyncio.wait_for(client.get(url), hang_s)
        return time.perf_counter(), answer.status_code, answer.headers.get(UPSTREAM, "")
    except (TimeoutError, httpx.TimeoutException):
        return time.perf_counter(), HANG, ""
    except httpx.TransportError as error:
        return time.perf_counter(), type(error).__name__, ""


def steady_run(url: str, expect: str, args: argparse.Namespace) -> Run:
    asyncio.run(load(url, args.warmup, args.concurrency, args.hang_s))
    samples, elapsed = asyncio.run(load(url, args.seconds, args.concurrency, args.hang_s))
    latencies = sorted(s.ms for s in samples)
    bad = sum(1 for s in samples if not (isinstance(s.status, int) and 200 <= s.status < 300 and s.upstream == expect))
    p99 = statistics.quantiles(latencies, n=100, method="inclusive")[98]
    return Run(len(samples) / elapsed, statistics.median(latencies), p99, len(samples), bad)


def route_mode(where: Path, route: str, mode: str, url: str, expect: str) -> None:
    """`decompose gateway route MODE ROUTE`, then wait until the gateway's answers come from `expect`."""
    cli(where, "gateway", "route", mode, route)
    deadline = time.monotonic() + 10
    while httpx.get(url, timeout=5).headers.get(UPSTREAM) != expect:
        if time.monotonic() > deadline:
            raise SystemExit(f"the gateway did not switch {route} to {mode} ({expect}) within 10 s")
        time.sleep(0.05)


def steady(where: Path, route: str, variants: list[Variant], args: argparse.Namespace) -> dict[str, list[Run]]:
    runs: dict[str, list[Run]] = {v.name: [] for v in variants}
    for round_ in range(1, args.rounds + 1):
        for variant in variants:
            url = variant.base + route.split(" ", 1)[1]
            if variant.mode:
                route_mode(where, route, variant.mode, url, variant.expect)
            run = steady_run(url, variant.expect, args)
            runs[variant.name].append(run)
            say(f"round {round_}/{args.rounds}, {variant.name}: {run.rps:.0f} requests/s, p50 {run.p50:.1f} ms, "
                f"p99 {run.p99:.1f} ms, {run.errors} errors")
    return runs


async def killed_halfway(fleet: Fleet, owner: str, url: str, args: argparse.Namespace) -> dict[str, list[Sample]]:
    """Load on url, the owner's process group killed halfway: the samples of each window."""
    async def kill() -> tuple[float, float]:
        await asyncio.sleep(args.fault_seconds / 2)
        say(f"SIGKILL to {owner}'s process group {fleet.processes[owner].pid}")
        signalled = time.perf_counter()
        await asyncio.to_thread(fleet.kill, owner)  # signal, then reap: blocking, so off the event loop
        return signalled, time.perf_counter()

    killer = asyncio.create_task(kill())
    samples, _ = await load(url, args.fault_seconds, args.concurrency, args.hang_s)
    signalled, dead = await killer
    return dict(zip(WINDOWS, ([s for s in samples if s.end < signalled],
                              [s for s in samples if s.end >= signalled and s.start <= dead],
                              [s for s in samples if s.start > dead]), strict=True))


def fault(fleet: Fleet, owner: str, url: str, args: argparse.Namespace) -> dict[str, list[Sample]]:
    asyncio.run(load(url, args.warmup, args.concurrency, args.hang_s))
    return asyncio.run(killed_halfway(fleet, owner, url, args))


def set_fallback(table_path: Path, on: bool) -> None:
    table = read(table_path)
    table.document["gateway"]["fallback"] = on
    table.save()


def reset(stack: api.Stack) -> None:
    """POST /_decompose/reset through the gateway: the monolith (its tables created), then every service."""
    answer = httpx.post(stack.url + RESET, json={}, headers={SECRET_HEADER: stack.secret}, timeout=60)
    if answer.status_code != 200:
        raise SystemExit(f"the reset through the gateway failed ({answer.status_code}): {answer.text[:300]}")


def measure(where: Path, args: argparse.Namespace) -> Results:
    route, table_path = args.route, where / "routes.toml"
    table = read(table_path)
    entry = table.entries.get(route)
    if entry is None or entry.owner == MONOLITH or not route.startswith("GET /") or "{" in route:
        raise SystemExit(f"{route}: not a GET route without path parameters that a service owns in {table_path}")
    owner, timeout_s = entry.owner, table.settings["timeout_s"]
    if args.hang_s >= timeout_s:
        raise SystemExit(f"--hang-s must be below the gateway's timeout_s ({timeout_s} s): a hang is not a 504")
    say("starting the monolith, every service and the gateway")
    with api.up(table_path, where / "services", where / "decompose.toml", ROOT, 0, where / ".decompose" / "gateway",
                contract_reset=True, contracts=where / "contracts") as stack:
        reset(stack)
        variants = [Variant("monolith direct", stack.urls[MONOLITH], None, ""),
                    Variant("gateway, monolith mode", stack.url, "monolith", MONOLITH),
                    Variant(f"{owner} direct", stack.urls[owner], None, ""),
                    Variant(f"gateway, service mode ({owner})", stack.url, "service", owner)]
        runs = steady(where, route, variants, args)
        url = stack.url + route.split(" ", 1)[1]
        say(f"fault with fallback = false: {route} in service mode")
        route_mode(where, route, "service", url, owner)
        faults = {"fallback = false": fault(stack.fleet, owner, url, args)}
        say(f"restarting {owner} on its port; fault with fallback = true")
        with Fleet([stack.fleet.upstreams[owner]], logs=where / ".decompose" / "restarted") as restarted:
            set_fallback(table_path, True)
            route_mode(where, route, "service", url, owner)  # also makes the gateway read the new fallback
            faults["fallback = true"] = fault(restarted, owner, url, args)
        return Results(owner, timeout_s, len(stack.urls) - 1, runs, faults)


def report(results: Results, args: argparse.Namespace) -> None:
    print(f"Gateway on loopback, `{args.route}` (owner {results.owner}): {args.concurrency} concurrent clients, "
          f"{args.seconds:g} s per run after {args.warmup:g} s of warm-up, medians of {args.rounds} interleaved rounds; "
          f"{os.cpu_count()} cores shared by the load generator, the gateway, the monolith and "
          f"{results.services} services.\n")
    print("| variant | requests/s | p50 ms | p99 ms | requests | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, runs in results.runs.items():
        print(f"| {name} | {statistics.median(r.rps for r in runs):.0f} | {statistics.median(r.p50 for r in runs):.1f} | "
              f"{statistics.median(r.p99 for r in runs):.1f} | {sum(r.requests for r in runs)} | "
              f"{sum(r.errors for r in runs)} |")
    print("\n| route mode | added p50 ms | added p99 ms | requests/s, gateway / direct | added p50 per round |")
    print("|---|---:|---:|---:|---|")
    names = list(results.runs)
    for mode, direct, through in (("monolith", names[0], names[1]), ("service", names[2], names[3])):
        paired = list(zip(results.runs[direct], results.runs[through], strict=True))
        p50 = [g.p50 - d.p50 for d, g in paired]
        print(f"| {mode} | {statistics.median(p50):+.1f} | {statistics.median(g.p99 - d.p99 for d, g in paired):+.1f} | "
              f"{statistics.median(g.rps / d.rps for d, g in paired):.2f} | {', '.join(f'{x:+.1f}' for x in p50)} |")
    print(f"\nFault: {results.owner} killed halfway through a {args.fault_seconds:g} s run; client timeout (a hang) "
          f"{args.hang_s:g} s, gateway timeout_s {results.timeout_s:g} s.\n")
    print("| routes.toml | window | requests | status upstream: count | longest ms |")
    print("|---|---|---:|---|---:|")
    for phase, windows in results.faults.items():
        for window, samples in windows.items():
            counts = ", ".join(f"{k}: {n}" for k, n in sorted(Counter(s.outcome for s in samples).items()))
            print(f"| {phase} | {window} | {len(samples)} | {counts or '-'} | {max((s.ms for s in samples), default=0):.1f} |")


def failures(results: Results) -> list[str]:
    found = [f"steady state, {name}: {sum(r.errors for r in runs)} failed request(s)"
             for name, runs in results.runs.items() if any(r.errors for r in runs)]
    owner = results.owner
    for phase, after in (("fallback = false", f"502 {owner}"), ("fallback = true", f"200 {MONOLITH}")):
        windows = results.faults[phase]
        hung = sum(s.status == HANG for samples in windows.values() for s in samples)
        found += [f"{phase}: {hung} request(s) hung"] if hung else []
        for window, expect in ((WINDOWS[0], f"200 {owner}"), (WINDOWS[2], after)):
            outcomes = Counter(s.outcome for s in windows[window])
            if set(outcomes) != {expect}:
                found.append(f"{phase}, {window}: expected only '{expect}', got {dict(outcomes)}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="each measured steady-state run")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent client workers")
    parser.add_argument("--rounds", type=int, default=3, help="steady-state rounds, the variants interleaved")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of load before each measured run")
    parser.add_argument("--fault-seconds", type=float, default=6.0, help="each fault run; the kill is halfway")
    parser.add_argument("--hang-s", type=float, default=2.0, help="client timeout: a request slower than this hung")
    parser.add_argument("--route", default="GET /api/catalog/categories", help="a GET route a service owns")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gateway-load-") as scratch:
        where = Path(scratch)
        say(f"generating the sample in {where}")
        workspace(where)
        here = Path.cwd()
        os.chdir(where)  # the gateway process runs here, as under 'decompose gateway up'
        try:
            results = measure(where, args)
        finally:
            os.chdir(here)
    report(results, args)
    found = failures(results)
    for failure in found:
        print(f"FAILED: {failure}", file=sys.stderr)
    say(f"{len(found)} check(s) failed" if found else "done, every check passed")
    raise SystemExit(1 if found else 0)


if __name__ == "__main__":
    main()
