"""Link per-file facts into the analysis: resolved, typed and weighted edges between modules,
symbols and tables; routes from every framework detector; tables; hazards marked when a route
handler can reach them.

facts (one per file) -> Index -> edges + routes + tables + hazards -> Analysis
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from decompose.analysis.facts import FileFacts
from decompose.analysis.hazards import RULES_BY_KIND
from decompose.analysis.index import Index, Resolved, split_id, symbol_id
from decompose.analysis.model import (
    Analysis,
    Edge,
    HazardOut,
    Location,
    ModuleInfo,
    Mount,
    Route,
    SymbolInfo,
    Table,
    Unresolved,
)
from decompose.analysis.discovery import role_of
from decompose.analysis.sources import ParseFailure, SourceFile
from decompose.analysis.sql import AIOSQL_LOADERS, SqlCatalog, SqlTables
from decompose.frameworks import ROUTE_DETECTORS
from decompose.frameworks.django import app_label, app_labels
from decompose.frameworks.orm import ModelFinder

MAX_LOCATIONS = 20
IMPORT_KIND = {"top": "import", "type-checking": "import-type-checking", "lazy": "import-lazy"}
USAGE_KIND = {"call": "call", "reference": "reference", "annotation": "reference", "inherit": "inherit", "decorator": "reference"}
# Decorators whose function runs inside requests although no route calls it directly.
REQUEST_HOOKS = {
    "listens_for", "receiver", "before_request", "after_request", "teardown_request",
    "teardown_appcontext", "before_app_request", "after_app_request", "middleware", "on_event",
}
# GraphQL entry points: Strawberry `@strawberry.field/mutation`, Ariadne `@query.field("x")` decorators,
# and Graphene classes whose methods resolve fields (`resolve_*`) or run mutations.
GRAPHQL_DECORATORS = {"field", "mutation", "subscription"}
GRAPHQL_METHODS = ("resolve_", "mutate", "perform_mutation")
WRITE_METHODS = {
    "create", "get_or_create", "update_or_create", "bulk_create", "bulk_update", "update",
    "delete", "insert", "add", "save",
}


class Edges:
    """Accumulates edges by (src, dst, kind): weight is the number of occurrences."""

    def __init__(self) -> None:
        self.weights: dict[tuple[str, str, str], int] = defaultdict(int)
        self.lines: dict[tuple[str, str, str], set[tuple[str, int]]] = defaultdict(set)
        self.via: dict[tuple[str, str, str], str] = {}

    def add(self, src: str, dst: str, kind: str, path: str, lines: tuple[int, ...],
            count: int = 1, via: str | None = None) -> None:
        if src == dst:
            return
        key = (src, dst, kind)
        self.weights[key] += count
        known = self.lines[key]
        if len(known) < MAX_LOCATIONS:
            for line in lines:
                known.add((path, line))
        if via is not None:
            self.via.setdefault(key, via)

    def build(self) -> list[Edge]:
        return [
            Edge(src, dst, kind, weight, tuple(map(Location._make, sorted(self.lines[(src, dst, kind)])[:MAX_LOCATIONS])),
                 self.via.get((src, dst, kind)))
            for (src, dst, kind), weight in sorted(self.weights.items())
        ]


@dataclass(frozen=True)
class Context:
    """Project-wide products every module is linked against: tables (and the models behind them),
    routes, classes by name and Django app labels. Computed from every module's facts."""

    tables: list[Table]
    routes: list[Route]
    model_tables: dict[str, str]  # model symbol id -> table name
    table_names: frozenset[str]
    by_name: dict[str, list[str]]  # class name -> class ids, sorted
    labels: dict[str, set[str]]  # Django app label -> models modules
    tops: frozenset[str]  # top-level package names
    sql: SqlCatalog = SqlCatalog()  # the project's .sql files (analysis/sql.py)
    sql_loaders: dict[str, str] = field(default_factory=dict)  # aiosql `queries = aiosql.from_path(...)` id -> its folder
    mounts: list[Mount] = field(default_factory=list)  # what the URLconfs mount from libraries (`_mounts`)

    def changed_keys(self, new: Context) -> set[str]:
        """Keys (as `ContextReads` records them) whose answer differs in `new`."""
        changed = {f"model:{m}" for m in self.model_tables.keys() | new.model_tables.keys()
                   if self.model_tables.get(m) != new.model_tables.get(m)}
        changed |= {f"table:{t}" for t in self.table_names ^ new.table_names}
        changed |= {f"class:{n}" for n in self.by_name.keys() | new.by_name.keys() if self.by_name.get(n) != new.by_name.get(n)}
        changed |= {"sql:loaders"} if self.sql_loaders != new.sql_loaders else set()
        return changed


class ContextReads:
    """The context as one module's link sees it: every lookup is recorded as a key (`model:<id>`,
    `table:<name>`, `class:<name>`), so a changed context re-links only the modules that asked
    about what changed. Django labels and top-level names depend on module names only."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.keys: set[str] = set()

    def model_table(self, node: str) -> str | None:
        self.keys.add(f"model:{node}")
        return self.ctx.model_tables.get(node)

    def is_table(self, name: str) -> bool:
        self.keys.add(f"table:{name}")
        return name in self.ctx.table_names

    def classes_named(self, name: str) -> list[str]:
        self.keys.add(f"class:{name}")
        return self.ctx.by_name.get(name, [])

    def aiosql(self) -> bool:
        """Whether the project loads .sql files with aiosql (then `x.<query name>(...)` runs that query)."""
        self.keys.add("sql:loaders")
        return bool(self.ctx.sql_loaders)


@dataclass(frozen=True)
class ModuleLink:
    """What one module contributes: every edge out of it (and out of its symbols), the third-party
    names it imports, its unresolved dynamic imports, symbols, hazards (not yet marked as in a
    request path), the entry points it declares, and the modules whose resolution interface its
    names were resolved through and the context keys it looked up (`deps`)."""

    module: str
    edges: list[Edge]
    externals: tuple[str, ...]
    unresolved: list[Unresolved]
    symbols: list[SymbolInfo]
    hazards: list[HazardOut]
    entry_points: frozenset[str]
    deps: frozenset[str]


def link(root: str, sources: tuple[SourceFile, ...], results: list[FileFacts | ParseFailure],
         discovery_failures: tuple[ParseFailure, ...], sql: SqlCatalog = SqlCatalog()) -> Analysis:
    files = [r for r in results if isinstance(r, FileFacts)]
    failures = sorted([*discovery_failures, *(r for r in results if isinstance(r, ParseFailure))], key=lambda f: f.path)
    index = Index(files)
    ctx = context(index, sql)
    links = [link_module(index, ctx, facts) for facts in files]
    edges = sorted((e for m in links for e in m.edges), key=lambda e: (e.src, e.dst, e.kind))
    graph: dict[str, list[str]] = defaultdict(list)
    for linked in links:
        for src, dsts in reach_graph(linked.module, linked.edges, linked.symbols).items():
            graph[src].extend(dsts)
    reachable = reach(entry_points(ctx, links), graph)
    externals = {m.module: m.externals for m in links}
    return Analysis(
        root=root,
        modules=modules(sources, {f.module: (f.lines, f.sha256) for f in files}, failures, externals,
                        migration_helpers(sources, files)),
        symbols=sorted((s for m in links for s in m.symbols), key=lambda s: s.id),
        edges=edges,
        routes=ctx.routes,
        mounts=ctx.mounts,
        tables=ctx.tables,
        hazards=sorted((mark(h, reachable) for m in links for h in m.hazards), key=hazard_order),
        failures=failures,
        unresolved=sorted((u for m in links for u in m.unresolved), key=lambda u: (u.path, u.line)),
    )


def context(index: Index, sql: SqlCatalog = SqlCatalog()) -> Context:
    finder = ModelFinder(index)
    mapped = finder.tables()
    tables = sorted([*mapped, *_sql_tables(index, {t.name for t in mapped}, sql)], key=lambda t: (t.name, t.model or ""))
    by_name: dict[str, list[str]] = defaultdict(list)
    for class_id in sorted(index.classes):
        by_name[split_id(class_id)[1] or ""].append(class_id)
    routes, mounts = _served(index)
    return Context(
        tables=tables,
        routes=routes,
        mounts=mounts,
        model_tables={t.model: t.name for t in tables if t.model is not None},
        table_names=frozenset(t.name for t in tables),
        by_name=dict(by_name),
        labels=_django_labels(index),
        tops=frozenset(m.split(".")[0] for m in index.files),
        sql=sql,
        sql_loaders=_sql_loaders(index) if sql.files else {},
    )


def link_module(index: Index, ctx: Context, facts: FileFacts) -> ModuleLink:
    """Link one module against the index and the context; edges are accumulated in the same order
    as a whole-project pass would (imports, dynamic imports, usages, strings), so weights and the
    first `MAX_LOCATIONS` locations are the same."""
    deps = index.recording()
    reads = ContextReads(ctx)
    edges = Edges()
    externals = _import_edges(index, facts, edges)
    unresolved = _dynamic_edges(index, ctx, facts, edges)
    _usage_edges(index, facts, edges, reads)
    _string_edges(index, reads, facts, edges)
    _sql_edges(facts, edges, ctx.sql, reads.aiosql())
    return ModuleLink(
        module=facts.module, edges=edges.build(), externals=tuple(sorted(externals)), unresolved=unresolved,
        symbols=[SymbolInfo(symbol_id(facts.module, s.name), facts.module, s.name, s.kind, s.line, s.end_line)
                 for s in facts.symbols],
        hazards=_hazards(facts), entry_points=_declared_entry_points(facts), deps=frozenset(deps | reads.keys),
    )


# ---- modules ----------------------------------------------------------------------------------
def modules(sources: tuple[SourceFile, ...], sizes: dict[str, tuple[int, str]], failures: list[ParseFailure],
            externals: dict[str, tuple[str, ...]], app_code: frozenset[str] = frozenset()) -> list[ModuleInfo]:
    """One record per discovered file; `sizes` maps a module with facts to its (lines, sha256); `app_code`
    names modules under a migrations folder that are app code all the same (migration_helpers)."""
    failed = {f.module: f.kind for f in failures if f.module}
    out = []
    for source in sources:
        lines, sha256 = sizes.get(source.module, (0, ""))
        out.append(ModuleInfo(
            name=source.module, path=source.rel, lines=lines, sha256=sha256, is_package=source.is_package,
            role="app" if source.module in app_code else source.role, external_imports=externals.get(source.module, ()),
            parse_error=failed.get(source.module),
        ))
    return sorted(out, key=lambda m: m.name)


def migration_helpers(sources: tuple[SourceFile, ...], files: Iterable[FileFacts]) -> frozenset[str]:
    """Packages named `migrations` whose own `__init__.py` defines functions or classes: helpers the app
    calls, not migrations (CTFd's `CTFd/utils/migrations/__init__.py` holds the `create_database` its
    factory calls). Django's migrations/__init__.py is empty; a migration is a module inside the folder."""
    packages = {s.module for s in sources if s.role == "migration" and s.is_package}
    return frozenset(f.module for f in files if f.module in packages
                     and any(symbol.kind in ("function", "class") for symbol in f.symbols))


# ---- imports ----------------------------------------------------------------------------------
def _import_edges(index: Index, facts: FileFacts, edges: Edges) -> set[str]:
    externals: set[str] = set()
    for imp in facts.imports:
        kind = IMPORT_KIND[imp.context]
        for target, via in _import_targets(index, imp.module, imp.names):
            if target is None:
                if imp.module and not imp.module.startswith((".", "__future__")):
                    externals.add(imp.module.split(".")[0])
            else:
                edges.add(facts.module, target, kind, facts.path, (imp.line,), via=via)
    return externals


def _import_targets(index: Index, module: str, names: tuple[tuple[str, str], ...]) -> list[tuple[str | None, str | None]]:
    if not names or names == (("*", "*"),):
        resolved = index.resolve(module)
        return [(split_id(resolved.node)[0] if resolved else None, None)]
    out = []
    for name, _ in names:
        candidate = f"{module}.{name}"
        if index.is_module(candidate):
            out.append((candidate, None))
            continue
        resolved = index.resolve(candidate)
        target = split_id(resolved.node)[0] if resolved else None
        out.append((target, module if target not in (None, module) else None))
    return out


def _dynamic_edges(index: Index, ctx: Context, facts: FileFacts, edges: Edges) -> list[Unresolved]:
    unresolved: list[Unresolved] = []
    for dyn in facts.dynamic_imports:
        resolved = index.resolve(dyn.target)
        if resolved is not None and not resolved.rest:
            edges.add(facts.module, split_id(resolved.node)[0], "import-dynamic", facts.path, (dyn.line,))
        elif dyn.target.split(".")[0] in ctx.tops:
            unresolved.append(Unresolved(facts.module, facts.path, dyn.line, f"import of {dyn.target!r}: no such module in the tree"))
    for line, source in facts.unresolved_dynamic:
        unresolved.append(Unresolved(facts.module, facts.path, line, f"dynamic import with a computed name: {source}"))
    return sorted(unresolved, key=lambda u: (u.path, u.line))


# ---- usages: calls, references, inheritance, table access --------------------------------------
def _usage_edges(index: Index, facts: FileFacts, edges: Edges, reads: ContextReads) -> None:
    persisting = set(facts.persisting_scopes)
    for usage in facts.usages:
        resolved = index.resolve_in(facts.module, usage.scope, usage.dotted)
        if resolved is None:
            continue
        src = symbol_id(facts.module, usage.scope) if usage.scope else facts.module
        if src == facts.module and split_id(resolved.node)[0] == facts.module:
            continue  # module-level code using its own symbols
        edges.add(src, resolved.node, _usage_kind(usage.kind, resolved), facts.path, usage.lines, usage.count)
        table = reads.model_table(resolved.node)
        if table is not None and usage.kind != "annotation":  # `-> Order` is not a table access
            kind = _table_access(usage.kind, usage.dotted, resolved, (usage.scope or "") in persisting)
            edges.add(src, f"table:{table}", kind, facts.path, usage.lines, usage.count)


def _sql_tables(index: Index, mapped: set[str], sql: SqlCatalog = SqlCatalog()) -> list[Table]:
    """Tables known only from SQL (no ORM maps them): where they are created, else where they are
    first used; in Python strings first, then in .sql files (a schema.sql or an aiosql file, under the
    package it lies in). Test modules do not define the schema."""
    found: dict[str, Table] = {}

    def note(name: str, module: str, line: int, creates: bool) -> None:
        if name in mapped or (name in found and not (creates and found[name].line < 0)):
            return
        found[name] = Table(name, None, "sql", module, line if creates else -line)  # negative: a use, not a definition

    for facts in sorted(index.files.values(), key=lambda f: (role_of(f.path) != "app", f.module)):
        if role_of(facts.path) == "test":
            continue  # a test's fixtures are not the schema
        for use in facts.sql:
            for name in use.creates:
                note(name, facts.module, use.line, True)
            for name in (*use.writes, *use.reads):
                note(name, facts.module, use.line, False)
    for file in sql.files:
        if file.module is None or file.module not in index.files:
            continue
        for query in file.queries:
            for name in query.tables.creates:
                note(name, file.module, query.line, True)
            for name in (*query.tables.writes, *query.tables.reads):
                note(name, file.module, query.line, False)
    return [Table(t.name, t.model, t.framework, t.module, abs(t.line)) for t in found.values()]


def _sql_loaders(index: Index) -> dict[str, str]:
    """aiosql loaders (`queries = aiosql.from_path(...)` at module level) -> the folder of their module."""
    return {symbol_id(f.module, call.name): f.path.rpartition("/")[0]
            for f in index.files.values() for call in f.assigned_calls
            if call.scope is None and call.callee in AIOSQL_LOADERS}


def _sql_edges(facts: FileFacts, edges: Edges, sql: SqlCatalog = SqlCatalog(), aiosql: bool = False) -> None:
    """The code that runs SQL reads or writes its tables (a CREATE writes the new table): SQL strings;
    a string naming a .sql file ("schema.sql", read and run by that code); with aiosql, a call
    `<anything>.<query name>(...)` (`queries.get_user(conn)`, `self._queries.get_user(conn)`: the loader
    travels in attributes and parameters, so the name is what identifies the query)."""
    for use in facts.sql:
        src = symbol_id(facts.module, use.scope) if use.scope else facts.module
        _table_edges(src, SqlTables(use.reads, use.writes, use.creates), facts.path, (use.line,), edges)
    if not sql.files:
        return
    folder = facts.path.rpartition("/")[0]
    for ref in facts.string_refs:
        if ref.value.endswith(".sql"):
            src = symbol_id(facts.module, ref.scope) if ref.scope else facts.module
            for file in sql.named(ref.value, folder):
                for query in file.queries:
                    _table_edges(src, query.tables, facts.path, (ref.line,), edges)
    if aiosql and role_of(facts.path) != "test":
        for scope, name, line in facts.method_calls:
            src = symbol_id(facts.module, scope) if scope else facts.module
            for found in sql.query(name, ""):
                _table_edges(src, found, facts.path, (line,), edges)


def _table_edges(src: str, found: SqlTables, path: str, lines: tuple[int, ...], edges: Edges) -> None:
    for names, kind in ((found.reads, "table-read"), ((*found.writes, *found.creates), "table-write")):
        for name in names:
            edges.add(src, f"table:{name}", kind, path, lines)


def _usage_kind(kind: str, resolved: Resolved) -> str:
    """`task.delay(...)` hands work to a queue (Celery): an async boundary, not a call."""
    if kind == "call" and resolved.rest[:1] in (("delay",), ("apply_async",)):
        return "enqueue"
    return USAGE_KIND[kind]


def _table_access(kind: str, dotted: str, resolved: Resolved, persisting: bool) -> str:
    """Instantiating a model, calling a write method on its manager/query, or reading it in a scope
    that commits/saves counts as a write; anything else is a read."""
    instantiates = kind == "call" and not resolved.rest and "()" not in dotted.split(".", 1)[0]
    methods = {part.removesuffix("()") for part in dotted.split(".")[1:]}
    if instantiates or methods & WRITE_METHODS or persisting:
        return "table-write"
    return "table-read"


# ---- strings: relationship("Order"), ForeignKey("users.id"), "app.Model", mock.patch targets --
def _string_edges(index: Index, reads: ContextReads, facts: FileFacts, edges: Edges) -> None:
    for ref in facts.string_refs:
        src = symbol_id(facts.module, ref.scope) if ref.scope else facts.module
        table = ref.value.split(".")[0]
        if ref.hint == "foreign-key" and reads.is_table(table):  # SQLAlchemy "users.id"
            edges.add(src, f"table:{table}", "foreign-key", facts.path, (ref.line,))
            continue
        hint = "relationship" if ref.hint == "foreign-key" else ref.hint  # Django "app.Model"
        dst = _string_target(index, facts.module, ref.value, hint, reads)
        if dst is not None and dst != facts.module:
            edges.add(src, dst, "string-ref", facts.path, (ref.line,))


def _string_target(index: Index, module: str, value: str, hint: str, reads: ContextReads) -> str | None:
    if hint == "relationship" and "." not in value:
        return _closest(module, reads.classes_named(value))
    resolved = index.resolve(value)
    if resolved is not None and (not resolved.rest or (":" in resolved.node and hint == "patch")):
        return resolved.node
    label, _, name = value.partition(".")
    labels = reads.ctx.labels
    if name and "." not in name and label in labels:
        return _closest(module, [c for c in reads.classes_named(name) if split_id(c)[0] in labels[label]])
    return None


def _closest(module: str, candidates: list[str]) -> str | None:
    """Of classes with the same name, the one nearest `module` in the package tree."""
    if not candidates:
        return None

    def shared(candidate: str) -> int:
        a, b = module.split("."), split_id(candidate)[0].split(".")
        return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))

    return max(candidates, key=shared)  # candidates are sorted, so ties go to the first


def _django_labels(index: Index) -> dict[str, set[str]]:
    labels: dict[str, set[str]] = defaultdict(set)
    configured = app_labels(index)
    for module in index.files:
        if ".models" in f".{module}":
            labels[app_label(module, configured)].add(module)
    return labels


# ---- routes and hazards ---------------------------------------------------------------------------
def _served(index: Index) -> tuple[list[Route], list[Mount]]:
    """The application's routes, and the URL trees it mounts from a library (Django's admin,
    `include("allauth.urls")`), each detector asked once: a test module's URLconf or test app
    (`tests/urls.py`) serves none."""
    found = {item for detector in ROUTE_DETECTORS for item in getattr(detector, "served", detector.routes)(index)
             if role_of(index.files[item.module].path) == "app"}
    routes = sorted((r for r in found if isinstance(r, Route)), key=lambda r: (r.template, r.methods, r.handler, r.framework))
    mounts = sorted((m for m in found if isinstance(m, Mount)), key=lambda m: (m.prefix, m.what, m.module, m.line))
    return routes, mounts


def _hazards(facts: FileFacts) -> list[HazardOut]:
    """The module's hazards, sorted, not yet marked as in a request path (see `mark`)."""
    out = []
    for hazard in facts.hazards:
        symbol = symbol_id(facts.module, hazard.scope) if hazard.scope else facts.module
        out.append(HazardOut(
            hazard.kind, symbol, facts.path, hazard.line, hazard.detail, hazard.why,
            RULES_BY_KIND[hazard.kind].resolution, False,
        ))
    return sorted(out, key=hazard_order)


def hazard_order(hazard: HazardOut) -> tuple[str, int, str, str]:
    return hazard.path, hazard.line, hazard.kind, hazard.detail


def mark(hazard: HazardOut, reachable: set[str]) -> HazardOut:
    return replace(hazard, in_request_path=True) if hazard.symbol in reachable else hazard


def entry_points(ctx: Context, links: Iterable[ModuleLink]) -> set[str]:
    """Where requests enter: route handlers, and what each module declares (`_declared_entry_points`)."""
    starts = {r.handler for r in ctx.routes}
    for m in links:
        starts.update(m.entry_points)
    return starts


def _declared_entry_points(f: FileFacts) -> frozenset[str]:
    """Request hooks and GraphQL resolvers (decorated ones, and Graphene classes with
    resolve_*/mutate methods)."""
    decorators = REQUEST_HOOKS | GRAPHQL_DECORATORS
    starts = {symbol_id(f.module, u.scope) for u in f.usages
              if u.kind == "decorator" and u.scope and u.dotted.rsplit(".", 1)[-1] in decorators}
    starts.update(symbol_id(f.module, c.name) for c in f.classes if any(m.startswith(GRAPHQL_METHODS) for m in c.methods))
    return frozenset(starts)


def reach_graph(module: str, edges: Iterable[Edge], symbols: Iterable[SymbolInfo]) -> dict[str, list[str]]:
    """src -> dsts a request follows out of one module: its call and reference edges, and what a
    module-level assignment holds: the module's own references on the assignment's lines are the
    variable's (`UPLOADERS = {"filesystem": FilesystemUploader}`: whoever calls or reads UPLOADERS
    reaches the class, as CTFd's get_uploader does)."""
    graph: dict[str, list[str]] = {}
    edges = [e for e in edges if e.kind in ("call", "reference")]
    for edge in edges:
        graph.setdefault(edge.src, []).append(edge.dst)
    held = [s for s in symbols if s.kind == "assignment"]
    for edge in (e for e in edges if e.src == module) if held else ():
        lines = {location.line for location in edge.locations}
        for symbol in held:
            if any(symbol.line <= line <= symbol.end_line for line in lines) and edge.dst != symbol.id:
                graph.setdefault(symbol.id, []).append(edge.dst)
    return graph


def reach(starts: set[str], graph: Mapping[str, list[str]]) -> set[str]:
    seen = set(starts)
    queue = deque(starts)
    while queue:
        for nxt in graph.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen
