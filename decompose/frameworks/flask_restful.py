"""Flask-RESTful / Flask-RESTX / Flask-RESTPlus: `Api(app_or_blueprint, prefix=...)`,
`api.add_resource(Resource, "/a", "/b")`, RESTX namespaces (`api.namespace("todos", path=...)`,
`Namespace("todos", path=...)` + `api.add_namespace(ns, path=...)`) and `@ns.route("/x")` on
Resource classes. The Api's own place comes from the Flask detector (blueprint prefixes, mounts);
routes are reported as Flask routes, which is what they are at run time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from decompose.analysis.facts import CallSite, FileFacts
from decompose.analysis.index import Index, split_id
from decompose.analysis.model import Route
from decompose.frameworks.paths import join_flask, normalise
from decompose.frameworks.routers import DecoratorRoutes, find_key
from decompose.frameworks.views import class_methods

PACKAGES = ("flask_restful", "flask_restx", "flask_restplus")
API_CALLEES = tuple(f"{p}.Api" for p in PACKAGES)
NAMESPACE_CALLEES = tuple(f"{p}.Namespace" for p in ("flask_restx", "flask_restplus"))
Key = tuple[str, "str | None", str]


@dataclass(frozen=True)
class Holder:
    """An Api or a namespace: where it hangs (parent expression, or a parent holder) and its prefix."""

    key: Key
    prefix: str
    parent_expr: str  # the Flask app/blueprint as written, for an Api ("" if attached later)
    parent: Key | None = None  # the Api a namespace belongs to


class RestfulRoutes:
    framework = "flask"

    def __init__(self, flask: DecoratorRoutes) -> None:
        self.flask = flask

    def routes(self, index: Index) -> list[Route]:
        holders = self._holders(index)
        if not holders:
            return []
        holders = self._attach(index, holders)
        out: list[Route] = []
        for facts in index.files.values():
            for site in facts.call_sites:
                key = _holder_key(index, facts.module, site.scope, site.target, holders)
                if key is not None:
                    out.extend(self._site_routes(index, facts, site, key, holders))
        return out

    def _holders(self, index: Index) -> dict[Key, Holder]:
        out: dict[Key, Holder] = {}
        for facts in index.files.values():
            for call in facts.assigned_calls:
                key = (facts.module, call.scope, call.name)
                kwargs = dict(call.kwargs)
                if call.callee in API_CALLEES:
                    out[key] = Holder(key, kwargs.get("prefix", ""), call.args[0] if call.args else kwargs.get("app", ""))
                elif call.callee in NAMESPACE_CALLEES and call.args:
                    out[key] = Holder(key, kwargs.get("path", "/" + call.args[0]), "")
        for facts in index.files.values():  # api.namespace("todos", path=...)
            for call in facts.assigned_calls:
                owner, _, method = call.callee.rpartition(".")
                api = _holder_key(index, facts.module, call.scope, owner, out) if method == "namespace" else None
                if api is not None and call.args:
                    key = (facts.module, call.scope, call.name)
                    out[key] = Holder(key, dict(call.kwargs).get("path", "/" + call.args[0]), "", api)
        return out

    def _attach(self, index: Index, holders: dict[Key, Holder]) -> dict[Key, Holder]:
        """`api.init_app(app)` gives an Api its parent; `api.add_namespace(ns, path=...)` a namespace's."""
        out = dict(holders)
        for facts in index.files.values():
            for site in facts.call_sites:
                key = _holder_key(index, facts.module, site.scope, site.target, holders)
                if key is None or not site.args:
                    continue
                if site.method == "init_app":
                    out[key] = Holder(key, holders[key].prefix, site.args[0], holders[key].parent)
                elif site.method == "add_namespace":
                    child = _holder_key(index, facts.module, site.scope, site.args[0], holders)
                    if child is not None:
                        path = dict(site.kwargs).get("path", holders[child].prefix)
                        out[child] = Holder(child, path, "", key)
        return out

    def _places(self, index: Index, key: Key, holders: dict[Key, Holder]) -> list[tuple[str, bool]]:
        holder = holders[key]
        if holder.parent is not None and holder.parent in holders:
            return [(join_flask(prefix, holder.prefix), mounted) for prefix, mounted in self._places(index, holder.parent, holders)]
        if not holder.parent_expr:
            return [(holder.prefix, False)]
        places = self.flask.prefixes_of(index, key[0], key[1], holder.parent_expr) or [("", False)]
        return [(join_flask(prefix, holder.prefix), mounted) for prefix, mounted in places]

    def _site_routes(self, index: Index, facts: FileFacts, site: CallSite, key: Key,
                     holders: dict[Key, Holder]) -> Iterator[Route]:
        if site.method == "add_resource" and site.args:
            resource, rules = site.args[0], site.args[1:]
        elif site.method == "route" and site.decorates is not None and site.args:
            resource, rules = site.decorates, site.args[:1]
        else:
            return
        found = index.resolve_in(facts.module, site.scope, resource)
        if found is None or found.rest or ":" not in found.node:
            return
        methods = class_methods(index, found.node) or ("GET",)
        name = split_id(found.node)[1] or found.node
        for rule in rules:
            for prefix, mounted in self._places(index, key, holders):
                full = join_flask(prefix, rule) or "/"
                yield Route(self.framework, methods, full, normalise(full), found.node, name, facts.module, site.line, mounted)


def _holder_key(index: Index, module: str, scope: str | None, expr: str, holders: dict[Key, Holder]) -> Key | None:
    return find_key(index, module, scope, expr, holders)
