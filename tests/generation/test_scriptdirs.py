"""Alembic script folders the layer's code opens at run time (CTFd's factory stamps a new database from
`os.path.join(os.path.dirname(app.root_path), "migrations")`): shipped beside the package in the layer."""

from __future__ import annotations

from decompose.generation.layout import Sources, build_layout
from decompose.generation.render import _root_files
from decompose.generation.scriptdirs import alembic_configs, anchored, env_imports, script_folders
from tests.helpers import analyse

PROJECT = {
    "shop/__init__.py": """
        import os
        from flask import Flask

        def stamp_latest(app):
            return os.path.join(os.path.dirname(app.root_path), "migrations")

        def create_app():
            return Flask(__name__)
    """,
    "migrations/env.py": "from alembic import context\n",
    "migrations/script.py.mako": "${message}\n",
    "migrations/versions/0001_initial.py": "revision = '0001'\n",
    "alembic/env.py": "from alembic import context\n",  # never named by the code: not shipped
    "alembic/versions/0001_other.py": "revision = 'x'\n",
    "docs/migrations.md": "text\n",
}


def test_a_named_alembic_folder_goes_to_the_layer_with_its_code(tmp_path):
    sources = Sources.of(analyse(tmp_path, PROJECT), tmp_path)
    assert script_folders(sources, ["shop"]) == ["migrations"]
    assert script_folders(sources, []) == []  # no layer module names it
    shipped = dict(_root_files(sources, ["migrations"], code=True))
    assert sorted(shipped) == ["migrations/env.py", "migrations/script.py.mako", "migrations/versions/0001_initial.py"]


MIGRATING = {
    "shop/__init__.py": """
        from pathlib import Path

        PROJECT_DIR = Path(__file__).parent.parent

        def migrate():
            from alembic.config import Config
            return Config(str(PROJECT_DIR / "alembic.ini"))
    """,
    "alembic.ini": "[alembic]\nscript_location = alembic\nprepend_sys_path = .\nsqlalchemy.url =\n",
    "tox.ini": "[tox]\nenvlist = py312\n",  # not Alembic's: never shipped
    "setup.ini": "[alembic]\nscript_location = alembic\n",  # Alembic's, but no code names it
    "alembic/env.py": "from alembic import context\n",
    "alembic/versions/0001_initial.py": "revision = '0001'\n",
}


def test_a_named_alembic_config_goes_to_the_layer_with_its_paths_beside_it(tmp_path):
    """mealie's lifespan migrates from Config(PROJECT_DIR / "alembic.ini"): every service's startup failed
    without the file, and Alembic reads `script_location = alembic` from the working folder."""
    sources = Sources.of(analyse(tmp_path, MIGRATING), tmp_path)
    assert alembic_configs(sources, ["shop"]) == ["alembic.ini"]
    assert alembic_configs(sources, []) == []
    shipped = anchored(dict(_root_files(sources, ["alembic.ini"]))["alembic.ini"].decode())
    assert shipped == "[alembic]\nscript_location = %(here)s/alembic\nprepend_sys_path = %(here)s\nsqlalchemy.url =\n"


def test_only_paths_relative_to_the_working_folder_are_anchored():
    assert anchored("script_location = /srv/app/alembic\n") == "script_location = /srv/app/alembic\n"
    assert anchored("script_location = myapp:migrations\n") == "script_location = myapp:migrations\n"
    assert anchored("script_location = %(here)s/alembic\n") == "script_location = %(here)s/alembic\n"
    assert anchored("version_locations = ./a b\n") == "version_locations = %(here)s/a %(here)s/b\n"
    assert anchored("sqlalchemy.url = sqlite:///app.db\n") == "sqlalchemy.url = sqlite:///app.db\n"


def test_the_modules_a_shipped_env_py_imports_join_the_layer(tmp_path):
    """mealie's alembic/env.py imports `mealie.db.models._all_models` (star-imports of the models), which the
    plan put in a service: the layer's migrations failed at every service's startup (ModuleNotFoundError)."""
    project = {**MIGRATING,
               "shop/everything.py": "from shop.models import *\n",
               "shop/models.py": "TABLES = []\n",
               "alembic/env.py": "import shop.everything  # noqa: F401\nfrom shop.models import TABLES\nfrom alembic import context\n"}
    sources = Sources.of(analyse(tmp_path, project), tmp_path)
    assert env_imports(sources, ["alembic"]) == {"shop.everything", "shop.models"}
    assert env_imports(sources, []) == set()


def test_the_layout_puts_them_in_the_layer_when_the_layer_ships_the_folder(tmp_path):
    project = {
        "shop/__init__.py": "import os\n\ndef migrations():\n    return os.path.join(os.path.dirname(__file__), '..', 'alembic')\n",
        "shop/everything.py": "from shop.models import *\n",
        "shop/models.py": "TABLES = []\n",
        "alembic/env.py": "import shop.everything  # noqa: F401\nfrom alembic import context\n",
        "alembic/versions/0001_initial.py": "revision = '0001'\n",
    }
    analysis = analyse(tmp_path, project)
    homes = {"shop": "shared", "shop:migrations": "shared", "shop.everything": "orders", "shop.models": "orders",
             "shop.models:TABLES": "orders"}
    layout = build_layout(analysis, homes, Sources.of(analysis, tmp_path), {}, "shop")
    assert layout.layer.modules == {"shop", "shop.everything"}  # what it star-imports, the services provide
    assert layout.layer.promoted["shop.everything"] == "imported by the Alembic env.py the layer ships"
    homes["shop:migrations"] = "orders"  # no layer module names the folder: nothing moves
    homes["shop"] = "orders"
    assert build_layout(analysis, homes, Sources.of(analysis, tmp_path), {}, "shop").layer.modules == set()
