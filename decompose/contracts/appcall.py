"""A generated service builds the monolith's app the way the contracts' world says when it replays them.

The monolith's suite built its app with a configuration (flasky's `create_app('testing')`, microblog-api's
`create_app(TestConfig)`); `contracts record` writes that call into the plan's [contracts] app, and
`contracts verify` hands it to every service it starts as DECOMPOSE_CONTRACT_APP. A service's
chalicelib/framework.py then builds its app through `build`:

    built = appcall.build(create_app, "app:create_app")   # create_app(config_name='testing') while replaying,
                                                           # create_app() when deployed (the variable is unset)
    built = appcall.build(create_app, "app:create_app",   # a factory that needs arguments, deployed: as the
                          bare=lambda: create_app(os.getenv('FLASK_CONFIG') or 'default'))  # entry module calls it

Only a call of that same factory applies (a spec naming another module or function is not this
service's app), and its arguments are literals and module.Name references only
(decompose_runtime.sightings.arguments): nothing else is evaluated.

Standard library only: this module runs in the monolith's interpreter (Python 3.9+), in the shared layer.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Callable

from . import sightings

VARIABLE = "DECOMPOSE_CONTRACT_APP"
SCRATCH = "DECOMPOSE_CONTRACT_SCRATCH"  # the scenario's folder (set by each reset: decompose_runtime.reset)
SHARED = "DECOMPOSE_CONTRACT_SHARED"  # "1": this process is one service of a fleet sharing one database
IN_MEMORY = re.compile(r"^(sqlite(\+\w+)?)://(/:memory:)?$")
ROOT = "DECOMPOSE_CONTRACT_ROOT"  # the monolith's folder: where a configuration class of its tests is found
# JSON list: the other app calls a reset may choose for its scenario (a test that built the app with another
# configuration class), set by whoever starts the process from the contracts it replays; never by a reset
APPS = "DECOMPOSE_CONTRACT_APPS"


class AppCallError(RuntimeError):
    """The world's app spec names this factory but its arguments cannot be read."""


def arguments_for(element: str, spec: str | None, root: str | None = None) -> tuple[list[Any], dict[str, Any]]:
    """The arguments `spec` ("module:factory(...)") gives the factory `element` ("module:factory"); none when
    the spec is unset, names another factory or has no call. A module.Name the service cannot import
    (a class of the monolith's tests) is loaded from its file under `root`."""
    if not spec:
        return [], {}
    module, name, call = sightings.split(spec)
    if f"{module}:{name}" != element or call is None:
        return [], {}
    try:
        return sightings.arguments(call, root)
    except (ValueError, SyntaxError, AttributeError, ImportError) as error:
        raise AppCallError(f"{VARIABLE}={spec!r}: its arguments: {error} (fix [contracts] app in the plan)") from error


def shared(value: Any, folder: str) -> Any:
    """An in-memory SQLite URL (in a string, or in a dict or list of them) as a file in `folder`: one
    process's in-memory database is no other's, and a scenario's login at one service must be seen by the next."""
    if isinstance(value, str):
        found = IN_MEMORY.match(value)
        return f"{found.group(1)}:///{os.path.join(folder, 'shared.sqlite')}" if found else value
    if isinstance(value, dict):
        return {key: shared(item, folder) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(shared(item, folder) for item in value)
    return value


def build(factory: Callable[..., Any], element: str, environ: Any = None, bare: Callable[[], Any] | None = None) -> Any:
    """The app `factory` builds, with the contracts' world's arguments when it names this factory (in a
    fleet, with an in-memory database made one file in the scenario's folder: `shared`, and Flask-Caching's
    in-process caches one folder there: `share_flask_caching`); without them,
    `bare()` when given (a factory that needs arguments, built as the monolith's entry module builds it),
    else `factory()`."""
    environ = os.environ if environ is None else environ
    args, kwargs = arguments_for(element, environ.get(VARIABLE), environ.get(ROOT))
    folder = environ.get(SCRATCH)
    if environ.get(SHARED) == "1" and folder:
        args, kwargs = shared(list(args), folder), shared(kwargs, folder)
        share_memory_sqlite()
        share_flask_caching()
    if bare is not None and not args and not kwargs:
        return bare()
    return factory(*args, **kwargs)


class Chooser:
    """Before a reset's rebuild, the app call the next build makes (a generated service, made when it starts):
    a scenario's own app (`wanted`, its test's other configuration) when the process was started allowing it
    (APPS), else, for a scenario of the world's app (`wanted` None), the call the process was started with.

        choose = Chooser()                                  # remembers DECOMPOSE_CONTRACT_APP as launched
        choose("app:create_app(tests.base.AuthConfig)")    # None (set), or why not: the reset is refused whole
    """

    def __init__(self, environ: Any = None) -> None:
        self.environ = os.environ if environ is None else environ
        self.launched = self.environ.get(VARIABLE)

    def __call__(self, wanted: Any) -> str | None:
        if wanted is None or wanted == self.launched:
            if self.launched is None:
                self.environ.pop(VARIABLE, None)
            else:
                self.environ[VARIABLE] = self.launched
            return None
        if not isinstance(wanted, str) or wanted not in allowed_apps(self.environ):
            return (f"app {str(wanted)[:120]!r} is not one this process was started to replay ({APPS}): "
                    "nothing was reset")
        self.environ[VARIABLE] = wanted
        return None


def allowed_apps(environ: Any) -> list[str]:
    """The app calls the process was started to replay (APPS); a value that is not a JSON list of strings allows none."""
    try:
        value = json.loads(environ.get(APPS) or "[]")
    except ValueError:
        return []
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


_SHARING: list[bool] = []


def share_memory_sqlite() -> None:
    """In a fleet, every in-memory SQLite database this process opens through SQLAlchemy is opened as the
    scenario's shared file instead: the one the app's configuration names itself, out of reach of `shared`
    (flasky's `TestingConfig.SQLALCHEMY_DATABASE_URI = 'sqlite://'`, picked by `create_app('testing')`).
    SQLAlchemy's `do_connect` event, for every engine of the process, whenever it was created (Flask-SQLAlchemy
    2 creates its engine at the first query); the folder is read at each connection (one per scenario)."""
    if _SHARING:
        return
    try:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
    except ImportError:  # no SQLAlchemy in this monolith: nothing opens a database through it
        return
    event.listen(Engine, "do_connect", memory_as_file)
    _SHARING.append(True)


def memory_as_file(dialect: Any, record: Any, cargs: list, cparams: dict) -> None:
    folder = os.environ.get(SCRATCH)
    if folder and os.environ.get(SHARED) == "1" and dialect.name == "sqlite" and cargs and cargs[0] in ("", ":memory:"):
        cargs[0] = os.path.join(folder, "shared.sqlite")


# Flask-Caching's backends that one process (or one service's copy of the code) keeps to itself
OWN_CACHES = frozenset({"simple", "SimpleCache", "flask_caching.backends.SimpleCache",
                        "flask_caching.backends.simplecache.SimpleCache", "filesystem", "FileSystemCache",
                        "flask_caching.backends.FileSystemCache", "flask_caching.backends.filesystemcache.FileSystemCache"})


def share_flask_caching() -> None:
    """In a fleet, every Flask-Caching cache of the app that lives in the process (`simple`) or in a folder of the
    service's own copy of the code (`filesystem`, a CACHE_DIR beside the package) is a folder of the scenario
    instead, one for the fleet, as it was one for the monolith: CTFd keeps its server-side sessions there
    (`CachingSessionInterface`), so a login at the auth service must be seen by the next one, and a
    `cache.clear()` after a setting changes must reach every service. Flask-Caching's `Cache.init_app`, wrapped
    once per process; the folder is read at each app build (one per scenario). Other backends (redis,
    memcached) are already shared and are left alone."""
    if _CACHING:
        return
    try:
        from flask_caching import Cache
    except ImportError:  # no Flask-Caching in this monolith
        return
    original = Cache.init_app

    def init_app(self: Any, app: Any, config: Any = None) -> None:
        return original(self, app, fleet_cache(app, self.config, config))

    init_app.__wrapped__ = original  # type: ignore[attr-defined]
    Cache.init_app = init_app
    _CACHING.append(True)


_CACHING: list[bool] = []


def fleet_cache(app: Any, own: Any, given: Any) -> Any:
    """The configuration `Cache.init_app` gets: `given`, or, in a fleet, the effective one (the app's, the
    Cache's own, then `given`, as Flask-Caching merges them) with a file-system cache in the scenario's folder
    when the effective backend is one of OWN_CACHES. Each cache of the app gets its own folder, by its order."""
    folder = os.environ.get(SCRATCH)
    if not folder or os.environ.get(SHARED) != "1":
        return given
    merged = {**app.config, **(own or {}), **(given or {})}
    if merged.get("CACHE_TYPE", "null") not in OWN_CACHES:
        return given
    order = len(getattr(app, "extensions", {}).get("cache", {}))
    return {**(given or {}), "CACHE_TYPE": _file_system_backend(), "CACHE_DIR": os.path.join(folder, "flask-caching", str(order))}


def _file_system_backend() -> str:
    """FileSystemCache by its class (Flask-Caching 1.10 and later), else the older factory name."""
    from flask_caching import backends

    return "flask_caching.backends.FileSystemCache" if hasattr(backends, "FileSystemCache") else "filesystem"
