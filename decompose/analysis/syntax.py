"""Small pure helpers that read libcst expressions as text: dotted names and literals."""

from __future__ import annotations

import re

import libcst as cst

DOTTED_RE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")


def dotted(node: cst.BaseExpression) -> str | None:
    """`a.b.c` -> "a.b.c"; `a.b(x).c` -> "a.b().c"; anything else (subscripts, literals) -> None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    if isinstance(node, cst.Call):
        base = dotted(node.func)
        return None if base is None else f"{base}()"
    return None


def chain_nodes(node: cst.BaseExpression) -> list[cst.CSTNode]:
    """Every node that makes up a dotted chain (not call arguments), so visitors skip them."""
    out: list[cst.CSTNode] = []
    while True:
        out.append(node)
        if isinstance(node, cst.Attribute):
            out.append(node.attr)
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        else:
            return out


def literal_str(node: cst.BaseExpression | None) -> str | None:
    """The value of a plain or concatenated string literal without f-string parts."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = literal_str(node.left), literal_str(node.right)
        return None if left is None or right is None else left + right
    return None


def arg_text(node: cst.BaseExpression) -> str:
    """A positional/keyword argument as text: its literal string, its dotted name, or ""."""
    value = literal_str(node)
    if value is not None:
        return value
    return dotted(node) or ""


def arg_source(node: cst.BaseExpression) -> str:
    """Like arg_text, but any other expression comes back as its source (an f-string prefix, a
    concatenation), so that what cannot be resolved can still be shown. Costs a codegen: use it
    for the few framework calls, not for every call."""
    if literal_str(node) is not None or dotted(node) is not None:
        return arg_text(node)  # "" stays "": an empty literal is a value, not a missing one
    return cst.Module([]).code_for_node(node)[:120]


def string_list(node: cst.BaseExpression) -> tuple[str, ...] | None:
    """`["GET", "POST"]` or `("GET",)` -> ("GET", "POST"); None if not a literal list of strings."""
    if not isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return None
    values = [literal_str(el.value) for el in node.elements]
    if any(v is None for v in values):
        return None
    return tuple(v for v in values if v is not None)


def split_args(call: cst.Call) -> tuple[list[cst.BaseExpression], dict[str, cst.BaseExpression]]:
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    return positional, keywords


def resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str:
    """Absolute name of `from <level dots><target> import ...` written in `module`."""
    if level == 0:
        return target or ""
    parts = module.split(".") if is_package else module.split(".")[:-1]
    keep = len(parts) - (level - 1)
    if keep < 0:
        return "." * level + (target or "")  # climbs above the top: left unresolved
    base = parts[:keep]
    if target:
        base.append(target)
    return ".".join(base)


def is_dotted_string(value: str) -> bool:
    return len(value) <= 200 and DOTTED_RE.match(value) is not None
