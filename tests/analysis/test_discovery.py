from pathlib import Path

import pytest

from decompose.analysis.discovery import DiscoveryError, discover, role_of
from tests.helpers import write_tree


def modules(root: Path) -> dict[str, str]:
    return {s.module: s.rel for s in discover(root).sources}


def test_a_package_is_named_from_its_parent(tmp_path):
    write_tree(tmp_path, {"shop/__init__.py": "", "shop/a.py": "", "other.py": ""})
    assert modules(tmp_path / "shop") == {"shop": "shop/__init__.py", "shop.a": "shop/a.py"}


def test_django_project_root_next_to_manage_py(tmp_path):
    write_tree(tmp_path, {"README.md": "", "netbox/manage.py": "", "netbox/dcim/__init__.py": "", "netbox/dcim/models.py": ""})
    assert set(modules(tmp_path)) == {"manage", "dcim", "dcim.models"}


def test_hidden_and_vendored_folders_are_skipped(tmp_path):
    write_tree(tmp_path, {"app.py": "", ".venv/x.py": "", "node_modules/y.py": "", "__pycache__/z.py": ""})
    assert set(modules(tmp_path)) == {"app"}


def test_roles():
    assert role_of("shop/tests/test_a.py") == "test"
    assert role_of("shop/conftest.py") == "test"
    assert role_of("shop/migrations/0001_initial.py") == "migration"
    assert role_of("app/alembic/versions/e2412789c190_initialize_models.py") == "migration"
    assert role_of("alembic/env.py") == "migration"
    assert role_of("app/alembic/versions/e2412789c190_initial.py") == "migration"
    assert role_of("app/alembic/env.py") == "migration"
    assert role_of("shop/testing_utils.py") == "app"
    assert role_of("shop/test_models.py") == "test"
    assert role_of("shop/models_test.py") == "test"


def test_settings_named_for_the_suite_are_settings_not_tests():
    # DJANGO_SETTINGS_MODULE = "shop.common.settings.test_settings": the services replaying the suite import it
    assert role_of("shop/common/settings/test_settings.py") == "app"
    assert role_of("shop/settings_test.py") == "app"
    assert role_of("shop/tests/test_settings.py") == "test"  # a suite's own folder stays the suite's
    assert role_of("shop/test_settings_page.py") == "test"  # a test of a settings page


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(DiscoveryError, match="does not exist"):
        discover(tmp_path / "nope")


def test_a_loop_below_a_linked_folder_is_caught(tmp_path):
    """Only links are resolved: a plain folder under a linked one must still know its real place."""
    write_tree(tmp_path, {"app/core/deep/mod.py": "", "app/core/x.py": ""})
    (tmp_path / "app/alias").symlink_to(tmp_path / "app/core")  # a second way into core/
    (tmp_path / "app/core/deep/back").symlink_to(tmp_path / "app")  # from below core/, back to the top
    found = discover(tmp_path / "app")
    assert {f.path: f.kind for f in found.failures} == {"core/deep/back": "symlink-loop"}
    # core/deep is walked once: under alias/ it is known by its real place (core/deep), already seen
    assert {s.module for s in found.sources} == {"alias.x", "core.x", "core.deep.mod"}


def test_a_link_into_a_folder_outside_is_reported_not_walked(tmp_path):
    """Issue #27: what lies outside the folder analysed is never read (analyse the common parent
    to include it)."""
    write_tree(tmp_path, {"app/main.py": "", "shared/lib/util.py": ""})
    (tmp_path / "app/lib").symlink_to(tmp_path / "shared/lib")
    assert set(modules(tmp_path / "app")) == {"main"}
    assert {f.path: f.kind for f in discover(tmp_path / "app").failures} == {"lib": "symlink-outside"}
    assert set(modules(tmp_path)) == {"app.main", "shared.lib.util"}  # inside the tree: each real folder walked once


def test_a_module_named_setup_in_a_namespace_folder_is_not_a_project_root(tmp_path):
    """Corpus styleguide: `config/settings/loggers/{settings,setup}.py` in folders without
    `__init__.py`; taking `setup.py` for a packaging script named both files `settings`/`setup` and
    dropped one as a duplicate, so the settings' `from config.settings.loggers.settings import *`
    found nothing and the generated services did not import."""
    write_tree(tmp_path, {
        "manage.py": "", "config/__init__.py": "",
        "config/settings/loggers/settings.py": "LEVEL = 1\n", "config/settings/loggers/setup.py": "def setup(): ...\n",
        "config/settings/toolbar/settings.py": "", "config/settings/toolbar/setup.py": "",
        "vendored/lib/setup.py": "from setuptools import setup\nsetup(name='lib')\n", "vendored/lib/lib.py": "",
    })
    found = discover(tmp_path)
    assert set(modules(tmp_path)) == {
        "manage", "config", "config.settings.loggers.settings", "config.settings.loggers.setup",
        "config.settings.toolbar.settings", "config.settings.toolbar.setup", "setup", "lib",
    }
    assert found.failures == ()
