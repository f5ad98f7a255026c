"""classify.is_submodule: `pkg.name` is the submodule unless the package's __init__ binds the name to
something else (mealie's `routes/_base/__init__.py`: `from .controller import controller`)."""

from __future__ import annotations

from dataclasses import dataclass

from decompose.generation import classify
from decompose.generation.source import parse


@dataclass
class Info:
    is_package: bool


class Sources:
    """The three things is_submodule reads, over a dict of module -> source."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files
        self.modules = {m: Info(m == "kit.base") for m in files}
        self.symbols = {"kit.base.controller:controller": None}

    def is_module(self, name: str) -> bool:
        return name in self.modules

    def parsed(self, module: str):
        return parse(module, self.files[module], self.modules[module].is_package, f"{module}.py")


CONTROLLER = "def controller(router):\n    return lambda cls: cls\n"


def test_a_name_the_package_imports_from_its_submodule_is_that_object_not_the_submodule() -> None:
    sources = Sources({"kit.base": "from .controller import controller\n", "kit.base.controller": CONTROLLER})
    assert not classify.is_submodule(sources, "kit.base", "controller")


def test_a_package_that_imports_the_submodule_itself_hands_out_the_submodule() -> None:
    sources = Sources({"kit.base": "from . import controller\n", "kit.base.controller": CONTROLLER})
    assert classify.is_submodule(sources, "kit.base", "controller")
    sources = Sources({"kit.base": "", "kit.base.controller": CONTROLLER})
    assert classify.is_submodule(sources, "kit.base", "controller")
    assert not classify.is_submodule(sources, "kit.base", "missing")
