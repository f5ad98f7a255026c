"""A migration order for a plan: waves of services to route to their new home, first the ones
least in the way. A service goes in the first wave where no service still in the monolith calls it
(its callers then call a service that already answers at its new place, never one half-moved);
within a wave, fewer tables shared with other services and fewer incoming calls come first.
When every remaining service is called by another (a cycle), the least-called ones go next and the
wave says so. A service whose contract fails (when contracts were verified) waits in a last wave.

Pure: facts (service names, calls between services, table users, contract status) in, waves out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from decompose.planning.constraints import SHARED


@dataclass(frozen=True)
class Facts:
    services: tuple[str, ...]
    calls: dict[tuple[str, str], int]  # (caller's service, callee's service) -> calls
    tables: dict[str, tuple[str, ...]]  # service -> tables it shares with another service
    contracts: dict[str, str] = field(default_factory=dict)  # service -> "passed" | "failed" (absent: unknown)


@dataclass(frozen=True)
class Step:
    service: str
    calls_in: int
    shared_tables: tuple[str, ...]
    contract: str
    why: str


@dataclass(frozen=True)
class Wave:
    number: int
    steps: tuple[Step, ...]
    cycle: bool = False  # some callers are still in the monolith
    blocked: bool = False  # contracts failing

    def commands(self) -> list[str]:
        return [f"decompose gateway route service --service {s.service}" for s in self.steps]


def facts_of(analysis: Any, homes: dict[str, str], services: list[str], contracts: dict[str, str] | None = None) -> Facts:
    """From analysis.json and a plan's homes (element -> service): the calls and shared tables."""
    def home(element: str) -> str:
        found = homes.get(element)
        return found if found is not None or ":" not in element else homes.get(element.split(":", 1)[0], "")

    calls: Counter = Counter()
    users: dict[str, set[str]] = defaultdict(set)
    for edge in analysis.edges:
        src = home(edge.src) or ""
        if edge.kind == "call":
            dst = home(edge.dst) or ""
            if src in services and dst in services and src != dst:
                calls[(src, dst)] += edge.weight
        elif edge.kind in ("table-read", "table-write") and src in services:
            users[edge.dst.removeprefix("table:")].add(src)
    shared: dict[str, list[str]] = defaultdict(list)
    for table, who in sorted(users.items()):
        if len(who) > 1:
            for service in who:
                shared[service].append(table)
    return Facts(tuple(sorted(services)), dict(calls), {s: tuple(t) for s, t in shared.items()}, contracts or {})


def waves(facts: Facts) -> list[Wave]:
    blocked = [s for s in facts.services if facts.contracts.get(s) == "failed"]
    remaining = [s for s in facts.services if s not in blocked and s != SHARED]
    found: list[Wave] = []
    while remaining:
        incoming = {s: sum(n for (a, b), n in facts.calls.items() if b == s and a in remaining) for s in remaining}
        free = [s for s in remaining if incoming[s] == 0]
        cycle = not free
        if cycle:
            least = min(incoming.values())
            free = [s for s in remaining if incoming[s] == least]
        steps = sorted((_step(facts, s, incoming[s], cycle, remaining) for s in free),
                       key=lambda st: (len(st.shared_tables), st.calls_in, st.service))
        found.append(Wave(len(found) + 1, tuple(steps), cycle=cycle))
        remaining = [s for s in remaining if s not in free]
    if blocked:
        steps = tuple(_step(facts, s, 0, False, [], "its contract fails: fix it, verify again, then move it") for s in blocked)
        found.append(Wave(len(found) + 1, steps, blocked=True))
    return found


def _step(facts: Facts, service: str, calls_in: int, cycle: bool, remaining: list[str], why: str = "") -> Step:
    tables = facts.tables.get(service, ())
    contract = facts.contracts.get(service, "unknown")
    if not why:
        callers = sorted({a for (a, b) in facts.calls if b == service})
        waiting = [a for a in callers if a in remaining]
        why = (f"{calls_in} call{'s' if calls_in != 1 else ''} from services not yet moved ({', '.join(waiting)}), "
               "the fewest left: those calls cross the network once it moves" if cycle else
               "no service left in the monolith calls it" + (f" (called by {', '.join(callers)}, moved before)" if callers else ""))
        if tables:
            why += f"; shares {', '.join(tables)} with other services: one owner writes, the others read through it"
    return Step(service, calls_in, tables, contract, why)


def to_json(found: list[Wave]) -> dict[str, Any]:
    return {"waves": [{"wave": w.number, "cycle": w.cycle, "blocked": w.blocked, "commands": w.commands(),
                       "services": [{"service": s.service, "calls_in": s.calls_in, "shared_tables": list(s.shared_tables),
                                     "contract": s.contract, "why": s.why} for s in w.steps]} for w in found]}


def to_text(found: list[Wave]) -> str:
    lines = []
    for wave in found:
        note = " (blocked: contracts fail)" if wave.blocked else " (breaks a cycle of calls)" if wave.cycle else ""
        lines.append(f"Wave {wave.number}{note}:")
        for step in wave.steps:
            lines.append(f"  {step.service}: {step.why}")
        lines += [f"    {command}" for command in wave.commands()]
    return "\n".join(lines) + "\n"
