"""django-ninja: `NinjaAPI()` (or a subclass of ours) and `Router()`, operations added by
`@x.get/post/put/patch/delete(path)` and `@x.api_operation(["GET", "POST"], path)`, routers mounted
with `api.add_router(prefix, router)` or by dotted string (`api.add_router("/articles",
"articles.api.router")`), routers nested in routers. An API serves nothing by itself: its paths are
relative to where a URLconf mounts `api.urls` (`path("api/", api.urls)`), so the Django detector
asks `operations(index)` for each API's operations and puts the URLconf's prefix in front.

Paths join as django-ninja joins them: `"/".join` of the non-empty parts, repeated slashes
collapsed (`"/plus/" + "/"` is `/plus/`). Path parameters may carry Django converters
(`{int:comment_id}`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from decompose.analysis.facts import CallSite, FileFacts
from decompose.analysis.index import Index, symbol_id
from decompose.frameworks.routers import (
    DecoratorRoutes,
    Dialect,
    Mount,
    Mounts,
    MountSpec,
    RouterKey,
    Routers,
    RouteSpec,
    UNKNOWN_APP,
    _methods,
    _text,
)

API_CLASSES = ("ninja.NinjaAPI", "ninja.main.NinjaAPI")
ROUTER_CLASSES = ("ninja.Router", "ninja.router.Router")


def join_ninja(prefix: str, path: str) -> str:
    """django-ninja's join: the non-empty parts joined with '/', then '//' collapsed to '/'."""
    joined = "/".join(part for part in (prefix, path) if part)
    while "//" in joined:
        joined = joined.replace("//", "/")
    return joined


NINJA = Dialect(
    framework="django",
    app_callees=API_CLASSES,
    router_callees=ROUTER_CLASSES,
    router_prefix_kw="prefix",  # (not an argument of ninja's Router: add_router gives the prefix)
    mounts=(MountSpec("add_router", ("router", 1), ("prefix", 0), overrides=False),),
    decorator_methods={"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE",
                       "api_operation": None},
    add_method="add_api_operation",
    add_view=("view_func", 2),
    join=join_ninja,
)


@dataclass(frozen=True)
class Operation:
    """One operation of an API, its path relative to where the API is mounted."""

    path: str
    methods: tuple[str, ...]
    handler: str
    module: str
    line: int


class NinjaOperations(DecoratorRoutes):
    """Not a route detector of its own (Django's finds where each API is mounted)."""

    def __init__(self) -> None:
        super().__init__(NINJA)

    def operations(self, index: Index) -> dict[RouterKey, list[Operation]]:
        """API (module, scope, name) -> its operations."""
        routers = self._routers(index)
        if not routers:
            return {}
        mounts = self._mounts(index, routers)
        found: dict[RouterKey, list[Operation]] = {}
        for facts in index.files.values():
            for site in facts.call_sites:
                key = self._key(index, facts.module, site.scope, site.target, routers)
                spec = self._spec(index, facts, site) if key is not None else None
                if key is None or spec is None:
                    continue
                path, methods, handler, _ = spec
                for prefix, root in sorted(set(self._rooted(key, routers, mounts))):
                    if root != UNKNOWN_APP and routers[root].is_app:
                        full = self.d.join(prefix, path) or "/"
                        found.setdefault(root, []).append(Operation(full, methods, handler, facts.module, site.line))
        return found

    def api_key(self, index: Index, module: str, expr: str) -> RouterKey | None:
        """The API `expr` names in `module` (the `api` of `path("api/", api.urls)`), if it is one."""
        routers = self._routers(index)
        key = self._key(index, module, None, expr, routers) if routers else None
        return key if key is not None and routers[key].is_app else None

    # ---- what differs from FastAPI-style routers ------------------------------------------------
    def _children(self, index: Index, facts: FileFacts, site: CallSite, routers: Routers, child: str) -> list[RouterKey]:
        """A router named by dotted string (`"articles.api.router"`) as well as by object."""
        if _is_literal(site, child):
            module, _, name = child.rpartition(".")
            key = (module, None, name)
            return [key] if key in routers else []
        return super()._children(index, facts, site, routers, child)

    def _spec(self, index: Index, facts: FileFacts, site: CallSite) -> RouteSpec | None:
        if site.decorates is None or site.method != "api_operation":
            return super()._spec(index, facts, site) if site.decorates is not None else None
        kwargs, lists = dict(site.kwargs), dict(site.list_args)
        values, key = ({"1": site.args[1]}, "1") if len(site.args) > 1 else (kwargs, "path")
        path = _text(index, facts.module, site.scope, values, site.literals, key) or ""
        methods = _methods(lists.get("methods") or lists.get("0"), ("GET",))
        return path, methods, symbol_id(facts.module, site.scope or site.decorates), site.decorates

    def _rooted(self, key: RouterKey, routers: Routers, mounts: Mounts,
                seen: tuple[RouterKey, ...] = ()) -> Iterator[tuple[str, RouterKey]]:
        """(prefix, the API or router at the top of the chain) for each way `key` is mounted."""
        parents = [m for m in mounts.get(key, []) if m.parent not in seen and m.parent != key]
        if not parents:
            yield "", key
            return
        for mount in parents:
            own = _mount_prefix(mount)
            for parent_prefix, root in self._rooted(mount.parent, routers, mounts, (*seen, key)):
                yield self.d.join(parent_prefix, own), root


def _is_literal(site: CallSite, child: str) -> bool:
    """Was the router argument of `add_router(prefix, router)` written as a string?"""
    return ("1" in site.literals and site.args[1:2] == (child,)) or ("router" in site.literals and dict(site.kwargs).get("router") == child)


def _mount_prefix(mount: Mount) -> str:
    return mount.prefix or ""


