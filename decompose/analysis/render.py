"""analysis.json from cached module units and the project context, byte for byte what
`serialize.dumps(link(...))` writes, without rebuilding the records of unchanged modules.

units (one per module with facts) + context + sources + failures
  -> reachability of hazards from the entry points (the only project-wide product that can change
     when one module's own products change)
  -> blocks of pre-encoded records placed in analysis.json's order -> text, summary
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from decompose.analysis.facts import ParseFailure, SourceFile
from decompose.analysis.link import Context, entry_points, hazard_order, mark, modules, reach
from decompose.analysis.model import SCHEMA_VERSION, HazardOut, Route
from decompose.analysis.serialize import ENCODER, Rows, pieces, row, summary_of
from decompose.analysis.units import Unit


@dataclass(frozen=True)
class Rendered:
    pieces: list[str]  # analysis.json, in consecutive pieces (joined only if asked for: `text`)
    summary: dict[str, Any]
    routes: list[Route]
    hazards: list[HazardOut]
    failures: list[ParseFailure]

    @property
    def text(self) -> str:
        return "".join(self.pieces)


def render(root: str, sources: tuple[SourceFile, ...], failures: list[ParseFailure], ctx: Context,
           units: list[Unit]) -> Rendered:
    """`units` in the order of `sources`; `failures` sorted by path."""
    reachable = reach(entry_points(ctx, units), _graph(units))
    hazards = sorted((mark(h, reachable) for u in units for h in u.hazards), key=hazard_order)
    unresolved = sorted((x for u in units for x in u.unresolved), key=lambda x: (x.path, x.line))
    infos = modules(sources, {u.module: (u.lines, u.sha256) for u in units}, failures,
                    {u.module: u.externals for u in units})
    edge_kinds: Counter[str] = Counter()
    for unit in units:
        edge_kinds.update(dict(unit.edge_kinds))
    summary = summary_of([m.lines for m in infos], sum(u.symbol_count for u in units), edge_kinds, ctx.routes,
                         len(ctx.tables), hazards, len(failures), len(unresolved))
    data = {
        "edges": Rows(text for _, text in sorted(block for u in units for block in u.edge_blocks)),
        "failures": _rows(failures), "hazards": _rows(hazards), "modules": _rows(infos), "root": root,
        "routes": _rows(ctx.routes), "schema_version": SCHEMA_VERSION, "summary": summary,
        "symbols": Rows(u.symbols for u in sorted(units, key=lambda u: u.module + ":")),  # ids are module:name
        "tables": _rows(ctx.tables), "unresolved": _rows(unresolved),
    }
    return Rendered(pieces(data), summary, ctx.routes, hazards, failures)


def _rows(items: list[Any]) -> Rows:
    return Rows(ENCODER.encode(row(item)) for item in items)


def _graph(units: list[Unit]) -> dict[str, list[str]]:
    graph: dict[str, list[str]] = {}
    for unit in units:
        for src, dsts in unit.reach:
            graph.setdefault(src, []).extend(dsts)
    return graph
