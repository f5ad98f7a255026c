"""Routes of decorator-style frameworks (Flask, FastAPI): routers made by a call, routes added by
decorators or `add_*` calls, routers mounted on each other with a prefix.

A router is identified by where it is bound: (module, enclosing top-level function or None, name),
so an app made inside `create_app()` and blueprints imported from other modules are both found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import libcst as cst

from decompose.analysis.facts import CallSite, FileFacts
from decompose.analysis.index import Index, split_id, symbol_id
from decompose.analysis.model import Route
from decompose.analysis.syntax import template_str
from decompose.frameworks.paths import normalise
from decompose.frameworks.views import class_methods

RouterKey = tuple[str, "str | None", str]
MARKER = re.compile(r"\$\{([A-Za-z_]\w*)\}")
UNKNOWN_APP: RouterKey = ("", None, "<application>")  # e.g. `def register(app): app.register_blueprint(bp)`


@dataclass(frozen=True)
class Router:
    key: RouterKey
    is_app: bool
    prefix: str


Routers = dict[RouterKey, Router]
RouteSpec = tuple[str, tuple[str, ...], str, str]  # path, methods, handler id, handler name


@dataclass(frozen=True)
class MountSpec:
    """How one framework call mounts a child: `bp.register_blueprint(child, url_prefix=...)`,
    `router.include_router(child, prefix=...)`, Starlette's `app.mount("/path", app=child)`."""

    method: str
    child: tuple[str, int]  # (keyword, position)
    prefix: tuple[str, int | None]  # (keyword, position or None for keyword-only)
    overrides: bool  # Flask: the mount's url_prefix replaces the blueprint's own; else prepended


@dataclass(frozen=True)
class Mount:
    parent: RouterKey
    prefix: str | None
    overrides: bool


Mounts = dict[RouterKey, list[Mount]]


@dataclass(frozen=True)
class Dialect:
    """What differs between frameworks that route with decorators."""

    framework: str
    app_callees: tuple[str, ...]
    router_callees: tuple[str, ...]
    router_prefix_kw: str
    mounts: tuple[MountSpec, ...]  # calls that mount a router/app under another
    decorator_methods: dict[str, str | None]  # decorator name -> HTTP method (None: from methods=)
    add_method: str  # add_url_rule | add_api_route
    add_view: tuple[str, int]  # keyword and position of the view in that call
    join: Callable[[str, str], str]


class DecoratorRoutes:
    def __init__(self, dialect: Dialect) -> None:
        self.d = dialect

    @property
    def framework(self) -> str:
        return self.d.framework

    def routes(self, index: Index) -> list[Route]:
        routers = self._routers(index)
        if not routers:
            return []
        mounts = self._mounts(index, routers)
        found: list[Route] = []
        for facts in index.files.values():
            for site in facts.call_sites:
                key = self._key(index, facts.module, site.scope, site.target, routers)
                if key is not None:
                    found.extend(self._site_routes(index, facts, site, key, routers, mounts))
        found.extend(self._wrapped_routes(index, routers, mounts))
        return found

    # ---- helpers that register routes for their callers -------------------------------------------
    def _wrappers(self, index: Index) -> dict[str, Wrapper]:
        """Top-level functions whose body calls `param.add_url_rule(rule, view_func=param)`, the rule
        being a parameter or a loop variable over one (flaskbb's `register_view(bp, routes, view)`)."""
        out: dict[str, Wrapper] = {}
        keyword, position = self.d.add_view
        for facts in index.files.values():
            params_of = dict(facts.functions)
            for site in facts.call_sites:
                params = params_of.get(site.scope or "", ())
                kwargs = dict(site.kwargs)
                view = kwargs.get(keyword) or (site.args[position] if len(site.args) > position else "")
                if site.method != self.d.add_method or site.target not in params:
                    continue
                rule = _rule_param(facts, site, params, kwargs) if view in params else None
                if rule is not None:
                    out[symbol_id(facts.module, site.scope or "")] = Wrapper(params, site.target, rule[0], rule[1], view)
                elif view and view not in params and (built := _rule_template(facts, site, params, kwargs)) is not None:
                    out[symbol_id(facts.module, site.scope or "")] = Wrapper(
                        params, site.target, built[0], False, view, template=True, strips=built[1])
        return out

    def _wrapped_routes(self, index: Index, routers: Routers, mounts: Mounts) -> Iterator[Route]:
        wrappers = self._wrappers(index)
        for facts in (index.files.values() if wrappers else ()):
            for site in facts.call_sites:
                name = f"{site.target}.{site.method}" if site.target else site.method
                resolved = index.resolve_in(facts.module, site.scope, name)
                if resolved is not None and not resolved.rest and resolved.node in wrappers:
                    yield from self._wrapper_call(index, facts, site, wrappers[resolved.node], routers, mounts,
                                                  resolved.node)

    def _wrapper_call(self, index: Index, facts: FileFacts, site: CallSite, wrapper: Wrapper,
                      routers: Routers, mounts: Mounts, node: str = "") -> Iterator[Route]:
        values, lists = _bind(wrapper.params, site)
        key = self._key(index, facts.module, site.scope, values.get(wrapper.receiver, ""), routers)
        if wrapper.template:
            yield from self._template_call(facts, site, wrapper, node, key, routers, mounts)
            return
        view = index.resolve_in(facts.module, site.scope, values.get(wrapper.view, ""))
        if key is None or view is None or ":" not in view.node:
            return
        rules = lists.get(wrapper.rule, ()) if wrapper.rule_is_list else (values.get(wrapper.rule, ""),)
        methods = class_methods(index, view.node) or ("GET",)
        name = split_id(view.node)[1] or view.node
        for rule in rules:
            for prefix, mounted in sorted(set(self._prefixes(key, routers, mounts))):
                full = self.d.join(prefix, rule) or "/"
                yield Route(self.framework, methods, full, normalise(full), view.node, name, facts.module, site.line, mounted)

    def _template_call(self, facts: FileFacts, site: CallSite, wrapper: Wrapper, node: str, key: RouterKey | None,
                       routers: Routers, mounts: Mounts) -> Iterator[Route]:
        """A helper building its rule from its parameters (`rule = "/" + base_path + "/<path:path>"`), called
        with string literals: the rule filled in, served by the helper's own nested view. The app a plugin's
        `load(app)` passes on is the application, as for any receiver we cannot resolve."""
        if key is None and _bind(wrapper.params, site)[0].get(wrapper.receiver) in dict(facts.functions).get(site.scope or "", ()):
            key = UNKNOWN_APP
        rule = _filled(wrapper, site)
        if key is None or rule is None or key not in routers:
            return
        for prefix, mounted in sorted(set(self._prefixes(key, routers, mounts))):
            full = self.d.join(prefix, rule) or "/"
            yield Route(self.framework, ("GET",), full, normalise(full), node, wrapper.view, facts.module, site.line, mounted)

    def prefixes_of(self, index: Index, module: str, scope: str | None, expr: str) -> list[tuple[str, bool]]:
        """Where `expr` (an app or blueprint as written in `module`) is mounted: (prefix, mounted).
        Extensions that hang their own routes on an app or blueprint (Flask-RESTful) use this."""
        routers = self._routers(index)
        key = self._key(index, module, scope, expr, routers) if routers else None
        if key is None:
            return []
        return sorted(set(self._prefixes(key, routers, self._mounts(index, routers))))

    # ---- routers and mounts -----------------------------------------------------------------
    def _routers(self, index: Index) -> Routers:
        """Every app and router built at module level or in a top-level function: by the framework's
        classes or by a project class extending one (`class UserAPIRouter(APIRouter)`)."""
        apps = set(self.d.app_callees) | subclasses(index, self.d.app_callees)
        routers = set(self.d.router_callees) | subclasses(index, self.d.router_callees)
        out: dict[RouterKey, Router] = {}
        for facts in index.files.values():
            for call in facts.assigned_calls:
                names = names_of(index, facts.module, call.callee)
                is_app = bool(names & apps)
                if is_app or names & routers:
                    key = (facts.module, call.scope, call.name)
                    prefix = _text(index, facts.module, call.scope, dict(call.kwargs), call.literals, self.d.router_prefix_kw)
                    out[key] = Router(key, is_app, prefix or "")
        if out:
            out[UNKNOWN_APP] = Router(UNKNOWN_APP, True, "")  # stands for receivers we cannot resolve
        return out

    def _key(self, index: Index, module: str, scope: str | None, target: str, routers: Routers) -> RouterKey | None:
        return find_key(index, module, scope, target, routers)

    def _mounts(self, index: Index, routers: Routers) -> Mounts:
        """Who is mounted where. A receiver we cannot resolve (an `app` parameter) is taken to be
        an application; a child that is a loop variable stands for each item of the iterable."""
        out: Mounts = {}
        specs = {spec.method: spec for spec in self.d.mounts}
        for facts in index.files.values():
            for site in facts.call_sites:
                spec = specs.get(site.method)
                child = _arg(site, *spec.child) if spec else None
                if spec is None or not child:
                    continue
                parent = self._key(index, facts.module, site.scope, site.target, routers) or UNKNOWN_APP
                values, key = _arg_values(site, *spec.prefix)
                prefix = _text(index, facts.module, site.scope, values, site.literals, key)
                for child_key in self._children(index, facts, site, routers, child):
                    out.setdefault(child_key, []).append(Mount(parent, prefix, spec.overrides))
        return out

    def _children(self, index: Index, facts: FileFacts, site: CallSite, routers: Routers, child: str) -> list[RouterKey]:
        direct = self._key(index, facts.module, site.scope, child, routers)
        if direct is not None:
            return [direct]
        out = []
        for scope, name, iterable in facts.loop_aliases:
            if scope == site.scope and name == child:
                for item, owner in _sequence_items(index, facts.module, scope, iterable):
                    key = self._key(index, owner, None, item, routers)
                    if key is not None:
                        out.append(key)
        return out

    def _prefixes(self, key: RouterKey, routers: Routers, mounts: Mounts,
                  seen: tuple[RouterKey, ...] = ()) -> Iterator[tuple[str, bool]]:
        router = routers[key]
        parents = [m for m in mounts.get(key, []) if m.parent not in seen and m.parent != key]
        if not parents:
            yield router.prefix, router.is_app
            return
        for mount in parents:
            own = self._own_prefix(router, mount)
            for parent_prefix, mounted in self._prefixes(mount.parent, routers, mounts, (*seen, key)):
                yield self.d.join(parent_prefix, own), mounted

    def _own_prefix(self, router: Router, mount: Mount) -> str:
        if mount.prefix is None:
            return router.prefix
        return mount.prefix if mount.overrides else self.d.join(mount.prefix, router.prefix)

    # ---- one registration site ----------------------------------------------------------------
    def _site_routes(self, index: Index, facts: FileFacts, site: CallSite, key: RouterKey,
                     routers: Routers, mounts: Mounts) -> Iterator[Route]:
        spec = self._spec(index, facts, site)
        if spec is None:
            return
        path, methods, handler, handler_name = spec
        for prefix, mounted in sorted(set(self._prefixes(key, routers, mounts))):
            full = self.d.join(prefix, path) or "/"
            yield Route(self.framework, methods, full, normalise(full), handler, handler_name,
                        facts.module, site.line, mounted)

    def _spec(self, index: Index, facts: FileFacts, site: CallSite) -> RouteSpec | None:
        kwargs = dict(site.kwargs)
        lists = dict(site.list_args)
        if site.decorates is not None and site.method in self.d.decorator_methods:
            path = _path_arg(index, facts, site, kwargs)
            fixed = self.d.decorator_methods[site.method]
            methods = (fixed,) if fixed else _methods(lists.get("methods"), ("GET",))
            scope = site.scope or site.decorates
            return path, methods, symbol_id(facts.module, scope), site.decorates
        if site.method == self.d.add_method and site.decorates is None:
            return self._added(index, facts, site, kwargs, lists)
        return None

    def _added(self, index: Index, facts: FileFacts, site: CallSite, kwargs: dict[str, str],
               lists: dict[str, tuple[str, ...]]) -> RouteSpec | None:
        path = _path_arg(index, facts, site, kwargs)
        keyword, position = self.d.add_view
        view = kwargs.get(keyword) or (site.args[position] if len(site.args) > position else "")
        resolved = index.resolve_in(facts.module, site.scope, view) if view else None
        if resolved is None or ":" not in resolved.node:
            return None
        handler = resolved.node
        default = class_methods(index, handler) or ("GET",)
        return path, _methods(lists.get("methods"), default), handler, split_id(handler)[1] or handler


@dataclass(frozen=True)
class Wrapper:
    params: tuple[str, ...]  # the helper's parameters, in order
    receiver: str  # the parameter that is the app/blueprint
    rule: str  # the parameter that holds the rule (or the list of rules); with `template`, the rule's template
    rule_is_list: bool
    view: str  # the parameter that holds the view; with `template`, the helper's own nested view
    template: bool = False  # the rule is built from parameters (`/${base_path}/<path:path>`)
    strips: tuple[tuple[str, str, str], ...] = ()  # (parameter, method, chars) stripped before it is built


def _rule_param(facts: FileFacts, site: CallSite, params: tuple[str, ...], kwargs: dict[str, str]) -> tuple[str, bool] | None:
    rule = site.args[0] if site.args else kwargs.get("rule", "")
    if rule in params:
        return rule, False
    for scope, name, iterable in facts.loop_aliases:
        if scope == site.scope and name == rule and iterable in params:
            return iterable, True
    return None


def _rule_template(facts: FileFacts, site: CallSite, params: tuple[str, ...],
                   kwargs: dict[str, str]) -> tuple[str, tuple[tuple[str, str, str], ...]] | None:
    """The rule as a template over the helper's parameters: a local string it builds from them (CTFd's
    `rule = "/" + base_path + "/<path:path>"`), with the strips applied to them first."""
    rule = site.args[0] if site.args else kwargs.get("rule", "")
    found = [t for scope, name, t in facts.local_strings if scope == site.scope and name == rule]
    if len(found) != 1 or not set(MARKER.findall(found[0])) <= set(params):
        return None
    strips = tuple((name, method, chars) for scope, name, method, chars in facts.local_strips
                   if scope == site.scope and name in params)
    return found[0], strips


def _filled(wrapper: Wrapper, site: CallSite) -> str | None:
    """The template with the call's string literals for its parameters; None when one is not a literal."""
    values, _ = _bind(wrapper.params, site)
    given = {wrapper.params[int(k)] if k.isdigit() and int(k) < len(wrapper.params) else k for k in site.literals}
    names = MARKER.findall(wrapper.rule)
    if not set(names) <= given:
        return None
    filled = {name: values[name] for name in names}
    for name, method, chars in wrapper.strips:
        if name in filled:
            filled[name] = getattr(filled[name], method)(chars or None)
    return MARKER.sub(lambda m: filled[m.group(1)], wrapper.rule)


def _bind(params: tuple[str, ...], site: CallSite) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """A call's arguments by the callee's parameter names: text values and list literals."""
    values = dict(site.kwargs)
    lists = dict(site.list_args)
    for index, param in enumerate(params[: len(site.args)]):
        values[param] = site.args[index]
        if str(index) in lists:
            lists[param] = lists[str(index)]
    return values, lists


def _arg_values(site: CallSite, keyword: str, position: int | None) -> tuple[dict[str, str], str]:
    """The argument given by keyword or position, as (values, key) for `_text`."""
    kwargs = dict(site.kwargs)
    if keyword in kwargs or position is None or position >= len(site.args):
        return kwargs, keyword
    return {str(position): site.args[position]}, str(position)


def _arg(site: CallSite, keyword: str, position: int | None) -> str | None:
    values, key = _arg_values(site, keyword, position)
    return values.get(key)


def _text(index: Index, module: str, scope: str | None, values: dict[str, str], literals: tuple[str, ...],
          key: str) -> str | None:
    """An argument as a string: its literal, the constant its name stands for, or `${name}` when
    the name cannot be resolved statically (so the route says what it does not know)."""
    value = values.get(key)
    if value is None or key in literals or not value:
        return value
    constant = index.constant(module, scope, value)
    if constant is None and value[:1] in "fF":
        constant = formatted(index, module, scope, value)
    return constant if constant is not None else "${" + value + "}"


def formatted(index: Index, module: str, scope: str | None, source: str) -> str | None:
    """An f-string whose fields are all names of known strings (`f"{base_prefix}/tags"`), filled in."""
    try:
        template = template_str(cst.parse_expression(source))
    except cst.ParserSyntaxError:
        return None
    if template is None:
        return None
    parts = MARKER.split(template)  # text, name, text, name, ..., text
    for at in range(1, len(parts), 2):
        value = index.constant(module, scope, parts[at])
        if value is None:
            return None
        parts[at] = value
    return "".join(parts)


def _path_arg(index: Index, facts: FileFacts, site: CallSite, kwargs: dict[str, str]) -> str:
    """The route's path: the first positional argument, or the `rule=`/`path=` keyword."""
    if site.args:
        values, key = {"0": site.args[0]}, "0"
    else:
        key = "rule" if "rule" in kwargs else "path"
        values = kwargs
    return _text(index, facts.module, site.scope, values, site.literals, key) or ""


def names_of(index: Index, module: str, written: str) -> set[str]:
    """What a dotted name written in `module` may stand for: as written, made absolute
    (`fastapi.APIRouter`) and, for the project's own code, the symbol it resolves to."""
    names = {written}
    absolute = index.expand(module, None, written)
    if absolute is not None:
        names.add(absolute)
    for resolved in (index.resolve_in(module, None, written), index.resolve(written)):  # as written, or absolute already
        if resolved is not None and not resolved.rest:
            names.add(resolved.node)
    return names


def subclasses(index: Index, bases: tuple[str, ...]) -> set[str]:
    """The project's classes that extend one of `bases`, directly or through its own classes (ids)."""
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for class_id, info in index.classes.items():
            if class_id not in found:
                module, _ = split_id(class_id)
                if any(names_of(index, module, base) & (found | set(bases)) for base in info.bases):
                    found.add(class_id)
                    changed = True
    return found


def find_key(index: Index, module: str, scope: str | None, expr: str, known: Mapping[RouterKey, object]) -> RouterKey | None:
    """The key of the object `expr` names in `module`: bound right there (in `scope` or at module
    level), or imported from where it is bound."""
    for key in ((module, scope, expr), (module, None, expr)):
        if key in known:
            return key
    resolved = index.resolve_in(module, scope, expr) if expr else None
    if resolved is None or resolved.rest or ":" not in resolved.node:
        return None
    owner, name = split_id(resolved.node)
    key = (owner, None, name or "")
    return key if key in known else None


def _sequence_items(index: Index, module: str, scope: str | None, iterable: str) -> list[tuple[str, str]]:
    """Items of a module-level list/tuple literal named by `iterable`, with the module they are written in."""
    resolved = index.resolve_in(module, scope, iterable)
    if resolved is None or resolved.rest or ":" not in resolved.node:
        return []
    owner, name = split_id(resolved.node)
    sequences = dict(index.files[owner].sequences)
    return [(item, owner) for item in sequences.get(name or "", ())]


def _methods(declared: tuple[str, ...] | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if not declared:
        return default
    return tuple(sorted({m.upper() for m in declared}))
