"""The classes a service's wire decoder may build, fixed at generation time (decompose_runtime.wire.allow).

    models(sources)                       the ORM model classes of the shared schema (rows travel by key)
    errors(layout, service, sources, a)   the monolith's exception classes this service or a service it
                                          calls defines, and those of the shared layer

A class is an exception when one of its bases is written as ...Exception, ...Error or ...Warning, or is
(through the analysis' inherit edges) another such class; the runtime also checks that the class it
imports is an Exception before building one, so a wrong guess here never lets anything else through.
"""

from __future__ import annotations

import libcst as cst

from decompose.analysis.model import Analysis
from decompose.generation.classify import ERROR_BASES
from decompose.generation.layout import Sources
from decompose.generation.model import Layout, ServiceLayout
from decompose.generation.source import code


def models(sources: Sources) -> list[str]:
    return sorted(m for m in sources.models if m in sources.symbols and sources.symbols[m].kind == "class")


def errors(layout: Layout, service: ServiceLayout, sources: Sources, analysis: Analysis) -> list[str]:
    callees = {p.owner for p in service.proxies() if p.kind == "client"}
    mine = _classes_of(layout, [service] + [s for s in layout.services if s.name in callees], sources)
    found = _errors(sources, analysis, mine)
    return sorted(found & mine)


def _classes_of(layout: Layout, services: list[ServiceLayout], sources: Sources) -> set[str]:
    kept = {f"{module}:{name}" for service in services for module, view in service.views.items() for name in view.keep}
    return {s.id for s in sources.symbols.values()
            if s.kind == "class" and (s.module in layout.layer.modules or s.id in kept)}


def _errors(sources: Sources, analysis: Analysis, classes: set[str]) -> set[str]:
    """The exception classes among `classes` and the classes they inherit from, to a fixed point."""
    bases = {e.src: set() for e in analysis.edges if e.kind == "inherit"}
    for edge in analysis.edges:
        if edge.kind == "inherit":
            bases[edge.src].add(edge.dst)
    errors = {c for c in classes | {b for c in classes for b in bases.get(c, ())} if _looks_like_error(sources, c)}
    while True:
        more = {c for c in classes if c not in errors and bases.get(c, set()) & errors}
        if not more:
            return errors
        errors |= more


def _looks_like_error(sources: Sources, element: str) -> bool:
    info = sources.symbols.get(element)
    if info is None or info.kind != "class" or info.module not in sources.modules:
        return False
    for piece in sources.parsed(info.module).pieces:
        if piece.kind == "symbol" and info.name in piece.names and isinstance(piece.node, cst.ClassDef):
            return any(code(b.value).endswith(ERROR_BASES) for b in piece.node.bases)
    return False
