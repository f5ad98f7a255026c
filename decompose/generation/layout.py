"""analysis + plan placement -> Layout: what every service keeps of each module, and what it reaches.

What flows through it:
    homes (element -> service | "shared", from decompose.toml)
      -> the shared layer: the plan's kernel, plus every module that defines an ORM model (while the
         database is shared, the schema is shared: relationships tie models of different services)
      -> per service: a module view for each module it owns code of (the kept symbols, the body when
         it owns the body), then whatever the kept code (and the layer's code) uses from a module it
         does not own becomes a proxy in that module's view: a client of the owning service, a stub
         that fails loudly, a copied literal constant, or a local class that remote errors map to.
Route containers (Flask blueprints, FastAPI routers) are taken out of the layer's composition
roots; each service plugs its own back into the monolith's app factory.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
import libcst.matchers as cst_matchers

from decompose.analysis.model import Analysis, ModuleInfo, SymbolInfo
from decompose.errors import UserError
from decompose.generation import apphooks, classify, django, scriptdirs
from decompose.generation.model import (
    LAYER,
    AppHook,
    Exposure,
    LayerLayout,
    Layout,
    ModuleView,
    Proxy,
    Registration,
    ServiceLayout,
)
from decompose.generation.source import (Parsed, code, import_source, import_time_needs, imported_names, needs, parse,
                                         string_value)
from decompose.generation.unplug import find_entry, unplug
from decompose.planning.elements import route_anchor
from decompose.planning.scripts import scripts


@dataclass
class Sources:
    """Parsed modules of the monolith, read on demand and checked against the analysis."""

    root: Path
    modules: dict[str, ModuleInfo]
    symbols: dict[str, SymbolInfo]
    models: set[str]  # element ids of ORM model classes
    _parsed: dict[str, Parsed]
    scripts: dict[str, ModuleInfo] = field(default_factory=dict)  # run by hand, not shipped (planning.scripts); read only
    memo: dict[str, object] = field(default_factory=dict)  # what is read from every module once (django.converters)
    handlers: set[str] = field(default_factory=set)  # route handlers: never copied into another service

    @classmethod
    def of(cls, analysis: Analysis, root: Path) -> Sources:
        left_out = scripts(analysis, root)  # run by hand, never by a request: not in a Lambda
        modules = {m.name: m for m in analysis.modules if m.role == "app" and not m.parse_error and m.name not in left_out}
        models = {t.model for t in analysis.tables if t.model}
        return cls(root, modules, {s.id: s for s in analysis.symbols if s.module in modules}, models, {},
                   {m.name: m for m in analysis.modules if m.name in left_out}, handlers={r.handler for r in analysis.routes})

    def mentions(self, module: str, text: str) -> bool:
        """Whether the module's source holds `text`: a read that spares parsing every module of a large
        project to find one call (DJANGO_SETTINGS_MODULE's default: 11% of pretalx's generate)."""
        if module in self._parsed:
            return True  # parsed already: the caller reads the tree
        info = self.modules.get(module) or self.scripts[module]
        try:
            return text.encode() in (self.root / info.path).read_bytes()
        except OSError:
            return True  # `parsed` says what is wrong with it

    def parsed(self, module: str) -> Parsed:
        if module not in self._parsed:
            info = self.modules.get(module) or self.scripts[module]
            path = self.root / info.path
            try:
                data = path.read_bytes()
            except OSError as error:
                raise UserError(f"{path}: cannot be read ({error.strerror})",
                                "run 'decompose generate' where you ran 'decompose analyze', or pass --source") from None
            _check_hash(path, data, info)
            self._parsed[module] = parse(module, data.decode("utf-8"), info.is_package, info.path)
        return self._parsed[module]

    def is_module(self, name: str) -> bool:
        return name in self.modules

    def dest(self, module: str) -> str:
        """Where a module's code goes on a generated path entry (chalicelib/src, the layer's python/):
        its dotted name as folders, whatever folder the monolith keeps it in (an `apps/` folder that
        settings put on sys.path, a `src/` layout), so that it imports under the same name."""
        return module.replace(".", "/") + ("/__init__.py" if self.modules[module].is_package else ".py")


def _check_hash(path: Path, data: bytes, info: ModuleInfo) -> None:
    if hashlib.sha256(data).hexdigest() != info.sha256:
        raise UserError(f"{path}: changed since it was analysed",
                        "run 'decompose analyze' again (and 'decompose plan --check'), then generate")


def build_layout(analysis: Analysis, homes: dict[str, str], sources: Sources, containers: dict[str, str],
                 project: str) -> Layout:
    """`containers`: route handler -> its container element (`unplug.containers_of`)."""
    homes = _promote_schema(analysis, dict(homes), sources)
    layer = _layer(sources, homes)
    migrating = scriptdirs.env_imports(sources, scriptdirs.script_folders(sources, layer.modules)) - layer.modules
    if migrating:  # the Alembic folder the layer ships imports them (mealie's migrations at startup)
        homes = _promote(homes, sources, migrating)
        layer = _layer(sources, homes)
        layer.promoted.update({m: "imported by the Alembic env.py the layer ships" for m in sorted(migrating)})
    entry = find_entry(sources, layer.modules)
    for module in sorted(layer.modules):
        parsed = sources.parsed(module)
        tree, removed, keywords, mounts = unplug(parsed, containers, homes, sources)
        layer.trees[module] = tree
        layer.keywords.update(keywords)
        layer.mounts.update(mounts)
        if removed:
            layer.unplugged[module] = removed
            parsed = parse(module, tree.code, parsed.is_package, sources.modules[module].path)
        layer.needs_of[module] = _external_needs(sources, parsed, layer.modules)
        layer.needs |= layer.needs_of[module]
        layer.external |= set(sources.modules[module].external_imports)
    for module, handed_on in _reexports(sources, layer.modules).items():
        layer.needs_of[module] |= handed_on
        layer.needs |= handed_on
    layer.named = _named_by_layer(analysis, sources, layer.modules)
    layer.reads = _read_locally(analysis, sources, homes, layer)
    names = sorted({h for h in homes.values() if h != LAYER})
    chains = _url_chains(sources, entry)
    hooks = apphooks.app_hooks(sources, containers.values()) if entry is not None and entry.framework == "flask" else []
    services = [_service(name, sources, homes, layer, analysis, containers, chains, hooks) for name in names]
    _expose(services, sources, analysis)
    return Layout(project, str(sources.root), services, layer, entry, containers=containers)


# --- the shared layer ------------------------------------------------------------------------------------

def _read_locally(analysis: Analysis, sources: Sources, homes: dict[str, str], layer: LayerLayout) -> set[str]:
    """Functions of services that the layer's code calls and that write no table and touch no hazard,
    with the read-only functions they call: every service keeps a copy and reads locally. The layer
    runs in every service, often on every request (the sample's `login_required` looks the bearer
    token up with `accounts.user_for_token`): as a client it made an internal call per request merely
    to authenticate. While the database is shared, a read gives the same answer in any service."""
    writers = classify.writers(analysis)
    functions = {s.id for s in sources.symbols.values() if s.kind == "function"}
    seeds = {f"{m}:{n}" for m, n in layer.needs} & functions
    calls: dict[str, list[str]] = defaultdict(list)
    for edge in analysis.edges:
        if edge.kind == "call":
            calls[edge.src].append(edge.dst)
    found: set[str] = set()
    pending = sorted(seeds)
    while pending:
        element = pending.pop()
        if element in found or element in writers or homes.get(element, LAYER) == LAYER:
            continue
        found.add(element)
        pending.extend(d for d in calls.get(element, ()) if d in functions)
    return found


def _named_by_layer(analysis: Analysis, sources: Sources, layer: set[str]) -> set[tuple[str, str]]:
    """Classes and functions of services that a layer module names by dotted string (Django's settings:
    `OIDC_CALLBACK_CLASS = "kuma.users.views.KumaOIDCAuthenticationCallbackView"`, which a library's
    URLconf imports with `import_string` in every process). Each service keeps the real one (a stand-in
    has no `as_view`); the ones the layer holds need nothing."""
    found = set()
    for edge in analysis.edges:
        module, _, name = edge.dst.partition(":")
        if edge.kind == "string-ref" and edge.src.split(":")[0] in layer and name and module not in layer \
                and sources.symbols.get(edge.dst) is not None and sources.symbols[edge.dst].kind in ("class", "function"):
            found.add((module, name))
    return found


def _promote(homes: dict[str, str], sources: Sources, modules: set[str]) -> dict[str, str]:
    """`modules` join the layer whole."""
    for module in sorted(modules):
        for element in [module, *(s for s in sources.symbols if s.startswith(module + ":"))]:
            homes[element] = LAYER
    return homes


def _promote_schema(analysis: Analysis, homes: dict[str, str], sources: Sources) -> dict[str, str]:
    """Modules that define ORM models join the layer whole (the database stays shared for now)."""
    for table in analysis.tables:
        module = table.module
        if module not in sources.modules:
            continue
        for element in [module, *(s for s in sources.symbols if s.startswith(module + ":"))]:
            if element in homes:
                homes[element] = LAYER
        homes[f"schema:{module}"] = LAYER
    return homes


def _layer(sources: Sources, homes: dict[str, str]) -> LayerLayout:
    layer = LayerLayout()
    for module in sorted(sources.modules):
        elements = [module, *(s.id for s in sources.symbols.values() if s.module == module)]
        placed = [homes.get(e) for e in elements if e in homes]
        if placed and all(p == LAYER for p in placed):
            layer.modules.add(module)
            if f"schema:{module}" in homes:
                layer.promoted[module] = "defines ORM models: the schema stays shared while the database is"
        elif LAYER in placed:
            shared = [e for e in elements if homes.get(e) == LAYER]
            raise UserError(f"decompose.toml: {', '.join(shared)} in [shared] but other parts of {module} are in services",
                            f"put the whole module {module} in [shared], or move those symbols into a service")
    return layer


def _reexports(sources: Sources, inside: set[str]) -> dict[str, set[tuple[str, str]]]:
    """What a layer module imports from a service's module only to hand it on: lnbits' `crud/__init__.py`
    imports `delete_webpush_subscriptions` from `.webpush` (service webpush) and the layer's notifications
    import it from `lnbits.core.crud`. Unused in the module itself, the import was pruned and the layer
    failed to import in every service; as a need, each service provides the name (its own code or a
    client) and the layer's import stays. Handed on: imported from the module anywhere in the code, at
    any depth, or listed in its `__all__`."""
    asked: dict[str, set[str]] = defaultdict(set)
    for module in sorted(sources.modules):
        parsed = sources.parsed(module)
        for node in cst_matchers.findall(parsed.tree, cst_matchers.ImportFrom()):
            if isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
                source = import_source(node, parsed.module, parsed.is_package)
                if source in inside:
                    asked[source] |= {code(a.name) for a in node.names}
    found: dict[str, set[tuple[str, str]]] = {}
    for module in sorted(inside):
        parsed = sources.parsed(module)
        imported = imported_names(parsed)
        for name in sorted((asked.get(module, set()) | _listed_all(parsed)) & imported.keys()):
            source, original = imported[name]
            if source not in inside and sources.is_module(source) and f"{module}:{name}" not in sources.symbols:
                found.setdefault(module, set()).add((source, original))
    return found


def _listed_all(parsed: Parsed) -> set[str]:
    """The names a module's top-level `__all__ = [...]` lists."""
    for statement in parsed.tree.body:
        if isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Assign):
            assign = statement.body[0]
            if any(isinstance(t.target, cst.Name) and t.target.value == "__all__" for t in assign.targets) and \
                    isinstance(assign.value, (cst.List, cst.Tuple)):
                return {v for e in assign.value.elements if (v := string_value(e.value))}
    return set()


def _external_needs(sources: Sources, parsed: Parsed, inside: set[str]) -> set[tuple[str, str]]:
    found = needs(parsed, parsed.symbols(), True)
    return {(m, n) for m, n in _resolved(sources, found, parsed.module) if m not in inside}


def _resolved(sources: Sources, found, module: str, stars: bool = True) -> set[tuple[str, str]]:  # noqa: ANN001
    """Needs as (internal module, name) pairs; a name may be a symbol or a submodule. `stars`: with every
    public name of a star-imported module (bound at import, not used)."""
    pairs: set[tuple[str, str]] = set()
    for source, name in found.imported | found.attributes:
        if sources.is_module(source):
            pairs.add((source, name))
    for dotted in found.modules:
        if sources.is_module(dotted):
            pairs.add((dotted, ""))
    pairs |= {(module, name) for name in found.undefined if f"{module}:{name}" in sources.symbols}
    for starred in sorted(m for m in found.star if stars and sources.is_module(m)):
        pairs.add((starred, ""))  # the module itself, then every public name it defines
        pairs |= {(starred, s.name) for s in sources.symbols.values() if s.module == starred and not s.name.startswith("_")}
    return pairs


# --- one service -----------------------------------------------------------------------------------------

def _service(name: str, sources: Sources, homes: dict[str, str], layer: LayerLayout, analysis: Analysis,
             containers: dict[str, str], chains: dict[str, tuple[str, ...]] | None = None,
             hooks: list[AppHook] = ()) -> ServiceLayout:
    service = ServiceLayout(name)
    for element, home in sorted(homes.items()):
        if home == name:
            _own(service, sources, element)
    service.routes = sorted((r for r in analysis.routes if homes.get(route_anchor(r, analysis.routes, sources.symbols)) == name),
                            key=lambda r: (r.template, r.methods))
    service.tables = sorted(t.name for t in analysis.tables if homes.get(f"table:{t.name}") == name)
    unplugged = {c for removed in layer.unplugged.values() for c in removed}
    for container in sorted({containers[r.handler] for r in service.routes if r.handler in containers}):
        module, symbol = container.split(":")
        if module in layer.modules and container not in unplugged:
            _routes_on_layer_container(service, container, containers, layer)
            continue
        view = _view(service, sources, module)
        view.own = True
        if symbol not in view.keep:
            view.keep.add(symbol)
            if homes.get(container) != name:
                view.replicated.add(symbol)
        paths = tuple(sorted({r.path for r in service.routes if containers.get(r.handler) == container}))
        service.registrations.append(Registration(container, layer.keywords.get(container, ""), paths,
                                                  layer.mounts.get(container)))
    if chains:
        _keep_urlconfs(service, sources, chains, layer.modules)
    for module, symbol in sorted(layer.named):
        view = _view(service, sources, module)
        view.own = True
        view.keep.add(symbol)
        if homes.get(f"{module}:{symbol}") != name:
            view.replicated.add(symbol)
    _keep_hooks(service, sources, homes, layer, hooks)
    _resolve(service, sources, homes, layer)
    service.named = _named_containers(service, sources, containers, layer)
    for view in service.views.values():
        if view.own:
            service.external |= set(sources.modules[view.module].external_imports)
    return service


def _url_chains(sources: Sources, entry) -> dict[str, tuple[str, ...]]:  # noqa: ANN001
    """Django: URLconf module -> the URLconfs from ROOT_URLCONF down to it (empty for other frameworks)."""
    if entry is None or entry.framework != "django":
        return {}
    root = django.root_urlconf(sources, entry.element.split(":")[0])
    return django.url_chains(sources, root) if root else {}


def _keep_urlconfs(service: ServiceLayout, sources: Sources, chains: dict[str, tuple[str, ...]],
                   layer: set[str]) -> None:
    """A Django service serves its routes through its own copy of every URLconf from the root down to
    theirs (the root always: ROOT_URLCONF must import), and of every URLconf the plan put in the layer
    (the layer's copy would import the views of every service: here some are stand-ins, and the copy's
    entries for them are taken out). Each copy keeps the module's assignments (its URL lists, routers,
    app_name; a layer module's copy keeps all of its code); the views they name are resolved like any other
    need. A copy of a layer module shadows the layer's, so its packages' `__init__` come along (found first on the path)."""
    root = next(m for m, chain in chains.items() if len(chain) == 1)
    modules = {root} | {m for r in service.routes for m in chains.get(r.module, ())} | (set(chains) & set(layer))
    modules |= {api for m in sorted(modules) if sources.is_module(m) for api in django.mounted_apis(sources, m)}
    service.urlconfs |= modules
    for module in sorted(modules):
        view = _view(service, sources, module)
        view.own = view.body = True
        # a layer module's copy shadows the layer's: it keeps everything the layer has (healthchecks' path
        # converter classes in hc.api.urls, which `register_converter` names at import)
        view.keep |= {s.name for s in sources.symbols.values() if s.module == module and (s.kind == "assignment" or module in layer)}
        parts = module.split(".")
        for i in range(1, len(parts)):
            package = ".".join(parts[:i])
            if sources.is_module(package):
                init = _view(service, sources, package)
                init.own = init.body = True
                init.keep |= {s.name for s in sources.symbols.values() if s.module == package}


def _routes_on_layer_container(service: ServiceLayout, container: str, containers: dict[str, str],
                               layer: LayerLayout) -> None:
    """A container the plan left in the layer, which the layer's composition root registers itself
    (flasky's `api` blueprint when `app.api` is shared): the service does not register it again, nor
    shadow its module with a copy of its own. Its routes are declared in modules of the service that
    the layer's copy of the container's package no longer imports, so the service imports them before
    the app is built: their decorators hang the routes on the container before it is registered."""
    modules = {r.module for r in service.routes if containers.get(r.handler) == container}
    service.route_modules = sorted(set(service.route_modules) | (modules - layer.modules))


def _keep_hooks(service: ServiceLayout, sources: Sources, homes: dict[str, str], layer: LayerLayout,
                hooks: list[AppHook]) -> None:
    """Flask: every app-wide hook of the monolith and the blueprint it hangs on, kept here as a route
    container is (apphooks.py); those of a blueprint taken out of the composition root and not plugged
    back in here are applied to the app itself."""
    registered = {r.container for r in service.registrations}
    unplugged = {c for removed in layer.unplugged.values() for c in removed}
    for hook in hooks:
        for element in (hook.blueprint, hook.function):
            module, symbol = element.split(":")
            if module in layer.modules:
                continue
            view = _view(service, sources, module)
            view.own = True
            if symbol not in view.keep:
                view.keep.add(symbol)
                if homes.get(element) != service.name:
                    view.replicated.add(symbol)
        service.hooks.append(hook)
        if hook.blueprint in unplugged and hook.blueprint not in registered:
            service.app_wide.append(hook)


def _own(service: ServiceLayout, sources: Sources, element: str) -> None:
    if element in sources.modules:
        view = _view(service, sources, element)
        view.own, view.body = True, True
    elif element in sources.symbols:
        info = sources.symbols[element]
        view = _view(service, sources, info.module)
        view.own = True
        view.keep.add(info.name)


def _view(service: ServiceLayout, sources: Sources, module: str) -> ModuleView:
    if module not in service.views:
        service.views[module] = ModuleView(module, sources.modules[module].is_package)
    return service.views[module]


def _resolve(service: ServiceLayout, sources: Sources, homes: dict[str, str], layer: LayerLayout) -> None:
    """Give every need of the service's kept code (and of the layer) a definition in this service."""
    pending = sorted(_layer_needs(service, layer))
    scanned: dict[str, tuple[frozenset[str], bool]] = {}  # module -> the cut whose needs were resolved
    early: set[tuple[str, str]] = set()  # what the kept code uses while its modules import
    loading: set[tuple[str, str]] = set()  # of those, what it uses (not only binds, as a star import does)
    urlconfs = {m: _urlconf_copy(service, sources, homes, m) for m in sorted(service.urlconfs) if sources.is_module(m)}
    while True:
        for module in sorted(m for m, v in service.views.items() if v.own and scanned.get(m) != _cut(v)):
            # a module already scanned is scanned again when it keeps more (a read-only function the
            # layer calls, a copied class, kept after the module's own code): what the added code calls comes along
            view = service.views[module]
            scanned[module] = _cut(view)
            parsed = urlconfs.get(module) or sources.parsed(module)
            found = needs(parsed, view.keep, view.body)
            pending.extend(sorted(_resolved(sources, found, module)))
            at_import = import_time_needs(parsed, view.keep, view.body)
            early |= _resolved(sources, at_import, module)
            loading |= _resolved(sources, at_import, module, stars=False)
            if view.copied or view.replicated:  # what a copy, or read-only code every service keeps, uses
                # cannot be a stand-in either: the copy would stop there (CTFd's replicated
                # get_all_challenges builds the `Challenge` namedtuple of its own module)
                early |= _resolved(sources, needs(parsed, set(view.copied) | view.replicated, False), module)
        if not pending:
            break
        while pending:
            module, name = pending.pop()
            _provide(service, sources, homes, layer, module, name, pending, early, loading)
    _package_inits(service, sources, layer)


def _layer_needs(service: ServiceLayout, layer: LayerLayout) -> set[tuple[str, str]]:
    """What the layer's code needs, but for the layer URLconfs this service runs its own copy of (they
    shadow the layer's): the copy's needs are read from the copy (pretalx's URLconfs are all shared)."""
    shadowed = service.urlconfs & set(layer.needs_of)
    if not shadowed:
        return set(layer.needs)
    return {pair for module, found in layer.needs_of.items() if module not in shadowed for pair in found}


def _urlconf_copy(service: ServiceLayout, sources: Sources, homes: dict[str, str], module: str) -> Parsed:
    """A URLconf copy as it runs in this service: an entry routed to another service's view answers
    `elsewhere` here (views.py), so that view is no need of the copy (never a stub)."""
    parsed = sources.parsed(module)
    imported = imported_names(parsed)

    def foreign(dotted: tuple[str, ...], as_view: bool = False) -> bool:
        """`as_view`: the name is a class whose `as_view()` is called, a view whether or not analysis found
        its route (a helper's tuples of views: analysis reads URL entries, not what a function builds)."""
        element = _view_element(sources, imported, dotted)
        view = element in sources.handlers or (as_view and element in sources.symbols)
        return view and homes.get(element, LAYER) not in (service.name, LAYER)

    return django.without_views(parsed, foreign)


def _view_element(sources: Sources, imported: dict[str, tuple[str, str]], dotted: tuple[str, ...]) -> str | None:
    """`views.CartView` (`from orders import views`) or `CartView` (`from orders.views import CartView`)
    -> "orders.views:CartView"; None when the first name is not imported from the project."""
    if dotted[0] not in imported:
        return None
    source, name = imported[dotted[0]]
    if sources.is_module(f"{source}.{name}"):
        return f"{source}.{name}:{dotted[1]}" if len(dotted) == 2 else None
    return f"{source}:{name}" if len(dotted) == 1 else None


def _cut(view: ModuleView) -> tuple[frozenset[str], bool]:
    return frozenset(view.keep), view.body


def _provide(service: ServiceLayout, sources: Sources, homes: dict[str, str], layer: LayerLayout,
             module: str, name: str, pending: list, early: set[tuple[str, str]] = frozenset(),  # noqa: ANN001
             loading: set[tuple[str, str]] = frozenset()) -> None:
    if module in layer.modules:
        return
    submodule = f"{module}.{name}" if name else module
    if not name or classify.is_submodule(sources, module, name):
        if submodule not in layer.modules:
            _view(service, sources, submodule)
        return
    element = f"{module}:{name}"
    if element not in sources.symbols:
        _reexport(service, sources, module, name, pending)
        return
    view = _view(service, sources, module)
    if name in view.keep:
        return
    owner = homes.get(element, LAYER)
    proxy = view.proxies.get(name) or classify.proxy(sources, element, owner)
    stand_in_fails = element not in sources.handlers and (
        (proxy.kind == "stub" and (module, name) in early)
        or (proxy.kind == "client" and (module, name) in loading)
        or (proxy.kind in ("stub", "client") and classify.runs_with_caller(sources, element)))
    copied = owner != LAYER and (stand_in_fails or _handler_class(sources, element, proxy))
    if owner == service.name or copied or element in layer.reads:
        view.own = True
        view.keep.add(name)
        view.proxies.pop(name, None)
        if copied and element not in layer.reads:  # a stand-in would fail (a stub used, or a client called,
            view.copied[name] = owner              # while the module loads): the code comes along, its needs too
        elif owner != service.name:  # read-only code the layer calls: every service keeps its own copy
            view.replicated.add(name)
    else:
        view.proxies[name] = proxy


def _handler_class(sources: Sources, element: str, proxy: Proxy) -> bool:
    """A route handler class of another service that code here names (CTFd's `clear_standings`, in the
    layer, drops the cached answers of `ScoreboardList.get` and `ScoreboardList.endpoint`): a handler
    cannot move and no client stands for a class, and its stub failed every challenge attempt in 18
    services (`'function' object has no attribute 'endpoint'`). The class comes along as code; its
    container (the namespace its decorator names) comes with it, registered on no app here, so the
    route stays its owner's."""
    return proxy.kind == "stub" and element in sources.handlers and sources.symbols[element].kind == "class"


def _named_containers(service: ServiceLayout, sources: Sources, containers: dict[str, str],
                      layer: LayerLayout) -> list[Registration]:
    """The containers of the handler classes copied here (`_handler_class`) that the monolith mounted on a
    layer object (flask-restx's `api.add_namespace(scoreboard_namespace, "/scoreboard")`). Mounting sets
    each class's name (`ScoreboardList.endpoint`, which CTFd's `clear_standings` builds its cache key
    from); the copy is mounted nowhere, so the service names its classes as the mount would have."""
    registered = {r.container for r in service.registrations}
    found: dict[str, Registration] = {}
    for module, view in sorted(service.views.items()):
        for name in sorted(view.copied):
            container = containers.get(f"{module}:{name}")
            mount = layer.mounts.get(container) if container else None
            if mount is not None and mount.method == "add_namespace" and container not in registered \
                    and container.split(":")[0] in service.views:
                found.setdefault(container, Registration(container, mount=mount))
    return list(found.values())


def _reexport(service: ServiceLayout, sources: Sources, module: str, name: str, pending: list) -> None:  # noqa: ANN001
    """`from pkg import name` where pkg only imports name: re-export it from where it is defined."""
    origin = classify.origin(sources, module, name)
    if origin is None:
        return
    defining, original = origin
    view = _view(service, sources, module)
    if name not in view.proxies and name not in view.keep:
        view.proxies[name] = Proxy(name, f"{defining}:{original}", LAYER, "reexport", source=defining)
        pending.append((defining, original))


def _package_inits(service: ServiceLayout, sources: Sources, layer: LayerLayout) -> None:
    for module in list(service.views):
        parts = module.split(".")
        for i in range(1, len(parts)):
            package = ".".join(parts[:i])
            if sources.is_module(package) and package not in layer.modules:
                _view(service, sources, package)


# --- internal endpoints ----------------------------------------------------------------------------------

def _expose(services: list[ServiceLayout], sources: Sources, analysis: Analysis) -> None:
    by_name = {s.name: s for s in services}
    callers: dict[str, set[str]] = defaultdict(set)
    owners: dict[str, str] = {}
    for service in services:
        for proxy in service.proxies():
            if proxy.kind == "client" and proxy.owner in by_name:
                callers[proxy.target].add(service.name)
                owners[proxy.target] = proxy.owner
    writers = classify.writers(analysis)
    for target, names in sorted(callers.items()):
        by_name[owners[target]].exposed[target] = Exposure(target, tuple(sorted(names)), idempotent=target not in writers)
