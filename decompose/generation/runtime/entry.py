"""A service's Chalice entry when the monolith has a top-level module of the same name, `app`.

Chalice, `chalice local` and Lambda all load a service as `importlib.import_module("app")` followed by
`getattr(module, "app")`, so the entry file must be `app.py` at the service's root. A monolith built as
a package named `app` (Flasky's layout, the FastAPI project template) imports `from app import
create_app` or `from app.main import ...`: with the entry on the path first, those reach the entry
(`'app' is not a package`). Two modules cannot share one name in an interpreter, so the entry steps
aside: while it runs, it loads the monolith's own `app` (from the service's code and the shared
layer, never from the service folder) into `sys.modules["app"]`; the import of the entry then returns
that module (the import system returns what `sys.modules` holds when the entry's code ends), and
`expose` sets the Chalice app as its attribute `app`, the only name the loaders read.

A monolith module that binds a name `app` of its own (`app = Flask(__name__)` in `app/__init__.py`)
cannot also hold Chalice's: that stops with an ImportError saying so, never a silent swap.
Standard library only: this runs in the monolith's interpreter (CPython 3.9+).
"""

import importlib
import importlib.abc
import importlib.machinery
import os
import sys


class _Elsewhere(importlib.abc.MetaPathFinder):
    """Finds `name` on the path without the service's own folder (where the entry file is)."""

    def __init__(self, name, folder):
        self.name = name
        self.folder = os.path.normcase(os.path.abspath(folder))

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        elsewhere = [p for p in sys.path if os.path.normcase(os.path.abspath(p or os.curdir)) != self.folder]
        return importlib.machinery.PathFinder.find_spec(fullname, elsewhere)


def step_aside(name, entry_file):
    """Put the monolith's own module `name` in sys.modules in place of the entry being imported."""
    sys.modules.pop(name, None)
    finder = _Elsewhere(name, os.path.dirname(os.path.abspath(entry_file)))
    sys.meta_path.insert(0, finder)
    try:
        module = importlib.import_module(name)
    finally:
        sys.meta_path.remove(finder)
    inside = [os.path.join(folder, name) for folder in getattr(module, "__path__", ())]
    if hasattr(module, name) or any(os.path.exists(p + ".py") or os.path.isdir(p) for p in inside):
        raise ImportError(f"the monolith's module {name!r} ({getattr(module, '__file__', None)}) binds a name "
                          f"{name!r} itself (or has a submodule of that name), which Chalice loads as this service's entry ({entry_file}): rename "
                          f"that name in the monolith, or its module, and generate again")
    return module


def expose(name, chalice_app, **also):
    """Chalice's app as the attribute the loaders read, on the module the import of `name` returns;
    `also`: what the generated tests import beside it (`from app import BRIDGE, app`)."""
    setattr(sys.modules[name], name, chalice_app)
    for attribute, value in also.items():
        setattr(sys.modules[name], attribute, value)
