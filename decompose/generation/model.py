"""What generation decides before anything is rendered: per service, which code it keeps of each
module, what it reaches in other services and how, and what the shared layer holds.

Everything here is plain data; `layout.py` computes it, `render.py` turns it into files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from decompose.analysis.model import Route

LAYER = "shared"


@dataclass(frozen=True)
class Proxy:
    """A name a service's module view defines for code that lives elsewhere.

    kind: client (calls the owner's internal endpoint), stub (fails loudly: manual work),
    constant (a literal value copied, reported), exception (a local class remote errors map to),
    reexport (`from defining_module import name`, for a package that re-exports it).
    """

    name: str
    target: str  # element id, e.g. pkg.services.shop:get_product
    owner: str  # service that owns the target (or LAYER)
    kind: str
    reason: str = ""
    source: str = ""  # constant: the literal's code; reexport: the defining module


@dataclass
class ModuleView:
    module: str
    is_package: bool
    own: bool = False  # the service owns some of this module's code (else: proxies only)
    keep: set[str] = field(default_factory=set)
    body: bool = False
    proxies: dict[str, Proxy] = field(default_factory=dict)
    replicated: set[str] = field(default_factory=set)  # route containers kept here, owned elsewhere
    # classes and functions of another service copied here, where a stand-in would fail (used as the module
    # imports, taking the web request, or needed by such a copy): name -> the service that owns it
    copied: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Mount:
    """Where the layer mounted a container on an object of its own, not on the app: flask-restx's
    `api.add_namespace(ns, "/pages")`. The service mounts it there when the layer says the object is built."""

    holder: str  # element id of the layer's object, e.g. CTFd.api:CTFd_API_v1
    method: str  # add_namespace
    arguments: str = ""  # the call's other arguments, as code
    order: int = field(default=0, compare=False)  # the statement's rank in the layer module: mounts keep the monolith's order


@dataclass(frozen=True)
class Registration:
    """A route container (Flask blueprint, FastAPI router) the service plugs into its app."""

    container: str  # element id, e.g. pkg.views.cart:bp
    keywords: str = ""  # keyword arguments of the monolith's own registration call, as code
    paths: tuple[str, ...] = ()  # the monolith's full paths of the container's routes in this service
    mount: Mount | None = None  # mounted on a layer object (a restx Api), not registered on the app


@dataclass(frozen=True)
class AppHook:
    """Flask: a function a blueprint declares for the whole app (`@main.app_errorhandler(404)`): apphooks.py."""

    function: str  # element id of the decorated function: pkg.main.errors:page_not_found
    blueprint: str  # element id of the blueprint it hangs on: pkg.main:main
    decorator: str  # app_errorhandler (a key of apphooks.APP_WIDE)
    called: bool  # `@bp.app_errorhandler(404)` rather than `@bp.before_app_request`
    arguments: str = ""  # the decorator's arguments as code, names read from the hook's module: `_hooks.CSRFError`

    @property
    def module(self) -> str:
        return self.function.split(":")[0]


@dataclass(frozen=True)
class Exposure:
    """A function another service calls: its internal endpoint in the owner."""

    target: str
    callers: tuple[str, ...]
    idempotent: bool  # reads no table writes and no hazards: clients may retry it
    annotations: str = ""


@dataclass
class ServiceLayout:
    name: str
    views: dict[str, ModuleView] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    # containers copied here with a handler class of another service (layout._handler_class), mounted on a
    # layer object in the monolith: here mounted nowhere, their classes get the names that mount gives them
    named: list[Registration] = field(default_factory=list)
    exposed: dict[str, Exposure] = field(default_factory=dict)
    external: set[str] = field(default_factory=set)  # top-level third-party import names
    tables: list[str] = field(default_factory=list)
    route_modules: list[str] = field(default_factory=list)  # imported before the app is built: routes on a layer container
    hooks: list[AppHook] = field(default_factory=list)  # Flask: every app-wide hook, kept here (imported first)
    app_wide: list[AppHook] = field(default_factory=list)  # those of blueprints registered here by no one: applied to the app
    urlconfs: set[str] = field(default_factory=set)  # Django: the URLconfs this service keeps a copy of

    def proxies(self) -> list[Proxy]:
        return sorted((p for v in self.views.values() for p in v.proxies.values()), key=lambda p: p.target)


@dataclass(frozen=True)
class AppEntry:
    """How a service builds the monolith's framework app: a factory or a module-level app object."""

    framework: str  # flask | fastapi | django
    element: str  # pkg.app:create_app or pkg.app:app; Django: pkg.settings:ROOT_URLCONF
    is_factory: bool


@dataclass
class LayerLayout:
    modules: set[str] = field(default_factory=set)
    promoted: dict[str, str] = field(default_factory=dict)  # module -> why it moved to the layer
    unplugged: dict[str, list[str]] = field(default_factory=dict)  # layer module -> containers taken out
    trees: dict[str, cst.Module] = field(default_factory=dict)  # layer module -> its code, unplugged
    keywords: dict[str, str] = field(default_factory=dict)  # container -> the monolith's registration kwargs
    mounts: dict[str, Mount] = field(default_factory=dict)  # container -> where the layer mounted it
    needs: set[tuple[str, str]] = field(default_factory=set)  # (module, name) every service must provide
    needs_of: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # layer module -> its part of `needs`
    reads: set[str] = field(default_factory=set)  # functions the layer calls that only read: every service keeps a copy
    named: set[tuple[str, str]] = field(default_factory=set)  # (module, name) the layer names by dotted string
    external: set[str] = field(default_factory=set)


@dataclass
class Layout:
    project: str
    root: str
    services: list[ServiceLayout]
    layer: LayerLayout
    entry: AppEntry | None
    problems: list[str] = field(default_factory=list)
    containers: dict[str, str] = field(default_factory=dict)  # route handler -> its container element
