"""cwdpaths: data folders named relative to the monolith's working folder are found from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from decompose.generation.cwdpaths import data_test, rewrite, working_folders
from decompose.generation.render import RUNTIME

TOPS = {"shop"}

SOURCE = '''\
from pathlib import Path

from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

STATIC = StaticFiles(directory=Path("shop", "static"), check_dir=False)
PAGES = Jinja2Templates(directory=["shop/templates", "shop/core/templates"])
LOGO = Path("shop/static") / "logo.svg"
NOT_DATA = ("shop/views.py", "shop/core", "shop/missing", "/shop/static", "shop", "other/static", b"shop/static")
KEY = Path("shop", ".secret")
'''


def _monolith(root: Path) -> None:
    for rel in ("shop/__init__.py", "shop/views.py", "shop/core/__init__.py", "shop/static/logo.svg",
                "shop/templates/index.html", "shop/core/templates/base.html", "other/static/x.css"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x")


def test_data_literals_are_rewritten_and_nothing_else(tmp_path: Path) -> None:
    _monolith(tmp_path)
    text = rewrite(SOURCE, TOPS, data_test(tmp_path, TOPS))
    found = '__import__("decompose_runtime.datapaths").datapaths.found'
    assert f"StaticFiles(directory=Path({found}('shop/static')), check_dir=False)" in text
    assert f"[{found}('shop/templates'), {found}('shop/core/templates')]" in text
    assert f"LOGO = Path({found}('shop/static')) / \"logo.svg\"" in text
    assert SOURCE.splitlines()[8] in text.splitlines() and SOURCE.splitlines()[9] in text.splitlines()
    compile(text, "shop/app.py", "exec")


def test_a_module_without_such_literals_is_returned_as_it_is(tmp_path: Path) -> None:
    _monolith(tmp_path)
    plain = 'import os\nNAME = "catalogue"  # shop\n'
    assert rewrite(plain, TOPS, data_test(tmp_path, TOPS)) is plain


def test_found_looks_on_the_path_when_the_working_folder_lacks_it(tmp_path: Path) -> None:
    layer = tmp_path / "layer"
    (layer / "shop" / "static").mkdir(parents=True)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    probe = ("import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]; from decompose_runtime.datapaths import found; "
             "print(found('shop/static')); print(found('shop/nowhere'))")
    runtime_parent = tmp_path / "rt"
    (runtime_parent / "decompose_runtime").mkdir(parents=True)
    (runtime_parent / "decompose_runtime" / "__init__.py").write_text("")
    (runtime_parent / "decompose_runtime" / "datapaths.py").write_bytes((RUNTIME / "datapaths.py").read_bytes())
    out = subprocess.run([sys.executable, "-c", probe, str(runtime_parent), str(layer)], cwd=scratch,
                         capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": ""}).stdout
    assert out.splitlines() == [str(layer / "shop" / "static"), "shop/nowhere"]


def test_an_empty_package_folder_is_made_in_a_services_working_folder(tmp_path):
    """lnbits scans `Path(settings.lnbits_extensions_path, "extensions")`, a path no literal names, an empty
    folder of its package: the service's working folder gets it before the app is built."""
    root = tmp_path / "monolith"
    for folder in ("shop/extensions", "shop/static/css", "shop/__pycache__", "shop/.cache", "other/empty"):
        (root / folder).mkdir(parents=True)
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "static" / "css" / "site.css").write_text("body {}\n")
    assert working_folders(root, {"shop", "other"}) == ["shop/extensions"]  # other/ is no package

    service = tmp_path / "service"
    service.mkdir()
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from decompose_runtime_copy import datapaths; "
            "datapaths.make_working_folders(['shop/extensions', 'shop/plugins/x']); "
            "import os; print(sorted(os.listdir('shop')), os.listdir('shop/extensions'))")
    runtime = tmp_path / "rt" / "decompose_runtime_copy"
    runtime.mkdir(parents=True)
    (runtime / "__init__.py").write_text("")
    (runtime / "datapaths.py").write_bytes((RUNTIME / "datapaths.py").read_bytes())
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "rt")], cwd=service, capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONPATH": ""})
    assert done.stdout.split("\n")[0] == "['extensions', 'plugins'] []"
