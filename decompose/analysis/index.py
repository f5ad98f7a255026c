"""The cross-module index: resolves a name as written in one module to a module or symbol id.

Ids: a module is its dotted name (`shop.models`); a symbol is `module:name` (`shop.models:Order`);
a table is `table:name`. Resolution follows `__init__` re-exports and star imports to the module
that *defines* a name, so `from shop.models import Order` points at `shop.models.commerce:Order`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from decompose.analysis.facts import ClassInfo, FileFacts, Import

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


class PerModule(dict):
    """module -> a value derived from that module's facts, computed on first use, so an index over
    lazily loaded facts only loads the modules a resolution actually walks through."""

    def __init__(self, files: Mapping[str, FileFacts], make: Callable[[FileFacts], Any]) -> None:
        super().__init__()
        self._files, self._make = files, make

    def __missing__(self, module: str) -> Any:
        if module not in self._files:
            raise KeyError(module)
        value = self[module] = self._make(self._files[module])
        return value

    def get(self, module: str, default: Any = None) -> Any:  # dict.get skips __missing__
        try:
            return self[module]
        except KeyError:
            return default


class Index:
    def __init__(self, files: list[FileFacts] | Mapping[str, FileFacts]) -> None:
        self.files: Mapping[str, FileFacts] = files if isinstance(files, Mapping) else {f.module: f for f in files}
        self.symbols: PerModule = PerModule(self.files, lambda f: {s.name: s for s in f.symbols})
        self.exports: PerModule = PerModule(self.files, module_bindings)
        self.star_sources: PerModule = PerModule(self.files, star_sources)
        self._lazy: PerModule = PerModule(self.files, _lazy_bindings)
        self._memo: dict[str, tuple[Resolved | None, frozenset[str]]] = {}
        self._reads: set[str] = set()

    @cached_property
    def classes(self) -> dict[str, ClassInfo]:
        """Every top-level class of the project (reads every module's facts)."""
        return {symbol_id(f.module, c.name): c for f in self.files.values() for c in f.classes}

    # ---- dependencies -------------------------------------------------------------------------
    def recording(self) -> set[str]:
        """Start a fresh record of the modules whose resolution interface (symbol names, module-level
        bindings, star imports) resolutions read from now on; returns the set being filled."""
        self._reads = set()
        return self._reads

    # ---- resolution -------------------------------------------------------------------------
    def is_module(self, name: str) -> bool:
        return name in self.files

    def resolve(self, text: str, hops: int = 0) -> Resolved | None:
        """An absolute dotted name -> the internal module/symbol it denotes, or None if external."""
        if hops:
            return self._resolve(text, hops)
        if text not in self._memo:  # memoised with the modules it read, so records stay complete
            outer, self._reads = self._reads, set()
            self._memo[text] = (self._resolve(text, 0), frozenset(self._reads))
            self._reads = outer
        found, reads = self._memo[text]
        self._reads.update(reads)
        return found

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
        self._reads.add(module)
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
            lazy = self._lazy.get(module, {}).get(scope, {})
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
        head, called, attribute = text.partition("().")
        if called:
            return self._made_by(module, scope, head, attribute)
        resolved = self.resolve_in(module, scope, text)
        if resolved is None or ":" not in resolved.node or len(resolved.rest) > 1:
            return None
        owner, name = split_id(resolved.node)
        if not resolved.rest:
            return dict(self.files[owner].constants).get(name or "")
        info = self.classes.get(resolved.node) or self._instance_class(owner, name or "")
        return dict(info.constants).get(resolved.rest[0]) if info else None

    def _made_by(self, module: str, scope: str | None, factory: str, attribute: str) -> str | None:
        """`get_settings().API_V1_STR`: the class default of what a settings factory builds (a
        top-level function whose only return is `Settings(...)`, cached with lru_cache or not)."""
        if "(" in factory or "(" in attribute or "." in attribute:
            return None
        resolved = self.resolve_in(module, scope, factory)
        if resolved is None or resolved.rest or ":" not in resolved.node:
            return None
        owner, name = split_id(resolved.node)
        callee = dict(self.files[owner].returns).get(name or "")
        made = self.resolve_in(owner, None, callee) if callee else None
        info = self.classes.get(made.node) if made is not None and not made.rest else None
        return dict(info.constants).get(attribute) if info else None

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

def _lazy_bindings(facts: FileFacts) -> dict[str, dict[str, str]]:
    """scope -> names bound by imports inside that top-level function."""
    out: dict[str, dict[str, str]] = {}
    for imp in facts.imports:
        if imp.scope is not None and imp.context == "lazy":
            out.setdefault(imp.scope, {}).update(_bindings(imp))
    return out


def star_sources(facts: FileFacts) -> tuple[str, ...]:
    """Modules whose names `facts` re-exports with `from m import *`."""
    return tuple(i.module for i in facts.imports if ("*", "*") in i.names)


def module_bindings(facts: FileFacts) -> dict[str, str]:
    """Names bound at module level by imports (under `if TYPE_CHECKING:` too) -> absolute dotted name."""
    out: dict[str, str] = {}
    for imp in facts.imports:
        if imp.scope is None and imp.context != "lazy":
            out.update(_bindings(imp))
    return out


def _bindings(imp: Import) -> dict[str, str]:
    if imp.bound is not None:
        # `import a.b` binds `a`; `import a.b as c` binds c to a.b
        return {imp.bound: imp.module if imp.bound != imp.module.split(".")[0] else imp.bound}
    return {bound: f"{imp.module}.{name}" for name, bound in imp.names if name != "*"}
