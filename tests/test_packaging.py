"""The wheel must contain every package and the templates (pyproject.toml lists packages by hand)."""

from pathlib import Path

import tomlkit

from decompose.resources import templates_dir

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_in_pyproject():
    listed = {str(p) for p in tomlkit.parse((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]}
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "decompose").rglob("__init__.py")}
    assert found | {"decompose.templates"} == listed


def test_templates_are_reachable_from_the_installed_package():
    assert (templates_dir() / "README.md").is_file()
