"""How a service reaches a symbol another service owns: a client, a stub, a copied constant, an
error class. Decided from the callee's source (annotations, kind, literal values), never by running it.

A function crosses the boundary as a client call when every annotated parameter and its return
type can travel as JSON (or as an ORM row by primary key: both sides share the schema and the
database); an annotation naming anything else (a SQLAlchemy statement, a file, a framework
object) makes it a stub that raises when called and is listed as manual work. Unannotated
functions become clients whose values are checked at run time by the wire format.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from typing import TYPE_CHECKING

import libcst as cst

from decompose.analysis.link import reach
from decompose.analysis.syntax import string_value
from decompose.analysis.model import Analysis
from decompose.generation.model import Proxy
from decompose.generation.source import bound_name, code, import_source

if TYPE_CHECKING:
    from decompose.generation.layout import Sources

WIRE_TYPES = frozenset({
    "int", "str", "float", "bool", "None", "dict", "list", "tuple", "set", "frozenset", "bytes",
    "Mapping", "MutableMapping", "Sequence", "MutableSequence", "Iterable", "Collection", "Any", "Optional",
    "Union", "Literal", "Dict", "List", "Tuple", "Set", "FrozenSet", "datetime", "date", "time", "timedelta",
    "Decimal", "UUID", "typing", "collections", "abc", "decimal", "uuid", "NoneType", "object",
})
ERROR_BASES = ("Exception", "Error", "Warning")


def proxy(sources: Sources, element: str, owner: str) -> Proxy:
    info = sources.symbols[element]
    node = _definition(sources, info.module, info.name)
    if info.kind == "function":
        return _function(sources, element, owner, node)
    if info.kind == "class":
        return _class(element, owner, node)
    return _assignment(element, owner, node)


def _function(sources: Sources, element: str, owner: str, node: cst.CSTNode | None) -> Proxy:
    name = element.split(":")[1]
    if not isinstance(node, cst.FunctionDef):
        return Proxy(name, element, owner, "stub", "not a plain function here; call it through its own service by hand")
    reason = _untravelled(sources, node)
    if reason:
        return Proxy(name, element, owner, "stub", reason)
    return Proxy(name, element, owner, "client", "")


def _untravelled(sources: Sources, node: cst.FunctionDef) -> str:
    """Why a call of this function cannot travel as JSON (an annotation naming anything else), or ""."""
    allowed = WIRE_TYPES | model_names(sources)
    for label, annotation in _annotations(node):
        if _names(annotation) - allowed:
            return f"{label} is {code(annotation)}, which cannot travel between services as JSON"
    return ""


def runs_with_caller(sources: Sources, element: str) -> bool:
    """A plain function whose call cannot cross a service line, so it runs where its caller does: the caller
    hands it its web request (a parameter annotated `...Request`, or a first parameter named `request`:
    healthchecks' view `checks` returns `create_check(request)`), or a parameter or its return value is
    annotated with a type that cannot travel as JSON (healthchecks' `_update(check, spec: Spec, v)`, a
    pydantic model built by the view that calls it: its stand-in answered every POST 500)."""
    info = sources.symbols[element]
    node = _definition(sources, info.module, info.name) if info.kind == "function" else None
    if not isinstance(node, cst.FunctionDef):
        return False
    if _untravelled(sources, node):
        return True
    params = _params(node.params)
    annotated = [p.annotation.annotation for p in params if p.annotation]
    return (bool(params) and params[0].name.value == "request") or \
        any(code(a).rpartition(".")[2].endswith("Request") for a in annotated)


def _class(element: str, owner: str, node: cst.CSTNode | None) -> Proxy:
    name = element.split(":")[1]
    if isinstance(node, cst.ClassDef) and any(code(b.value).endswith(ERROR_BASES) for b in node.bases):
        return Proxy(name, element, owner, "exception", "raised by the other service; its errors arrive as this class")
    return Proxy(name, element, owner, "stub", "a class of another service: move it to [shared] or call that service")


def _assignment(element: str, owner: str, node: cst.CSTNode | None) -> Proxy:
    name = element.split(":")[1]
    value = _assigned_value(node, name)
    if value is not None:
        literal = code(value)
        try:
            ast.literal_eval(literal)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            pass
        else:
            return Proxy(name, element, owner, "constant", "a literal constant, copied: keep both copies in step", literal)
    return Proxy(name, element, owner, "stub", "a module-level value of another service that is not a literal")


def _definition(sources: Sources, module: str, name: str) -> cst.CSTNode | None:
    for piece in sources.parsed(module).pieces:
        if piece.kind == "symbol" and name in piece.names:
            return piece.node
    return None


def _assigned_value(node: cst.CSTNode | None, name: str) -> cst.BaseExpression | None:
    if not isinstance(node, cst.SimpleStatementLine):
        return None
    for small in node.body:
        if isinstance(small, cst.Assign) and any(isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets):
            return small.value
        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.target.value == name:
            return small.value
    return None


def _annotations(node: cst.FunctionDef) -> list[tuple[str, cst.BaseExpression]]:
    found = [(f"parameter {p.name.value!r}", p.annotation.annotation) for p in _params(node.params) if p.annotation]
    if node.returns is not None:
        found.append(("the return value", node.returns.annotation))
    return found


def _params(params: cst.Parameters) -> list[cst.Param]:
    star = [params.star_arg] if isinstance(params.star_arg, cst.Param) else []
    extra = [params.star_kwarg] if params.star_kwarg else []
    return [*params.posonly_params, *params.params, *star, *params.kwonly_params, *extra]


def _names(annotation: cst.BaseExpression) -> set[str]:
    """Every name an annotation mentions (string annotations parsed too)."""
    if isinstance(annotation, cst.SimpleString):
        text = string_value(annotation)  # None for `"\x"`, which libcst parses and Python does not
        try:
            return _names(cst.parse_expression(text)) if text is not None else {"?"}
        except (cst.ParserSyntaxError, ValueError):
            return {"?"}
    found: set[str] = set()

    class Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            found.add(node.value)

        def visit_SimpleString(self, node: cst.SimpleString) -> bool:
            found.update(_names(node))
            return False

    annotation.visit(Names())
    return found


def model_names(sources: Sources) -> set[str]:
    return {model.split(":")[1] for model in sources.models}


def origin(sources: Sources, module: str, name: str) -> tuple[str, str] | None:
    """Where `name`, imported into `module`, comes from: (defining module, its name there)."""
    info = sources.modules.get(module)
    if info is None:
        return None
    starred: list[str] = []
    for piece in sources.parsed(module).pieces:
        if piece.kind != "imports" or not isinstance(piece.node, cst.SimpleStatementLine):
            continue
        for small in piece.node.body:
            if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
                starred.append(import_source(small, module, info.is_package))
            elif isinstance(small, cst.ImportFrom):
                for alias in small.names:
                    if bound_name(alias) == name:
                        return import_source(small, module, info.is_package), code(alias.name)
    # a package that gathers its modules' names (`from .scheduler_registry import *` in mealie's
    # services/scheduler/__init__.py): the public name comes from the module that defines it
    defining = next((m for m in starred if not name.startswith("_") and f"{m}:{name}" in sources.symbols), None)
    return (defining, name) if defining else None


def is_submodule(sources: Sources, module: str, name: str) -> bool:
    """Whether `module.name` names the submodule: a package whose __init__ binds the name to something else
    (`from .controller import controller` in mealie's `routes/_base`) hands out that object instead."""
    if not name or not sources.is_module(f"{module}.{name}") or f"{module}:{name}" in sources.symbols:
        return False
    found = origin(sources, module, name)
    return found is None or found == (module, name)


def writers(analysis: Analysis) -> set[str]:
    """Symbols that write a table or touch a hazard, directly or through the functions they call."""
    seeds = {e.src for e in analysis.edges if e.kind == "table-write"} | {h.symbol for h in analysis.hazards}
    callers: dict[str, list[str]] = defaultdict(list)
    for edge in analysis.edges:
        if edge.kind == "call":
            callers[edge.dst].append(edge.src)
    return reach(seeds, callers)
