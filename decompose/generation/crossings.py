"""Boundary edges that change behaviour, each with the plan constraint that removes it.

Two kinds of edge cross a service boundary and cannot keep the monolith's behaviour by themselves:

- **stub**: the caller uses something that cannot travel as JSON (a SQLAlchemy statement, a class,
  a non-literal value). The generated code raises `ManualWorkRequired` there.
- **transaction**: a caller that writes tables in its own transaction calls a function of another
  service that writes too, or a caller that uses an ORM model or table (changing its rows as
  attributes, which the analysis does not see as a write) calls a writer of another service that
  uses the same one (`update_product(product)` sets fields of the product, then `_set_tags(product)`
  writes its tags). In the monolith both writes commit or roll back together, and the callee sees
  the caller's flushed, uncommitted rows. Across services the callee commits alone and sees only
  committed rows, and on one shared SQLite database it waits for the caller's lock: a saga, or the
  two symbols in one service.

Each crossing suggests `together = [[caller, target]]`. `decompose plan` honours it on the next run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from decompose.analysis.link import reach
from decompose.analysis.model import Analysis
from decompose.generation.classify import writers
from decompose.generation.model import LAYER, ServiceLayout


@dataclass(frozen=True, order=True)
class Crossing:
    caller: str  # element id in the calling service
    target: str  # element id in the owning service
    kind: str  # stub | transaction
    service: str
    owner: str

    def why(self) -> str:
        if self.kind == "stub":
            return f"{self.caller} uses {self.target} (service {self.owner}), which is a stub in service {self.service}"
        return (f"{self.caller} writes tables and calls {self.target} (service {self.owner}), which writes too: "
                "one transaction in the monolith, two commits across services")


def crossings(analysis: Analysis, homes: dict[str, str], services: list[ServiceLayout],
              layer: Iterable[str] = ()) -> list[Crossing]:
    """`layer`: the modules generation put in the shared layer, the plan's kernel and the modules it
    promoted (every module defining ORM models): a call into them stays in the caller's process, whatever
    service the plan names for their symbols (`User.query` in the api service is no crossing)."""
    homes = in_layer(homes, set(layer))
    stubs = {(s.name, p.target) for s in services for p in s.proxies() if p.kind == "stub"}
    remote_writers = writers(analysis)
    in_transaction = _in_writing_transaction(analysis, homes)
    touched = _touched_tables(analysis)
    found: set[Crossing] = set()
    for edge in analysis.edges:
        service, owner = homes.get(edge.src), homes.get(edge.dst)
        if service is None or owner is None or service == owner or LAYER in (service, owner):
            continue
        if (service, edge.dst) in stubs:
            found.add(Crossing(edge.src, edge.dst, "stub", service, owner))
        elif edge.kind == "call" and edge.dst in remote_writers and (
                edge.src in in_transaction or touched.get(edge.src, set()) & touched.get(edge.dst, set())):
            found.add(Crossing(edge.src, edge.dst, "transaction", service, owner))
    return sorted(found)


def in_layer(homes: dict[str, str], layer: set[str]) -> dict[str, str]:
    """The homes as generation builds them: the symbols and bodies of the layer's modules are the layer's."""
    return {e: LAYER if e.split(":")[0] in layer and not e.startswith("table:") else h for e, h in homes.items()}


def _in_writing_transaction(analysis: Analysis, homes: dict[str, str]) -> set[str]:
    """Symbols that may run while their own process has written in the current transaction.

    A symbol writes locally when it writes a table through calls that stay in its process (its
    service or the layer). Whatever such a writer calls locally runs inside its transaction too:
    `checkout` flushes an order, then calls `reserve`, which calls a remote `_adjust`.
    """
    callers: dict[str, list[str]] = defaultdict(list)
    callees: dict[str, list[str]] = defaultdict(list)
    for edge in analysis.edges:
        if edge.kind == "call" and homes.get(edge.dst) in (homes.get(edge.src), LAYER):
            callers[edge.dst].append(edge.src)
            callees[edge.src].append(edge.dst)
    local_writers = reach({e.src for e in analysis.edges if e.kind == "table-write"}, callers)
    return reach(local_writers, callees)


def _touched_tables(analysis: Analysis) -> dict[str, set[str]]:
    """symbol -> the tables it reads, writes, or reaches through an ORM model it names."""
    model_table = {t.model: f"table:{t.name}" for t in analysis.tables if t.model}
    found: dict[str, set[str]] = defaultdict(set)
    for edge in analysis.edges:
        if edge.kind in ("table-read", "table-write"):
            found[edge.src].add(edge.dst)
        elif edge.kind in ("call", "reference") and edge.dst in model_table:
            found[edge.src].add(model_table[edge.dst])
    return found


def together(found: list[Crossing]) -> list[list[str]]:
    """The `[constraints] together` pairs that keep every crossing inside one service."""
    return [list(pair) for pair in sorted({(c.caller, c.target) for c in found})]
