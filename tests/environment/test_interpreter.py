"""Which interpreter runs the monolith (decompose.interpreter.choose, pure), how a bad one is reported,
and the environment its processes get."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from decompose.errors import UserError
from decompose.interpreter import Interpreter, choose, environment, probe, require, runtime_path


def venv(folder: Path) -> Path:
    python = folder / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("")
    return python


def test_python_given_wins_over_everything(tmp_path):
    venv(tmp_path / ".venv")
    chosen = choose(Path("/opt/py/bin/python"), tmp_path, {"VIRTUAL_ENV": "/elsewhere"}, own_prefix="/own")
    assert chosen == Interpreter(Path("/opt/py/bin/python"), "--python")


def test_the_active_venv_comes_next_unless_it_is_decompose_s_own(tmp_path):
    venv(tmp_path / ".venv")
    assert choose(None, tmp_path, {"VIRTUAL_ENV": "/app/env"}, own_prefix="/own").path == Path("/app/env/bin/python")
    own = choose(None, tmp_path, {"VIRTUAL_ENV": "/own"}, own_prefix="/own")
    assert own == Interpreter(tmp_path / ".venv" / "bin" / "python", ".venv")


def test_then_the_project_s_venv_then_decompose_s_own(tmp_path):
    venv(tmp_path / "venv")
    assert choose(None, tmp_path, {}, own_prefix="/own").source == "venv"
    assert choose(None, tmp_path / "missing", {}, own_prefix="/own") == Interpreter(Path(sys.executable), "decompose's own")


def test_a_missing_or_broken_interpreter_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match=r"the monolith's interpreter .*/nope \(from --python\): no such file"):
        probe(Interpreter(tmp_path / "nope", "--python"))
    broken = tmp_path / "python"
    broken.write_text("#!/bin/sh\necho 'cannot start: no encodings module' >&2\nexit 1\n")
    broken.chmod(0o755)
    with pytest.raises(UserError, match="does not run: cannot start: no encodings module") as raised:
        probe(Interpreter(broken, ".venv"))
    assert "pass --python PATH" in raised.value.next_step


def test_the_running_interpreter_is_probed_as_decompose_s_own():
    found = probe(Interpreter(Path(sys.executable), "decompose's own"))
    assert found.version == tuple(sys.version_info[:3]) and found.own
    assert found.describe().startswith(f"monolith interpreter: {sys.executable} {sys.version_info[0]}.")


def test_a_module_the_interpreter_lacks_says_how_to_get_it():
    own = probe(Interpreter(Path(sys.executable), "decompose's own"))
    require(own, "json", "always there")
    with pytest.raises(UserError, match="no module 'no_such_module_here' there") as raised:
        require(own, "no_such_module_here", "needed")
    assert "-m pip install no_such_module_here" in raised.value.next_step


# the monolith's interpreter, where decompose is not installed: a finder that refuses it, then the modules that
# run there (the recorder is a pytest plugin; host serves the monolith for `gateway up` and calibration)
WITHOUT_DECOMPOSE = """
import importlib, sys
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name == "decompose" or name.startswith("decompose."):
            raise ImportError(f"refused: {name}")
sys.meta_path.insert(0, Refuse())
for name in ("decompose_runtime.recorder", "decompose_runtime.host"):
    importlib.import_module(name)
print(sorted(m for m in sys.modules if m == "decompose" or m.startswith("decompose.")))
"""


def test_the_runtime_package_imports_without_decompose(tmp_path):
    folder = runtime_path(tmp_path)
    assert "def pytest_configure" in (folder / "decompose_runtime" / "recorder.py").read_text()
    env = {**os.environ, "PYTHONPATH": str(folder)}
    done = subprocess.run([sys.executable, "-c", WITHOUT_DECOMPOSE], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


def test_a_foreign_interpreter_gets_its_venv_and_not_decompose_s_path(tmp_path):
    home = str(Path(__file__).resolve().parents[2])  # where decompose imports from in this test run
    foreign = Interpreter(Path("/app/env/bin/python"), "--python", (3, 9, 18), "/app/env")
    env = environment(foreign, [tmp_path], {"PYTHONPATH": f"{home}:/user/lib", "PATH": "/usr/bin"})
    assert env["PYTHONPATH"] == f"{tmp_path}:/user/lib"
    assert env["VIRTUAL_ENV"] == "/app/env" and env["PATH"] == "/app/env/bin:/usr/bin"


def test_requirements_are_named_and_pinned_from_the_monolith_s_environment():
    from decompose.generation.settings import Requirement, requirements
    from decompose.interpreter import Installed

    theirs = Installed({"jwt": ["PyJWT"], "flask": ["Flask"]}, {"PyJWT": "1.7.1", "Flask": "1.1.4"})
    found = requirements({"jwt", "flask", "json", "myapp", "slugify"}, {"myapp"}, theirs)
    assert found == [Requirement("Flask", "1.1.4", ("flask",)), Requirement("PyJWT", "1.7.1", ("jwt",)),
                     Requirement("slugify", None, ("slugify",), provided=False)]  # not installed there: listed only
    assert theirs.version("pyjwt") == "1.7.1" and theirs.version("py-jwt") is None


def test_what_only_a_test_or_dev_extra_needs_is_no_dependency(tmp_path):
    """markdown-it-py[testing] needs pytest, installed here for decompose's own tests: it is not read as a
    dependency of markdown-it-py (tenacity[test]'s pytest would otherwise be shipped with tenacity)."""
    from decompose.interpreter import Interpreter, installed, probe

    found = installed(probe(Interpreter(Path(sys.executable), "--python")))
    assert "pytest" in {name.lower() for name in found.versions}
    assert "mdurl" in found.requires["markdown-it-py"]  # its own dependency stays
    assert not any("pytest" in dep for dep in found.requires["markdown-it-py"])
    assert "[extra]trio" in found.requires["anyio"] or "trio" not in found.versions  # other extras stay marked


def test_a_dependency_under_a_marker_this_python_does_not_meet_is_no_dependency(tmp_path):
    """SQLAlchemy 2 requires `importlib-metadata; python_version < "3.8"`: in a 3.10 environment where Poetry
    installed importlib-metadata for itself, it is still no dependency of SQLAlchemy's, so it is not shipped."""
    import json
    import subprocess

    from decompose.interpreter import INSTALLED

    meta = tmp_path / "oldapp-1.0.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text("Metadata-Version: 2.1\nName: oldapp\nVersion: 1.0\n"
                                   "Requires-Dist: backport; python_version < \"3.0\"\n"
                                   "Requires-Dist: modern; python_version >= \"3.0\"\n"
                                   "Requires-Dist: fancy; extra == \"fancy\" and python_version < \"3.0\"\n")
    script = f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n" + INSTALLED
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    requires = json.loads(done.stdout)["requires"]["oldapp"]
    assert "modern" in requires and "backport" not in requires
    assert "[extra]fancy" in requires  # under an extra: still marked as such (Installed.closure)
