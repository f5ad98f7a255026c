"""Flask: what a blueprint declares for the whole app, in every service.

`@main.app_context_processor`, `@main.app_errorhandler(404)`, `@auth.before_app_request` hang on one
blueprint but act on every request of the app: flasky's `main` blueprint puts `Permission` in every
template, and a template of the `auth` blueprint reads it. In the monolith the hook is registered when
its blueprint is; a service registers only its own blueprints, so the hooks of the others are missing.

Every service therefore keeps every app-wide hook of the monolith (the decorated function, and the
blueprint it hangs on, replicated like a route container; what the function uses is resolved like
any other need) and its `framework.py` imports the hook's module before it registers its blueprints:
- a hook of a blueprint the service registers comes with the registration, as in the monolith;
- a hook of a blueprint taken out of the composition root for another service is applied to the
  app itself (`app.errorhandler(404)(page_not_found)`, decompose_runtime.flaskctx.app_wide), its
  decorator's arguments read in the hook's own module. The blueprint is never registered, so none
  of its routes is served here.

    app_hooks(sources, containers) -> [AppHook], sorted
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import libcst as cst

from decompose.generation import classify
from decompose.generation.endpoints import blueprint_call
from decompose.generation.model import AppHook
from decompose.generation.runtime.flaskctx import APP_WIDE
from decompose.generation.source import code

if TYPE_CHECKING:
    from decompose.generation.layout import Sources

MODULE = "_hooks"  # the name a decorator's arguments read the hook's module by (framework.py.j2)


def app_hooks(sources: Sources, containers: Iterable[str]) -> list[AppHook]:
    """The module-level functions decorated with an app-wide hook of a blueprint (a route container, or a
    module-level `Blueprint(...)`)."""
    containers = set(containers)
    found = []
    for module in sorted(m for m in sources.modules if _mentions_hooks(sources, m)):
        for piece in sources.parsed(module).pieces:
            if isinstance(piece.node, cst.FunctionDef):
                found.extend(_hooks_of(sources, module, piece.node, containers))
    return sorted(found, key=lambda h: (h.function, h.decorator, h.arguments))


def _mentions_hooks(sources: Sources, module: str) -> bool:
    """A cheap look at the text first: most modules declare no hook, and need not be parsed for it."""
    try:
        text = (sources.root / sources.modules[module].path).read_text("utf-8", errors="replace")
    except OSError:
        return True  # Sources.parsed says what is wrong with it
    return any(f".{name}" in text for name in APP_WIDE)


def _hooks_of(sources: Sources, module: str, node: cst.FunctionDef, containers: set[str]) -> list[AppHook]:
    hooks = []
    for decorator in node.decorators:
        call = decorator.decorator if isinstance(decorator.decorator, cst.Call) else None
        func = call.func if call is not None else decorator.decorator
        if not (isinstance(func, cst.Attribute) and func.attr.value in APP_WIDE and isinstance(func.value, cst.Name)):
            continue
        blueprint = _blueprint(sources, module, func.value.value, containers)
        if blueprint and not (call is not None and _unreadable(call)):
            arguments = ", ".join(code(a.visit(_Qualify())).strip().rstrip(",") for a in call.args) if call else ""
            hooks.append(AppHook(f"{module}:{node.name.value}", blueprint, func.attr.value, call is not None, arguments))
    return hooks


def _blueprint(sources: Sources, module: str, name: str, containers: set[str]) -> str | None:
    element = f"{module}:{name}"
    if element not in sources.symbols:
        origin = classify.origin(sources, module, name)
        element = f"{origin[0]}:{origin[1]}" if origin else ""
    if element not in sources.symbols:
        return None
    defining, symbol = element.split(":")
    return element if element in containers or blueprint_call(sources.parsed(defining), symbol) else None


def _unreadable(call: cst.Call) -> bool:
    """Arguments that bind names of their own (a lambda, a comprehension) cannot be read from the module."""
    finder = _Binders()
    call.visit(finder)
    return finder.found


class _Binders(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.found = True

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.found = True

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.found = True


class _Qualify(cst.CSTTransformer):
    """`CSRFError` -> `_hooks.CSRFError`: a name the decorator's arguments read, from the hook's module."""

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        return False

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        return updated.with_changes(value=updated.value.visit(self))

    def visit_Arg(self, node: cst.Arg) -> bool:
        return False

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(value=updated.value.visit(self))

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        if updated.value in ("True", "False", "None"):
            return updated
        return cst.Attribute(value=cst.Name(MODULE), attr=updated)
