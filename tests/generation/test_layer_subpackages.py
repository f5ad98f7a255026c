"""A package split over the layer and a service: its service copy's folder lists the subpackages the layer
holds (CTFd's get_plugin_names lists CTFd/plugins/ beside its own file and loads each plugin it finds), and
importing one still finds the layer's package."""

import os
import subprocess
import sys
from pathlib import Path

from decompose.generation.render import LAYER_MARKER, _layer_subpackages_listed
from decompose.generation.views import EXTEND_PATH

FILES = {
    "shared/python/ctf/__init__.py": EXTEND_PATH,
    "shared/python/ctf/plugins/__init__.py": EXTEND_PATH + "def load(app): ...\n",
    "shared/python/ctf/plugins/badges/__init__.py": "NAME = 'badges'\n",
    "shared/python/ctf/plugins/flags/__init__.py": "NAME = 'flags'\n",
    "shared/python/ctf/plugins/flags/assets/flag.txt": b"flag\n",
    "shop/chalicelib/src/ctf/__init__.py": '"""stub"""\n' + EXTEND_PATH,
    "shop/chalicelib/src/ctf/plugins/__init__.py": EXTEND_PATH + (
        "import os\nNAMES = sorted(n for n in os.listdir(os.path.dirname(__file__)) if not n.startswith('_')"
        " and os.path.isdir(os.path.join(os.path.dirname(__file__), n)))\n"),
    "shop/chalicelib/src/ctf/plugins/flags/__init__.py": "NAME = 'the service copy'\n",
    "shop/chalicelib/src/ctf/views.py": "",
    "plain/chalicelib/src/ctf/views.py": "",  # no package copy: nothing to list
}


def test_each_subpackage_only_the_layer_holds_gets_a_marker_folder_in_the_service_copy():
    found = _layer_subpackages_listed(FILES, ["shop/chalicelib/src", "plain/chalicelib/src"])
    assert sorted(found) == [f"shop/chalicelib/src/ctf/plugins/badges/{LAYER_MARKER}"]  # flags: the service has its own
    assert "ctf.plugins.badges is in the shared layer" in found[f"shop/chalicelib/src/ctf/plugins/badges/{LAYER_MARKER}"]


def test_the_copy_lists_the_layer_s_subpackage_and_importing_it_finds_the_layer_s(tmp_path):
    files = {**FILES, **_layer_subpackages_listed(FILES, ["shop/chalicelib/src"])}
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    probe = "import ctf.plugins, ctf.plugins.badges as b; print(ctf.plugins.NAMES, b.NAME)"
    path = os.pathsep.join(str(tmp_path / p) for p in ("shop/chalicelib/src", "shared/python"))
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": path},
                            cwd=Path(tmp_path), check=True)
    assert result.stdout.split() == ["['badges',", "'flags']", "badges"]
