"""Route containers and composition roots.

A route container is the object a view's route decorator hangs on (`bp` in `@bp.get("/x")`: a
Flask Blueprint or FastAPI APIRouter; for a class-based controller, the decorator of its method). The monolith's composition root (in the shared layer)
collects every container and registers it on the app; a service must register only its own.
`unplug` takes the references to service-owned containers out of a layer module (the element of a
tuple/list, or the whole registration statement), remembering the keyword arguments the
monolith registered each with; the service's app plugs its containers back in with them.
Where the layer plugged a container in at a place of its own, the service plugs its own in at the same
place (a `Mount`): the first such statement becomes `decompose_runtime.plug.built(...)`, the others go.
- a flask-restx namespace mounted on an Api at module level (`api.add_namespace(ns, "/pages")`): the
  Api's blueprint takes it to the app when the factory registers that blueprint;
- a FastAPI router included in a router of the layer at module level, with literal arguments
  (`router.include_router(controller_cookbooks.router, tags=["Cookbooks"])` in mealie's route packages): the
  parent router, whose prefix and dependencies (an admin router's) the routes get, takes it to the app;
  the service mounts its own in the monolith's order (route order decides which path matches first);
- a blueprint registered inside the app factory (`app.register_blueprint(bp, url_prefix=...)` in
  `create_app`): there the factory's app context is pushed (CTFd's blueprints use `current_app` when
  imported) and the tables are not created yet (`db.create_all()` comes after, and needs the models the
  blueprint's views import).
`find_entry` finds how the layer builds the app: a factory function or a module-level object.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import TYPE_CHECKING

import libcst as cst
from libcst import metadata as meta

from decompose.analysis.model import Route
from decompose.generation import classify
from decompose.generation.model import LAYER, AppEntry, Mount
from decompose.generation.source import Parsed, bound_name, code, import_source

if TYPE_CHECKING:
    from decompose.generation.layout import Sources

ROUTE_VERBS = frozenset({"route", "get", "post", "put", "patch", "delete", "head", "options", "api_route", "websocket"})
APP_CLASSES = {"Flask": "flask", "FastAPI": "fastapi"}
REGISTER_CALLS = frozenset({"register_blueprint", "include_router"})
# at module level: flask-restx/restplus's namespace mounted on an Api of the layer, a FastAPI router included in a
# router of the layer (`router.include_router(controller_cookbooks.router, tags=[...])`, mealie's route packages)
MOUNT_CALLS = frozenset({"add_namespace", "include_router"})
FACTORY_CALLS = frozenset({"register_blueprint"})  # inside a function of the layer (the app factory)


def containers_of(sources: Sources, routes: Iterable[Route]) -> dict[str, str]:
    """route handler -> the container element its decorator names (when it is a module-level name)."""
    found: dict[str, str] = {}
    for route in routes:
        if route.module not in sources.modules:
            continue
        node = _handler_def(sources.parsed(route.module), route)
        base = _decorator_base(node) if node else None
        if base is None:
            continue
        element = f"{route.module}:{base}"
        if element not in sources.symbols:
            origin = classify.origin(sources, route.module, base)
            element = f"{origin[0]}:{origin[1]}" if origin else ""
        if element in sources.symbols:
            found[route.handler] = element
    return found


def _handler_def(parsed: Parsed, route: Route) -> cst.FunctionDef | cst.ClassDef | None:
    """The node whose decorator names the container: the view function, the Resource class, or the method of a
    class-based controller (`handler` names the class, `handler_name` its method decorated `@router.get(...)`)."""
    owner = route.handler.rpartition(":")[2]
    if owner != route.handler_name:
        cls = _top_level_def(parsed, owner)
        if isinstance(cls, cst.ClassDef):
            return next((s for s in cls.body.body if isinstance(s, cst.FunctionDef)
                         and s.name.value == route.handler_name), None)
    return _top_level_def(parsed, route.handler_name)


def _top_level_def(parsed: Parsed, name: str) -> cst.FunctionDef | cst.ClassDef | None:
    """The view function, or the Resource class a flask-restx route decorates (`@ns.route("")`)."""
    return next((p.node for p in parsed.pieces if isinstance(p.node, (cst.FunctionDef, cst.ClassDef))
                 and p.node.name.value == name), None)


def _decorator_base(node: cst.FunctionDef | cst.ClassDef) -> str | None:
    for decorator in node.decorators:
        call = decorator.decorator
        func = call.func if isinstance(call, cst.Call) else call
        if isinstance(func, cst.Attribute) and func.attr.value in ROUTE_VERBS and isinstance(func.value, cst.Name):
            return func.value.value
    return None


# --- taking containers out of the layer ------------------------------------------------------------------

def unplug(parsed: Parsed, containers: dict[str, str], homes: dict[str, str], sources: Sources
           ) -> tuple[cst.Module, list[str], dict[str, str], dict[str, Mount]]:
    """(layer module without service containers, the containers removed, container -> registration keywords,
    container -> where the layer mounted it)."""
    owned = {c for c in containers.values() if homes.get(c, LAYER) != LAYER}
    if not owned or not _imports_any(parsed, {c.split(":")[0] for c in owned}):
        return parsed.tree, [], {}, {}
    wrapper = meta.MetadataWrapper(parsed.tree, unsafe_skip_copy=True)
    scopes = {s for s in wrapper.resolve(meta.ScopeProvider).values() if s is not None}
    parents = wrapper.resolve(meta.ParentNodeProvider)
    targets: dict[cst.CSTNode, str] = {}
    dead: dict[cst.CSTNode, set[str]] = {}  # import statement -> names bound only for removed uses
    for scope in scopes:  # the factory's lazy imports too (`from .notes.routes import bp` in create_app)
        for assignment in scope.assignments:
            if isinstance(assignment, meta.ImportAssignment):
                found = _references(assignment, parsed, owned, parents)
                targets.update(found)
                if found and len(found) == len(assignment.references):
                    dead.setdefault(assignment.node, set()).add(assignment.name)
    if not targets:
        return parsed.tree, [], {}, {}
    keywords = {c: _registration_keywords(node, parents) for node, c in targets.items()}
    order = _statement_order(parsed.tree)
    mounts = {c: m for node, c in targets.items() if (m := _mount(node, parents, parsed.module, order)) is not None}
    tree = wrapper.module.visit(_Remove(set(targets), parents, dead, parsed.module))
    return tree, sorted(set(targets.values())), {c: k for c, k in keywords.items() if k}, mounts


def _references(assignment: meta.ImportAssignment, parsed: Parsed, owned: set[str], parents) -> dict:  # noqa: ANN001
    node = assignment.node
    found: dict[cst.CSTNode, str] = {}
    if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
        return found
    source = import_source(node, parsed.module, parsed.is_package)
    original = next((code(a.name) for a in node.names if bound_name(a) == assignment.name), None)
    for ref in assignment.references:
        if f"{source}:{original}" in owned:
            found[ref.node] = f"{source}:{original}"
            continue
        hit = _chained(ref.node, f"{source}.{original}", owned, parents)
        if hit is not None:
            found[hit[0]] = hit[1]
    return found


def _chained(node: cst.CSTNode, module: str, owned: set[str], parents) -> tuple[cst.CSTNode, str] | None:  # noqa: ANN001
    """`views.public.blueprint` after `from shop import views`: the attribute chain walked down the
    packages (shop.views, then shop.views.public) until it names an owned container."""
    parent = parents.get(node)
    while isinstance(parent, cst.Attribute) and parent.value is node:
        element = f"{module}:{parent.attr.value}"
        if element in owned:
            return parent, element
        module, node, parent = f"{module}.{parent.attr.value}", parent, parents.get(parent)
    return None


def _statement_order(tree: cst.Module) -> dict[cst.CSTNode, int]:
    """Expression statements -> their rank in the source: a service mounts its containers in the monolith's
    order (mealie includes its meal-plan rules router before the meal-plan one, whose `/{item_id}` would match)."""
    found: dict[cst.CSTNode, int] = {}

    class Statements(cst.CSTVisitor):
        def visit_Expr(self, n: cst.Expr) -> None:
            found[n] = len(found)

    tree.visit(Statements())
    return found


def _imports_any(parsed: Parsed, modules: set[str]) -> bool:
    """Cheap test before scoping: does the module import one of these modules or their packages
    (`from shop import views`, then `views.public.blueprint`)?"""
    wanted = {".".join(m.split(".")[:i]) for m in modules for i in range(1, m.count(".") + 2)}
    for node in _import_nodes(parsed.tree):
        if isinstance(node, cst.ImportFrom):
            if import_source(node, parsed.module, parsed.is_package) in wanted:
                return True
        elif any(code(a.name) in wanted for a in node.names):
            return True
    return False


def _import_nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []

    class Imports(cst.CSTVisitor):
        def visit_Import(self, n: cst.Import) -> None:
            found.append(n)

        def visit_ImportFrom(self, n: cst.ImportFrom) -> None:
            found.append(n)

    node.visit(Imports())
    return found


def _registration_keywords(node: cst.CSTNode, parents) -> str:  # noqa: ANN001
    call = _call_of(node, parents, REGISTER_CALLS)
    if call is not None:
        return ", ".join(code(a).strip().rstrip(",") for a in call.args if a.keyword is not None)
    return ""


def _call_of(node: cst.CSTNode, parents, methods: frozenset[str]) -> cst.Call | None:  # noqa: ANN001
    """The `x.<method>(node, ...)` call that takes the reference as an argument."""
    arg = parents.get(node)
    call = parents.get(arg) if isinstance(arg, cst.Arg) else None
    if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.func.attr.value in methods:
        return call
    return None


def _mount(node: cst.CSTNode, parents, module: str, order: dict[cst.CSTNode, int]) -> Mount | None:  # noqa: ANN001
    """`ledger_api.add_namespace(accounts_namespace, "/accounts")` at module level, or
    `app.register_blueprint(bp, url_prefix="/x")` in a function: where and how it was plugged in."""
    found = _mount_holder(node, parents, module)
    if found is None:
        return None
    call = _call_of(node, parents, MOUNT_CALLS | FACTORY_CALLS)
    others = [code(a).strip().rstrip(",") for a in call.args if a.value is not node]  # type: ignore[union-attr]
    return Mount(found[0], call.func.attr.value, ", ".join(others), order.get(parents.get(call), 0))  # type: ignore[union-attr]


def _mount_holder(node: cst.CSTNode, parents, module: str) -> tuple[str, str] | None:  # noqa: ANN001
    """(the holder's element id, the name the statement plugs into) when the reference is plugged in by a
    statement of its own on a plain name: `ledger_api` at module level (ledger.api:ledger_api), `app` in
    the top-level function create_app (pkg:create_app); else None (the service plugs it in after the build)."""
    call = _call_of(node, parents, MOUNT_CALLS | FACTORY_CALLS)
    if call is None or not isinstance(call.func.value, cst.Name) or not isinstance(parents.get(call), cst.Expr):  # type: ignore[union-attr]
        return None
    name, line = call.func.value.value, parents.get(parents.get(call))  # type: ignore[union-attr]
    if not isinstance(line, cst.SimpleStatementLine):
        return None
    if call.func.attr.value in MOUNT_CALLS:  # type: ignore[union-attr]
        at_top = isinstance(parents.get(line), cst.Module) and _literal_arguments(call, node)
        return (f"{module}:{name}", name) if at_top else None
    function = _top_function(line, parents)
    return (f"{module}:{function}", name) if function else None


def _literal_arguments(call: cst.Call, node: cst.CSTNode) -> bool:
    """Whether the call's other arguments are literals (`"/pages"`, `tags=["Admin"]`): the service repeats them
    in its own module, where a name of the layer's module (`prefix=settings.API_V1_STR`) is not defined."""
    for arg in call.args:
        if arg.value is node:
            continue
        try:
            ast.literal_eval(code(arg.value))
        except (ValueError, SyntaxError, TypeError):
            return False
    return True


def _top_function(node: cst.CSTNode, parents) -> str | None:  # noqa: ANN001
    """The name of the module-level function holding `node` (None at module level or in a class)."""
    found = None
    while node in parents:
        node = parents[node]
        if isinstance(node, cst.ClassDef):
            return None
        if isinstance(node, cst.FunctionDef):
            found = node
    return found.name.value if found is not None and isinstance(parents.get(found), cst.Module) else None


class _Remove(cst.CSTTransformer):
    """Drop collection elements and statements that hold a target reference, and the imported names
    only those held (the layer must not import a service's router module)."""

    def __init__(self, targets: set[cst.CSTNode], parents, dead: dict[cst.CSTNode, set[str]], module: str) -> None:  # noqa: ANN001
        super().__init__()
        self.targets = targets
        self.parents = parents
        self.dead = dead
        self.holders = {self._holder(t) for t in targets}
        self.mounted = {self._holder(t): found for t in targets if (found := _mount_holder(t, parents, module))}
        self.announced: set[str] = set()

    def _holder(self, node: cst.CSTNode) -> cst.CSTNode:
        current = node
        while current in self.parents:
            parent = self.parents[current]
            if isinstance(parent, (cst.Element, cst.SimpleStatementLine, cst.Decorator)):
                return parent  # a decorator: `@api.errorhandler(...)` on a service's container, in the layer
            current = parent
        return node

    def on_leave(self, original, updated):  # noqa: ANN001, ANN201
        if original in self.mounted:
            return self._built(*self.mounted[original])
        if original in self.holders:
            return cst.RemoveFromParent()
        if original in self.dead and isinstance(updated, cst.ImportFrom):
            return _without(updated, self.dead[original])
        return updated


    def _built(self, holder: str, name: str) -> cst.SimpleStatementLine | cst.RemovalSentinel:
        """The first statement plugging into `holder` tells the running service's plug the object is built
        (there it plugs in its own containers); the others go."""
        if holder in self.announced:
            return cst.RemoveFromParent()
        self.announced.add(holder)
        return cst.parse_statement(f"import decompose_runtime.plug; decompose_runtime.plug.built({holder!r}, {name})"
                                   "  # decompose: each service plugs its own in here\n")


def _without(node: cst.ImportFrom, names: set[str]) -> cst.ImportFrom | cst.RemovalSentinel:
    """The import without the aliases binding `names` (the whole statement when none is left)."""
    kept = [a for a in node.names if bound_name(a) not in names]  # type: ignore[union-attr]
    if not kept:
        return cst.RemoveFromParent()
    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return node.with_changes(names=kept)


# --- the app entry ---------------------------------------------------------------------------------------

def find_entry(sources: Sources, layer: set[str]) -> AppEntry | None:
    """The layer's app factory (a function that builds Flask/FastAPI) or module-level app object; for
    Django, the settings module DJANGO_SETTINGS_MODULE names."""
    found: list[AppEntry] = []
    for module in sorted(layer):
        pieces = sources.parsed(module).pieces
        classes = {**APP_CLASSES, **_app_subclasses(p.node for p in pieces)}
        for piece in pieces:
            framework = _builds_app(piece.node, classes)
            if framework and piece.kind == "symbol":
                is_factory = isinstance(piece.node, cst.FunctionDef)
                found.extend(AppEntry(framework, f"{module}:{name}", is_factory) for name in piece.names[:1])
    found.sort(key=lambda e: (not e.is_factory, e.element.split(":")[1] not in ("create_app", "make_app"), e.element))
    return found[0] if found else _django_entry(sources, layer)


def _django_entry(sources: Sources, layer: set[str]) -> AppEntry | None:
    """Django builds no app object: its entry is the settings module (with a root URLconf)."""
    from decompose.generation import django

    settings = django.settings_module(sources, layer)
    if settings is None or django.root_urlconf(sources, settings) is None:
        return None
    return AppEntry("django", f"{settings}:ROOT_URLCONF", False)


def _app_subclasses(nodes: Iterable[cst.CSTNode]) -> dict[str, str]:
    """Classes of the module that subclass Flask or FastAPI (`class CTFdFlask(Flask)`) -> framework;
    the same rule as planning.sourcefacts, so the plan's check and generation agree."""
    found = {}
    for node in nodes:
        if isinstance(node, cst.ClassDef):
            for base in node.bases:
                name = code(base.value).rpartition(".")[2]
                if name in APP_CLASSES:
                    found[node.name.value] = APP_CLASSES[name]
    return found


def _builds_app(node: cst.CSTNode, classes: dict[str, str]) -> str | None:
    hits: list[str] = []

    class Calls(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            name = call.func.value if isinstance(call.func, cst.Name) else (
                call.func.attr.value if isinstance(call.func, cst.Attribute) else "")
            if name in classes:
                hits.append(classes[name])

    if isinstance(node, (cst.FunctionDef, cst.SimpleStatementLine)):
        node.visit(Calls())
    return hits[0] if hits else None
