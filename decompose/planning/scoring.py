"""Score a placement (element -> service or "shared") with every metric of metrics.py.

Code metrics (SM, ICP, IFN, NED, TurboMQ, CARGO, DB purity) are computed over the services only:
the shared kernel is a library every service links in-process, so calls into it cross no network
boundary. MoJoFM compares the whole placement, kernel included as one cluster named "shared",
with a ground truth over the elements both place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from decompose.planning import metrics
from decompose.planning.constraints import SHARED
from decompose.planning.elements import ElementGraph


@dataclass(frozen=True)
class ServiceFigures:
    elements: int
    cohesion: float  # Bunch's modularisation factor MF_i of the service (weighted TurboMQ term)
    interface: int  # its elements used by other services (IFN term)


def score(graph: ElementGraph, homes: dict[str, str], ground_truth: dict[str, str] | None = None) -> dict[str, Any]:
    services = {e: s for e, s in homes.items() if s != SHARED}
    result = metrics.score_all(services, graph.code_deps(), graph.table_access()).to_dict()
    result.pop("mojo"), result.pop("mojofm")
    result["services"] = len(set(services.values()))
    result["shared_elements"] = sum(1 for s in homes.values() if s == SHARED)
    if ground_truth is not None:
        common = {e: s for e, s in homes.items() if e in ground_truth}
        truth = {e: ground_truth[e] for e in common}
        result["mojo"] = metrics.mojo(common, truth) if common else None
        result["mojofm"] = round(metrics.mojofm(common, truth), 2) if common else None
    return dict(sorted(result.items()))


def per_service(graph: ElementGraph, homes: dict[str, str]) -> dict[str, ServiceFigures]:
    services = {e: s for e, s in homes.items() if s != SHARED}
    deps = graph.code_deps()
    cohesion = metrics.turbomq(services, deps).per_service
    interface = metrics.interface_number(services, deps).per_service
    sizes: dict[str, int] = {}
    for service in services.values():
        sizes[service] = sizes.get(service, 0) + 1
    return {name: ServiceFigures(size, round(cohesion.get(name, 0.0), 4), interface.get(name, 0))
            for name, size in sorted(sizes.items())}
