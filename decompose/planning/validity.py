"""The one definition of a valid plan, beyond its fields: what `generate` needs to build services that import.

    problems(graph, facts, plan, homes) -> Problem per rule broken, with the field and the fix
    repair(graph, facts, homes)         -> homes that break none (what `decompose plan` writes)

`plan` repairs its own proposal with `repair`; `plan --check`, `check`, `plan --converge` and
`generate` all read a plan through `api.review`, which adds `problems`: whatever generate would
refuse is reported first, by field. The rules:

1. **The layer is per module.** The shared layer holds the `[shared]` modules and every module that
   defines ORM models (generation promotes them whole). A module is whole in `[shared]` or not in it:
   both copies would need the same module name.
2. **The composition root is in the layer.** When the code builds its app with `Flask(...)` or
   `FastAPI(...)`, a module doing so is in `[shared]`: each service builds the monolith's own app
   from it. For Django, the settings, and the apps module of every installed app defining an
   AppConfig: django.setup() imports each in every service and runs its `ready()`, so what `ready()`
   imports and calls (receivers, signals, rules) counts as import time for rule 3.
3. **The layer is closed under imports.** What a layer module needs when it is imported (its
   top-level imports, and what its decorators, base classes and module-level code use) is in the
   layer too. An import of functions only (`from .payments import create_payment` in a package
   `__init__` that re-exports them) is not such a need: each service resolves the names as its own
   code or as clients called later. Modules holding route handlers or route containers (blueprints, routers) are exempt:
   generation takes containers out of the layer and each service plugs its own back in; other code
   of those modules the layer needs is still reached through a client (not yet closed: issue #23).
4. **A service is closed under what it uses at import time.** A decorator, base class, registry or
   value a service's module uses when it is imported (`@token_required` above a view, a class body
   calling a helper) is in that service or in the layer, never in another service: there it would
   be a client called while the module loads (a WireError, or a stub returned where a decorator was
   expected). Plain imports and dotted strings do not count (a service imports another's names as
   clients, called later; each service resolves Django's `include("app.urls")` in its own copy), nor do route handlers, route containers and route modules (each service plugs in its own).
   Code of one module split between services counts (`token_auth = TokenAuth()` needs the class); the
   repair moves such a symbol to the service of the module-mate needing it, or, when module-mates in
   two services need it, the module to the layer.
   The app builder's body counts as import time for rules 3 and 4: every service calls it when it starts;
   so do the bodies of the app's functions it calls, transitively (`create_app` calling `init_cli(app)`,
   which registers `CTFd.cli`'s commands: in a service, the layer's factory would register a stub).
5. **A module that mounts a router in its code is whole.** `router.add_router("/{slug}/comments",
   comments_router)` at the top of a module is body code, and a split module's body goes to no
   service: the module stays whole in the service holding its router.
6. **A callback stays with the object it registers on.** A function or class that a decorator
   registers on a module-level object (`@auth.verify_password`, `@login_manager.user_loader`) is in
   that object's service: elsewhere the object's service never runs the registration (every request
   of flasky's api answered 401) and the other registers on a stand-in. The repair moves the callback
   to the object, taking an object and what it decorates as one group (`@api.before_request` under
   `@auth.login_required`: the `api` blueprint, `auth` and its callbacks), placed where the group's
   route container is. Route handlers and objects in the layer are left out.
"""

from __future__ import annotations

from collections import defaultdict

from decompose.planning.constraints import SHARED
from decompose.planning.elements import CODE_KINDS, USE_KINDS, Dep, ElementGraph, is_table
from decompose.planning.plan import Plan, Problem
from decompose.planning.planner import nested_routers
from decompose.planning.sourcefacts import SourceFacts

MAX_ROUNDS = 50


def model_modules(graph: ElementGraph) -> set[str]:
    return {graph.elements[t].module for t in graph.elements if is_table(t)}


def layer_modules(graph: ElementGraph, homes: dict[str, str]) -> set[str]:
    whole = {m for m, members in graph.members.items() if all(homes.get(e) == SHARED for e in members)}
    return whole | model_modules(graph)


def containers(graph: ElementGraph, facts: SourceFacts | None = None) -> set[str]:
    """Assignments a route handler's route decorator names on the route's own line: `bp` in
    `@bp.route(...)`, not `auth` in a `@auth.login_required` below it (flask-httpauth's object
    is code the service needs when the module loads, not a container each service plugs in), nor
    `token_auth` in `@router.get("/", auth=token_auth)` when the source says what the decorator calls."""
    found = set()
    for dep in graph.deps:
        if dep.src in graph.routes and graph.elements[dep.dst].kind == "assignment":
            module = graph.module_of(dep.src)
            lines = {r.line for r in graph.routes[dep.src] if r.module == module}
            name = dep.dst.partition(":")[2]
            if any(loc.line in lines and (facts is None or facts.decorates(module, loc.line, name)) for loc in dep.locations):
                found.add(dep.dst)
    return found


def route_modules(graph: ElementGraph, facts: SourceFacts | None = None) -> set[str]:
    """Modules holding route handlers or containers, each service plugging in its own. A handler that is a
    start-up function (`register_plugin_assets_directory(app, ...)`, called by every plugin's load) does
    not count: its routes are the layer's app's, as routes declared inside the app factory are."""
    app_routes = facts.app_routes if facts is not None else set()
    return {graph.module_of(e) for e in (*graph.routes, *containers(graph, facts)) if e not in app_routes}


def entry_modules(graph: ElementGraph, facts: SourceFacts) -> set[str]:
    """Modules that build the app, and modules whose import-time code calls a builder (`autoapp.py`)."""
    builders = {f"{m}:{name}" for m, names in facts.builders.items() for name in names}
    found = set(facts.builders)
    for dep in graph.deps:
        if dep.dst in builders and dep.kind == "call" and _at_import(graph, facts, dep):
            found.add(graph.module_of(dep.src))
    return found


def namespace_roots(graph: ElementGraph, facts: SourceFacts, routed: set[str]) -> list[str]:
    """Modules mounting flask-restx namespaces declared elsewhere (`CTFd.api`): like an app factory, they
    belong in the layer, and generation leaves each service's namespaces to that service."""
    return sorted(m for m in facts.mounts if m in graph.members and m not in routed)


def _at_import(graph: ElementGraph, facts: SourceFacts, dep: Dep) -> bool:
    """Does the dependency's line run when its module is imported, or when a service starts? The app
    builder's body runs at every service's start (`create_app` registering an error blueprint), and so
    do the app's functions it calls (`init_cli(app)` registering a command blueprint: sourcefacts.startup_functions)."""
    module, name = graph.module_of(dep.src), dep.src.partition(":")[2]
    if dep.kind == "import" or (dep.kind in (*USE_KINDS, "import-lazy")
                                and any(facts.in_ready(module, loc.line) for loc in dep.locations)):
        return True  # django.setup() runs an installed app's ready() in every service: its imports, its calls
    if dep.kind not in USE_KINDS:
        return False
    if (name and name in facts.builders.get(module, ())) or dep.src in facts.startup:
        return True
    if module not in facts.read:  # no source: fail closed, except a function's body lines
        element = graph.elements[dep.src]
        return element.kind != "function" or any(loc.line <= element.line for loc in dep.locations)
    return any(facts.at_import(module, loc.line) for loc in dep.locations) or not dep.locations


def _layer_needs(graph: ElementGraph, facts: SourceFacts, homes: dict[str, str], layer: set[str]) -> list[Dep]:
    """Dependencies of layer code, at import time, on code placed in a service (rule 3)."""
    exempt = containers(graph, facts) | set(graph.routes)
    routed = route_modules(graph, facts)
    found = []
    for dep in graph.deps:
        if graph.module_of(dep.src) not in layer or is_table(dep.dst):
            continue
        target = graph.module_of(dep.dst)
        if target in layer or dep.dst in exempt or target in routed or _imports_functions(graph, facts, dep):
            continue
        if _at_import(graph, facts, dep) or _unshippable_use(facts, dep):
            found.append(dep)
    return found


def _imports_functions(graph: ElementGraph, facts: SourceFacts, dep: Dep) -> bool:
    """Is this import only `from M import f, g` of functions M defines (lnbits' `lnbits/core/crud/__init__.py`
    re-exporting `create_payment` from `.payments`; or `from ..crud import get_wallet` through such a package)?
    Each service resolves such a name as its own code or as a client called later, as it does for a
    service's plain imports (rule 4). A class, a value, a submodule, a star or a plain `import M` stays an
    import-time need: a stand-in fails where it is used, and a module's body may register things when it
    runs (`from . import errors` hangs error handlers on a blueprint)."""
    if dep.kind != "import" or not dep.locations:
        return False
    module = graph.module_of(dep.src)
    for loc in dep.locations:
        statement = facts.imported_at(module, loc.line)
        if statement is None:
            return False
        defined = [graph.elements[f"{dep.dst}:{name}"] for name in statement[1] if f"{dep.dst}:{name}" in graph.elements]
        if not defined or any(e.kind != "function" for e in defined):
            return False
    return True


def _service_needs(graph: ElementGraph, facts: SourceFacts, homes: dict[str, str], layer: set[str]) -> list[Dep]:
    """Uses, at import time, of code another service holds (rule 4)."""
    exempt = containers(graph, facts) | set(graph.routes)
    routed = route_modules(graph, facts)
    found = []
    for dep in graph.deps:
        if dep.kind not in CODE_KINDS or is_table(dep.dst) or dep.dst in exempt:
            continue  # a dotted string (Django's include("catalog.urls")) is resolved by each service's own copy
        source, target = graph.module_of(dep.src), graph.module_of(dep.dst)
        if source in layer or target in layer or target in routed:
            continue  # a module's own code split between services counts: `token_auth = TokenAuth()` needs the class
        mine, theirs = homes.get(dep.src), homes.get(dep.dst)
        if mine not in (None, SHARED) and theirs not in (None, SHARED, mine) and (
                _at_import(graph, facts, dep) or _unshippable_use(facts, dep)):
            found.append(dep)
    return found


def _when(at_import: bool) -> str:
    return "when it is imported" if at_import else "(a class or a value no client stands for)"


def _unshippable_use(facts: SourceFacts, dep: Dep) -> bool:
    """A use, even inside a function, of a class (sourcefacts.unshippable): no client stands for it in
    another service, generation would put a stub there (`TagSchema().dump(...)`)."""
    return dep.kind in CODE_KINDS and dep.dst in facts.unshippable


def callbacks(graph: ElementGraph, facts: SourceFacts, homes: dict[str, str]) -> list[Dep]:
    """Functions and classes a decorator hangs on a module-level object (`@auth.verify_password`,
    `@login_manager.user_loader`, `@api.before_request`), placed in a service other than the object's
    (rule 6). The object's service would never run the registration (every request of flasky's api
    answered 401), and the other service would decorate with a stand-in while its module loads.
    Route handlers (placed by their family) and objects in the layer (every service has them) are
    left out."""
    return [d for d in _decorations(graph, facts, homes) if homes[d.src] != homes[d.dst]]


def _decorations(graph: ElementGraph, facts: SourceFacts, homes: dict[str, str]) -> list[Dep]:
    found = []
    for dep in graph.deps:
        if dep.kind not in CODE_KINDS or dep.src in graph.routes or homes.get(dep.src) in (None, SHARED):
            continue
        if homes.get(dep.dst) in (None, SHARED) or graph.elements[dep.dst].kind != "assignment":
            continue
        module, name = graph.module_of(dep.src), dep.dst.partition(":")[2]
        if graph.elements[dep.src].kind in ("function", "class") and any(
                name in (facts.decorator_names(module, loc.line) or ()) for loc in dep.locations):
            found.append(dep)
    return found


def decorated_together(graph: ElementGraph, facts: SourceFacts, homes: dict[str, str]) -> dict[str, str]:
    """element -> its new home: the objects and the functions decorated with them, taken as groups
    (`before_request` hangs on the `api` blueprint and is wrapped by `auth.login_required`, and
    `verify_password` registers on `auth`: all four together), each going where its route container
    is (the routes that run its code), else where most of its objects' lines are."""
    parent: dict[str, str] = {}

    def root(element: str) -> str:
        while parent.setdefault(element, element) != element:
            element = parent[element]
        return element

    for dep in _decorations(graph, facts, homes):
        parent[root(dep.src)] = root(dep.dst)
    groups: dict[str, list[str]] = defaultdict(list)
    for element in sorted(parent):
        groups[root(element)].append(element)
    boxes = containers(graph, facts)
    moves = {}
    for members in groups.values():
        if len({homes[m] for m in members}) < 2:
            continue
        anchors = [m for m in members if m in boxes] or [m for m in members if graph.elements[m].kind == "assignment"]
        votes: dict[str, int] = defaultdict(int)
        for anchor in anchors:
            votes[homes[anchor]] += graph.elements[anchor].lines
        target = max(sorted(votes), key=lambda h: votes[h])
        moves.update({m: target for m in members if homes[m] != target})
    return moves


def split_mounts(graph: ElementGraph, facts: SourceFacts, homes: dict[str, str]) -> dict[str, str]:
    """module -> the service holding its router, for a module split between services whose code mounts
    another router in its own (`router.add_router("/{slug}/comments", comments_router)`): a split
    module's body goes to no service, so the mount would be lost (rule 5)."""
    found = {}
    for parent in sorted(set(nested_routers(graph, containers(graph, facts)).values())):
        module, owner = graph.module_of(parent), homes.get(parent)
        if owner not in (None, SHARED) and len({homes.get(m) for m in graph.members[module]} - {None}) > 1:
            found[module] = owner
    return found


def problems(graph: ElementGraph, facts: SourceFacts, plan: Plan, homes: dict[str, str]) -> list[Problem]:
    layer = layer_modules(graph, homes)
    found = _split_layer(graph, plan, homes, layer)
    for module, owner in split_mounts(graph, facts, homes).items():
        found.append(Problem(f"services.{owner}", f"{module} mounts another router in its module code, but it is split "
                             "between services: a split module's body goes to no service, and the mounted routes with it",
                             f"place the whole module {module} in services.{owner}"))
    found += _no_entry(graph, facts, homes, layer)
    routed = route_modules(graph, facts)
    for module in namespace_roots(graph, facts, routed):
        if module not in layer:
            found.append(Problem("shared.modules", f"{module} mounts the API's namespaces (add_namespace) but is not in "
                                 "[shared]: every service mounts its own namespaces on that API",
                                 f"add {module} to shared.modules"))
    for module in sorted(facts.configs.keys() - layer - routed):
        found.append(Problem("shared.modules", f"{module} holds an installed Django app's AppConfig but is not in [shared]: "
                             "django.setup() imports it in every service and runs its ready() (receivers, signals); "
                             "without it a service gets a default config and skips them",
                             f"add {module} to shared.modules"))
    for module in sorted(facts.tag_libraries - layer - routed):
        found.append(Problem("shared.modules", f"{module} is a template tag library of an installed Django app but is "
                             "not in [shared]: the template engine loads every one in every service that renders "
                             "a template, and a page of any service may {% load %} it", f"add {module} to shared.modules"))
    for module in sorted(facts.plugins - layer - routed):
        found.append(Problem("shared.modules", f"{module} is a plugin the app loads by name when it is built "
                             "(importlib.import_module in a start-up function) but is not in [shared]: every service "
                             "builds the app, so every service loads it", f"add {module} to shared.modules"))
    for dep in callbacks(graph, facts, homes):
        found.append(Problem(
            f"services.{homes[dep.src]}", f"{dep.src} registers itself on {dep.dst} "
            f"({graph.paths.get(graph.module_of(dep.src), '?')}:{dep.locations[0].line if dep.locations else 1}), "
            f"but it is placed in service {homes[dep.src]} and the object in service {homes[dep.dst]}: "
            f"{homes[dep.dst]} would never register it",
            f"place {dep.src} in services.{homes[dep.dst]}"))
    for dep in _service_needs(graph, facts, homes, layer):
        target, source, at_import = graph.module_of(dep.dst), graph.module_of(dep.src), _at_import(graph, facts, dep)
        found.append(Problem(
            f"services.{homes[dep.src]}", f"{source} uses {dep.dst} {_when(at_import)} "
            f"({graph.paths.get(source, '?')}:{dep.locations[0].line if dep.locations else 1}), but it is placed in "
            f"service {homes[dep.dst]}: " + ("it would be a client called while the module loads" if at_import
                                             else "no client can stand for a class or a value that is not a literal"),
            f"add {target} to shared.modules, or place it with {source} in services.{homes[dep.src]}"))
    for dep in _layer_needs(graph, facts, homes, layer):
        owner = sorted({homes.get(e, "?") for e in graph.members[graph.module_of(dep.dst)]} - {SHARED})
        found.append(Problem(
            f"services.{owner[0] if owner else '?'}", f"the shared layer's {graph.module_of(dep.src)} needs "
            f"{dep.dst} {_when(_at_import(graph, facts, dep))} ({graph.paths.get(graph.module_of(dep.src), '?')}:"
            f"{dep.locations[0].line if dep.locations else 1}), but it is placed in a service",
            f"add {graph.module_of(dep.dst)} to shared.modules (or pin it: pin = {{ \"{graph.module_of(dep.dst)}\" = \"shared\" }})"))
    return found


def _split_layer(graph: ElementGraph, plan: Plan, homes: dict[str, str], layer: set[str]) -> list[Problem]:
    found = []
    for index, symbol in enumerate(plan.shared.symbols):
        module = graph.module_of(symbol) if symbol in graph.elements else None
        if module is None or module in layer:
            continue
        others = sorted({homes[m] for m in graph.members[module] if homes.get(m) not in (None, SHARED)})
        if others:
            found.append(Problem(f"shared.symbols[{index}]", f"{symbol} is in [shared] but other parts of {module} are in "
                                 f"services ({', '.join(others)}): the shared layer holds whole modules",
                                 f"put the whole module {module} in shared.modules, or move {symbol} to services.{others[0]}"))
    return found


def _no_entry(graph: ElementGraph, facts: SourceFacts, homes: dict[str, str], layer: set[str]) -> list[Problem]:
    if not facts.builders or layer & facts.builders.keys():
        return []
    module = sorted(facts.builders)[0]
    element = f"{module}:{facts.builders[module][0]}"
    return [Problem("shared.modules", f"no module that builds the app (Flask(...) / FastAPI(...)) is in [shared]: "
                    f"{element} is in {homes.get(element, 'no service')}",
                    f"add {module} to shared.modules: every service builds the monolith's app from it")]


# --- repair ----------------------------------------------------------------------------------------------

def repair(graph: ElementGraph, facts: SourceFacts, homes: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(element -> home, moved until no rule is broken; element -> why it moved to [shared])."""
    homes = dict(homes)
    reasons: dict[str, str] = {}
    routed = route_modules(graph, facts)
    for module in sorted(entry_modules(graph, facts) if facts.builders else ()):
        _share(graph, homes, reasons, module, "composition root: builds the app, or builds it when imported")
    for module in namespace_roots(graph, facts, routed):
        _share(graph, homes, reasons, module, "composition root: mounts the API's namespaces (each service mounts its own)")
    for module in sorted(facts.configs.keys() - routed):
        _share(graph, homes, reasons, module, "Django start-up: an installed app's AppConfig (django.setup() runs it in every service)")
    for module in sorted(facts.tag_libraries - routed):
        _share(graph, homes, reasons, module, "Django start-up: a template tag library of an installed app (the template engine loads them all)")
    for module in sorted(facts.plugins - routed):
        _share(graph, homes, reasons, module, "start-up: a plugin the app loads by name when it is built (import_module)")
    claimed: dict[str, set[str]] = defaultdict(set)  # element -> the services its module-mates needed it in
    users: dict[str, list[str]] = defaultdict(list)  # element -> the elements using it in their code
    for dep in graph.deps:
        if dep.kind in CODE_KINDS:
            users[dep.dst].append(dep.src)
    for _ in range(MAX_ROUNDS):
        layer = layer_modules(graph, homes)
        moved = False
        together = decorated_together(graph, facts, homes)
        homes.update(together)
        moved = bool(together)
        for dep in _layer_needs(graph, facts, homes, layer):
            moved |= _share(graph, homes, reasons, graph.module_of(dep.dst),
                            f"the shared layer needs it when imported ({graph.module_of(dep.src)})")
        for dep in _service_needs(graph, facts, homes, layer):
            if not _at_import(graph, facts, dep):  # a class or value used later: it goes to its users
                moved |= _to_users(graph, homes, reasons, users, dep.dst)
                continue
            if _joins(graph, homes, claimed, dep):
                homes[dep.dst] = homes[dep.src]
                moved = True
                continue
            moved |= _share(graph, homes, reasons, graph.module_of(dep.dst),
                            f"needed when imported by {graph.module_of(dep.src)} ({homes[dep.src]}) and by its own service")
        for module, owner in split_mounts(graph, facts, homes).items():
            homes.update({m: owner for m in graph.members[module]})
            moved = True
        for module in sorted(graph.members.keys() - layer):
            members = graph.members[module]
            if not any(homes.get(m) == SHARED for m in members):
                continue
            if module in routed:
                moved |= _to_majority(graph, homes, module)
            else:
                moved |= _share(graph, homes, reasons, module, "the shared layer holds whole modules")
        if not moved:
            break
    return homes, reasons


def _joins(graph: ElementGraph, homes: dict[str, str], claimed: dict[str, set[str]], dep: Dep) -> bool:
    """A symbol a module-mate needs at import time (`inlines = [RosterStudentInline]` in a class body)
    joins the module-mate's service, unless a module-mate in another service needed it too (then the
    module goes to the layer): the module stays in as few services as it can."""
    if graph.module_of(dep.src) != graph.module_of(dep.dst) or homes.get(dep.dst) == SHARED:
        return False
    claimed[dep.dst].add(homes[dep.src])
    return len(claimed[dep.dst]) == 1


def _to_users(graph: ElementGraph, homes: dict[str, str], reasons: dict[str, str], users: dict[str, list[str]],
              target: str) -> bool:
    """A class used by code of another service (no client stands for it): it moves to the one service
    whose code uses it, or, used by several, its module goes to the layer (as a module-mate's import-time
    need does, `_joins`), rather than taking the module to the layer at once."""
    services = {homes.get(u) for u in users.get(target, ())} - {None, SHARED}
    if len(services) == 1:
        homes[target] = services.pop()
        return True
    return _share(graph, homes, reasons, graph.module_of(target),
                  f"a class or value no client stands for, used by {len(services)} services")


def _share(graph: ElementGraph, homes: dict[str, str], reasons: dict[str, str], module: str, why: str) -> bool:
    moved = False
    for member in graph.members[module]:
        if homes.get(member) != SHARED:
            homes[member] = SHARED
            reasons.setdefault(member, why)
            moved = True
    return moved


def _to_majority(graph: ElementGraph, homes: dict[str, str], module: str) -> bool:
    votes: dict[str, int] = defaultdict(int)
    for member in graph.members[module]:
        if homes.get(member) not in (None, SHARED):
            votes[homes[member]] += graph.elements[member].lines
    if not votes:
        return False
    target = max(sorted(votes), key=lambda s: votes[s])
    moved = False
    for member in graph.members[module]:
        if homes.get(member) == SHARED:
            homes[member] = target
            moved = True
    return moved
