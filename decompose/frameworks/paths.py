"""Path templates: join prefixes the way each framework does and normalise to `{name}` form."""

from __future__ import annotations

import re

FLASK_PARAM = re.compile(r"<(?:[a-zA-Z_]\w*(?:\([^)]*\))?:)?([a-zA-Z_]\w*)>")
# FastAPI `{id:path}`; django-ninja `{int:id}` (a Django converter first)
FASTAPI_PARAM = re.compile(r"\{(?:(?:int|str|slug|uuid|path):)?([a-zA-Z_]\w*)(?::[a-z]+)?\}")
REGEX_NAMED = re.compile(r"\(\?P<([a-zA-Z_]\w*)>(?:[^()]|\([^()]*\))*\)")
REGEX_GROUP = re.compile(r"\((?!\?)(?:[^()]|\([^()]*\))*\)")
REGEX_OPTIONAL = re.compile(r"(\\?[^\\{}])([?*+])")  # one (escaped) character and its quantifier
REGEX_UNNAMED = re.compile(r"\(\?:((?:[^()]|\([^()]*\))*)\)([?*+]?)")  # `(?:...)` and its quantifier
# a character class (`[^/]+`, `[a-z]{2}`) or a shorthand (`\d+`, `.+`) outside any group: a part of the path
# that varies, as a group would (pretalx's `^[^/]+/widgets/schedule\.js$`: /{arg1}/widgets/schedule.js)
REGEX_CLASS = re.compile(r"(?:\[(?:\\.|[^\]\\])+\](?:[+*]|\{\d+(?:,\d*)?\})?|(?:\\[dwsDWS]|(?<!\\)\.)(?:[+*]|\{\d+(?:,\d*)?\}))")


def join_flask(prefix: str, rule: str) -> str:
    """Flask's Blueprint join: "/shop" + "/items" -> "/shop/items"; "/shop" + "/" -> "/shop/"."""
    if not prefix:
        return rule
    if not rule:
        return prefix
    return "/".join((prefix.rstrip("/"), rule.lstrip("/")))


def join_plain(prefix: str, path: str) -> str:
    """FastAPI concatenates prefixes as strings (an empty result becomes "/" only at the end)."""
    return f"{prefix}{path}"


# the converters that match across slashes: Flask's and Django's `<path:x>`, FastAPI's and Starlette's
# `{x:path}`, django-ninja's `{path:x}`
GREEDY = re.compile(r"<path:([a-zA-Z_]\w*)>|\{([a-zA-Z_]\w*):path\}|\{path:([a-zA-Z_]\w*)\}")


def normalise(path: str) -> str:
    """Flask `<int:id>`, FastAPI `{id}`, Django `<int:pk>`, django-ninja `{int:id}` -> `{id}`; a converter that
    matches across slashes (`<path:x>`, `{x:path}`) is the greedy `{x+}` when it is a whole segment (API
    Gateway's rest of the path), else one segment; always a leading slash."""
    path = "/".join(_greedy(segment) for segment in path.split("/"))
    path = FLASK_PARAM.sub(r"{\1}", path)
    path = FASTAPI_PARAM.sub(r"{\1}", path)
    return path if path.startswith("/") else "/" + path


def _greedy(segment: str) -> str:
    whole = GREEDY.fullmatch(segment)
    return "{" + next(name for name in whole.groups() if name) + "+}" if whole else segment


def _first_branch(group: str) -> str:
    """`y|z` -> "y" (reverse() refuses a disjunction; a request takes one branch, the first is as good)."""
    depth = 0
    for at, char in enumerate(group):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            return group[:at]
    return group


def optional_variants(pattern: str) -> tuple[str, ...]:
    """A regex whose non-capturing groups are optional (`?`, `*`) matches paths of two shapes: without
    them (the one reverse() writes, first) and with each once; else the regex alone."""
    def shape(present: bool):  # noqa: ANN202
        return lambda m: m.group(0) if m.group(2) not in ("?", "*") else (f"(?:{m.group(1)})" if present else "")
    absent = REGEX_UNNAMED.sub(shape(False), pattern)
    return (pattern,) if absent == pattern else (absent, REGEX_UNNAMED.sub(shape(True), pattern))


def normalise_regex(pattern: str) -> str:
    """Django `re_path(r"^orders/(?P<pk>\\d+)/$")` -> "/orders/{pk}/"."""
    pattern = pattern.removeprefix("^").removesuffix("$").removesuffix("\\Z")
    # a non-capturing group: reverse() writes an optional one (`?`, `*`) zero times, else its content once
    pattern = REGEX_UNNAMED.sub(lambda m: "" if m.group(2) in ("?", "*") else _first_branch(m.group(1)), pattern)
    pattern = REGEX_NAMED.sub(lambda m: "{" + m.group(1) + "}", pattern)
    counter = iter(range(1, 100))
    pattern = REGEX_GROUP.sub(lambda m: "{arg%d}" % next(counter), pattern)
    pattern = REGEX_CLASS.sub(lambda m: "{arg%d}" % next(counter), pattern)
    # as Django's reverse() writes it (django.utils.regex_helper): `?` and `*` zero times, `+` once,
    # so r"^healthz/?$" is "/healthz", the path the suite's reverse("health.liveness") requests
    pattern = REGEX_OPTIONAL.sub(lambda m: m.group(1) if m.group(2) == "+" else "", pattern)
    pattern = pattern.replace("\\", "")
    return pattern if pattern.startswith("/") else "/" + pattern
