"""Flask: the other services' endpoints, as URL rules a service can build but never serves.

A view of one service often links to a view another service owns: `redirect(url_for("main.index"))`
in the auth blueprint. In the monolith every blueprint is registered on the one app, so the URL
builds; a service registers only its own blueprints, and `url_for` would raise `BuildError`.
The gateway serves the whole URL space under one host, so the URL the monolith built is still the
right one: each service adds, for every Flask route of the monolith it does not serve, a
build-only rule (werkzeug's `Rule(build_only=True)`: `url_for` builds it, no request ever matches
it) under the monolith's endpoint name, `<blueprint name>.<view>` (or the `endpoint=` the route
decorator gives). The names are read from the source: a blueprint whose name is not a literal
(`Blueprint(NAME, __name__)`) gives no rule, and `url_for` fails as it would have.

    foreign_endpoints(sources, routes, containers, served) -> [(path, endpoint, methods)], sorted
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import libcst as cst

from decompose.analysis.model import Route
from decompose.generation.source import Parsed, string_value

if TYPE_CHECKING:
    from decompose.generation.layout import Sources

Endpoint = tuple[str, str, tuple[str, ...]]


def foreign_endpoints(sources: Sources, routes: Iterable[Route], containers: dict[str, str],
                      served: set[str]) -> list[Endpoint]:
    """The Flask routes whose handler is not in `served` (this service's handlers and the layer's), with
    the endpoint name the monolith's app gives them."""
    found = set()
    for route in routes:
        if route.framework != "flask" or route.handler in served or route.handler not in containers:
            continue
        module, _, symbol = containers[route.handler].partition(":")
        name = blueprint_name(sources.parsed(module), symbol) if module in sources.modules else None
        view = _explicit_endpoint(sources, route) or route.handler_name
        if name:
            found.add((route.path, f"{name}.{view}", tuple(sorted(route.methods))))
    return sorted(found)


def blueprint_name(parsed: Parsed, symbol: str) -> str | None:
    """The literal name of `symbol = Blueprint("name", __name__)` (or `name="name"`) at the top of the module."""
    call = blueprint_call(parsed, symbol)
    return _argument(call, 0, "name") if call is not None else None


def blueprint_call(parsed: Parsed, symbol: str) -> cst.Call | None:
    """The `Blueprint(...)` call that `symbol = Blueprint(...)` at the top of the module assigns."""
    for piece in parsed.pieces:
        node = piece.node
        if piece.kind != "symbol" or symbol not in piece.names or not isinstance(node, cst.SimpleStatementLine):
            continue
        statement = node.body[0]
        call = statement.value if isinstance(statement, (cst.Assign, cst.AnnAssign)) else None
        if isinstance(call, cst.Call) and _callee(call.func) == "Blueprint":
            return call
    return None


def _explicit_endpoint(sources: Sources, route: Route) -> str | None:
    """`@bp.route("/", endpoint="home")`: the endpoint the decorator on the route's line names."""
    if route.module not in sources.modules:
        return None
    for piece in sources.parsed(route.module).pieces:
        node = piece.node
        if isinstance(node, cst.FunctionDef) and node.name.value == route.handler_name:
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
