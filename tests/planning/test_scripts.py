"""decompose.planning.scripts: modules run by hand (seed data, wait-for-database, manage.py, Django management
commands) stay out of the plan's services and out of the Lambdas; the entry, imported modules and
route modules never count as scripts."""

from __future__ import annotations

from decompose.planning.elements import element_graph
from decompose.planning.scripts import scripts
from tests.helpers import analyse

FILES = {
    "shop/__init__.py": "",
    "shop/db.py": """
        import sqlite3

        def connect():
            return sqlite3.connect(":memory:")

        def seed(conn):
            conn.execute("create table t (x)")
    """,
    "shop/main.py": """
        from flask import Flask
        from shop.views import bp

        app = Flask(__name__)
        app.register_blueprint(bp)

        if __name__ == "__main__":
            app.run()
    """,
    "shop/views.py": """
        from flask import Blueprint
        from shop.db import connect

        bp = Blueprint("shop", __name__)

        @bp.route("/items")
        def items():
            return {"n": len(connect().execute("select 1").fetchall())}

        if __name__ == "__main__":
            print(items())
    """,
    "shop/initial_data.py": """
        from shop.db import connect, seed

        def main():
            seed(connect())

        if __name__ == "__main__":
            main()
    """,
    "shop/helpers.py": """
        from shop.db import connect

        def count():
            return connect()

        if "__main__" == __name__:
            count()
    """,
    "shop/uses_helpers.py": "from shop.helpers import count\n",
    "shop/notes.py": "def unused():\n    return 1\n",
    "shop/management/__init__.py": "",
    "shop/management/commands/__init__.py": "",
    "shop/management/commands/reindex.py": """
        class Command:
            def handle(self):
                return "done"
    """,
    "tests/test_data.py": "from shop.initial_data import main\n",
    "serve.py": """
        import argparse

        parser = argparse.ArgumentParser()
        parser.add_argument("--port", default=5000)
        args = parser.parse_args()

        from shop.main import app

        app.run(port=args.port)
    """,
    "dump.py": """
        import sys

        from shop.main import app
        from shop.db import connect

        with app.app_context():
            rows = connect().execute("select 1").fetchall()
            if len(sys.argv) > 1:
                print(rows)
    """,
    "wait_for_db.py": """
        import asyncio

        async def main():
            return 1

        asyncio.run(main())
    """,
    "ping_db.py": """
        import time

        from shop.db import connect

        if connect() is None:
            exit(0)
        while True:
            time.sleep(1)
    """,
    "configure.py": """
        import sys

        from shop.main import app

        VERBOSE = "--verbose" in sys.argv

        def run(argv=sys.argv):
            app.run()

        class Runner:
            def go(self):
                run()
    """,
}


def test_scripts_are_the_unimported_route_less_main_guarded_modules_and_management_commands(tmp_path):
    analysis = analyse(tmp_path, FILES)
    assert scripts(analysis, tmp_path) == {"shop.initial_data", "shop.management.commands.reindex",
                                           "serve", "dump", "wait_for_db", "ping_db"}
    # main.py builds the app (the entry), views.py holds a route, helpers.py is imported by the app (a test
    # importing initial_data does not count), notes.py has no main guard, configure.py only tests sys.argv
    # (`"--verbose" in sys.argv`), names it in a default argument and runs the app inside functions: none is a
    # script. serve.py reads the command line and
    # runs the server, dump.py works in the app's context, wait_for_db.py and ping_db.py run a loop or exit, all
    # at import.


def test_the_plan_s_element_graph_leaves_scripts_out(tmp_path):
    analysis = analyse(tmp_path, FILES)
    graph = element_graph(analysis, scripts(analysis, tmp_path))
    assert "shop.initial_data" not in graph.members and "shop.initial_data:main" not in graph.elements
    assert "shop.db" in graph.members and graph.scripts == {"shop.initial_data", "shop.management.commands.reindex",
                                                                 "serve", "dump", "wait_for_db", "ping_db"}


def test_an_unreadable_file_is_not_a_script(tmp_path):
    analysis = analyse(tmp_path, FILES)
    (tmp_path / "shop" / "initial_data.py").unlink()
    assert scripts(analysis, tmp_path) == {"shop.management.commands.reindex", "serve", "dump", "wait_for_db", "ping_db"}


def test_django_s_settings_module_is_still_read_from_manage_py_which_is_not_shipped(tmp_path):
    from decompose.generation.django import settings_module
    from decompose.generation.layout import Sources

    analysis = analyse(tmp_path, {
        "manage.py": """
            import os
            import sys

            def main():
                os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings.dev")
                from django.core.management import execute_from_command_line
                execute_from_command_line(sys.argv)

            if __name__ == "__main__":
                main()
        """,
        "proj/__init__.py": "",
        "proj/urls.py": "urlpatterns = []\n",
        "proj/settings/__init__.py": "",
        "proj/settings/base.py": 'ROOT_URLCONF = "proj.urls"\nDEBUG = False\n',
        "proj/settings/dev.py": 'from proj.settings.base import *  # noqa\nROOT_URLCONF = "proj.urls"\nDEBUG = True\n',
    })
    sources = Sources.of(analysis, tmp_path)
    assert "manage" in sources.scripts and "manage" not in sources.modules
    assert settings_module(sources, set(sources.modules)) == "proj.settings.dev"


def test_a_module_the_app_imports_a_name_through_is_no_script(tmp_path):
    """lnbits' app.py does `from .commands import migrate_databases`, a name commands.py imports from
    core.helpers: the analysis points the import at core.helpers, through commands (`via`). commands.py, a
    click CLI with a main guard, was taken for a script and left out: the layer's app.py then failed with
    NameError: name 'migrate_databases' is not defined."""
    files = {**FILES,
             "shop/commands.py": """
                 from shop.db import seed

                 def cli():
                     return seed

                 if __name__ == "__main__":
                     cli()
             """,
             "shop/startup.py": "from shop.commands import seed\n\nSEED = seed\n"}
    analysis = analyse(tmp_path, files)
    assert "shop.commands" not in scripts(analysis, tmp_path)
