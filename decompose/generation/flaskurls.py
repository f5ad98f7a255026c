"""The Flask endpoints of the routes another service serves, so that `url_for` still builds their URLs.

A Flask service runs the monolith's app with only its own blueprints plugged in. A view or template that
links to a route of another service (`url_for('main.index')` in flasky's auth views and base template)
then fails with `BuildError`, although the URL it would build is the monolith's, which the gateway routes
to the right service. So each Flask service adds the other services' rules as build-only rules
(`decompose_runtime.flaskurls`): `url_for` builds the same URLs, and nothing is served from them.

An endpoint is read from the source, with `ast` (nothing imported): the view's decorator `@bp.route(...)`
(or `.get`, `.post`...; its `endpoint=` when a literal), the blueprint `bp = Blueprint('main', ...)` in the
view's module or in the module it imports `bp` from (`from . import main`), and `main.<view name>`; a view
of the app itself keeps its bare name. A route whose endpoint cannot be read this way is left out.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from pathlib import Path

from decompose.analysis.model import ModuleInfo, Route

DECORATORS = frozenset({"route", "get", "post", "put", "patch", "delete"})
APPS = frozenset({"Flask", "APIFlask"})


class Trees:
    """The analysed modules' syntax trees, read once each with `ast` (None: not found or does not parse)."""

    def __init__(self, root: Path, modules: dict[str, ModuleInfo]) -> None:
        self.root, self.modules, self.cache = Path(root), modules, {}

    def tree(self, module: str | None) -> ast.Module | None:
        if module not in self.cache:
            info = self.modules.get(module or "")
            try:
                self.cache[module] = ast.parse((self.root / info.path).read_text(encoding="utf-8", errors="replace")) \
                    if info else None
            except (OSError, SyntaxError, ValueError):
                self.cache[module] = None
        return self.cache[module]

    def absolute(self, module: str, node: ast.ImportFrom) -> str | None:
        """The module a `from ... import` in `module` names (in a package's `__init__`, `.` is the package)."""
        if node.level == 0:
            return node.module
        info = self.modules.get(module)
        parts = module.split(".") if info and info.is_package else module.split(".")[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        return ".".join([*parts, *([node.module] if node.module else [])]) or None


def endpoint_map(routes: Iterable[Route], trees: Trees) -> dict[Route, str]:
    """The endpoint of each Flask route whose endpoint the source says."""
    return {route: endpoint for route in routes if route.framework == "flask"
            for endpoint in [_endpoint(route, trees)] if endpoint}


def rules(found: dict[Route, str], served_elsewhere: Callable[[Route], bool]) -> list[str]:
    """(rule, endpoint, methods) of the routes another service serves, sorted, each as Python source (a
    service's build-only rules)."""
    return [repr(rule) for rule in sorted({(route.path, endpoint, tuple(sorted(route.methods)))
                                           for route, endpoint in found.items() if served_elsewhere(route)})]


def _endpoint(route: Route, trees: Trees) -> str | None:
    tree = trees.tree(route.module)
    view = next((n for n in (tree.body if tree else ()) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and n.name == route.handler_name), None)
    for decorator in view.decorator_list if view else ():
        if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute) \
                and decorator.func.attr in DECORATORS and isinstance(decorator.func.value, ast.Name):
            name = _keyword(decorator, "endpoint") or view.name
            owner = _blueprint(route.module, decorator.func.value.id, trees)
            return None if owner is None else f"{owner}.{name}" if owner else name
    return None


def _keyword(call: ast.Call, key: str) -> str | None:
    value = next((k.value for k in call.keywords if k.arg == key), None)
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def _blueprint(module: str | None, variable: str, trees: Trees, depth: int = 0) -> str | None:
    """The name of the blueprint the module-level `variable` of `module` holds ("" for the app itself),
    following `from X import variable` a few steps; None when the source does not say."""
    tree = trees.tree(module)
    for node in tree.body if tree is not None and depth <= 3 else ():
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == variable for t in node.targets):
            return _made(node.value)
        if isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == variable for a in node.names):
            alias = next(a for a in node.names if (a.asname or a.name) == variable)
            return _blueprint(trees.absolute(module, node), alias.name, trees, depth + 1)
    return None


def _made(value: ast.expr) -> str | None:
    if not isinstance(value, ast.Call):
        return None
    func = value.func
    callee = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if callee.endswith("Blueprint"):
        first = value.args[0] if value.args else next((k.value for k in value.keywords if k.arg == "name"), None)
        return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
    return "" if callee in APPS else None
