"""The world a scenario is replayed in: a fresh scratch folder and environment per scenario (from the
plan's [contracts] table), and the monolith's app loaded from its `module:attribute`.

    world = World(settings, scratch_root)
    env = world.fresh()                  # {scratch} -> scratch_root/scenario-N, made empty
    app = load_app("shop.app:create_app", root)   # a factory is called; an app is returned as is
"""

from __future__ import annotations

import importlib
import inspect
import shutil
import sys
from pathlib import Path
from typing import Any

from decompose.contracts.settings import Settings
from decompose.errors import UserError

FIX = "set [contracts] app in the plan to the monolith's app or app factory, e.g. \"shop.app:create_app\""


class World:
    def __init__(self, settings: Settings, root: Path) -> None:
        self.settings = settings
        self.root = root
        self.count = 0

    def fresh(self) -> dict[str, str]:
        """The environment for the next scenario: {scratch} is a new, empty folder."""
        self.count += 1
        folder = self.root / f"scenario-{self.count}"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        return {name: value.replace("{scratch}", str(folder)) for name, value in sorted(self.settings.env.items())}


def load_app(spec: str | None, root: Path) -> Any:
    """The WSGI/ASGI app `spec` names, imported with `root` on sys.path; a plain function is a factory."""
    if not spec:
        raise UserError("the monolith's app is not configured for in-process replay", FIX)
    module_name, _, attribute = spec.partition(":")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # user code: any import failure is theirs to see
        raise UserError(f"[contracts] app {spec}: importing {module_name} failed ({type(error).__name__}: {error})",
                        f"check the name and that it imports from {root}") from error
    found = getattr(module, attribute, None)
    if found is None:
        raise UserError(f"[contracts] app {spec}: {module_name} has no {attribute!r}", FIX)
    if inspect.isfunction(found):
        found = found()
    if not callable(found):
        raise UserError(f"[contracts] app {spec}: {type(found).__name__} is not a WSGI or ASGI app", FIX)
    return found


def is_asgi(app: Any) -> bool:
    return inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(type(app).__call__)
