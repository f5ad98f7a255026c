"""Facts about the monolith's source that the analysis does not keep, read with `ast` (fast, no libcst).

    facts = read_facts(graph, root)   per module: which lines run only when a function is called,
                                      and which top-level symbols build the web app

A plan is valid only if what a module needs *when it is imported* is importable where the module
goes; the analysis gives each dependency its lines, and these facts say whether a line runs at
import time (decorators, base classes, class bodies, module-level code) or inside a function body.
Unreadable files give no facts: their dependencies all count as import time (fail closed).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from decompose.generation.classify import ERROR_BASES  # another service's errors arrive as that class: no stub
from decompose.generation.runtime.flaskctx import APP_WIDE  # the names Flask gives them (the runtime applies them)
from decompose.planning.elements import Dep, ElementGraph

STARTUP_DEPTH = 4  # calls followed from the app builder (CTFd: create_app -> init_cli, one call)
APP_CLASSES = frozenset({"Flask", "FastAPI"})  # what generation's app entry (unplug.find_entry) looks for


@dataclass
class SourceFacts:
    runtime: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # module -> function-body line ranges
    builders: dict[str, list[str]] = field(default_factory=dict)  # module -> top-level symbols building the app
    read: set[str] = field(default_factory=set)  # modules whose source was read
    decorated: dict[str, dict[int, set[str]]] = field(default_factory=dict)  # module -> line -> names a decorator's callee chain holds
    mounts: set[str] = field(default_factory=set)  # modules whose module code mounts API namespaces (`api.add_namespace(ns, "/x")`)
    hooks: set[str] = field(default_factory=set)  # Flask: functions a blueprint declares for the whole app (`@bp.app_errorhandler(404)`)
    deferred: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # module -> bodies of functions defined in functions
    startup: set[str] = field(default_factory=set)  # the app's functions the builder calls, transitively (`init_cli(app)`)
    imports: dict[str, dict[int, tuple[str, tuple[str, ...]]]] = field(default_factory=dict)  # module -> line -> `from M import a, b`
    lifespans: set[str] = field(default_factory=set)  # functions the app call is handed to run at start (`lifespan=lifespan`)
    configs: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # installed Django app's apps module -> its ready() bodies
    plugins: set[str] = field(default_factory=set)  # modules a start-up function imports by name (`importlib.import_module("." + name, package=P)`)
    tag_libraries: set[str] = field(default_factory=set)  # installed Django apps' `templatetags` modules (the template engine loads them all)
    app_routes: set[str] = field(default_factory=set)  # route handlers that are start-up functions: they register on the app itself
    unshippable: set[str] = field(default_factory=set)  # classes (not errors): no client can stand for them

    def imported_at(self, module: str, line: int) -> tuple[str, tuple[str, ...]] | None:
        """(absolute module, names) of the `from M import a, b` statement on this line; None for any other line."""
        return self.imports.get(module, {}).get(line)

    def decorator_names(self, module: str, line: int) -> set[str] | None:
        """The names in the callee of the decorators on this line (`bp`, `route` for `@bp.route("/")`;
        not `token_auth` in `@router.get("/", auth=token_auth)`); None when the source was not read."""
        return self.decorated.get(module, {}).get(line, set()) if module in self.read else None

    def builder_elements(self) -> frozenset[str]:
        """What builds the app, and the start-up functions registering routes on it (`app.add_url_rule` in
        a function every plugin's load(app) calls): their routes are the layer's app's, in every service."""
        return frozenset(f"{m}:{name}" for m, names in self.builders.items() for name in names) | self.app_routes

    def decorates(self, module: str, line: int, name: str) -> bool:
        """Is `name` what a decorator on this line calls (or a link of it)? True when the source was not read."""
        names = self.decorator_names(module, line)
        return names is None or name in names

    def runs_with_its_function(self, module: str, line: int) -> bool:
        """Does this line of a top-level function run when the function is called (not inside a function
        it defines: `init_request_processors` defining `@app.before_request def tracker(): ...`)?"""
        return not any(start <= line <= end for start, end in self.deferred.get(module, ()))

    def at_import(self, module: str, line: int) -> bool:
        """Does this line of the module run when the module is imported?"""
        return not any(start <= line <= end for start, end in self.runtime.get(module, ()))

    def in_ready(self, module: str, line: int) -> bool:
        """Is this line in the ready() of an installed Django app's AppConfig (run by django.setup())?"""
        return any(start <= line <= end for start, end in self.configs.get(module, ()))


def read_facts(graph: ElementGraph, root: Path) -> SourceFacts:
    facts = SourceFacts()
    trees: dict[str, ast.Module] = {}
    configs: dict[str, list[tuple[int, int]]] = {}
    for module, path in sorted(graph.paths.items()):
        try:
            tree = ast.parse((root / path).read_bytes())
        except (OSError, SyntaxError, ValueError):
            continue
        facts.read.add(module)
        trees[module] = tree
        facts.runtime[module] = _bodies(tree)
        facts.deferred[module] = _nested_bodies(tree)
        facts.decorated[module] = _decorators(tree)
        facts.hooks |= {f"{module}:{name}" for name in app_hooks(tree)}
        package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
        facts.imports[module] = from_imports(tree, package)
        facts.lifespans |= {e for e in lifespans_of(tree, module, package) if e in graph.elements}
        builders = builders_of(tree)
        if builders:
            facts.builders[module] = builders
        if mounts_namespaces(tree):
            facts.mounts.add(module)
        facts.unshippable |= {f"{module}:{name}" for name in unshippable(tree)}
        ready = app_configs(tree)
        if ready is not None:
            configs[module] = ready
    _settings_variants(facts, trees, graph)
    named = _settings_strings(trees, facts)
    facts.configs = {m: bodies for m, bodies in configs.items() if _installed(named, m)}
    facts.tag_libraries = {m for m in facts.read if _tag_library(named, m)}
    facts.startup = startup_functions(graph, facts)
    for _ in range(STARTUP_DEPTH):  # plugins loaded at start-up may load more (their own load calls)
        plugins, loads = plugin_loads(graph, trees, facts.startup | facts.builder_elements())
        if plugins <= facts.plugins and loads <= facts.startup:
            break
        facts.plugins |= plugins
        facts.startup = startup_functions(graph, facts, loads)
    facts.app_routes = {h for h in graph.routes if h in facts.startup}
    return facts


def startup_functions(graph: ElementGraph, facts: SourceFacts, loads: set[str] = frozenset()) -> set[str]:
    """The app's own functions that run when a service starts: those the app builder calls (`create_app`
    calling `init_cli(app)`, which registers CTFd's command blueprint), or the module-level code of a
    module building its app at import, and the functions they call in turn, up to STARTUP_DEPTH calls
    deep. Classes are not followed; Django settings (ROOT_URLCONF) are not a builder
    whose calls are followed. `loads`: the plugins' functions a start-up function calls by name (plugin_loads)."""
    started = facts.lifespans | _ready_calls(graph, facts) | set(loads)  # run at start-up themselves
    roots = _startup_roots(graph, facts) | started
    calls: dict[str, list[Dep]] = defaultdict(list)
    for dep in graph.deps:
        target = graph.elements.get(dep.dst)
        if dep.kind == "call" and target is not None and target.kind == "function":
            calls[dep.src].append(dep)  # a route handler called at start-up registers its route (app_routes)
    found: set[str] = set()
    frontier = sorted(roots)
    for _ in range(STARTUP_DEPTH):
        reached = {d.dst for src in frontier for d in calls.get(src, ()) if _runs(graph, facts, src, d)}
        frontier = sorted(reached - found - roots)
        found |= reached - roots
    return found | started


def _ready_calls(graph: ElementGraph, facts: SourceFacts) -> set[str]:
    """The app's functions an installed Django app's ready() calls (`connect_receivers()`)."""
    return {d.dst for d in graph.deps if d.kind == "call" and d.dst in graph.elements
            and graph.elements[d.dst].kind == "function" and d.dst not in graph.routes
            and any(facts.in_ready(graph.module_of(d.src), loc.line) for loc in d.locations)}


def _runs(graph: ElementGraph, facts: SourceFacts, src: str, dep: Dep) -> bool:
    """Does the call run when `src` does (module code: at import; a function: in its own body)?"""
    if src in graph.members:
        return any(facts.at_import(src, loc.line) for loc in dep.locations)
    module = graph.module_of(src)
    return any(facts.runs_with_its_function(module, loc.line) for loc in dep.locations) or not dep.locations


def _startup_roots(graph: ElementGraph, facts: SourceFacts) -> set[str]:
    """The builders, and the module code of a module whose builder is a module-level assignment (`app = Flask(...)`)."""
    roots = set()
    for module, names in facts.builders.items():
        for element in (f"{module}:{n}" for n in names if n != "ROOT_URLCONF"):
            roots.add(element)
            if element in graph.elements and graph.elements[element].kind == "assignment":
                roots.add(module)
    return roots


def unshippable(tree: ast.Module) -> list[str]:
    """Top-level classes but errors: what generation can only stub in another service (a client stands
    for a function, an error class is re-raised), so code using them, even inside a function, is placed
    with them or they go to the layer. Values that are not literals are not counted here: generation
    copies one with the code that uses it when that code is copied into its caller's service (the
    sample's `shop.SORT_ORDERS` comes with `search_stmt`, which returns a query and runs where the
    catalog's search calls it); counted, they took the sample's whole `services.shop` to the layer."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            if not any(ast.unparse(b).endswith(ERROR_BASES) for b in node.bases):
                found.append(node.name)
    return found


def plugin_loads(graph: ElementGraph, trees: dict[str, ast.Module], functions: set[str]) -> tuple[set[str], set[str]]:
    """(modules, functions) these start-up functions load by name: `importlib.import_module("." + name,
    package="CTFd.plugins")` (or `import_module(f"plugins.{name}")`) imports a child of that package,
    every child being a candidate, and `module.load(app)` on the result calls each child's `load`.
    A plugin loader of this kind runs in every service, so every plugin is start-up code."""
    modules: set[str] = set()
    loads: set[str] = set()
    for element in sorted(functions):
        module, _, name = element.partition(":")
        node = next((n for n in trees[module].body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                     and n.name == name), None) if module in trees and name else None
        for package, bound in _loaded_packages(node) if node is not None else ():
            children = {m for m in graph.members if m.rpartition(".")[0] == package}
            modules |= children
            attributes = {c.func.attr for c in ast.walk(node) if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
                          and isinstance(c.func.value, ast.Name) and c.func.value.id in bound}
            loads |= {f"{m}:{a}" for m in children for a in attributes if f"{m}:{a}" in graph.elements}
    return modules, loads


def _loaded_packages(function: ast.AST) -> list[tuple[str, set[str]]]:
    """(package, names the imported module is bound to) of each `import_module(...)` call naming a module
    only at run time, under a package the source spells out."""
    found = []
    for node in ast.walk(function):
        call = node.value if isinstance(node, ast.Assign) else None
        if not (isinstance(call, ast.Call) and _chain(call.func)[:1] == ["import_module"] and call.args):
            continue
        package = _runtime_child(call.args[0], next((k.value for k in call.keywords if k.arg == "package"), None))
        if package:
            found.append((package, {t.id for t in node.targets if isinstance(t, ast.Name)}))
    return found


def _runtime_child(name: ast.AST, package: ast.AST | None) -> str | None:
    """The package whose child `name` names, when the child is known only at run time: a variable under a
    constant `package=`, `"pkg." + x`, or `f"pkg.{x}"`; None for a constant module name."""
    if isinstance(name, ast.Constant):
        return None
    if isinstance(package, ast.Constant) and isinstance(package.value, str):
        return package.value
    head = name.left if isinstance(name, ast.BinOp) and isinstance(name.op, ast.Add) else \
        name.values[0] if isinstance(name, ast.JoinedStr) and name.values else None
    if isinstance(head, ast.Constant) and isinstance(head.value, str) and head.value.endswith(".") and head.value != ".":
        return head.value[:-1]
    return None


def app_configs(tree: ast.Module) -> list[tuple[int, int]] | None:
    """The ready() bodies of the module's Django AppConfig classes (`class AgendaConfig(AppConfig)`), or
    None when it defines none. django.setup() imports an installed app's config in every process and
    runs its ready(): the config's name, label and default_auto_field, and the receivers, signals and
    checks ready() imports, are start-up code each service needs."""
    found: list[tuple[int, int]] | None = None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(_chain(b)[:1] == ["AppConfig"] for b in node.bases):
            found = found or []
            found += [(f.body[0].lineno, f.end_lineno or f.body[-1].lineno) for f in node.body
                      if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name == "ready"]
    return found


def _settings_strings(trees: dict[str, ast.Module], facts: SourceFacts) -> set[str]:
    """Every string of the settings modules (INSTALLED_APPS, however it is put together)."""
    return {node.value for settings, names in facts.builders.items() if "ROOT_URLCONF" in names and settings in trees
            for node in ast.walk(trees[settings]) if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def _installed(named: set[str], module: str) -> bool:
    """Do the settings name this app (`"shop.orders"`, `"catalog"`), its apps module or its config class
    (`"shop.orders.apps.OrdersConfig"`)?"""
    return bool({module, module.rpartition(".")[0]} & named) or any(n.rpartition(".")[0] == module for n in named)


def _tag_library(named: set[str], module: str) -> bool:
    """Is the module an installed app's template tag library (`pretalx.common.templatetags.safelink`, or the
    package itself)? Django's template engine imports every `templatetags` module of every installed app
    when it starts, in every process that renders a template: one missing is a library `{% load %}` cannot
    find (`'safelink' is not a registered tag library`), whichever service renders the page."""
    parts = module.split(".")
    if "templatetags" not in parts[1:] or parts.index("templatetags") < len(parts) - 2:
        return False
    app = ".".join(parts[:parts.index("templatetags")])
    return _installed(named, f"{app}.apps")  # named as the app, its apps module or its config class


def _settings_variants(facts: SourceFacts, trees: dict[str, ast.Module], graph: ElementGraph) -> None:
    """Django settings that star-import other settings (`test.py`: `from .base import *`) are settings
    too: DJANGO_SETTINGS_MODULE may name any of them when a service runs, so they join the root."""
    changed = True
    while changed:
        changed = False
        for module, tree in sorted(trees.items()):
            if module in facts.builders:
                continue
            package = module if graph.paths[module].endswith("__init__.py") else module.rpartition(".")[0]
            for node in tree.body:
                if (isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names)
                        and "ROOT_URLCONF" in facts.builders.get(_absolute(node, package), ())):
                    facts.builders[module] = ["ROOT_URLCONF"]
                    changed = True
                    break


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    base = package.split(".")[: max(0, len(package.split(".")) - node.level + 1)] if package else []
    return ".".join([*base, *([node.module] if node.module else [])])


def from_imports(tree: ast.Module, package: str) -> dict[int, tuple[str, tuple[str, ...]]]:
    """line -> (absolute module, imported names) of every `from M import a, b` statement, on each line it spans."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            statement = (_absolute(node, package), tuple(a.name for a in node.names))
            found.update({line: statement for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)})
    return found


def _bodies(tree: ast.Module) -> list[tuple[int, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            found.append((node.body[0].lineno, node.end_lineno or node.body[-1].lineno))
        elif isinstance(node, ast.Lambda):
            found.append((node.body.lineno, node.body.end_lineno or node.body.lineno))
    return sorted(found)


def _nested_bodies(tree: ast.Module) -> list[tuple[int, int]]:
    """Bodies of the functions and lambdas defined inside a function: they run when called, not with it."""
    found = []
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, inside = stack.pop()
        for child in ast.iter_child_nodes(node):
            function = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if function and inside:
                body = child.body if isinstance(child, ast.Lambda) else child.body[0]
                found.append((body.lineno, child.end_lineno or body.lineno))
            stack.append((child, inside or function))
    return sorted(found)


def _decorators(tree: ast.Module) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for decorator in node.decorator_list:
                callee = decorator.func if isinstance(decorator, ast.Call) else decorator
                found.setdefault(decorator.lineno, set()).update(_chain(callee))
    return found


def app_hooks(tree: ast.Module) -> list[str]:
    """Top-level functions decorated with a blueprint's app-wide hook: `@main.app_context_processor`,
    `@main.app_errorhandler(404)` (the app's every request runs them, whichever service serves it)."""
    found = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                chain = _chain(decorator.func if isinstance(decorator, ast.Call) else decorator)
                if len(chain) == 2 and chain[0] in APP_WIDE:
                    found.append(node.name)
                    break
    return found


def _chain(node: ast.AST) -> list[str]:
    """`views.bp.route` -> ["route", "bp", "views"] (the attribute called first)."""
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        names.append(node.id)
    return names


def builders_of(tree: ast.Module) -> list[str]:
    """Top-level functions and assignments whose code calls Flask(...) or FastAPI(...), or a subclass of
    them defined in the same module (`class CTFdFlask(Flask)`); for Django, the settings' ROOT_URLCONF."""
    found = []
    classes = APP_CLASSES | {n.name for n in tree.body if isinstance(n, ast.ClassDef) and any(
        (b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else "") in APP_CLASSES for b in n.bases)}
    for node in tree.body:
        names: list[str] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names = [node.name]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
        if names and any(_app_call(n, classes) for n in ast.walk(node)):
            found.append(names[0])
    return found or _django_settings(tree)


STARTUP_KEYWORDS = frozenset({"lifespan", "on_startup", "on_shutdown"})


def lifespans_of(tree: ast.Module, module: str, package: str) -> list[str]:
    """Functions handed to the app call to run when it starts or stops (`FastAPI(lifespan=lifespan)`,
    `on_startup=[connect_db]`), as elements: each service's app runs them when it starts (the raw-SQL
    zoo app's lifespan opens the database with `connect`), so what they call is needed at start-up."""
    names = {n.id for call in ast.walk(tree) if _app_call(call, APP_CLASSES) for k in call.keywords
             if k.arg in STARTUP_KEYWORDS for n in ast.walk(k.value) if isinstance(n, ast.Name)}
    if not names:
        return []
    sources = {a.asname or a.name: f"{_absolute(node, package)}:{a.name}" for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom) for a in node.names}
    return sorted(sources.get(name, f"{module}:{name}") for name in names)


def mounts_namespaces(tree: ast.Module) -> bool:
    """Does the module's own code call `<api>.add_namespace(...)` (flask-restx/restplus)? Such a module is
    the API's composition root: it gathers namespaces the way an app factory gathers blueprints."""
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr == "add_namespace" and call.args):
            return True
    return False


def _django_settings(tree: ast.Module) -> list[str]:
    """A Django settings module (top-level `ROOT_URLCONF = ...`) is Django's composition root: every
    service runs django.setup() with it (generation.django finds the same module)."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "ROOT_URLCONF" for t in node.targets):
            return ["ROOT_URLCONF"]
    return []


def _app_call(node: ast.AST, classes: frozenset[str] | set[str]) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name in classes
