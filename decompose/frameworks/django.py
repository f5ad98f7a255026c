"""Django: URLconfs (`path`, `re_path`, `url`, `include("app.urls")`, `include(module)`,
DRF `DefaultRouter().register(...)` with `router.urls`, django-ninja's `api.urls`) walked from every
URLconf that no other includes; handlers resolved through imports. Function views accept any method
(`ANY`); class views answer the HTTP methods they define; DRF viewsets get their list and detail
routes; a django-ninja API its operations (decompose.frameworks.ninja) under the URLconf's prefix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from decompose.analysis.facts import UrlEntry
from decompose.analysis.index import Index, split_id, symbol_id
from decompose.analysis.model import Mount, Route
from decompose.frameworks.ninja import NinjaOperations, Operation
from decompose.frameworks.paths import normalise, normalise_regex, optional_variants
from decompose.frameworks.routers import MARKER
from decompose.frameworks.views import LIBRARY_VIEWS, allowed, class_methods, function_methods, inherited

ROUTER_CALLEES = ("rest_framework.routers.DefaultRouter", "rest_framework.routers.SimpleRouter")
VIEWSET_ACTIONS = {
    "ModelViewSet": {"list", "create", "retrieve", "update", "partial_update", "destroy"},
    "ReadOnlyModelViewSet": {"list", "retrieve"},
    "ListModelMixin": {"list"}, "CreateModelMixin": {"create"}, "RetrieveModelMixin": {"retrieve"},
    "UpdateModelMixin": {"update", "partial_update"}, "DestroyModelMixin": {"destroy"},
}
ADMIN_SITES = ("django.contrib.admin.site.urls", "django.contrib.admin.sites.site.urls")


def _admin_site(handler: str) -> bool:
    """`path("admin/", admin.site.urls)`: Django's admin is a whole URL tree built at run time, not one
    route; it is not counted, the gateway leaves every /admin/ path on the monolith (docs/analysis.md)."""
    return handler in ADMIN_SITES


LIST_ACTIONS = {"list": "GET", "create": "POST"}
DETAIL_ACTIONS = {"retrieve": "GET", "update": "PUT", "partial_update": "PATCH", "destroy": "DELETE"}
ACTIONS = {action: action for action in (*LIST_ACTIONS, *DETAIL_ACTIONS)}
Part = tuple[str, bool]  # (route text, is a regex)
Lists = dict[tuple[str, str], list[UrlEntry]]  # (module, list name) -> its path() entries
NINJA = NinjaOperations()


class DjangoRoutes:
    framework = "django"
    ninja: dict = {}  # noqa: RUF012 (django-ninja API -> its operations, set by each routes() call)

    def routes(self, index: Index) -> list[Route]:
        return [found for found in self.served(index) if isinstance(found, Route)]

    def served(self, index: Index) -> list[Route | Mount]:
        """The routes, and what the URLconfs mount that is no route of the project's (the admin site, a
        library's URLconf), in one walk."""
        lists: Lists = {}
        for module, facts in index.files.items():
            for entry in facts.url_entries:
                lists.setdefault((module, entry.group), []).append(entry)
        included = {k[0] for (m, _), entries in lists.items() for e in entries
                    if (k := self._included(index, m, e, lists)) and k[1] == "urlpatterns"}
        roots = sorted({m for m, group in lists if group == "urlpatterns"} - included)
        mounted = any(e.view.endswith(".urls") for entries in lists.values() for e in entries)
        self.ninja = NINJA.operations(index) if mounted else {}
        out: list[Route | Mount] = []
        for root in roots:
            where = (root, "urlpatterns")
            out.extend(self._walk(index, lists, where, (), (where,)))
        return out

    def _included(self, index: Index, module: str, entry: UrlEntry, lists: Lists) -> tuple[str, str] | None:
        """The list an entry includes: another URLconf (`include("app.urls")`, `include(module)`) or
        a module-level list by name (`include(_patterns)`, here or imported)."""
        if entry.view.startswith("include:"):
            return entry.view.removeprefix("include:"), "urlpatterns"
        if not entry.view.startswith("include-expr:"):
            return None
        resolved = index.resolve_in(module, None, entry.view.removeprefix("include-expr:"))
        if resolved is None or resolved.rest:
            return None
        if ":" not in resolved.node:
            return resolved.node, "urlpatterns"
        owner, name = split_id(resolved.node)
        return (owner, name or "") if (owner, name or "") in lists else None

    def _walk(self, index: Index, lists: Lists, where: tuple[str, str], parts: tuple[Part, ...],
              seen: tuple[tuple[str, str], ...]) -> Iterator[Route | Mount]:
        module = where[0]
        for entry in lists.get(where, ()):
            here = (*parts, *((_known(index, module, route), func != "path") for func, route in entry.prefix),
                    (_known(index, module, entry.route), entry.func != "path"))
            for shape in _shapes(here):
                yield from self._entry(index, lists, module, entry, shape, seen)

    def _entry(self, index: Index, lists: Lists, module: str, entry: UrlEntry, here: tuple[Part, ...],
               seen: tuple[tuple[str, str], ...]) -> Iterator[Route | Mount]:
        included = self._included(index, module, entry, lists)
        if included is not None:
            if included in lists and included not in seen:
                yield from self._walk(index, lists, included, here, (*seen, included))
            elif included[0] not in index.files:  # a library's URLconf: `include("allauth.urls")`
                yield _mount(here, included[0], module, entry.line)
        elif (api := self._api(index, module, entry)) is not None:
            yield from (_operation_route(here, op) for op in self.ninja.get(api, ()))
        elif entry.view.startswith("include-expr:"):
            yield from self._router_routes(index, module, entry, here)
        else:
            yield from self._view_route(index, module, entry, here)

    def _api(self, index: Index, module: str, entry: UrlEntry):  # noqa: ANN202 (a RouterKey or None)
        """The django-ninja API an entry mounts (`path("api/", api.urls)`), if any."""
        view = entry.view.removeprefix("include-expr:")
        if not self.ninja or not view.endswith(".urls"):
            return None
        return NINJA.api_key(index, module, view.removesuffix(".urls"))

    def _view_route(self, index: Index, module: str, entry: UrlEntry, parts: tuple[Part, ...]) -> Iterator[Route | Mount]:
        resolved = index.resolve_in(module, None, entry.view)
        if resolved is not None and ":" in resolved.node:
            handler = resolved.node
        else:  # a library's view (RedirectView, TemplateView, ...): the route exists all the same
            handler = index.expand(module, None, entry.view) or ""
            if handler and resolved is None and _admin_site(handler):
                yield _mount(parts, handler, module, entry.line)
            if not handler or resolved is not None or _admin_site(handler):
                return
        methods = class_methods(index, handler) or function_methods(index, handler) or LIBRARY_VIEWS.get(handler, ("ANY",))
        yield _route(parts, methods, handler, module, entry.line)

    def _router_routes(self, index: Index, module: str, entry: UrlEntry, parts: tuple[Part, ...]) -> Iterator[Route | Mount]:
        expr = entry.view.removeprefix("include-expr:").removesuffix(".urls")
        resolved = index.resolve_in(module, None, expr)
        if resolved is None and (library := _library(index, module, entry.view.removeprefix("include-expr:"))):
            yield _mount(parts, library, module, entry.line)  # `include(wagtail_urls)`, imported from a library
        if resolved is None or ":" not in resolved.node:
            return
        owner, name = split_id(resolved.node)
        for site in index.files[owner].call_sites:
            if site.method == "register" and site.target == name and len(site.args) >= 2:
                yield from self._viewset_routes(index, owner, site.args[0], site.args[1], parts, site.line)

    def _viewset_routes(self, index: Index, module: str, prefix: str, viewset: str,
                        parts: tuple[Part, ...], line: int) -> Iterator[Route]:
        resolved = index.resolve_in(module, None, viewset)
        if resolved is None or ":" not in resolved.node:
            return
        actions = inherited(index, resolved.node, ACTIONS, VIEWSET_ACTIONS)
        base = prefix.strip("/")
        viewset = resolved.node
        key = lookup(index, viewset)
        for suffix, table in ((f"{base}/", LIST_ACTIONS), (f"{base}/<{key}>/", DETAIL_ACTIONS)):
            methods = allowed(index, viewset, (table[a] for a in actions if a in table))
            if methods:
                yield _route((*parts, (suffix, False)), methods, viewset, module, line)
        for detail, url_path, declared in sorted(extra_actions(index, viewset)):
            suffix = f"{base}/<{key}>/{url_path}/" if detail else f"{base}/{url_path}/"
            if methods := allowed(index, viewset, declared):
                yield _route((*parts, (suffix, False)), methods, viewset, module, line)


def lookup(index: Index, class_id: str, seen: frozenset[str] = frozenset()) -> str:
    """The detail routes' parameter: `lookup_url_kwarg`, else `lookup_field`, of the viewset or a
    project base it extends; DRF's default `pk` otherwise."""
    info = index.classes.get(class_id)
    if info is None or class_id in seen:
        return "pk"
    constants = dict(info.constants)
    if found := constants.get("lookup_url_kwarg") or constants.get("lookup_field"):
        return found
    module, _ = split_id(class_id)
    for base in info.bases:
        parent = index.resolve_in(module, None, base)
        if parent is not None and not parent.rest and (found := lookup(index, parent.node, seen | {class_id})) != "pk":
            return found
    return "pk"


def extra_actions(index: Index, class_id: str, seen: frozenset[str] = frozenset()) -> set[tuple[bool, str, tuple[str, ...]]]:
    """DRF `@action(detail=..., methods=[...], url_path=...)` methods of a viewset and of the project's
    classes it extends (a mixin's `log` action): (detail, url path, methods)."""
    info = index.classes.get(class_id)
    if info is None or class_id in seen:
        return set()
    module, name = split_id(class_id)
    found = set()
    for site in index.files[module].call_sites:
        if site.method == "action" and not site.target and site.scope == name and site.decorates:
            kwargs = dict(site.kwargs)
            declared = dict(site.list_args).get("methods")
            methods = tuple(sorted({m.upper() for m in declared})) if declared else ("GET",)
            url_path = kwargs.get("url_path") if "url_path" in site.literals else site.decorates
            found.add((kwargs.get("detail") == "True", (url_path or site.decorates).strip("/"), methods))
    for base in info.bases:
        parent = index.resolve_in(module, None, base)
        if parent is not None and not parent.rest and parent.node in index.classes:
            found |= extra_actions(index, parent.node, seen | {class_id})
    return found


def _known(index: Index, module: str, route: str) -> str:
    """A route with each `${name}` the URLconf binds to a string replaced by it (`prefix = ""`, the
    value the module gives it; a value chosen at run time from settings is not knowable here)."""
    if "${" not in route:
        return route

    def value(found: re.Match) -> str:
        constant = index.constant(module, None, found.group(1))
        return found.group(0) if constant is None else constant
    return MARKER.sub(value, route)


def _shapes(parts: tuple[Part, ...]) -> list[tuple[Part, ...]]:
    """The path shapes an entry's patterns match: one, or two when a regex has optional groups
    (`^coc/(?:(?P<lang>[a-z-]+)/)?$`: `/coc/` and `/coc/{lang}/`, two routes, which the gateway and the
    services route apart; with one, `/coc/es/` went to the service of a catch-all `<slug>/` route)."""
    variants = [optional_variants(text) if regex else (text,) for text, regex in parts]
    if all(len(v) == 1 for v in variants):
        return [parts]
    return [tuple((v[min(i, len(v) - 1)], regex) for v, (_, regex) in zip(variants, parts)) for i in (0, 1)]


def _operation_route(parts: tuple[Part, ...], op: Operation) -> Route:
    return _route((*parts, (op.path.lstrip("/"), False)), op.methods, op.handler, op.module, op.line)


def _route(parts: tuple[Part, ...], methods: tuple[str, ...], handler: str, module: str, line: int) -> Route:
    raw = "/" + "".join(text for text, _ in parts)
    return Route("django", tuple(methods), raw, _template(parts), handler, split_id(handler)[1] or handler, module, line)


def _library(index: Index, module: str, expr: str) -> str | None:
    """The dotted name an expression names when it comes from outside the project, else None."""
    name = index.expand(module, None, expr)
    top = (name or "").split(".")[0]
    return name if name and not any(m == top or m.startswith(top + ".") for m in index.files) else None


def _mount(parts: tuple[Part, ...], what: str, module: str, line: int) -> Mount:
    return Mount("django", _template(parts).rstrip("/") + "/", what, module, line)


def _template(parts: tuple[Part, ...]) -> str:
    return "/" + "".join((normalise_regex(text) if regex else normalise(text)).lstrip("/") for text, regex in parts)


# ---- models ---------------------------------------------------------------------------------
DJANGO_MODEL_BASES = (
    "django.db.models.Model", "django.db.models.base.Model", "django.contrib.gis.db.models.Model",
    "django.contrib.auth.models.AbstractUser", "django.contrib.auth.models.AbstractBaseUser",
)


def app_label(module: str, labels: dict[str, str] | None = None) -> str:
    """The Django app label of a models module: its package's name, unless that package's AppConfig
    sets another (`label = "shop_orders"`, from `app_labels`)."""
    parts = module.split(".")
    cut = parts.index("models") if "models" in parts and parts.index("models") > 0 else len(parts) - 1
    package = ".".join(parts[:cut]) if cut > 0 else parts[0]
    if labels and package in labels:
        return labels[package]
    return parts[cut - 1] if cut > 0 else parts[0]


def app_labels(index: Index) -> dict[str, str]:
    """App package -> the label its AppConfig gives it, for configs that set one (`name = "orders"`,
    `label = "shop_orders"`): table names and `"shop_orders.Cart"` strings use the label."""
    found = {}
    for class_id, info in sorted(index.classes.items()):
        module, _ = split_id(class_id)
        constants = dict(info.constants)
        if "label" in constants and "name" in constants and any(_is_app_config(index, module, b) for b in info.bases):
            found[constants["name"]] = constants["label"]
    return found


def _is_app_config(index: Index, module: str, base: str) -> bool:
    return (index.expand(module, None, base) or base) in ("django.apps.AppConfig", "django.apps.config.AppConfig")


def django_table(class_id: str, explicit: str | None, labels: dict[str, str] | None = None) -> str:
    module, name = split_id(class_id)
    return explicit or f"{app_label(module, labels)}_{(name or '').lower()}"


def is_django_base(external: str) -> bool:
    return external in DJANGO_MODEL_BASES


__all__ = ["DjangoRoutes", "app_label", "app_labels", "django_table", "is_django_base", "symbol_id"]
