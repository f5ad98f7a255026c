"""The monolith's own distribution metadata, shipped in the shared layer.

Apps read their own version at import time (`importlib.metadata.version("lnbits")`); in the
monolith's environment the project is installed (often editable), in a Lambda it is not: the
layer's python/ folder then gets a minimal `<name>-<version>.dist-info` so the same call answers
the same version. The name and version come from the project's pyproject.toml (PEP 621 `[project]`,
else `[tool.poetry]`); a dynamic version is taken from the monolith's environment.
"""

from __future__ import annotations

import re
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError

from decompose.interpreter import Installed

SEARCH_UP = 2  # the source root, then its parents (a backend/ folder in a repository)


def dist_info(root: Path, installed: Installed | None) -> dict[str, bytes]:
    """Files (relative to the layer's python/ folder) of the project's dist-info; none when the project
    declares no name or no version can be found."""
    found = _declared(root)
    if found is None:
        return {}
    name, version = found
    version = version or (installed.version(name) if installed else None)
    if not version:
        return {}
    folder = f"{re.sub(r'[-_.]+', '_', name)}-{version.replace('-', '_')}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    return {f"{folder}/METADATA": metadata.encode(), f"{folder}/INSTALLER": b"decompose\n"}


def _declared(root: Path) -> tuple[str, str | None] | None:
    for folder in [root, *root.resolve().parents][: SEARCH_UP + 1]:
        path = folder / "pyproject.toml"
        if path.is_file():
            return _from_pyproject(path)
    return None


def _from_pyproject(path: Path) -> tuple[str, str | None] | None:
    try:
        data = tomlkit.parse(path.read_text(encoding="utf-8")).unwrap()
    except (OSError, UnicodeDecodeError, TOMLKitError):
        return None  # not ours to judge: the project's own tools report it
    for table in (data.get("project"), data.get("tool", {}).get("poetry")):
        if isinstance(table, dict) and isinstance(table.get("name"), str):
            version = table.get("version")
            return table["name"], version if isinstance(version, str) and version else None
    return None
