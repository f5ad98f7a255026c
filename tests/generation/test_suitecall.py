"""suitecall: the factory call a monolith's own tests make, for its services' generated tests."""

from __future__ import annotations

from decompose.generation.suitecall import EntryCall, entry_call, needs_arguments, suite_call, suite_env
from tests.helpers import write_tree


def test_the_suites_most_frequent_literal_call_is_taken(tmp_path):
    write_tree(tmp_path, {
        "tests/conftest.py": "from app import create_app\napp = create_app('testing')\n",
        "tests/test_a.py": "import app\n\ndef test_x():\n    app.create_app('testing')\n    app.create_app('production')\n",
    })
    assert suite_call("app:create_app", tmp_path.rglob("*.py")) == "app:create_app('testing')"


def test_keywords_and_containers_are_literals_too(tmp_path):
    write_tree(tmp_path, {"tests/conftest.py": "create_app(config={'TESTING': True}, debug=False)\n"})
    assert suite_call("shop:create_app", tmp_path.rglob("*.py")) == "shop:create_app(config={'TESTING': True}, debug=False)"


def test_calls_with_names_or_no_arguments_tell_nothing(tmp_path):
    write_tree(tmp_path, {"tests/conftest.py": """
        from app import create_app
        config = {"TESTING": True}
        create_app(config)
        create_app()
        create_app(**config)
        create_app({"UPLOADS": str(tmp)})
        other_factory("testing")
    """})
    assert suite_call("app:create_app", tmp_path.rglob("*.py")) is None


def test_a_file_that_does_not_parse_is_skipped(tmp_path):
    write_tree(tmp_path, {"tests/broken.py": "def (:\n", "tests/conftest.py": "create_app('testing')\n"})
    assert suite_call("app:create_app", tmp_path.rglob("*.py")) == "app:create_app('testing')"


def test_a_tie_is_broken_by_the_text_so_the_output_never_depends_on_file_order(tmp_path):
    write_tree(tmp_path, {"tests/a.py": "create_app('zeta')\n", "tests/b.py": "create_app('alpha')\n"})
    assert suite_call("app:create_app", reversed(sorted(tmp_path.rglob("*.py")))) == "app:create_app('alpha')"


def test_only_a_factory_that_cannot_be_called_bare_needs_the_suites_arguments(tmp_path):
    write_tree(tmp_path, {"app.py": """
        def create_app(config_name):
            pass

        def make_app(config=None, *, debug=False):
            pass

        def build(*, settings):
            pass

        async def lifespan_app(options):
            pass
    """})
    source = tmp_path / "app.py"
    assert needs_arguments(source, "create_app") and needs_arguments(source, "build")
    assert needs_arguments(source, "lifespan_app")
    assert not needs_arguments(source, "make_app")  # its defaults are the app's own: kept
    assert not needs_arguments(source, "missing") and not needs_arguments(tmp_path / "gone.py", "create_app")


def test_a_deployed_service_builds_the_factory_as_the_entry_module_does(tmp_path):
    """flasky.py: `app = create_app(os.getenv('FLASK_CONFIG') or 'default')`; the bare call a deployed service
    made failed with 'missing 1 required positional argument: config_name'."""
    write_tree(tmp_path, {
        "flasky.py": "import os\nimport click\nfrom app import create_app, db\n\n"
                     "app = create_app(os.getenv('FLASK_CONFIG') or 'default')\n",
    })
    found = entry_call("app:create_app", [("flasky.py", tmp_path / "flasky.py")])
    assert found == EntryCall("os.getenv('FLASK_CONFIG') or 'default'", ("os",), "flasky.py")


def test_an_entry_call_with_names_of_the_monolith_or_unpacked_arguments_is_not_copied(tmp_path):
    write_tree(tmp_path, {
        "autoapp.py": "from shop.app import create_app\nfrom shop.settings import DevConfig\n\napp = create_app(DevConfig)\n",
        "manage.py": "import os\nfrom shop.app import create_app\n\napp = create_app(**os.environ)\n",
        "wsgi.py": "import os as system\nfrom shop.app import create_app\n\napp = create_app(system.getenv('CONFIG'))\n",
        "other.py": "import os\nfrom elsewhere import create_app\n\napp = create_app(os.getenv('X'))\n",
        "broken.py": "app = create_app(\n",
    })
    modules = [(name, tmp_path / name) for name in ("autoapp.py", "manage.py", "wsgi.py", "other.py", "broken.py", "gone.py")]
    assert entry_call("shop.app:create_app", modules) is None


def test_literal_arguments_are_copied_and_the_first_module_in_the_given_order_wins(tmp_path):
    write_tree(tmp_path, {
        "wsgi.py": "from app import create_app\napplication = create_app('production', debug=False)\n",
        "pkg/run.py": "from app import create_app\napp = create_app('development')\n",
    })
    modules = [("wsgi.py", tmp_path / "wsgi.py"), ("pkg/run.py", tmp_path / "pkg/run.py")]
    assert entry_call("app:create_app", modules) == EntryCall("'production', debug=False", (), "wsgi.py")


def test_the_environment_a_conftest_sets_at_its_top_is_the_suites(tmp_path):
    # mealie's shape: a module-level MonkeyPatch sets the variables, then the app is imported
    write_tree(tmp_path, {"tests/conftest.py": """
        import os
        from os import environ
        from pytest import MonkeyPatch

        mp = MonkeyPatch()
        mp.setenv("PRODUCTION", "True")
        os.environ["TESTING"] = "1"
        os.environ.setdefault("DATA_DIR", "tests/.temp")
        environ.update({"ALLOW_SIGNUP": "True"}, API_KEY="dummy")
        os.environ["PORT"] = str(9000)
        mp.setenv(NAME, "computed")

        def pytest_configure(config):
            os.environ["LATER"] = "1"

        @fixture
        def settings(monkeypatch):
            monkeypatch.setenv("IN_A_FIXTURE", "1")
        """})
    assert suite_env(tmp_path.rglob("conftest.py")) == {
        "ALLOW_SIGNUP": "True", "API_KEY": "dummy", "DATA_DIR": "tests/.temp", "PRODUCTION": "True", "TESTING": "1"}


def test_a_variable_two_conftests_set_differently_is_left_out(tmp_path):
    write_tree(tmp_path, {"conftest.py": "import os\nos.environ['MODE'] = 'unit'\nos.environ['DEBUG'] = '0'\n",
                          "tests/conftest.py": "import os\nos.environ['MODE'] = 'api'\nos.environ['DEBUG'] = '0'\n",
                          "tests/broken/conftest.py": "os.environ['X' = \n"})
    assert suite_env(tmp_path.rglob("conftest.py")) == {"DEBUG": "0"}
