"""The [contracts] world inferred from a recording: which app, built how, and the plan table written from it."""

from __future__ import annotations

import json
import textwrap

import pytest

from decompose.contracts import inferred, sightings
from decompose.contracts.settings import read
from decompose.gateway.host import AppError, load_app


def recording(tmp_path, world, name="recording-1.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"format": 1, "scenarios": [], "world": world}))
    return path


def test_the_app_most_tests_reached_is_chosen_and_temporary_values_are_dropped(tmp_path):
    path = recording(tmp_path, {"apps": [{"spec": "b:app", "tests": 2}, {"spec": "a:create_app('testing')", "tests": 7}],
                                "env": {"MODE": "test", "DATA": "/tmp/pytest-of-root/pytest-3/data0"}})
    found = inferred.infer([tmp_path / "absent.json", path])
    assert found == inferred.Inferred("a:create_app('testing')", 7, 9, {"MODE": "test"})
    assert inferred.infer([recording(tmp_path, {"apps": []}, "empty.json")]) is None


def test_the_table_is_written_into_a_plan_without_an_app_and_never_over_one(tmp_path):
    plan = tmp_path / "decompose.toml"
    plan.write_text('schema_version = 1\n')
    found = inferred.Inferred("pkg:create_app(config_name='testing')", 3, 4, {"MODE": "test"})
    assert inferred.write(plan, found)
    settings = read(plan)
    assert settings.app == "pkg:create_app(config_name='testing')" and settings.env == {"MODE": "test"}
    assert "# inferred by 'decompose contracts record': the app 3 of the suite's 4 tests" in plan.read_text()
    assert not inferred.write(plan, inferred.Inferred("other:app", 9, 9))
    assert read(plan).app == "pkg:create_app(config_name='testing')"


@pytest.mark.parametrize(("spec", "parts"), [
    ("pkg.app:create_app", ("pkg.app", "create_app", None)),
    ("pkg.app:create_app('testing')", ("pkg.app", "create_app", "('testing')")),
    ("m:f(config=pkg.Config, n=2)", ("m", "f", "(config=pkg.Config, n=2)")),
])
def test_a_spec_splits_into_module_attribute_and_call(spec, parts):
    assert sightings.split(spec) == parts


def test_a_factory_is_called_with_literals_and_module_references_only(tmp_path, monkeypatch):
    (tmp_path / "factory_mod.py").write_text(textwrap.dedent('''
        class TestingConfig:
            NAME = "testing"

        def create_app(name="production", config=None, extra=None):
            def app(environ, start_response):
                return []
            app.seen = (name, config, extra)
            return app
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    app = load_app("factory_mod:create_app('t', config=factory_mod.TestingConfig, extra={'A': 1})", tmp_path)
    assert app.seen[0] == "t" and app.seen[1].NAME == "testing" and app.seen[2] == {"A": 1}
    assert load_app("factory_mod:create_app", tmp_path).seen == ("production", None, None)
    with pytest.raises(AppError, match="literals or module.Name references"):
        load_app("factory_mod:create_app(__import__('os').getcwd())", tmp_path)
    with pytest.raises(AppError, match="no module of it imports"):
        load_app("factory_mod:create_app(config=nowhere.Config)", tmp_path)


def test_a_recorder_wrapper_between_the_constructor_and_the_project_is_not_the_factory():
    """decompose's own recorder may wrap the runtime's copy: its frame is neither the app's builder nor foreign."""
    import sys

    caught = {}
    wrapper_globals = {"__name__": "decompose_runtime.recorder", "caught": caught, "sys": sys}
    exec("def constructed():\n    caught['frame'] = sys._getframe(0)\n", wrapper_globals)
    module_globals = {"__name__": "shop.main", "constructed": wrapper_globals["constructed"]}
    exec(compile("constructed()\n", "/project/shop/main.py", "exec"), module_globals)
    found = sightings.origin(caught["frame"])
    assert found is not None and (found.module, found.factory) == ("shop.main", None)
