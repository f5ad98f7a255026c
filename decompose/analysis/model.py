"""The analysis artefact: what `analysis.json` holds, as frozen dataclasses.

`SCHEMA_VERSION` changes whenever a field changes meaning; readers refuse other versions with a
clear message instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from decompose.analysis.sources import ParseFailure

SCHEMA_VERSION = 1

EDGE_KINDS = (
    "import", "import-type-checking", "import-lazy", "import-dynamic", "string-ref",
    "call", "reference", "enqueue", "inherit", "foreign-key", "table-read", "table-write",
)
IMPORT_KINDS = ("import", "import-type-checking", "import-lazy", "import-dynamic")


class Location(NamedTuple):
    """A tuple, not a dataclass: a large analysis holds hundreds of thousands of them."""

    path: str
    line: int


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    kind: str
    weight: int
    locations: tuple[Location, ...]
    via: str | None = None  # `from pkg import X` resolved through pkg's re-export


@dataclass(frozen=True)
class ModuleInfo:
    name: str
    path: str
    lines: int
    sha256: str
    is_package: bool
    role: str  # app | test | migration
    external_imports: tuple[str, ...] = ()  # top-level names of third-party/stdlib imports
    parse_error: str | None = None  # the failure kind when the file could not be analysed


@dataclass(frozen=True)
class SymbolInfo:
    id: str
    module: str
    name: str
    kind: str  # function | class | assignment
    line: int
    end_line: int


ANY = "ANY"  # a route's method when its view answers every method (a Django function view)
EVERY_METHOD = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")  # what ANY stands for: API Gateway's


def concrete(methods: tuple[str, ...]) -> tuple[str, ...]:
    """The methods a route answers, `ANY` spelled out (Chalice and API Gateway resources need them)."""
    return tuple(sorted(set(EVERY_METHOD) | {m for m in methods if m != ANY})) if ANY in methods else methods


@dataclass(frozen=True)
class Route:
    framework: str
    methods: tuple[str, ...]
    path: str  # as the framework writes it, prefixes joined: /orders/<int:order_id>
    template: str  # normalised to {name}: /orders/{order_id}
    handler: str  # symbol id of the view (for views nested in a factory, the factory)
    handler_name: str  # the view's own name (differs from handler for nested views)
    module: str
    line: int
    mounted: bool = True  # False when the blueprint/router is never registered on an app


@dataclass(frozen=True)
class Mount:
    """A URL tree the analysis cannot list route by route (Django's admin, a library's URLconf): the
    monolith answers every path under `prefix`, and the gateway keeps them there."""

    framework: str
    prefix: str  # a path template ending in "/": /admin/, /{language}/accounts/
    what: str  # the dotted name mounted: django.contrib.admin.site.urls, allauth.urls
    module: str
    line: int


@dataclass(frozen=True)
class Table:
    name: str
    model: str | None  # symbol id of the ORM class, or of the `Table(...)` assignment
    framework: str  # sqlalchemy | flask-sqlalchemy | django
    module: str
    line: int


@dataclass(frozen=True)
class HazardOut:
    kind: str
    symbol: str  # symbol id, or module id for module-level code
    path: str
    line: int
    detail: str
    why: str
    resolution: str  # the AWS service that usually resolves it
    in_request_path: bool  # reachable from a route handler through calls and references


@dataclass(frozen=True)
class Unresolved:
    module: str
    path: str
    line: int
    what: str  # e.g. importlib.import_module(name) with a non-literal name


@dataclass
class Analysis:
    root: str
    modules: list[ModuleInfo] = field(default_factory=list)
    symbols: list[SymbolInfo] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    mounts: list[Mount] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    hazards: list[HazardOut] = field(default_factory=list)
    failures: list[ParseFailure] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    schema_version: int = SCHEMA_VERSION
