"""analysis -> the elements a plan places and the typed dependencies between them.

Elements are what a service can own: every module-level symbol (function, class, assignment) of
application code, every ORM table (`table:NAME`), and every module's body (id = the module's
dotted name: its imports and module-level code). Test and migration modules are not placed.

Dependencies keep their analysis kind and count; module-level edges belong to the body element.
`weighted_graph` folds them into one undirected networkx graph for clustering.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx

from decompose.analysis.model import Analysis, Edge, Location, Route
from decompose.planning.weights import Weights

TABLE_PREFIX = "table:"
CODE_KINDS = ("call", "reference", "inherit", "enqueue")  # what metrics count as calls
USE_KINDS = CODE_KINDS + ("string-ref",)  # one element using another
TABLE_KINDS = ("table-read", "table-write")


@dataclass(frozen=True)
class Element:
    id: str
    kind: str  # function | class | assignment | module | table
    module: str  # the module it lives in (a table: its model's module)
    line: int
    lines: int


@dataclass(frozen=True)
class Dep:
    src: str
    dst: str
    kind: str
    count: int
    locations: tuple[Location, ...] = ()


@dataclass
class ElementGraph:
    elements: dict[str, Element] = field(default_factory=dict)
    deps: list[Dep] = field(default_factory=list)
    members: dict[str, list[str]] = field(default_factory=dict)  # module -> body + symbol ids
    routes: dict[str, list[Route]] = field(default_factory=dict)  # handler -> its routes
    table_model: dict[str, str] = field(default_factory=dict)  # table element -> model symbol
    paths: dict[str, str] = field(default_factory=dict)  # module -> its file, relative to the root
    scripts: frozenset[str] = frozenset()  # modules run by hand, left out (decompose.planning.scripts)

    def code_deps(self) -> list[tuple[str, str, float]]:
        return [(d.src, d.dst, float(d.count)) for d in self.deps if d.kind in CODE_KINDS]

    def table_access(self) -> list[tuple[str, str, float]]:
        return [(d.src, d.dst, float(d.count)) for d in self.deps if d.kind in TABLE_KINDS]

    def module_of(self, element: str) -> str:
        return self.elements[element].module

    @cached_property
    def uses(self) -> dict[str, list[str]]:
        """element -> the elements it uses (USE_KINDS); derived once, deps never change after build."""
        return _adjacency((d.src, d.dst) for d in self.deps if d.kind in USE_KINDS)

    @cached_property
    def outgoing(self) -> dict[str, list[Dep]]:
        """element -> its dependencies (every kind), in order."""
        found: dict[str, list[Dep]] = defaultdict(list)
        for dep in self.deps:
            found[dep.src].append(dep)
        return found

    @cached_property
    def used_by(self) -> dict[str, list[str]]:
        """element -> the elements that use it (USE_KINDS)."""
        return _adjacency((d.dst, d.src) for d in self.deps if d.kind in USE_KINDS)


def _adjacency(pairs) -> dict[str, list[str]]:  # noqa: ANN001
    found: dict[str, list[str]] = defaultdict(list)
    for a, b in pairs:
        found[a].append(b)
    return dict(found)


def is_table(element: str) -> bool:
    return element.startswith(TABLE_PREFIX)


def element_graph(analysis: Analysis, scripts: frozenset[str] = frozenset()) -> ElementGraph:
    """scripts: modules run by hand, never by a request (decompose.planning.scripts): left out."""
    graph = ElementGraph(scripts=scripts)
    app = sorted(m.name for m in analysis.modules if m.role == "app" and m.parse_error is None and m.name not in scripts)
    app_set = set(app)
    lines = {m.name: m.lines for m in analysis.modules}
    graph.paths = {m.name: m.path for m in analysis.modules if m.name in app_set}
    for name in app:
        graph.elements[name] = Element(name, "module", name, 1, lines[name])
        graph.members[name] = [name]
    for symbol in sorted(analysis.symbols, key=lambda s: s.id):
        if symbol.module in app_set:
            graph.elements[symbol.id] = Element(symbol.id, symbol.kind, symbol.module, symbol.line,
                                                symbol.end_line - symbol.line + 1)
            graph.members[symbol.module].append(symbol.id)
    _add_tables(graph, analysis, app_set)
    _add_deps(graph, analysis)
    for route in analysis.routes:
        anchor = route_anchor(route, analysis.routes, graph.elements)
        if anchor is not None:
            graph.routes.setdefault(anchor, []).append(route)
    return graph


def route_anchor(route: Route, routes: Iterable[Route], known: Container[str]) -> str | None:
    """The element a route goes with: its handler. A library's view that a Django URLconf of the app mounts
    (DRF's `obtain_auth_token` in `accounts/urls.py`) has no element of its own: it goes with the first
    (sorted) of the app's own views that the same URLconf mounts, so wherever that app's routes go.
    None: a library view alone in its URLconf, or outside Django (it stays on the monolith)."""
    if route.handler in known:
        return route.handler
    if route.framework != "django":
        return None
    siblings = sorted(r.handler for r in routes if r.module == route.module and r.handler in known)
    return siblings[0] if siblings else None


def _add_tables(graph: ElementGraph, analysis: Analysis, app: set[str]) -> None:
    for table in sorted(analysis.tables, key=lambda t: t.name):
        if table.module not in app:
            continue
        tid = TABLE_PREFIX + table.name
        graph.elements[tid] = Element(tid, "table", table.module, table.line, 0)
        if table.model in graph.elements:
            graph.table_model[tid] = table.model


def _add_deps(graph: ElementGraph, analysis: Analysis) -> None:
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    places: dict[tuple[str, str, str], list[Location]] = defaultdict(list)
    known = graph.elements
    spans = _spans(graph)
    for edge in analysis.edges:
        if edge.src not in known or edge.dst not in known:
            continue
        for src, count, locations in _sources(edge, spans.get(edge.src)):
            if src != edge.dst:
                counts[(src, edge.dst, edge.kind)] += count
                places[(src, edge.dst, edge.kind)].extend(locations)
    graph.deps = [Dep(s, d, k, n, tuple(sorted(set(places[(s, d, k)])))) for (s, d, k), n in sorted(counts.items())]


Spans = tuple[list[int], list[tuple[int, str]]]


def _spans(graph: ElementGraph) -> dict[str, Spans]:
    """module -> its symbols' (start lines, (end line, id)), sorted, to find the symbol at a line."""
    spans = {}
    for module, members in graph.members.items():
        ranges = sorted((graph.elements[m].line, graph.elements[m].line + graph.elements[m].lines - 1, m)
                        for m in members[1:])
        spans[module] = ([r[0] for r in ranges], [(r[1], r[2]) for r in ranges])
    return spans


def _sources(edge: Edge, spans: Spans | None) -> list[tuple[str, int, list[Location]]]:
    """Who a dependency comes from: module-level code inside an assignment's lines is that symbol's.

    The analysis gives `BLUEPRINTS = (accounts.bp, ...)` to the module body; its line shows it is
    the value of `BLUEPRINTS`, and the planner needs that to see what the symbol ties together.
    """
    if spans is None or not edge.locations:
        return [(edge.src, edge.weight, list(edge.locations))]
    starts, ends = spans
    found: dict[str, list[Location]] = defaultdict(list)
    for location in edge.locations:
        index = bisect_right(starts, location.line) - 1
        inside = index >= 0 and ends[index][0] >= location.line
        found[ends[index][1] if inside else edge.src].append(location)
    extra = max(edge.weight - len(edge.locations), 0)
    first = min(found)
    return [(src, len(locs) + (extra if src == first else 0), locs) for src, locs in sorted(found.items())]


def weighted_graph(graph: ElementGraph, weights: Weights, skip: frozenset[str] = frozenset()) -> nx.Graph:
    """Undirected graph of the elements not in `skip`, weight = sum of weighted ties.

    Besides the elements it holds `route:/segment` family nodes, one per first path segment.
    """
    ties: dict[tuple[str, str], float] = defaultdict(float)

    def tie(a: str, b: str, amount: float) -> None:
        if a != b and amount > 0 and a not in skip and b not in skip:
            ties[(a, b) if a < b else (b, a)] += amount

    explained = _explained_imports(graph)
    for dep in graph.deps:
        if not (dep.kind.startswith("import") and (dep.src, dep.dst) in explained):
            tie(dep.src, dep.dst, weights[dep.kind] * dep.count)
    for table, model in graph.table_model.items():
        tie(model, table, weights["defines"])
    for module, members in graph.members.items():
        for member in members[1:]:
            tie(module, member, weights["contains"])
    for handler, routes in graph.routes.items():
        for family in sorted({route_family(r.template) for r in routes}):
            tie(handler, family, weights["route-family"])
    result = nx.Graph()
    result.add_nodes_from(e for e in graph.elements if e not in skip)
    result.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(ties.items()))
    return result


def _explained_imports(graph: ElementGraph) -> set[tuple[str, str]]:
    """Module pairs whose import is already explained by a dependency between their symbols.

    Such an import adds no tie of its own (it would count the same dependency twice and bind the
    module bodies into a cluster of their own); unexplained imports (a plugin loaded by
    `importlib`, an import for its side effects) still tie the two modules.
    """
    return {(graph.module_of(d.src), graph.module_of(d.dst)) for d in graph.deps
            if not d.kind.startswith("import") and d.src not in graph.members}


def route_family(template: str) -> str:
    """`/api/v1/orders/{id}/items` -> `route:/orders`: the first segment that names something.

    API and version prefixes (`api`, `rest`, `v2`) and parameters are skipped; a template with no
    such segment belongs to the family `route:/`.
    """
    for segment in template.strip("/").split("/"):
        if segment and not _PREFIX.match(segment) and segment[0] not in "{$<":
            return f"route:/{segment}"
    return "route:/"


_PREFIX = re.compile(r"^(api|rest|v\d+(\.\d+)*)$", re.IGNORECASE)
