"""Alembic script folders the layer's code opens at run time (CTFd's factory stamps a new database from
`os.path.join(os.path.dirname(app.root_path), "migrations")`): shipped beside the package in the layer."""

from __future__ import annotations

from decompose.generation.layout import Sources
from decompose.generation.render import _root_files
from decompose.generation.scriptdirs import script_folders
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
