"""Per-file facts: what one libcst pass over one file can know without looking at other files.

Names here are still *local* (as written in the file); `decompose.analysis.link` resolves them
across modules. Every class is a frozen dataclass so a batch of facts can cross a process pool and
be cached by content hash.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Symbol:
    name: str
    kind: str  # function | class | assignment
    line: int
    end_line: int


@dataclass(frozen=True)
class ClassInfo:
    """What the ORM and route detectors need to know about a top-level class."""

    name: str
    bases: tuple[str, ...]  # dotted names as written
    methods: tuple[str, ...]
    tablename: str | None = None  # SQLAlchemy __tablename__ / Django Meta.db_table
    abstract: bool = False  # SQLAlchemy __abstract__ / Django Meta.abstract
    keywords: tuple[tuple[str, str], ...] = ()  # class keyword arguments: (("table", "True"),)
    constants: tuple[tuple[str, str], ...] = ()  # class-level string literals: (("API_V1_STR", "/api/v1"),)
    lists: tuple[tuple[str, tuple[str, ...]], ...] = ()  # class-level lists of strings: (("http_method_names", ("get",)),)


@dataclass(frozen=True)
class Import:
    module: str  # absolute dotted module (relative imports already resolved)
    names: tuple[tuple[str, str], ...]  # (name, bound-as) for `from m import n as b`; () for `import m`
    bound: str | None  # for `import a.b` the bound name `a`; for `import a.b as c` -> `c`
    context: str  # top | type-checking | lazy
    line: int
    scope: str | None


@dataclass(frozen=True)
class DynamicImport:
    target: str  # literal module name given to importlib.import_module / __import__
    line: int
    scope: str | None


@dataclass(frozen=True)
class StringRef:
    value: str  # a string literal shaped like a dotted name ("app.models.User", "shop.Order")
    line: int
    scope: str | None
    hint: str = ""  # relationship | foreign-key | patch | "" (plain string)


@dataclass(frozen=True)
class Usage:
    """A dotted name used in a scope, aggregated: `payments.charge(...)` twice -> count=2."""

    scope: str | None
    dotted: str  # "()" marks a call inside a chain: "Order.query.filter_by().first"
    kind: str  # call | reference | annotation | inherit | decorator
    count: int
    lines: tuple[int, ...]


@dataclass(frozen=True)
class AssignedCall:
    """`name = callee(...)` at module level or inside a top-level function (`scope`)."""

    name: str
    callee: str
    args: tuple[str, ...]  # literal string positional args
    kwargs: tuple[tuple[str, str], ...]  # literal string keyword args
    line: int
    scope: str | None
    literals: tuple[str, ...] = ()  # which args were string literals: positions ("0") and keyword names


@dataclass(frozen=True)
class CallSite:
    """A call whose callee is a dotted method name, kept for the framework detectors."""

    target: str  # receiver expression as dotted text: "app", "bp", "router", "admin.bp"
    method: str  # route | get | register_blueprint | include_router | add_url_rule | ...
    args: tuple[str, ...]  # literal strings or dotted names of positional args ("" if neither)
    kwargs: tuple[tuple[str, str], ...]
    line: int
    scope: str | None
    decorates: str | None = None  # the decorated top-level symbol when used as a decorator
    list_args: tuple[tuple[str, tuple[str, ...]], ...] = ()  # kwargs given as list literals
    literals: tuple[str, ...] = ()  # which args were string literals: positions ("0") and keyword names

I18N_LANGUAGE = "language"  # the path variable `i18n_patterns(...)`'s language prefix is written as: /<language>/...


@dataclass(frozen=True)
class UrlEntry:
    """One Django `path()`/`re_path()`/`url()` entry of a urlpatterns list."""

    func: str  # path | re_path | url
    route: str
    view: str  # dotted view expression; "include:<module>" or "include-expr:<dotted>"
    line: int
    prefix: tuple[tuple[str, str], ...] = ()  # (func, route) of the inline include([...]) lists around it
    group: str = "urlpatterns"  # the module-level list it belongs to (`_patterns = [...]` too)


@dataclass(frozen=True)
class SqlUse:
    """A SQL string in the code and the tables it touches."""

    scope: str | None  # the top-level symbol it is written in (None: module level)
    line: int
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    creates: tuple[str, ...]


@dataclass(frozen=True)
class Hazard:
    kind: str
    scope: str | None
    line: int
    why: str
    detail: str


@dataclass(frozen=True)
class FileFacts:
    module: str
    path: str  # relative to the analysis root, POSIX separators
    is_package: bool
    lines: int
    sha256: str
    symbols: tuple[Symbol, ...] = ()
    classes: tuple[ClassInfo, ...] = ()
    imports: tuple[Import, ...] = ()
    dynamic_imports: tuple[DynamicImport, ...] = ()
    string_refs: tuple[StringRef, ...] = ()
    usages: tuple[Usage, ...] = ()
    assigned_calls: tuple[AssignedCall, ...] = ()
    call_sites: tuple[CallSite, ...] = ()
    url_entries: tuple[UrlEntry, ...] = ()
    hazards: tuple[Hazard, ...] = ()
    unresolved_dynamic: tuple[tuple[int, str], ...] = ()  # (line, source) of non-literal imports
    loop_aliases: tuple[tuple[str | None, str, str], ...] = ()  # (scope, name, iterable) of `for name in iterable`
    sequences: tuple[tuple[str, tuple[str, ...]], ...] = ()  # module-level `NAME = (a.b, c)` of dotted names
    constants: tuple[tuple[str, str], ...] = ()  # module-level `NAME = "literal"`
    returns: tuple[tuple[str, str], ...] = ()  # top-level `def f(): return Callee(...)`, its only return: (f, callee)
    sql: tuple[SqlUse, ...] = ()  # SQL written as strings, its tables (decompose.analysis.sql)
    functions: tuple[tuple[str, tuple[str, ...]], ...] = ()  # top-level function -> parameter names
    # (function, name, template) of `name = "/" + base + "/<path:path>"` (or an f-string) in a top-level function,
    # names as ${markers}; and (function, name, method, chars) of `name = name.strip("/")` there
    local_strings: tuple[tuple[str, str, str], ...] = ()
    local_strips: tuple[tuple[str, str, str, str], ...] = ()
    persisting_scopes: tuple[str, ...] = ()  # scopes that commit/save/flush ("" = module level)
    method_calls: tuple[tuple[str | None, str, int], ...] = ()  # (scope, attribute, first line) of `x.y.attribute(...)`
