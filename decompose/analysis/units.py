"""A module's link products in the form they are cached and written: symbol and edge records
already encoded as analysis.json lines, so an unchanged module costs a string copy, not thousands
of objects to rebuild and encode again.

Records of one module are contiguous in analysis.json's order: its symbols (ids `module:name`) form
one block; its edges form at most two blocks, those out of the module itself (`src == module`)
and those out of its symbols (`src` starting with `module:`), because module names hold no colon.
So every block can be placed by its first key alone (see `decompose.analysis.render`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from decompose.analysis.link import ModuleLink, reach_graph
from decompose.analysis.model import Edge, HazardOut, ModuleInfo, Unresolved
from decompose.analysis.serialize import ENCODER, edge_line, row, symbol_line



@dataclass(frozen=True)
class Unit:
    module: str
    lines: int
    module_row: str  # the module's own record
    symbols: str  # encoded records joined by ",\n"; "" when none
    symbol_count: int
    edge_blocks: tuple[tuple[str, str], ...]  # (src of the first edge, encoded records joined by ",\n")
    edge_kinds: tuple[tuple[str, int], ...]
    reach: tuple[tuple[str, tuple[str, ...]], ...]  # src -> dsts of call and reference edges
    entry_points: frozenset[str]
    hazards: tuple[HazardOut, ...]  # sorted, not marked
    unresolved: tuple[Unresolved, ...]  # sorted
    deps: frozenset[str]  # modules whose resolution interface this module's names resolved through


def encode(linked: ModuleLink, info: ModuleInfo) -> Unit:
    return Unit(
        module=linked.module, lines=info.lines, module_row=ENCODER.encode(row(info)),
        symbols=",\n".join([symbol_line(s) for s in sorted(linked.symbols, key=lambda s: s.id)]),
        symbol_count=len(linked.symbols),
        edge_blocks=_edge_blocks(linked.module, linked.edges),
        edge_kinds=tuple(sorted(Counter(e.kind for e in linked.edges).items())),
        reach=tuple((src, tuple(dsts)) for src, dsts in reach_graph(linked.module, linked.edges, linked.symbols).items()),
        entry_points=linked.entry_points, hazards=tuple(linked.hazards), unresolved=tuple(linked.unresolved),
        deps=linked.deps,
    )


def _edge_blocks(module: str, edges: list[Edge]) -> tuple[tuple[str, str], ...]:
    """`edges` are sorted by (src, dst, kind): the module's own edges, then its symbols' edges."""
    own = [e for e in edges if e.src == module]
    symbols = [e for e in edges if e.src != module]
    return tuple((block[0].src, ",\n".join([edge_line(e) for e in block])) for block in (own, symbols) if block)


