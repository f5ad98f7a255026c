"""suitecall: the factory call a monolith's own tests make, for its services' generated tests."""

from __future__ import annotations

from decompose.generation.suitecall import needs_arguments, suite_call
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
