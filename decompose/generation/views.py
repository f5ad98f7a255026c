"""A module view -> its source: the kept code, the proxies, imports of what is not there pruned.

Whole modules a service owns come out byte-for-byte as in the monolith (unless an import must go);
a split module gets one comment line on top saying so. Every package `__init__` gets
`__path__ = __import__("pkgutil").extend_path(__path__, __name__)`, because a package's modules are
now spread over the shared layer and the service (both keep the monolith's dotted names, so
`__name__`, string references and pickles keep working).
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from decompose.generation import django
from decompose.generation.model import ModuleView, Proxy
from decompose.generation.source import Parsed, code, import_source, imported_names, piece_of, select

EXTEND_PATH = '__path__ = __import__("pkgutil").extend_path(__path__, __name__)  # decompose: split over layer and service\n'

Available = Callable[[str, str], bool]  # (module, name or "") -> can this copy import it?


def render_view(parsed: Parsed | None, view: ModuleView, available: Available, client_module: Callable[[Proxy], str],
                is_internal: Callable[[str], bool], note: str, real: Available | None = None,
                urlconf: bool = False) -> str:
    """real: (module, name) -> does this copy have the real object (not a client or stub standing in);
    urlconf: the module is a Django URLconf this service keeps a copy of."""
    if parsed is not None and view.own:
        tree = select(parsed, view.keep, view.body)
        tree = prune_imports(tree, parsed, available, is_internal, real, urlconf)
        whole = len(tree.body) == len(parsed.tree.body)
        tree = _insert(tree, _proxy_lines(view, client_module), after_imports=True)
        if view.is_package:
            tree = _insert(tree, [EXTEND_PATH], after_imports=False)
        code = tree.code
        return code if whole and not view.proxies else f"# {note}\n{code}"
    lines = [f'"""{note}"""\n']
    if view.is_package:
        lines.append(EXTEND_PATH)
    return "".join(lines + _proxy_lines(view, client_module))


def render_layer_module(parsed: Parsed, tree: cst.Module, available: Available, is_internal: Callable[[str], bool]) -> str:
    tree = prune_imports(tree, parsed, available, is_internal)
    if parsed.is_package:
        tree = _insert(tree, [EXTEND_PATH], after_imports=False)
    return tree.code


def _proxy_lines(view: ModuleView, client_module: Callable[[Proxy], str]) -> list[str]:
    lines = []
    for name in sorted(view.proxies):
        proxy = view.proxies[name]
        if proxy.kind == "constant":
            lines.append(f"{name} = {proxy.source}  # decompose: copied from service {proxy.owner!r} ({proxy.target})\n")
        elif proxy.kind == "reexport":
            lines.append(f"from {proxy.source} import {proxy.target.split(':')[1]}"
                         + (f" as {name}" if proxy.target.split(":")[1] != name else "") + "  # decompose: re-exported\n")
        else:
            module, attr = client_module(proxy).rsplit(":", 1)
            alias = f" as {name}" if attr != name else ""
            lines.append(f"from {module} import {attr}{alias}  # decompose: {proxy.kind} of service {proxy.owner!r}\n")
    return lines


def _insert(tree: cst.Module, lines: list[str], after_imports: bool) -> cst.Module:
    if not lines:
        return tree
    statements = list(cst.parse_module("".join(lines)).body)
    at = _leading(tree, imports=after_imports)
    return tree.with_changes(body=[*tree.body[:at], *statements, *tree.body[at:]])


def _leading(tree: cst.Module, imports: bool) -> int:
    """Index after the docstring and `from __future__` imports (and, with imports, the import block)."""
    wanted = ("header", "imports") if imports else ("header",)
    at = 0
    for i, stmt in enumerate(tree.body):
        if piece_of(stmt, i).kind not in wanted:
            break
        at = i + 1
    return at


# --- pruning ---------------------------------------------------------------------------------------------

def prune_imports(tree: cst.Module, parsed: Parsed, available: Available, is_internal: Callable[[str], bool],
                  real: Available | None = None, urlconf: bool = False) -> cst.Module:
    """Drop import names of internal modules this copy does not have (and statements left empty), and
    Django URL entries and django-ninja `add_router` calls that name such a module by string."""
    prune = _Prune(parsed, available, is_internal, real, urlconf)
    tree = tree.visit(prune)
    return _insert(tree, [ELSEWHERE_IMPORT], after_imports=True) if prune.elsewhere else tree


ELSEWHERE = "_decompose_elsewhere"
ELSEWHERE_IMPORT = f"from decompose_runtime.elsewhere import elsewhere as {ELSEWHERE}  # decompose: views other services serve\n"


class _Prune(cst.CSTTransformer):
    def __init__(self, parsed: Parsed, available: Available, is_internal: Callable[[str], bool],
                 real: Available | None = None, urlconf: bool = False) -> None:
        super().__init__()
        self.parsed = parsed
        self.urlconf = urlconf
        self.available = available
        self.is_internal = is_internal
        self.real = real
        self.imported = imported_names(parsed) if real else {}
        self.elsewhere = False  # a URL entry's view replaced by decompose_runtime.elsewhere

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom):  # noqa: ANN201
        if isinstance(updated.names, cst.ImportStar):
            return updated
        source = import_source(updated, self.parsed.module, self.parsed.is_package)
        if not self.is_internal(source):
            return updated
        return _keep(updated, [a for a in updated.names if self.available(source, code(a.name))])

    def leave_Import(self, original: cst.Import, updated: cst.Import):  # noqa: ANN201
        return _keep(updated, [a for a in updated.names if not self.is_internal(code(a.name)) or self.available(code(a.name), "")])

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg):  # noqa: ANN201
        """A URL entry passed as an argument (`i18n_patterns(path("", include("pages.urls")))`): as in a list."""
        return self.leave_Element(original, updated) if updated.keyword is None else updated

    def leave_Element(self, original: cst.Element | cst.Arg, updated: cst.Element | cst.Arg):  # noqa: ANN201
        """A Django URL entry including a URLconf by string (`path("x/", include("app.urls"))`) that this
        copy does not have is taken out: Django would import it when the URLconf loads."""
        included = django.url_entry_includes(updated.value)
        if included and self.is_internal(included) and not self.available(included, "urlpatterns"):
            return cst.RemoveFromParent()
        view = django.url_entry_view(updated.value)
        if view and self.real and not self._real_view(view):  # another service's view: a stub here
            self.elsewhere = True  # the entry stays for reverse(), its view answers 404 here
            return updated.with_changes(value=django.with_view(updated.value, cst.Name(ELSEWHERE)))
        return updated

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        """In a URLconf, `View.as_view()` of another service's class outside a URL entry (a helper building
        entries from tuples of views, pretalx's `get_schedule_urls`) answers elsewhere too: the stand-in
        has no `as_view`, and the URLconf would fail to load."""
        view = django.as_view_dotted(updated) if self.urlconf and self.real else None
        if view and not self._real_view(view):
            self.elsewhere = True
            return cst.Name(ELSEWHERE)
        return updated

    def _real_view(self, dotted: tuple[str, ...]) -> bool:
        """Whether the view a URL entry names is the real one in this copy (`checkout` imported from an
        app's views, or `views.CartView` through `from orders import views`); anything else is kept."""
        origin = self.imported.get(dotted[0])
        if origin is None or not self.is_internal(origin[0]) or self.real is None:
            return True
        source, name = origin
        module = f"{source}.{name}"
        if len(dotted) > 1 and self.available(module, ""):
            return self.real(module, dotted[1])
        return self.real(source, name)

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):  # noqa: ANN201
        """django-ninja's `api.add_router("/x", "app.api.router")` naming a router this copy lacks goes too,
        and DRF's `router.register("x", OtherViewSet)` of another service's viewset (a stub here)."""
        target = django.string_router(updated)
        if target and self.is_internal(target[0]) and not self.available(*target):
            return cst.RemoveFromParent()
        origin = self.imported.get(django.object_router(updated) or "")
        if origin and self.real and not self.real(*origin):  # a router another service owns: a stub here
            return cst.RemoveFromParent()
        viewset = django.registered_viewset(updated)  # DRF's router.register("x", ViewSet): as a URL entry
        if viewset and self.real and not self._real_view(viewset):
            return cst.RemoveFromParent()
        return updated

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock):  # noqa: ANN201
        if not updated.body:
            return updated.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        return updated

    def leave_If(self, original: cst.If, updated: cst.If):  # noqa: ANN201
        emptied = _only_pass(updated.body) and not _only_pass(original.body)
        return cst.RemoveFromParent() if emptied and updated.orelse is None else updated


def _keep(statement: cst.Import | cst.ImportFrom, names: list[cst.ImportAlias]):  # noqa: ANN202
    """The import statement with only these names: unchanged, cut down, or removed when none are left."""
    if not names:
        return cst.RemoveFromParent()
    if len(names) == len(statement.names):
        return statement
    names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return statement.with_changes(names=names)


def _only_pass(block: cst.BaseSuite) -> bool:
    return isinstance(block, cst.IndentedBlock) and all(
        isinstance(s, cst.SimpleStatementLine) and all(isinstance(x, cst.Pass) for x in s.body) for s in block.body)
