"""Which route a request is: path templates matched the way API Gateway matches resources.

A template is `/api/orders/{order_id}`; `{name+}` is greedy (the rest of the path) as its last part, one segment
elsewhere (`/docs/{page+}/edit`: API Gateway allows a greedy part only last, so the services' Chalice route
takes one segment there, and a deeper path stays on the monolith, the same here); a variable may share
its segment with text or another variable (`/b/{badge_key}.{fmt}`, as Django and Flask write them). A route of
method `ANY` (a view that answers every method) matches each method API Gateway knows. When several
templates match a path, the one with a literal segment where the others have a variable wins,
segment by segment from the left (`/api/orders/checkout` beats `/api/orders/{order_id}`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from decompose.analysis.model import Mount, concrete

VARIABLE = re.compile(r"^\{([A-Za-z_]\w*)(\+?)\}$")
MOUNTED = "(mounted)"  # a rule's target for a tree a library mounts: no route of the app's, the monolith's
INNER = re.compile(r"\{([A-Za-z_]\w*)\}")  # a variable that shares its segment (Django's `<key>.<fmt>`)


@dataclass(frozen=True)
class Rule:
    template: str
    methods: frozenset[str]
    target: str  # who answers: a service name, or "monolith"
    pattern: re.Pattern = field(compare=False, repr=False)
    rank: tuple[int, ...] = field(compare=False, repr=False)

    @classmethod
    def of(cls, template: str, methods: tuple[str, ...] | frozenset[str], target: str) -> Rule:
        pattern, rank = _compile(template)
        return cls(template, frozenset(concrete(tuple(m.upper() for m in methods))), target, pattern, rank)


class RouteTable:
    def __init__(self, rules: list[Rule]) -> None:
        self.rules = sorted(rules, key=lambda r: (r.rank, r.template))

    def match(self, method: str, path: str) -> Rule | None:
        """The most specific rule for the path that allows the method; None when none does."""
        path = unquote(path.split("?", 1)[0]) or "/"
        for rule in self.rules:
            if method.upper() in rule.methods and rule.pattern.fullmatch(path):
                return rule
        return None


def mounted_trees(mounts: list[Mount], templates: set[str]) -> list[str]:
    """The templates that keep what a library mounts (Django's admin at /admin/) on the monolith, so a moved
    route with a variable there (`/{city}/`) cannot capture it: `/admin/` and `/admin/{path+}`. A template
    a route of the app already has is left to that route; a tree at `/` is every path anyway."""
    return sorted({template for mount in mounts if mount.prefix != "/"
                   for template in (mount.prefix, mount.prefix + "{path+}") if template not in templates})


def _compile(template: str) -> tuple[re.Pattern, tuple[int, ...]]:
    parts, rank = [], []
    segments = template.strip("/").split("/") if template.strip("/") else []
    for index, segment in enumerate(segments):
        variable = VARIABLE.match(segment)
        if variable is None and INNER.search(segment):  # `{badge_key}.{fmt}`: variables beside text
            parts.append("".join(re.escape(p) if i % 2 == 0 else "[^/]+?" for i, p in enumerate(INNER.split(segment))))
            rank.append(1)  # its text makes it more specific than a whole-segment variable
        elif variable is None:
            parts.append(re.escape(segment))
            rank.append(0)
        elif variable.group(2) and index == len(segments) - 1:  # greedy: API Gateway allows it only last
            parts.append(".+")
            rank.append(3)
        else:
            parts.append("[^/]+")
            rank.append(2)
    trailing = "/" if template.endswith("/") and len(template) > 1 else ""
    return re.compile("/" + "/".join(parts) + trailing), (*rank, 4)
