"""A monolith whose top-level package is `app` (Flasky's layout, the FastAPI project template): Chalice's
entry `app.py` steps aside for it (decompose_runtime.entry), so the services import the monolith's own
`app` and their generated tests pass; Chalice's loaders still find the Chalice app as `app.app`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from decompose.interpreter import runtime_path
from tests.helpers import run_in, write_tree

ENTRY = '''
from decompose_runtime import entry
entry.step_aside("app", __file__)
from app.sub import VALUE
app = "the chalice app"
entry.expose("app", app)
'''

def _python(code: str, *path: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in path)}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_the_entry_steps_aside_for_the_monolith_s_app_package(tmp_path: Path):
    write_tree(tmp_path, {"service/app.py": ENTRY, "lib/app/__init__.py": "def create_app():\n    return 'built'\n",
                          "lib/app/sub.py": "VALUE = 42\n"})
    runtime = runtime_path(tmp_path / "scratch")
    done = _python("import app, app.sub; from app import create_app; "
                   "print(app.__file__.endswith('__init__.py'), app.app, create_app(), app.sub.VALUE)",
                   runtime, tmp_path / "lib", cwd=tmp_path / "service")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "the", "chalice", "app", "built", "42"]


@pytest.mark.parametrize("clash", [{"lib/app/__init__.py": "app = 'the monolith app'\n"},
                                   {"lib/app/__init__.py": "", "lib/app/app.py": "X = 1\n"}])
def test_a_monolith_module_binding_app_itself_is_a_clear_import_error(tmp_path: Path, clash: dict[str, str]):
    write_tree(tmp_path, {"service/app.py": ENTRY, "lib/app/sub.py": "VALUE = 42\n", **clash})
    done = _python("import app", runtime_path(tmp_path / "scratch"), tmp_path / "lib", cwd=tmp_path / "service")
    assert done.returncode == 1
    assert "binds a name 'app' itself (or has a submodule of that name)" in done.stderr.strip().splitlines()[-1]


def test_services_of_a_monolith_named_app_import_it_and_pass_their_tests(monolith: Path):
    """In decompose's own interpreter (conftest.py's tree; test_foreign_monolith.py runs it in another one)."""
    run_in(monolith, ["analyze", "."], ["plan", "--services", "2"], ["generate"])
    services = sorted(p.parent for p in (monolith / "services").glob("*/app.py"))
    assert len(services) == 2
    for service in services:
        done = subprocess.run([sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider"], cwd=service,
                              capture_output=True, text=True, timeout=300, check=False,
                              env={k: v for k, v in os.environ.items() if not k.startswith("PYTEST")})
        assert done.returncode == 0, f"{service.name}:\n{done.stdout[-3000:]}{done.stderr[-2000:]}"
        assert " passed" in done.stdout and "failed" not in done.stdout


def test_a_monolith_package_named_like_the_service_s_own_code_is_refused(monolith: Path):
    from typer.testing import CliRunner

    from decompose.cli import app as cli

    views = monolith / "app" / "users" / "views.py"
    write_tree(monolith, {"chalicelib/__init__.py": "", "chalicelib/util.py": "X = 1\n",
                          "app/users/views.py": views.read_text() + "\nfrom chalicelib.util import X\n"})
    run_in(monolith, ["analyze", "."], ["plan", "--services", "2"])
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(monolith)
        result = CliRunner().invoke(cli, ["generate"])
    assert result.exit_code == 2
    assert "top-level module named 'chalicelib'" in result.output and "Traceback" not in result.output
