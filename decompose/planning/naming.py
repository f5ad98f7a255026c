"""Names for proposed services: what their routes, tables or modules say they are about.

A community holding mostly one blueprint or router is named as its team named that container (flasky's
`main`, `auth`, `api`; not `bp` or `router`), one holding mostly the views of one Django app by the
app's label (`applications`, never the `views` module). Else a community is named after its largest route family (`/orders/...` -> `orders`), else the table
its code writes most, else the package holding most of its lines; when its routes scatter over
three or more families with none holding half (`/login`, `/register`, `/logout`: verbs, not a
domain), the package comes first (`accounts`). A name must say something:
URL segments that are not words (`403`, `me`, `humans.txt`) are skipped; a Django table is named
by its app label (`users_userprofile` -> `users`, the package of its model); a module named after
its technical layer (`models`, `views`, `utils`, `api`) gives way to the package above it. Names are
unique, lower-case and valid as Chalice app names (letters, digits, hyphens); a name taken already,
in the singular or the plural (`item` beside `items`), gets the next candidate.
"""

from __future__ import annotations

import re
from collections import Counter

from decompose.planning.elements import TABLE_PREFIX, ElementGraph, route_family
from decompose.planning.families import django_app, urlconf_families

_UNSAFE = re.compile(r"[^a-z0-9]+")
_WORD = re.compile(r"^[A-Za-z][A-Za-z_-]{2,}$")
# Module and package names that say which layer code is in, not which domain it serves.
LAYERS = frozenset({
    "api", "apis", "app", "apps", "core", "common", "crud", "db", "endpoints", "handlers", "helpers", "lib",
    "main", "models", "routes", "routers", "schemas", "serializers", "services", "src", "utils", "util",
    "views", "forms", "admin_views", "controllers", "resources", "repositories", "v1", "v2", "web", "www",
})


# Names of a route container that say only what it is.
CONTAINER_WORDS = frozenset({"bp", "blueprint", "blue_print", "router", "api_router", "app", "application", "routes",
                             "urls", "urlpatterns", "views", "ns", "namespace"})


def clean(name: str) -> str:
    return _UNSAFE.sub("-", name.lower()).strip("-") or "service"


def candidates(graph: ElementGraph, community: set[str]) -> list[str]:
    families = _families(graph, community)
    named, leaves = _packages(graph, community)
    ordered = [*_ranked(families), *_ranked(_tables(graph, community)), *_ranked(named)]
    if _scattered(families):  # /login, /register, /logout: verbs, not a domain; the package says `accounts`
        ordered = [*_ranked(named), *ordered]
    label = _django_app(graph, community)
    strong = [n for n in label if n.lower() not in LAYERS]  # `core` says less than the routes and tables
    ordered = [*_blueprint(graph, community), *strong, *ordered, *label, *_ranked(leaves)]
    seen: list[str] = []
    for name in (clean(n) for n in ordered):
        if name not in seen:
            seen.append(name)
    return seen


def _blueprint(graph: ElementGraph, community: set[str]) -> list[str]:
    """The name of the blueprint or router holding more than half of the community's routes, as its team
    named it (flasky's `main`, `auth`, `api`), unless the name says only what it is (`bp`, `router`)."""
    routes: Counter[str] = Counter()
    total = 0
    for handler in community & graph.routes.keys():
        lines = {r.line for r in graph.routes[handler] if r.module == graph.module_of(handler)}
        total += len(graph.routes[handler])
        for dep in graph.outgoing.get(handler, ()):
            if graph.elements[dep.dst].kind == "assignment" and any(loc.line in lines for loc in dep.locations):
                routes[dep.dst.rpartition(":")[2]] += len(graph.routes[handler])
                break
    name, count = max(sorted(routes.items()), key=lambda kv: kv[1], default=("", 0))
    words = [w for w in name.split("_") if w and w.lower() not in CONTAINER_WORDS | LAYERS] if name.lower() not in LAYERS else [name]
    name = "_".join(words)  # `admin_router` -> `admin`, `api_router` -> nothing; a layer word alone stays (`main`)
    return [name] if 2 * count > total and _WORD.match(name) else []


def _django_app(graph: ElementGraph, community: set[str]) -> list[str]:
    """The label of the Django app whose views serve more than half of the community's routes through a
    URLconf (djangogirls' `applications`, `donations`)."""
    apps: Counter[str] = Counter()
    total = 0
    for handler in community & graph.routes.keys():
        routes = graph.routes[handler]
        total += len(routes)
        if urlconf_families(graph, handler):
            apps[django_app(graph.module_of(handler)).rpartition(".")[2]] += len(routes)
    name, count = max(sorted(apps.items()), key=lambda kv: kv[1], default=("", 0))
    return [name] if 2 * count > total and _WORD.match(name) else []


def _scattered(families: Counter[str]) -> bool:
    """Three or more one-segment families, none holding half the routes."""
    return len(families) >= 3 and 2 * max(families.values()) < sum(families.values())


def _ranked(counter: Counter[str]) -> list[str]:
    return [n for n, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]


def _families(graph: ElementGraph, community: set[str]) -> Counter[str]:
    families: Counter[str] = Counter()
    for element in community:
        for route in graph.routes.get(element, ()):
            family = route_family(route.template).removeprefix("route:/")
            if _WORD.match(family):
                families[family] += 1
    return families


def _tables(graph: ElementGraph, community: set[str]) -> Counter[str]:
    """Tables the community writes, by count, then those it holds; a Django `label_model` table as its label too."""
    writes: Counter[str] = Counter()
    owned = [(e, 0) for e in community if e.startswith(TABLE_PREFIX)]  # held, even if never written
    for element, count in [*((d.dst, d.count) for d in graph.deps if d.kind == "table-write" and d.src in community), *owned]:
        table = element.removeprefix(TABLE_PREFIX)
        label = _app_label(graph, element, table)
        if label:
            writes[label] += count
        writes[table] += count
    return writes


def _app_label(graph: ElementGraph, element: str, table: str) -> str:
    model = graph.table_model.get(element)
    if not model:
        return ""
    labels = [p for p in graph.module_of(model).split(".") if table.startswith(f"{p}_") and p not in LAYERS]
    return max(labels, key=len, default="")  # Django's `app_label + "_" + model`: `admin_2fa_usertwofactorauthdata`


def _packages(graph: ElementGraph, community: set[str]) -> tuple[Counter[str], Counter[str]]:
    """The innermost package or module name that is not a layer's, weighted by lines, then the leaf
    modules; with no such name, only the leaves (second), which come last (`views` says nothing)."""
    named: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    for element in community:
        parts = graph.module_of(element).split(".")
        weight = max(graph.elements[element].lines, 1)
        leaves[parts[-1]] += weight
        domain = next((p for p in reversed(parts[1:]) if p.lower() not in LAYERS and _WORD.match(p)), "")
        if domain:
            named[_short(domain)] += weight
    return (named + Counter({k: 0 for k in leaves if k not in named}), Counter()) if named else (Counter(), leaves)


def _short(name: str) -> str:
    """`payment_api` -> `payment`, `user_views` -> `user`: a layer suffix says nothing."""
    head, _, tail = name.rpartition("_")
    return head if head and tail.lower() in LAYERS else name


def _variants(name: str) -> set[str]:
    """The name and its singular/plural forms, so `item` is taken when `items` is."""
    return {name, name + "s", name.removesuffix("s")} - {""}


def name_communities(graph: ElementGraph, communities: list[set[str]], taken: set[str]) -> list[str]:
    """One unique name per community, in order; `taken` holds names already used (pinned services)."""
    used = set(taken)
    blocked = {v for t in taken for v in _variants(t)}
    names = []
    for community in communities:
        options = candidates(graph, community)
        free = [c for c in options if c not in blocked]
        name = free[0] if free else _numbered(next(iter(options), "service"), used)
        used.add(name)
        blocked |= _variants(name)
        names.append(name)
    return names


def _numbered(base: str, used: set[str]) -> str:
    number = 2
    while f"{base}-{number}" in used:
        number += 1
    return f"{base}-{number}"
