"""Where the suite's app came from: the world `contracts record` writes into the plan's [contracts] table.

The recorder (decompose_runtime.recorder) wraps the framework's app constructors while the monolith's
suite runs. When a Flask, Starlette or FastAPI app is built, the first caller outside the framework
and the installed packages is the project's code that built it: a module-level function there is the
app factory, and its arguments (literals, or classes and functions of an importable module) are the
configuration the suite chose (flasky's `create_app('testing')`, microblog-api's
`create_app(TestConfig)`); a module body is an app object (`app = FastAPI()`), named once it is
bound. At each test's first request the app it reaches is counted, and the environment the suite set
since the plugin loaded (conftest `os.environ[...] = ...`, monkeypatch.setenv) is compared with the
others' so only what every test saw is kept.

    sightings = Sightings()
    sightings.built(app)                 # from the wrapped constructor
    sightings.reached(app)               # at a test's first request
    sightings.to_json()                  # {"apps": [{"spec": "flasky:create_app('testing')", "tests": 9}], "env": {...}}

Standard library only: this module runs in the monolith's interpreter (Python 3.9+), beside the recorder.
"""

from __future__ import annotations

import os
import sys
import sysconfig
import weakref
from typing import Any

LITERALS = (str, int, float, bool, type(None))
_PLATFORM = tuple(os.path.realpath(p) for p in {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"],
                                                 sysconfig.get_paths()["platlib"]})
IGNORED_ENV = ("PYTEST_", "DECOMPOSE_", "COV_", "_")


def _foreign(filename: str) -> bool:
    """Code of the framework, the installed packages, the stdlib or this runtime: not the project's."""
    path = os.path.realpath(filename)
    return (path.startswith(_PLATFORM) or "site-packages" in path or "decompose_runtime" in path
            or filename.startswith("<"))


def _ours(frame: Any) -> bool:
    """A recorder's constructor wrapper: decompose's own copy may wrap the runtime's (decompose's pytest
    plugin imports it when the monolith shares decompose's interpreter)."""
    return frame.f_globals.get("__name__") in ("decompose.contracts.recorder", "decompose_runtime.recorder")


def reference(value: Any) -> str | None:
    """A factory argument as Python source: a literal, or `module.Name` for an importable class or function."""
    if isinstance(value, LITERALS):
        return repr(value)
    if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, LITERALS) for k, v in value.items()):
        return repr(dict(sorted(value.items())))
    module, name = getattr(value, "__module__", None), getattr(value, "__qualname__", "")
    if isinstance(value, type) or callable(value):
        if module and module != "__main__" and name and "<" not in name:
            return f"{module}.{name}"
    return None


class _Origin:
    def __init__(self, module: str, factory: str | None, arguments: list[str] | None) -> None:
        self.module, self.factory, self.arguments = module, factory, arguments
        self.attribute: str | None = None  # a module-level app: the global it is bound to, found at first use

    def spec(self, app: Any) -> str | None:
        if self.factory:
            if self.arguments is None:
                return None
            return f"{self.module}:{self.factory}({', '.join(self.arguments)})"
        if self.attribute is None:
            found = sorted(k for k, v in vars(sys.modules.get(self.module, object())).items() if v is app)
            self.attribute = found[0] if found else ""
        return f"{self.module}:{self.attribute}" if self.attribute else None


def origin(frame: Any, app: Any = None) -> _Origin | None:
    """The project's code that built an app, from the constructor's caller outward (a project subclass's
    own __init__, such as CTFd's CTFdFlask, is part of the constructor)."""
    while frame is not None and (_foreign(frame.f_code.co_filename) or _ours(frame)
                                 or (frame.f_code.co_name == "__init__" and frame.f_locals.get("self") is app)):
        frame = frame.f_back
    if frame is None:
        return None
    module, code = frame.f_globals.get("__name__", ""), frame.f_code
    if not module or module == "__main__":
        return None
    if code.co_name == "<module>":
        return _Origin(module, None, None)
    function = frame.f_globals.get(code.co_name)
    if getattr(function, "__code__", None) is not code:
        return None  # a method or a nested function: not a factory a spec can name
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    values = [reference(frame.f_locals.get(name)) for name in names]
    return _Origin(module, code.co_name, None if None in values else [f"{n}={v}" for n, v in zip(names, values)])


DJANGO_SETTINGS = "DJANGO_SETTINGS_MODULE"


def _django_spec(app: Any) -> str | None:
    """A Django project builds no app object the suite could be seen making: its WSGI application
    (settings.WSGI_APPLICATION) is the app, under the settings the suite ran with (decompose_runtime.django_data)."""
    try:
        from . import django_data
    except ImportError:
        return None
    return django_data.app_spec() if django_data.serves(app) else None


class Sightings:
    def __init__(self, environ: dict[str, str] | None = None) -> None:
        self.origins: Any = weakref.WeakKeyDictionary()
        self.fallback: dict[int, _Origin] = {}  # apps that take no weak reference
        self.reach: dict[str, int] = {}
        self.baseline = dict(os.environ if environ is None else environ)
        self.envs: list[dict[str, str]] = []

    def built(self, app: Any, frame: Any) -> None:
        found = origin(frame, app)
        if found is None:
            return
        try:
            self.origins.setdefault(app, found)
        except TypeError:
            self.fallback.setdefault(id(app), found)

    def reached(self, app: Any, environ: dict[str, str] | None = None) -> str | None:
        """A test's first request reached `app`: count its spec, note the environment the suite set;
        returns the spec (the scenario replays on it when it is not the world's)."""
        try:
            found = self.origins.get(app)
        except TypeError:
            found = self.fallback.get(id(app))
        spec = found.spec(app) if found else _django_spec(app)
        if spec:
            self.reach[spec] = self.reach.get(spec, 0) + 1
        now = dict(os.environ if environ is None else environ)
        seen = {k: v for k, v in now.items() if self.baseline.get(k) != v and not k.startswith(IGNORED_ENV)}
        if spec and DJANGO_SETTINGS in now and _django_spec(app):
            seen[DJANGO_SETTINGS] = now[DJANGO_SETTINGS]  # the suite's settings, however they were chosen
        self.envs.append(seen)
        return spec

    def environment(self) -> dict[str, str]:
        """What every test saw set the same way (a value that changes between tests is the test's own)."""
        if not self.envs:
            return {}
        common = dict(self.envs[0])
        for seen in self.envs[1:]:
            common = {k: v for k, v in common.items() if seen.get(k) == v}
        return dict(sorted(common.items()))

    def to_json(self) -> dict[str, Any]:
        apps = [{"spec": spec, "tests": n} for spec, n in sorted(self.reach.items(), key=lambda item: (-item[1], item[0]))]
        return {"apps": apps, "env": self.environment()}


# --- reading a spec back (decompose_runtime.host and in-process replay build the app from it) ---------

def split(spec: str) -> tuple[str, str, str | None]:
    """"pkg.app:create_app('testing')" -> ("pkg.app", "create_app", "('testing')"); no call: None."""
    module, _, rest = spec.partition(":")
    attribute, paren, call = rest.partition("(")
    return module.strip(), attribute.strip(), (paren + call) if paren else None


def arguments(call: str, root: str | None = None) -> tuple[list[Any], dict[str, Any]]:
    """The arguments of a spec's call: Python literals, and `module.Name` references imported here (or,
    failing that, from the module's file under `root`: a service replaying contracts finds the suite's
    configuration class in the monolith's tests). Nothing else is evaluated; anything else is a
    ValueError naming it."""
    import ast

    tree = ast.parse(f"f{call}", mode="eval").body
    if not isinstance(tree, ast.Call):
        raise ValueError(f"{call!r} is not a call's arguments")
    args = [_value(node, root) for node in tree.args]
    kwargs = {}
    for keyword in tree.keywords:
        if keyword.arg is None:
            raise ValueError("**arguments are not allowed in an app spec")
        kwargs[keyword.arg] = _value(keyword.value, root)
    return args, kwargs


def _value(node: Any, root: str | None = None) -> Any:
    import ast

    try:
        return ast.literal_eval(node)
    except ValueError:
        pass
    dotted = []
    while isinstance(node, ast.Attribute):
        dotted.insert(0, node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or not dotted:
        raise ValueError(f"{ast.dump(node)[:60]}: an app spec's arguments are literals or module.Name references")
    return _imported([node.id, *dotted], root)


def _imported(parts: list[str], root: str | None = None) -> Any:
    """module.Name (or module.Class.attribute): the longest importable module prefix, then attributes;
    else the longest prefix that is a file under `root`, loaded under a private name."""
    import importlib

    for cut in range(len(parts) - 1, 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            return _attributes(found, parts[cut:])
        except AttributeError:
            if not root:
                raise
            break  # a same-named package of this process (a service's own tests/): not the one meant
    for cut in range(len(parts) - 1, 0, -1) if root else ():
        found = _from_file(root, parts[:cut])
        if found is not None:
            return _attributes(found, parts[cut:])
    raise ValueError(f"{'.'.join(parts)}: no module of it imports")


def _attributes(found: Any, names: list[str]) -> Any:
    for name in names:
        found = getattr(found, name)
    return found


def _from_file(root: str, parts: list[str]) -> Any:
    """The module `parts` names, executed from its file under `root` (None when there is none)."""
    import importlib.util

    base = os.path.join(root, *parts)
    for path in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.isfile(path):
            name = "_decompose_world." + ".".join(parts)
            if name in sys.modules:
                return sys.modules[name]
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
            return module
    return None
