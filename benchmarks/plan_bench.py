"""Benchmark `decompose plan` on real Django monoliths: MoJoFM against their Django apps, metrics, time.

    decompose analyze /path/to/saleor/saleor --out /tmp/an_saleor -q
    python benchmarks/plan_bench.py /tmp/an_saleor/analysis.json [more analysis.json ...] --rounds 3

Ground truth: each module belongs to its Django app, the nearest enclosing package that has an
`apps.py` or `models.py` (or `models/`) module; modules outside every app are not scored.
Package names are hidden from the clustering: every module and symbol is renamed to an opaque
id before planning (tables and URL templates are kept: they are not package names), and the
result is mapped back for scoring. Prints one table per corpus: our strategy and the baseline
(Louvain on module imports), with MoJoFM, SM, ICP, IFN, NED and the median planning time.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from pathlib import Path

from decompose.planning.api import load
from decompose.planning.constraints import Constraints
from decompose.planning.elements import Dep, Element, ElementGraph
from decompose.planning.plan import Settings, placement_of, roll_up
from decompose.planning.planner import PlanOptions, propose
from decompose.planning.scoring import score


def django_apps(graph: ElementGraph) -> dict[str, str]:
    """module -> its Django app (dotted package), for modules inside one."""
    modules = set(graph.members)
    apps = {m.rsplit(".", 1)[0] for m in modules if m.rsplit(".", 1)[-1] in ("apps", "models")}
    found = {}
    for module in modules:
        parts = module.split(".")
        for end in range(len(parts), 0, -1):
            if ".".join(parts[:end]) in apps:
                found[module] = ".".join(parts[:end])
                break
    return found


def truth(graph: ElementGraph) -> dict[str, str]:
    apps = django_apps(graph)
    return {e: apps[info.module] for e, info in graph.elements.items() if info.module in apps}


def anonymised(graph: ElementGraph) -> tuple[ElementGraph, dict[str, str]]:
    """The same graph with opaque module and symbol names; returns it and new id -> old id."""
    def opaque(name: str) -> str:
        return "m" + hashlib.sha1(name.encode()).hexdigest()[:10]

    def rename(element: str) -> str:
        if element.startswith("table:"):
            return element
        module, _, symbol = element.partition(":")
        return opaque(module) + (":" + opaque(element) if symbol else "")

    new = ElementGraph()
    new.elements = {rename(e): Element(rename(e), i.kind, opaque(i.module), i.line, i.lines) for e, i in graph.elements.items()}
    new.deps = [Dep(rename(d.src), rename(d.dst), d.kind, d.count) for d in graph.deps]
    new.members = {opaque(m): [rename(e) for e in members] for m, members in graph.members.items()}
    new.routes = {rename(h): routes for h, routes in graph.routes.items()}
    new.table_model = {t: rename(m) for t, m in graph.table_model.items()}
    return new, {rename(e): e for e in graph.elements}


def run(graph: ElementGraph, options: PlanOptions) -> tuple[dict[str, str], float]:
    started = time.perf_counter()
    placement = propose(graph, options)
    plan = roll_up(graph, placement, Constraints(), Settings(strategy=options.strategy))
    homes, _ = placement_of(plan, graph)
    return homes, time.perf_counter() - started


def bench(path: Path, rounds: int) -> list[tuple]:
    ws = load(path)
    hidden, back = anonymised(ws.graph)
    ground = truth(ws.graph)
    rows = []
    for strategy in ("louvain", "baseline"):
        options = PlanOptions(strategy=strategy, weights=ws.weights)
        times, homes = [], {}
        for _ in range(rounds):
            homes, seconds = run(hidden, options)
            times.append(seconds)
        homes = {back[e]: s for e, s in homes.items()}
        s = score(ws.graph, homes, ground)
        rows.append((strategy, s["services"], s["shared_elements"], s["mojofm"], s["sm"], s["icp"], s["ifn"],
                     s["ned_python"], s["ned_5_20"], statistics.median(times)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("analyses", nargs="+", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    for path in args.analyses:
        ws = load(path)
        ground = truth(ws.graph)
        print(f"\n## {path} ({len(ws.graph.elements):,} elements, {len(ws.graph.deps):,} dependencies, "
              f"{len(set(ground.values()))} Django apps over {len(ground):,} elements)\n")
        print("| strategy | services | shared | MoJoFM | SM | ICP | IFN | NED 10-400 | NED 5-20 | plan s (median) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for row in bench(path, args.rounds):
            print("| " + " | ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
