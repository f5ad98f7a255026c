"""Small pure helpers that read libcst expressions as text: dotted names and literals."""

from __future__ import annotations

import re

import libcst as cst

DOTTED_RE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")
Name, Attribute, Call = cst.Name, cst.Attribute, cst.Call
SEQUENCES = (cst.List, cst.Tuple, cst.Set)


def dotted(node: cst.BaseExpression) -> str | None:
    """`a.b.c` -> "a.b.c"; `a.b(x).c` -> "a.b().c"; anything else (subscripts, literals) -> None.
    Exact type tests (`type(x) is`): libcst's nodes are ABCs, and `isinstance` against an ABC costs
    several times more on the hottest path of the analysis. None of these three has a subclass."""
    kind = type(node)
    if kind is Name:
        return node.value  # type: ignore[attr-defined]
    if kind is Attribute:
        base = dotted(node.value)  # type: ignore[attr-defined]
        return None if base is None else f"{base}.{node.attr.value}"  # type: ignore[attr-defined]
    if kind is Call:
        base = dotted(node.func)  # type: ignore[attr-defined]
        return None if base is None else f"{base}()"
    return None


def chain_nodes(node: cst.BaseExpression) -> list[cst.CSTNode]:
    """Every node that makes up a dotted chain (not call arguments), so visitors skip them."""
    out: list[cst.CSTNode] = []
    while True:
        out.append(node)
        kind = type(node)
        if kind is Attribute:
            out.append(node.attr)  # type: ignore[attr-defined]
            node = node.value  # type: ignore[attr-defined]
        elif kind is Call:
            node = node.func  # type: ignore[attr-defined]
        else:
            return out


def literal_str(node: cst.BaseExpression | None) -> str | None:
    """The value of a plain or concatenated string literal without f-string parts."""
    kind = type(node)
    if kind is cst.SimpleString:
        return string_value(node)  # type: ignore[arg-type]
    if kind is cst.ConcatenatedString:
        left, right = literal_str(node.left), literal_str(node.right)  # type: ignore[union-attr]
        return None if left is None or right is None else left + right
    return None


def template_str(node: cst.BaseExpression | None) -> str | None:
    """A string literal, or an f-string whose replacement fields are plain names (`f"{prefix}admin/"`)
    as a template with `${name}` markers (`${prefix}admin/`), for a caller that knows the constants."""
    text = literal_str(node)
    if text is not None or not isinstance(node, cst.FormattedString) or "b" in node.prefix.lower():
        return text
    out = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText) and "\\" not in part.value and "{{" not in part.value:
            out.append(part.value)
        elif (isinstance(part, cst.FormattedStringExpression) and isinstance(part.expression, cst.Name)
              and part.conversion is None and part.format_spec is None):
            out.append("${" + part.expression.value + "}")
        else:
            return None
    return "".join(out)


def concat_template(node: cst.BaseExpression | None) -> str | None:
    """`"/" + base_path + "/<path:path>"` (string literals, f-strings of names, plain names joined by +)
    as a template with `${name}` markers (`/${base_path}/<path:path>`); None for anything else."""
    if isinstance(node, cst.Name):
        return "${" + node.value + "}"
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        left, right = concat_template(node.left), concat_template(node.right)
        return None if left is None or right is None else left + right
    return template_str(node)


def string_value(node: cst.SimpleString) -> str | None:
    """A string literal's value (None for bytes). Without a backslash or a carriage return the
    value is the text between the quotes (libcst's `raw_value`): `evaluated_value` compiles the
    literal with `ast.literal_eval`, which is slow and leaves reference cycles behind."""
    if "b" in node.prefix:
        return None
    if "\\" in node.value or "\r" in node.value:
        try:
            value = node.evaluated_value
        except (SyntaxError, ValueError):  # `"\x"`, `"\N{nope}"`: libcst parses them, Python does not
            return None
        return value if isinstance(value, str) else None
    return node.raw_value


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
    if type(node) not in SEQUENCES:
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
