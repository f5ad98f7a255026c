"""Flask: the other services' endpoints, as URL rules a service can build but never serves.

A view of one service often links to a view another service owns: `redirect(url_for("main.index"))`
in the auth blueprint. In the monolith every blueprint is registered on the one app, so the URL
builds; a service registers only its own blueprints, and `url_for` would raise `BuildError`.
The gateway serves the whole URL space under one host, so the URL the monolith built is still the
right one: each service adds, for every Flask route of the monolith it does not serve, a
build-only rule (werkzeug's `Rule(build_only=True)`: `url_for` builds it, no request ever matches
it) under the monolith's endpoint name, `<blueprint name>.<view>` (or the `endpoint=` the route
decorator gives); a flask-restx Resource mounted on an Api of the layer, `<the Api's blueprint
name>.<namespace name>_<class in snake case>`, as the Api names it. The names are read from the source: a
blueprint whose name is not a literal (`Blueprint(NAME, __name__)`) gives no rule, and `url_for` fails as
it would have. The rules of one endpoint keep the monolith's order (`url_for` builds the first).

    foreign_endpoints(sources, routes, containers, served, mounts) -> [(path, endpoint, methods)]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import libcst as cst

from decompose.analysis.model import Route
from decompose.generation.model import Mount
from decompose.generation.source import Parsed, string_value

if TYPE_CHECKING:
    from decompose.generation.layout import Sources

Endpoint = tuple[str, str, tuple[str, ...]]


def foreign_endpoints(sources: Sources, routes: Iterable[Route], containers: dict[str, str],
                      served: set[str], mounts: Mapping[str, Mount] = MappingProxyType({})) -> list[Endpoint]:
    """The Flask routes whose handler is not in `served` (this service's handlers and the layer's), with
    the endpoint name the monolith's app gives them. The rules of one endpoint come in the monolith's
    order, which `url_for` builds the first of: stacked route decorators register from the bottom up
    (CTFd's `@users.route("/profile")` over `@users.route("/user")`: its pages link to /user, and the
    services' built /profile while the rules were sorted by path)."""
    found: dict[tuple[str, int, str], Endpoint] = {}
    for route in routes:
        if route.framework != "flask" or route.handler in served or route.handler not in containers:
            continue
        module, _, symbol = containers[route.handler].partition(":")
        name = blueprint_name(sources.parsed(module), symbol) if module in sources.modules else None
        view = _explicit_endpoint(sources, route) or route.handler_name
        mount = mounts.get(containers[route.handler])
        if name is None and mount is not None and mount.method == "add_namespace":
            name, view = _namespace_endpoint(sources, route, module, symbol, mount)
        if name:
            endpoint = f"{name}.{view}"
            found[(endpoint, -route.line, route.path)] = (route.path, endpoint, tuple(sorted(route.methods)))
    return [found[key] for key in sorted(found)]


def _namespace_endpoint(sources: Sources, route: Route, module: str, symbol: str,
                        mount: Mount) -> tuple[str | None, str]:
    """(blueprint name, view) of a flask-restx Resource route: the Api mounting the namespace
    (`api = Api(blueprint, ...)` beside `blueprint = Blueprint("api", ...)`) gives the blueprint, and the
    Api names the view `<namespace name>_<class name in snake case>` unless the route says `endpoint=`
    (flask-restx's `default_endpoint`). Its 404 answers list the rules close to the path asked for, so a
    service that lacked other services' rules answered another message (CTFd's tokens)."""
    holder_module, _, holder = mount.holder.partition(":")
    if holder_module not in sources.modules or module not in sources.modules:
        return None, ""
    api = _assigned_call(sources.parsed(holder_module), holder, "Api")
    blueprint = api.args[0].value if api is not None and api.args else None
    name = blueprint_name(sources.parsed(holder_module), blueprint.value) if isinstance(blueprint, cst.Name) else None
    namespace = _assigned_call(sources.parsed(module), symbol, "Namespace")
    ns_name = _argument(namespace, 0, "name") if namespace is not None else None
    if not name or not ns_name:
        return None, ""
    return name, _explicit_endpoint(sources, route) or f"{ns_name}_{_snake(route.handler_name)}"


def _snake(name: str) -> str:
    """flask-restx's camel_to_dash: ScoreboardList -> scoreboard_list, HTTPError -> http_error."""
    first = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", first).lower()


def blueprint_name(parsed: Parsed, symbol: str) -> str | None:
    """The literal name of `symbol = Blueprint("name", __name__)` (or `name="name"`) at the top of the module."""
    call = blueprint_call(parsed, symbol)
    return _argument(call, 0, "name") if call is not None else None


def blueprint_call(parsed: Parsed, symbol: str) -> cst.Call | None:
    """The `Blueprint(...)` call that `symbol = Blueprint(...)` at the top of the module assigns."""
    return _assigned_call(parsed, symbol, "Blueprint")


def _assigned_call(parsed: Parsed, symbol: str, callee: str) -> cst.Call | None:
    """The `callee(...)` call that `symbol = callee(...)` at the top of the module assigns."""
    for piece in parsed.pieces:
        node = piece.node
        if piece.kind != "symbol" or symbol not in piece.names or not isinstance(node, cst.SimpleStatementLine):
            continue
        statement = node.body[0]
        call = statement.value if isinstance(statement, (cst.Assign, cst.AnnAssign)) else None
        if isinstance(call, cst.Call) and _callee(call.func) == callee:
            return call
    return None


def _explicit_endpoint(sources: Sources, route: Route) -> str | None:
    """`@bp.route("/", endpoint="home")`: the endpoint the decorator on the route's line names."""
    if route.module not in sources.modules:
        return None
    for piece in sources.parsed(route.module).pieces:
        node = piece.node  # a view function, or a flask-restx Resource class under `@ns.route(..., endpoint=...)`
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)) and node.name.value == route.handler_name:
            for decorator in node.decorators:
                if isinstance(decorator.decorator, cst.Call):
                    named = _argument(decorator.decorator, None, "endpoint")
                    if named:
                        return named
    return None


def _argument(call: cst.Call, position: int | None, keyword: str) -> str | None:
    positional = [a for a in call.args if a.keyword is None and a.star == ""]
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return string_value(arg.value)
    if position is not None and len(positional) > position:
        return string_value(positional[position].value)
    return None


def _callee(func: cst.BaseExpression) -> str:
    return func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
