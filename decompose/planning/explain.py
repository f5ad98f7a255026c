"""Why an element sits where it is: its strongest ties into its service and out of it, with counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from decompose.errors import UserError
from decompose.planning.constraints import SHARED
from decompose.planning.elements import TABLE_PREFIX, ElementGraph
from decompose.planning.weights import Weights


@dataclass(frozen=True)
class Tie:
    other: str
    home: str
    weight: float
    kinds: dict[str, int] = field(default_factory=dict)  # "call out" / "table-write in" -> count


@dataclass(frozen=True)
class Explanation:
    element: str
    home: str
    reason: str
    inside: list[Tie]
    outside: list[Tie]


def find_element(graph: ElementGraph, name: str) -> str:
    """Accept `module:Name`, `module.Name`, a module, `table:NAME` or a table name."""
    for candidate in (name, TABLE_PREFIX + name, ":".join(name.rsplit(".", 1))):
        if candidate in graph.elements:
            return candidate
    close = sorted(e for e in graph.elements if e.rpartition(":")[2] == name.rpartition(".")[2].rpartition(":")[2])[:5]
    hint = f"did you mean: {', '.join(close)}?" if close else "write module:Name, a dotted module, or a table name"
    raise UserError(f"{name!r} is no module, symbol or table of the analysis", hint)


def explain(graph: ElementGraph, weights: Weights, homes: dict[str, str], element: str,
            reasons: dict[str, str], limit: int = 5) -> Explanation:
    home = homes.get(element, "nowhere")
    ties: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    score: dict[str, float] = defaultdict(float)
    for dep in graph.deps:
        if element not in (dep.src, dep.dst):
            continue
        other, direction = (dep.dst, "out") if dep.src == element else (dep.src, "in")
        ties[other][f"{dep.kind} {direction}"] += dep.count
        score[other] += weights[dep.kind] * dep.count
    ranked = sorted(ties, key=lambda o: (-score[o], o))
    made = [Tie(o, homes.get(o, "nowhere"), round(score[o], 2), dict(sorted(ties[o].items()))) for o in ranked]
    inside = [t for t in made if t.home == home][:limit]
    outside = [t for t in made if t.home != home][:limit]
    return Explanation(element, home, reasons.get(element, _default_reason(home, inside, outside)), inside, outside)


def _default_reason(home: str, inside: list[Tie], outside: list[Tie]) -> str:
    if home == SHARED:
        return "placed in the shared kernel by the plan"
    if not inside and not outside:
        return "no dependencies: it follows its module"
    into = sum(t.weight for t in inside)
    out = sum(t.weight for t in outside)
    return f"ties into {home} weigh {into:g}, the strongest ties elsewhere {out:g} (top {len(outside)})"
