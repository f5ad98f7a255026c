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

from decompose.analysis.link import (
    Context,
    entry_points,
    hazard_order,
    mark,
    modules,
    reach,
)
from decompose.analysis.model import SCHEMA_VERSION, HazardOut, Route
from decompose.analysis.serialize import ENCODER, Rows, pieces, row, summary_of
from decompose.analysis.sources import ParseFailure, SourceFile
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
    hazards = _hazards(ctx, units)
    unresolved = sorted((x for u in units for x in u.unresolved), key=lambda x: (x.path, x.line))
    module_rows, lines = _modules(sources, failures, units)
    edge_kinds: Counter[str] = Counter()
    for unit in units:
        edge_kinds.update(dict(unit.edge_kinds))
    summary = summary_of(lines, sum(u.symbol_count for u in units), edge_kinds, ctx.routes, len(ctx.tables), hazards,
                         len(failures), len(unresolved))
    data = {
        "edges": Rows(text for _, text in sorted(block for u in units for block in u.edge_blocks)),
        "failures": _rows(failures), "hazards": _rows(hazards), "modules": module_rows, "root": root,
        "mounts": _rows(ctx.mounts), "routes": _rows(ctx.routes), "schema_version": SCHEMA_VERSION, "summary": summary,
        "symbols": Rows(u.symbols for u in sorted(units, key=lambda u: u.module + ":")),  # ids are module:name
        "tables": _rows(ctx.tables), "unresolved": _rows(unresolved),
    }
    return Rendered(pieces(data), summary, ctx.routes, hazards, failures)


def _hazards(ctx: Context, units: list[Unit]) -> list[HazardOut]:
    """Every hazard, marked when an entry point reaches it through calls and references."""
    graph: dict[str, list[str]] = {}
    for unit in units:
        for src, dsts in unit.reach:
            graph.setdefault(src, []).extend(dsts)
    reachable = reach(entry_points(ctx, units), graph)
    return sorted((mark(h, reachable) for u in units for h in u.hazards), key=hazard_order)


def _modules(sources: tuple[SourceFile, ...], failures: list[ParseFailure], units: list[Unit]) -> tuple[Rows, list[int]]:
    """Module records sorted by name (units carry theirs) and every module's line count."""
    linked = {u.module for u in units}
    others = modules(tuple(s for s in sources if s.module not in linked), {}, failures, {})  # no facts
    rows = sorted([(u.module, u.module_row) for u in units] + [(m.name, ENCODER.encode(row(m))) for m in others])
    return Rows(text for _, text in rows), [u.lines for u in units] + [m.lines for m in others]


def _rows(items: list[Any]) -> Rows:
    return Rows(ENCODER.encode(row(item)) for item in items)
