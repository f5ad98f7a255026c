"""Django's composition root, as every service rebuilds it.

A Django monolith has no app object: `DJANGO_SETTINGS_MODULE` names the settings, `django.setup()`
loads INSTALLED_APPS (and with them every model) and `ROOT_URLCONF` names the URLconf that
`include()`s the others, often by dotted string (`path("orders/", include("orders.urls"))`).

    settings_module(sources, layer) -> the settings module the monolith starts with (in the layer)
    url_chains(sources, root)       -> URLconf module -> the URLconfs from ROOT_URLCONF down to it
    base_dir_files(sources, layer)  -> files of the project root the settings name from BASE_DIR

A service runs the monolith's own settings and its own copy of the root URLconf: each service keeps
every URLconf on the way from the root to its routes, and `view_includes` tells the renderer which
`include("...")` entries name a module that copy does not have (those entries are taken out, the
rest of the URLconf is served unchanged).
"""

from __future__ import annotations

import re
from pathlib import Path
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import libcst as cst

from decompose.analysis.facts import I18N_LANGUAGE
from decompose.generation.source import Parsed, piece_of, string_value

if TYPE_CHECKING:
    from decompose.generation.layout import Sources

SETTINGS_ENV = "DJANGO_SETTINGS_MODULE"
URL_FUNCTIONS = frozenset({"path", "re_path", "url"})
MAX_DEPTH = 20  # include chains deeper than this are not followed (a cycle, or generated URLconfs)


def settings_module(sources: Sources, layer: set[str]) -> str | None:
    """The module `DJANGO_SETTINGS_MODULE` defaults to in manage.py / wsgi.py (the first found, in that
    order), when it is a layer module; else the layer's only module that sets ROOT_URLCONF."""
    named = [m for m in _env_defaults(sources) if m in layer]
    if named:
        return named[0]
    rooted = sorted(m for m in layer if _top_level_string(sources, m, "ROOT_URLCONF") is not None)
    return rooted[0] if len(rooted) == 1 else None


def _env_defaults(sources: Sources) -> list[str]:
    ranked = sorted([*sources.modules, *sources.scripts],  # manage.py is a script: read, not shipped
                    key=lambda m: (m.rsplit(".", 1)[-1] not in ("manage", "wsgi", "asgi"), m))
    found: list[str] = []
    for module in (m for m in ranked if sources.mentions(m, SETTINGS_ENV)):
        for value in _settings_defaults(sources.parsed(module).tree):
            if value not in found and sources.is_module(value):
                found.append(value)
    return found


def _settings_defaults(tree: cst.Module) -> list[str]:
    """`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x")` and `os.environ["DJANGO_SETTINGS_MODULE"] = "x"`."""
    found: list[str] = []
    for node in _nodes(tree, (cst.Call, cst.Assign)):
        if isinstance(node, cst.Call):
            if (isinstance(node.func, cst.Attribute) and node.func.attr.value == "setdefault" and len(node.args) == 2
                    and string_value(node.args[0].value) == SETTINGS_ENV and string_value(node.args[1].value)):
                found.append(string_value(node.args[1].value))
            continue
        for target in node.targets:
            sub = target.target
            if (isinstance(sub, cst.Subscript) and len(sub.slice) == 1 and isinstance(sub.slice[0].slice, cst.Index)
                    and string_value(sub.slice[0].slice.value) == SETTINGS_ENV and string_value(node.value)):
                found.append(string_value(node.value))
    return found


def _nodes(tree: cst.CSTNode, kinds: tuple[type[cst.CSTNode], ...]) -> list[cst.CSTNode]:
    """Every node of these kinds in the tree, in source order: the one walk both the settings
    defaults and the URLconf includes are read from."""
    found: list[cst.CSTNode] = []

    class Visitor(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, kinds):
                found.append(node)
            return True

    tree.visit(Visitor())
    return found


def root_urlconf(sources: Sources, settings: str) -> str | None:
    """ROOT_URLCONF of the settings module, or of the modules it star-imports (`from .base import *`)."""
    value = setting(sources, settings, "ROOT_URLCONF")
    return value if value is not None and sources.is_module(value) else None


def setting(sources: Sources, settings: str, name: str) -> str | None:
    """A string setting of the settings module, or of the modules it star-imports, first found first."""
    seen: set[str] = set()
    pending = [settings]
    while pending:
        module = pending.pop(0)
        if module in seen or not sources.is_module(module):
            continue
        seen.add(module)
        value = _top_level_string(sources, module, name)
        if value is not None:
            return value
        pending += _star_imports(sources, module)
    return None


def _top_level_string(sources: Sources, module: str, name: str) -> str | None:
    value = None
    for statement in sources.parsed(module).tree.body:
        if isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Assign):
            assign = statement.body[0]
            if any(isinstance(t.target, cst.Name) and t.target.value == name for t in assign.targets):
                value = string_value(assign.value)
    return value


def _star_imports(sources: Sources, module: str) -> list[str]:
    from decompose.generation.source import import_source

    parsed = sources.parsed(module)
    found = []
    for statement in parsed.tree.body:
        if isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.ImportFrom):
            node = statement.body[0]
            if isinstance(node.names, cst.ImportStar):
                found.append(import_source(node, module, parsed.is_package))
    return found


def url_chains(sources: Sources, root: str) -> dict[str, tuple[str, ...]]:
    """URLconf module -> the URLconfs from the root down to it (the root's chain is `(root,)`),
    following `include("dotted.module")` and `include(("dotted.module", "namespace"))`."""
    chains = {root: (root,)}
    pending = [root]
    while pending:
        module = pending.pop(0)
        if len(chains[module]) > MAX_DEPTH or not sources.is_module(module):
            continue
        for included in sorted(set(includes(sources.parsed(module).tree))):
            if included not in chains and sources.is_module(included):
                chains[included] = (*chains[module], included)
                pending.append(included)
    return chains


def includes(tree: cst.CSTNode) -> list[str]:
    """The dotted modules a URLconf's `include(...)` calls name by string."""
    return [m for m in (included_module(call) for call in _nodes(tree, (cst.Call,))) if m]


def included_module(call: cst.Call) -> str | None:
    """"orders.urls" for `include("orders.urls")` or `include(("orders.urls", "orders"), ...)`."""
    name = call.func.value if isinstance(call.func, cst.Name) else (
        call.func.attr.value if isinstance(call.func, cst.Attribute) else "")
    if name != "include" or not call.args:
        return None
    first = call.args[0].value
    if isinstance(first, cst.Tuple) and first.elements:
        first = first.elements[0].value
    return string_value(first)


def url_entry_includes(element: cst.CSTNode) -> str | None:
    """The module a URL list element `path(prefix, include("m"), ...)` includes by string, if any."""
    if not isinstance(element, cst.Call):
        return None
    name = element.func.value if isinstance(element.func, cst.Name) else (
        element.func.attr.value if isinstance(element.func, cst.Attribute) else "")
    if name not in URL_FUNCTIONS:
        return None
    for arg in element.args:
        if isinstance(arg.value, cst.Call):
            found = included_module(arg.value)
            if found:
                return found
    return None


def mounted_apis(sources: Sources, module: str) -> list[str]:
    """The modules whose API object a URLconf mounts with `path("api/", api.urls)` (django-ninja's
    NinjaAPI, imported by `from project.api import api`): part of the URLconf chain, since each
    service's copy of the API adds only the routers that service has."""
    from decompose.generation.source import import_source

    parsed = sources.parsed(module)
    mounted = {_dotted(view.value) for call in _nodes(parsed.tree, (cst.Call,)) if isinstance(call, cst.Call)
               and _dotted(call.func).rsplit(".", 1)[-1] in URL_FUNCTIONS
               for view in [a for a in call.args if a.keyword is None][1:2]
               if isinstance(view.value, cst.Attribute) and view.value.attr.value == "urls"
               and isinstance(view.value.value, cst.Name)}
    found = set()
    for statement in parsed.tree.body:
        if isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.ImportFrom):
            node = statement.body[0]
            if isinstance(node.names, cst.ImportStar):
                continue
            source = import_source(node, module, parsed.is_package)
            for alias in node.names:
                bound = alias.asname.name.value if alias.asname else _dotted(alias.name)
                if f"{bound}.urls" in mounted and sources.is_module(source):
                    found.add(source)
    return sorted(found)


def with_view(entry: cst.Call, view: cst.BaseExpression) -> cst.Call:
    """The URL entry `path(route, view, ...)` with another view (the second positional argument, or `view=`)."""
    positional = [i for i, a in enumerate(entry.args) if a.keyword is None]
    keyword = [i for i, a in enumerate(entry.args) if a.keyword is not None and a.keyword.value == "view"]
    at = keyword[0] if keyword else positional[1]
    args = list(entry.args)
    args[at] = args[at].with_changes(value=view)
    return entry.with_changes(args=args)


def without_views(parsed: Parsed, foreign: Callable[..., bool]) -> Parsed:
    """The URLconf as a service's copy of it runs: the entries routed to a `foreign` view (another
    service's, answered by `decompose_runtime.elsewhere` in this copy: views.py) name no view, and the
    DRF registrations of a foreign viewset are gone. What those views need is then nobody's to provide
    here (pretalx: every service held 121 stubs of the back-office's views, imported by no code that runs)."""
    tree = parsed.tree.visit(_ForeignViewsOut(foreign))
    return Parsed(parsed.module, parsed.is_package, tree, tuple(piece_of(s, i) for i, s in enumerate(tree.body)))


class _ForeignViewsOut(cst.CSTTransformer):
    def __init__(self, foreign: Callable[..., bool]) -> None:
        super().__init__()
        self.foreign = foreign  # (dotted view, as_view=False) -> another service's view

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return self.leave_Element(original, updated) if updated.keyword is None else updated

    def leave_Element(self, original: cst.Element | cst.Arg, updated: cst.Element | cst.Arg):  # noqa: ANN201
        view = url_entry_view(updated.value)
        if view and self.foreign(view):
            return updated.with_changes(value=with_view(updated.value, cst.Name("None")))
        return updated

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        """`View.as_view()` outside a URL entry (pretalx's `get_schedule_urls()` builds entries from tuples
        of views): another service's class is no need of the copy either."""
        view = as_view_dotted(updated)
        return cst.Name("None") if view and self.foreign(view, as_view=True) else updated

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):  # noqa: ANN201
        viewset = registered_viewset(updated)
        return cst.RemoveFromParent() if viewset and self.foreign(viewset) else updated


def url_entry_view(element: cst.CSTNode) -> tuple[str, ...] | None:
    """The dotted name of the view a URL list element routes to: ("views", "CartView") for
    `path("cart/", views.CartView.as_view())`, ("checkout",) for `path("x/", checkout)`; None for an
    include, a non-URL element or a view expression that is no plain name."""
    if not isinstance(element, cst.Call) or _dotted(element.func).rsplit(".", 1)[-1] not in URL_FUNCTIONS:
        return None
    positional = [a.value for a in element.args if a.keyword is None]
    view = next((a.value for a in element.args if a.keyword is not None and a.keyword.value == "view"),
                positional[1] if len(positional) > 1 else None)
    return _named(as_view_of(view) or view)


def as_view_of(node: cst.CSTNode | None) -> cst.BaseExpression | None:
    """`views.CartView` of `views.CartView.as_view(...)`; None for any other expression."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "as_view":
        return node.func.value
    return None


def as_view_dotted(node: cst.CSTNode) -> tuple[str, ...] | None:
    """("schedule", "ScheduleView") of `schedule.ScheduleView.as_view()` wherever it stands (a tuple a
    URLconf's helper turns into entries); None for any other expression or a class that is no plain name."""
    return _named(as_view_of(node))


def _named(view: cst.CSTNode | None) -> tuple[str, ...] | None:
    """("views", "CartView") of the expression `views.CartView`; None for one that is no plain name."""
    dotted = _dotted(view) if isinstance(view, (cst.Name, cst.Attribute)) else ""
    return tuple(dotted.split(".")) if dotted else None


BASE_NAMES = frozenset({"BASE_DIR", "ROOT_DIR", "PROJECT_ROOT", "PROJECT_DIR"})


def base_dir_files(sources: Sources, layer: set[str]) -> list[str]:
    """Paths under the project root (the folder analysed, where manage.py is) that the layer's settings
    name as `BASE_DIR / "CHANGELOG.md"` or `os.path.join(BASE_DIR, "templates")`: the layer's copy of
    the settings finds BASE_DIR at the layer's root, so these files must be there too (healthchecks
    reads its CHANGELOG.md when settings load; a classic site renders BASE_DIR / "templates").
    Existing files and folders only, never above the root; folders are copied whole by the caller."""
    root = sources.root.resolve()
    found: set[str] = set()
    for module in sorted(m for m in layer if sources.is_module(m)):
        for parts in _base_dir_parts(sources.parsed(module).tree):
            target = (root / Path(*parts)).resolve()
            if target != root and root in target.parents and target.exists() and not target.name.startswith("."):
                found.add(target.relative_to(root).as_posix())
    return sorted(found)


def _base_dir_parts(tree: cst.CSTNode) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for node in _nodes(tree, (cst.BinaryOperation, cst.Call)):
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            left, right = node.left, string_value(node.right)
            if isinstance(left, cst.Name) and left.value in BASE_NAMES and right:
                found.append(tuple(right.split("/")))
        elif isinstance(node, cst.Call) and _dotted(node.func) == "os.path.join" and node.args:
            first, rest = node.args[0].value, [string_value(a.value) for a in node.args[1:]]
            if isinstance(first, cst.Name) and first.value in BASE_NAMES and rest and all(rest):
                found.append(tuple(part for r in rest for part in r.split("/")))
    return found


def _dotted(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


# Database drivers Django's backends import by name (django.db.backends.postgresql -> psycopg2 or psycopg,
# mysql -> MySQLdb, oracle -> oracledb or cx_Oracle): a settings module that reads DATABASE_URL names none.
DATABASE_DRIVERS = ("MySQLdb", "cx_Oracle", "oracledb", "psycopg", "psycopg2")


def database_drivers(owners: Mapping[str, list[str]]) -> set[str]:
    """The database drivers the monolith's environment has installed: a Django service needs the one its
    DATABASES engine imports, which settings often choose at run time (kuma's `dj_database_url`)."""
    return {top for top in DATABASE_DRIVERS if top in owners}


# Django's <int:pk>; {pk}, django-ninja's {int:pk}; never a regex's own `(?P<name>` or `{2}` (its names start with a letter)
_CONVERTER = re.compile(r"(?<!\?P)<(?:(\w+):)?(\w+)>|\{(?:(\w+):)?([A-Za-z_]\w*)\}")
_EXAMPLES = {"uuid": "00000000-0000-4000-8000-000000000001"}  # Django's uuid converter wants this shape


def converters(sources: Sources) -> dict[str, str]:
    """Converter name -> its regex, for every `register_converter(Class, "name")` of the monolith whose class
    (in the same module) sets `regex` to a string: healthchecks' `<sha1:unique_key>` wants 40 characters of
    `[A-z0-9]`, and the example `1` resolved to nothing in any URLconf."""
    if "converters" not in sources.memo:
        sources.memo["converters"] = _converters(sources)
    return dict(sources.memo["converters"])


def _converters(sources: Sources) -> dict[str, str]:
    found = {}
    for module, info in sorted(sources.modules.items()):
        try:
            if b"register_converter" not in (sources.root / info.path).read_bytes():
                continue
        except OSError:
            continue
        body = sources.parsed(module).tree.body
        classes = {s.name.value: s for s in body if isinstance(s, cst.ClassDef)}
        for statement in body:
            registered = _registered_converter(statement)
            if registered and registered[0] in classes and (regex := _class_regex(classes[registered[0]])):
                found[registered[1]] = regex
    return found


def _registered_converter(statement: cst.CSTNode) -> tuple[str, str] | None:
    """(class name, converter name) of `register_converter(Class, "name")`."""
    call = _statement_call(statement)
    if call is None or _dotted(call.func).rpartition(".")[2] != "register_converter" or len(call.args) < 2:
        return None
    kind, name = call.args[0].value, string_value(call.args[1].value)
    return (kind.value, name) if isinstance(kind, cst.Name) and name else None


def _class_regex(node: cst.ClassDef) -> str | None:
    for line in node.body.body:
        if isinstance(line, cst.SimpleStatementLine):
            for small in line.body:
                if isinstance(small, cst.Assign) and any(isinstance(t.target, cst.Name) and t.target.value == "regex"
                                                         for t in small.targets):
                    return string_value(small.value)
    return None


def example_path(path: str, language: str = "en", converters: Mapping[str, str] | None = None) -> str:
    """A concrete path for a route's Django path (`<int:pk>`, `<uuid:id>`, or `{pk}` templates). The
    language prefix of `i18n_patterns` (`<language>`, as the analysis writes it) takes the project's
    LANGUAGE_CODE: LocaleMiddleware answers no other prefix than a language it knows; a project's own converter
    (`converters`) a string its regex matches. A `re_path` regex
    (`/^files/(?P<id>\\d+)/(?P<name>.+)$`, the pieces of its includes joined) gives the shortest string
    it matches with every path variable filled (`/files/1/a`)."""
    def value(m: re.Match[str]) -> str:
        kind, name = m.group(1) or m.group(3), m.group(2) or m.group(4)
        if not kind and name == I18N_LANGUAGE:
            return language
        if kind and kind in (converters or {}):  # a project's converter: a string its regex matches
            return _regex_example(f"^{converters[kind]}$") or "1"
        return _EXAMPLES.get(kind or "", "1")
    if _REGEX_MARKS.search(path):  # path() or django-ninja variables under a re_path include (kuma's `^api/`) too
        return _regex_example(_CONVERTER.sub(lambda m: re.escape(value(m)), path))
    return _CONVERTER.sub(value, path)


def language_code(sources: Sources, settings: str) -> str:
    """LANGUAGE_CODE of the settings; Django's default, "en-us", without one."""
    return (setting(sources, settings, "LANGUAGE_CODE") or "en-us").lower()


_REGEX_MARKS = re.compile(r"\^|\$|\(\?P<|\\[dwsDWS.]|\[[^\]]*\]|[+*?]\)?(?=/|$)")


def _regex_example(path: str) -> str:
    try:
        import re._parser as sre  # Python 3.11+
    except ImportError:  # pragma: no cover  (3.10)
        import sre_parse as sre  # type: ignore[no-redef]
    pieces = re.split(r"(?<![\\\[])\^", path)  # each include's pattern starts with ^ (`[^/]` negates)
    text = "".join(p[:-1] if p.endswith("$") and not p.endswith("\\$") else p for p in pieces)
    try:
        return _sample(sre.parse(text))
    except (re.error, ValueError, TypeError):
        return path


def _sample(parsed, captured: bool = False) -> str:  # noqa: ANN001  (a parsed regex: re._parser.SubPattern)
    """A repeat `low` times; an optional one (`?`, `*`) inside a capturing group once (a path variable
    is never empty), outside none, as reverse() and the route's template write it (`^healthz/?$`: /healthz)."""
    out = []
    for op, arg in parsed:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, _, sub = arg
            out.append(_sample(sub, captured) * (max(low, 1) if captured else low))
        elif name == "SUBPATTERN":
            out.append(_sample(arg[-1], captured or arg[0] is not None))
        elif name == "BRANCH":
            out.append(_sample(arg[1][0], captured))
        elif name == "IN":
            out.append(_one_of(arg))
        elif name == "NOT_LITERAL":  # `[^/]`: any character but one
            out.append(next(c for c in "a1" if c != chr(arg)))
        elif name == "ANY":  # in a path variable any character; outside one, a dot left unescaped (kuma's
            out.append("a" if captured else ".")  # `^humans.txt$`, whose route is /humans.txt: /humansatxt hit none)
    return "".join(out)


def _one_of(items) -> str:  # noqa: ANN001
    """A character a class `[...]` accepts: its first range's start (`a` of `[-a-z0-9]`), else \\d as 1 and
    \\w as a, else its first literal; of a negated class (`[^/]`), the first of `a1-_.` it does not exclude
    (pretalx's `^[^/]+/widgets/schedule\\.js$` gave `///widgets/schedule.js`, a path no route matches)."""
    items = list(items)
    if items and str(items[0][0]) == "NEGATE":
        return next((c for c in "a1-_.~" if not _in_class(c, items[1:])), "a")
    kinds = {str(op): arg for op, arg in reversed(items)}  # the first of each kind
    if "RANGE" in kinds:
        return chr(kinds["RANGE"][0])
    if "CATEGORY" in kinds:
        return "1" if "DIGIT" in str(kinds["CATEGORY"]) and "NOT" not in str(kinds["CATEGORY"]) else "a"
    return chr(kinds["LITERAL"]) if "LITERAL" in kinds else "a"


_CATEGORIES = {"DIGIT": str.isdigit, "WORD": lambda c: c.isalnum() or c == "_", "SPACE": str.isspace}


def _in_class(char: str, items) -> bool:  # noqa: ANN001
    """Whether a class's items (literals, ranges, \\d \\w \\s and their negations) take the character."""
    for op, arg in items:
        kind = str(op)
        if kind == "LITERAL" and chr(arg) == char or kind == "RANGE" and arg[0] <= ord(char) <= arg[1]:
            return True
        if kind == "CATEGORY":
            name = str(arg).rsplit("CATEGORY_", 1)[-1]
            test = _CATEGORIES.get(name.removeprefix("NOT_"))
            if test is not None and test(char) != name.startswith("NOT_"):
                return True
    return False


def string_router(statement: cst.CSTNode) -> tuple[str, str] | None:
    """(module, attribute) of a django-ninja `api.add_router("/prefix", "app.api.router")` statement,
    which imports the dotted string when it runs."""
    router = _added_router(statement)
    target = string_value(router) if router is not None else None
    if not target or "." not in target:
        return None
    module, _, attr = target.rpartition(".")
    return module, attr


def object_router(statement: cst.CSTNode) -> str | None:
    """The name in `api.add_router("/prefix", router_name)` (a router object imported from elsewhere)."""
    router = _added_router(statement)
    return router.value if isinstance(router, cst.Name) else None


def _added_router(statement: cst.CSTNode) -> cst.BaseExpression | None:
    call = _statement_call(statement)
    if call is None or not (isinstance(call.func, cst.Attribute) and call.func.attr.value == "add_router"):
        return None
    keyword = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "router"), None)
    positional = [a.value for a in call.args if a.keyword is None]
    return keyword if keyword is not None else (positional[1] if len(positional) > 1 else None)


def registered_viewset(statement: cst.CSTNode) -> tuple[str, ...] | None:
    """The dotted name of the viewset in a DRF `router.register("prefix", views.OrderViewSet, ...)`
    statement (("views", "OrderViewSet")); None for any other statement (the prefix must be a string
    literal: `admin.site.register(Model)` is not a router's)."""
    call = _statement_call(statement)
    if call is None or not (isinstance(call.func, cst.Attribute) and call.func.attr.value == "register"):
        return None
    positional = [a.value for a in call.args if a.keyword is None]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    prefix = keywords.get("prefix", positional[0] if positional else None)
    viewset = keywords.get("viewset", positional[1] if len(positional) > 1 else None)
    if prefix is None or string_value(prefix) is None or not isinstance(viewset, (cst.Name, cst.Attribute)):
        return None
    return tuple(_dotted(viewset).split("."))


def _statement_call(statement: cst.CSTNode) -> cst.Call | None:
    """The call of a statement that is one call expression (`api.add_router(...)`, `router.register(...)`)."""
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr) and isinstance(statement.body[0].value, cst.Call)):
        return None
    return statement.body[0].value
