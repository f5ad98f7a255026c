"""The cross-module index: resolves a name as written in one module to a module or symbol id.

Ids: a module is its dotted name (`shop.models`); a symbol is `module:name` (`shop.models:Order`);
a table is `table:name`. Resolution follows `__init__` re-exports and star imports to the module
that *defines* a name, so `from shop.models import Order` points at `shop.models.commerce:Order`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from decompose.analysis.facts import ClassInfo, FileFacts, Import, Symbol

MAX_HOPS = 12
CONFIG_KEY = re.compile(r"""^[\w.]+\.config\[["'](\w+)["']\]$""")  # app.config["URL_PREFIX"]


def symbol_id(module: str, name: str) -> str:
    return f"{module}:{name}"


def split_id(node: str) -> tuple[str, str | None]:
    module, _, name = node.partition(":")
    return module, (name or None)


def call_prefix(text: str) -> str:
    """"Order.query.filter_by().first" -> "Order.query.filter_by": what a chain actually touches."""
    head, sep, _ = text.partition("()")
    return head if sep else text


@dataclass(frozen=True)
class Resolved:
    node: str  # module or symbol id
    rest: tuple[str, ...]  # attribute path below the node ("query", "get")


class Index:
    def __init__(self, files: list[FileFacts]) -> None:
        self.files = {f.module: f for f in files}
        self.symbols: dict[str, dict[str, Symbol]] = {f.module: {s.name: s for s in f.symbols} for f in files}
        self.classes: dict[str, ClassInfo] = {
            symbol_id(f.module, c.name): c for f in files for c in f.classes
        }
        self.exports = {f.module: _module_bindings(f.imports, None) for f in files}
        self.star_sources = {
            f.module: tuple(i.module for i in f.imports if ("*", "*") in i.names) for f in files
        }
        self._memo: dict[str, Resolved | None] = {}

    # ---- resolution -------------------------------------------------------------------------
    def is_module(self, name: str) -> bool:
        return name in self.files

    def resolve(self, text: str, hops: int = 0) -> Resolved | None:
        """An absolute dotted name -> the internal module/symbol it denotes, or None if external."""
        if hops == 0:
            if text not in self._memo:
                self._memo[text] = self._resolve(text, 0)
            return self._memo[text]
        return self._resolve(text, hops)

    def _resolve(self, text: str, hops: int) -> Resolved | None:
        parts = text.split(".")
        for cut in range(len(parts), 0, -1):
            module = ".".join(parts[:cut])
            if module in self.files:
                return self._member(module, tuple(parts[cut:]), hops)
        return None

    def _member(self, module: str, rest: tuple[str, ...], hops: int) -> Resolved:
        if not rest:
            return Resolved(module, ())
        name = rest[0]
        if name in self.symbols[module]:
            return Resolved(symbol_id(module, name), rest[1:])
        if hops < MAX_HOPS:
            target = self.exports[module].get(name)
            if target is not None:
                found = self.resolve(".".join((target, *rest[1:])), hops + 1)
                if found is not None:
                    return found
            for source in self.star_sources[module]:
                found = self.resolve(".".join((source, *rest)), hops + 1)
                if found is not None and found.node != source:
                    return found
        return Resolved(module, rest)

    def expand(self, module: str, scope: str | None, text: str) -> str | None:
        """A dotted name as written in `module` (inside top-level `scope`) -> absolute dotted name."""
        head, _, rest = text.partition(".")
        target = self._binding(module, scope, head)
        if target is None:
            return None
        return f"{target}.{rest}" if rest else target

    def _binding(self, module: str, scope: str | None, head: str) -> str | None:
        if scope is not None:
            lazy = self.lazy_bindings.get((module, scope), {})
            if head in lazy:
                return lazy[head]
        if head in self.symbols.get(module, {}):
            return f"{module}.{head}"
        return self.exports.get(module, {}).get(head)

    def resolve_in(self, module: str, scope: str | None, text: str) -> Resolved | None:
        absolute = self.expand(module, scope, call_prefix(text))
        return None if absolute is None else self.resolve(absolute)

    def constant(self, module: str, scope: str | None, text: str) -> str | None:
        """The string a name stands for: `PREFIX = "/api"` anywhere it is imported from, a class's
        default through an instance (`settings = Settings()` + `settings.API_V1_STR`), or a Flask
        setting (`app.config["URL_PREFIX"]`) loaded with `app.config.from_object(...)`."""
        key = CONFIG_KEY.match(text)
        if key is not None:
            return self.flask_config.get(key.group(1))
        resolved = self.resolve_in(module, scope, text)
        if resolved is None or ":" not in resolved.node or len(resolved.rest) > 1:
            return None
        owner, name = split_id(resolved.node)
        if not resolved.rest:
            return dict(self.files[owner].constants).get(name or "")
        info = self.classes.get(resolved.node) or self._instance_class(owner, name or "")
        return dict(info.constants).get(resolved.rest[0]) if info else None

    def _instance_class(self, module: str, name: str) -> ClassInfo | None:
        for call in self.files[module].assigned_calls:
            if call.scope is None and call.name == name:  # callee: as written, or already absolute
                made = self.resolve_in(module, None, call.callee) or self.resolve(call.callee)
                return self.classes.get(made.node) if made is not None and not made.rest else None
        return None

    @cached_property
    def flask_config(self) -> dict[str, str]:
        """String settings of the objects given to `app.config.from_object(...)`: a class or a module,
        by name or by dotted string; later calls override earlier ones, as in Flask."""
        values: dict[str, str] = {}
        for module in sorted(self.files):
            for site in self.files[module].call_sites:
                if site.method == "from_object" and site.target.endswith("config") and site.args:
                    found = self.resolve_in(module, site.scope, site.args[0]) or self.resolve(site.args[0])
                    if found is not None and not found.rest:
                        values.update(self._settings_of(found.node))
        return values

    def _settings_of(self, node: str) -> dict[str, str]:
        if node in self.classes:
            return dict(self.classes[node].constants)
        return dict(self.files[node].constants) if node in self.files else {}

    @cached_property
    def lazy_bindings(self) -> dict[tuple[str, str], dict[str, str]]:
        out: dict[tuple[str, str], dict[str, str]] = {}
        for facts in self.files.values():
            for imp in facts.imports:
                if imp.scope is not None and imp.context == "lazy":
                    out.setdefault((facts.module, imp.scope), {}).update(_bindings(imp))
        return out


def _module_bindings(imports: tuple[Import, ...], scope: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for imp in imports:
        if imp.scope == scope and imp.context != "lazy":
            out.update(_bindings(imp))
    return out


def _bindings(imp: Import) -> dict[str, str]:
    if imp.bound is not None:
        # `import a.b` binds `a`; `import a.b as c` binds c to a.b
        return {imp.bound: imp.module if imp.bound != imp.module.split(".")[0] else imp.bound}
    return {bound: f"{imp.module}.{name}" for name, bound in imp.names if name != "*"}
