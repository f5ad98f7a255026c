"""ownmeta: the project's own dist-info in the layer, so `importlib.metadata.version(<app>)` answers."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

from decompose.generation.ownmeta import dist_info
from decompose.interpreter import Installed


def _write(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)


def test_a_pep621_project_gets_a_dist_info_importlib_reads(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "zoo-shop.app"\nversion = "1.5.2-rc3"\n')
    files = dist_info(tmp_path / "src", None)  # found one level up (a backend/ root inside the repository)
    assert sorted(files) == ["zoo_shop_app-1.5.2_rc3.dist-info/INSTALLER", "zoo_shop_app-1.5.2_rc3.dist-info/METADATA"]
    layer = tmp_path / "layer"
    _write(layer, files)
    sys.path.insert(0, str(layer))
    try:
        assert importlib.metadata.version("zoo-shop.app") == "1.5.2-rc3"
    finally:
        sys.path.remove(str(layer))


def test_a_poetry_project_with_a_dynamic_version_takes_the_installed_one(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.poetry]\nname = "shop"\n')
    assert dist_info(tmp_path, None) == {}
    installed = Installed(owners={"shop": ["shop"]}, versions={"shop": "0.3.0"})
    assert b"Version: 0.3.0\n" in dist_info(tmp_path, installed)["shop-0.3.0.dist-info/METADATA"]


def test_no_project_name_or_a_broken_file_ships_nothing(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    assert dist_info(tmp_path, None) == {}
    (tmp_path / "pyproject.toml").write_text("[project\nname=")
    assert dist_info(tmp_path, None) == {}
