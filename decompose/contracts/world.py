"""The world a scenario is replayed in: a fresh scratch folder and environment per scenario (from the
plan's [contracts] table), and the monolith's app loaded from its `module:attribute`.

    world = World(settings, scratch_root)
    env = world.fresh()                  # {scratch} -> scratch_root/scenario-N, made empty
    app = load_app("shop.app:create_app", root)   # a factory is called; an app is returned as is
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from decompose.contracts.settings import Settings
from decompose.errors import UserError
from decompose.gateway import host
from decompose.gateway.host import is_asgi  # noqa: F401  (targets and calibration take it from here)
from decompose.generation.runtime.reset import SCRATCH

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
        env = {name: value.replace("{scratch}", str(folder)) for name, value in sorted(self.settings.env.items())}
        env[SCRATCH] = str(folder.resolve())  # the services of one fleet share their database there (appcall)
        return env


def load_app(spec: str | None, root: Path) -> Any:
    """The WSGI/ASGI app `spec` names, imported with `root` on sys.path; a plain function is a factory."""
    if not spec:
        raise UserError("the monolith's app is not configured for in-process replay", FIX)
    try:
        return host.load_app(spec, root)
    except host.AppError as error:
        raise UserError(str(error), f"check the name and that it imports from {root}" if "importing" in str(error)
                        else FIX) from error
