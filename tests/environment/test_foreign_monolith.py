"""decompose in its own venv, the monolith in another: a Flask 2.0 app (Werkzeug 2.0, Jinja2 3.0: pins
that conflict with decompose's own Flask 3 / Jinja2 3.1) on another Python minor, whose top package is
`app`. Its contracts are recorded from decompose's interpreter with --python, and nothing of decompose
ever enters the monolith's environment.

The monolith and its venv are conftest.py's (`monolith`, `monolith_python`).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest


def decompose(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """decompose from its own interpreter, as a user's shell runs it (no venv of the monolith's active)."""
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    return subprocess.run([sys.executable, "-m", "decompose", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def version(python: Path) -> tuple[int, int]:
    done = subprocess.run([str(python), "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True,
                          text=True, check=True, timeout=60)
    return tuple(int(n) for n in done.stdout.split())


def distributions(python: Path) -> set[str]:
    done = subprocess.run([str(python), "-I", "-c", "import importlib.metadata as m, json; "
                           "print(json.dumps(sorted(d.metadata['Name'].lower() for d in m.distributions())))"],
                          capture_output=True, text=True, check=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    return set(json.loads(done.stdout))


def test_contracts_are_recorded_in_the_monolith_s_own_interpreter(monolith: Path, monolith_python: Path):
    before = distributions(monolith_python)
    for stage in (["analyze", "."], ["plan"]):
        done = decompose(monolith, *stage)
        assert done.returncode == 0, done.stderr
    done = decompose(monolith, "contracts", "record", "--python", str(monolith_python), "--", "tests", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    version = subprocess.run([str(monolith_python), "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert f"monolith interpreter: {monolith_python} {version} (--python)" in done.stderr
    assert "Recorded 2 scenarios, 3 exchanges" in done.stderr
    recorded = {e["route"] for p in (monolith / "contracts").glob("*.json")
                for s in json.loads(p.read_text())["scenarios"] for e in s["exchanges"]}
    assert recorded == {"GET /cart", "POST /cart", "GET /users/{user_id}"}
    after = distributions(monolith_python)
    assert after == before and not after & {"decompose", "typer", "chalice", "jsonschema", "httpx", "libcst"}
    assert "flask" in after


def test_contracts_verify_against_the_monolith_served_in_its_own_interpreter(monolith: Path, monolith_python: Path):
    for stage in (["analyze", "."], ["plan"]):
        assert decompose(monolith, *stage).returncode == 0
    plan = monolith / "decompose.toml"
    plan.write_text(plan.read_text() + '\n[contracts]\napp = "app.factory:create_app"\n')
    done = decompose(monolith, "contracts", "record", "--python", str(monolith_python), "--", "tests")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Replayed every scenario twice on the monolith" in done.stderr, done.stderr
    done = decompose(monolith, "contracts", "verify", "--target", "monolith", "--python", str(monolith_python))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"monolith interpreter: {monolith_python}" in done.stderr
    assert "Scenarios: 2/2 answered as recorded" in done.stderr
    (monolith / "app" / "users" / "views.py").write_text(
        (monolith / "app" / "users" / "views.py").read_text().replace('f"user {user_id}"', 'f"member {user_id}"'))
    done = decompose(monolith, "contracts", "verify", "--target", "monolith", "--python", str(monolith_python))
    assert done.returncode == 1 and "Scenarios: 1/2 answered as recorded" in done.stderr, done.stdout + done.stderr


def test_decompose_itself_cannot_be_imported_by_the_monolith_s_suite(monolith: Path, monolith_python: Path):
    """The suite runs with decompose_runtime on its path, and without decompose: a test importing it fails."""
    suite = monolith / "tests" / "test_app.py"
    suite.write_text(suite.read_text() + "\n\ndef test_decompose_is_not_here():\n"
                                                     "    import decompose_runtime.recorder\n"
                                                     "    with __import__('pytest').raises(ImportError):\n"
                                                     "        import decompose\n")
    for stage in (["analyze", "."], ["plan"]):
        assert decompose(monolith, *stage).returncode == 0
    done = decompose(monolith, "contracts", "record", "--python", str(monolith_python), "--runs", "1", "--", "tests")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_missing_interpreter_is_one_clear_error(monolith: Path):
    for stage in (["analyze", "."], ["plan"]):
        assert decompose(monolith, *stage).returncode == 0
    done = decompose(monolith, "contracts", "record", "--python", "nowhere/bin/python", "--", "tests")
    assert done.returncode == 2
    assert "the monolith's interpreter nowhere/bin/python (from --python): no such file" in done.stderr
    assert "pass --python PATH" in done.stderr and "Traceback" not in done.stderr


def test_the_monolith_s_distributions_are_read_in_its_interpreter(monolith_python: Path):
    from decompose.interpreter import Interpreter, installed, probe

    found = installed(probe(Interpreter(monolith_python, "--python")))
    assert found.owners["flask"] == ["Flask"] and found.version("flask") == "2.0.3"
    assert found.version("jinja2") == "3.0.3" and found.version("werkzeug") == "2.0.3"
    assert "decompose" not in found.owners and found.version("chalice") is None


def test_every_stage_runs_from_decompose_s_venv_with_python(monolith: Path, monolith_python: Path, tmp_path: Path):
    """The Done-when of #22: generate, the services' own tests, verify on the monolith and the services,
    and the gateway with every route on its service, all from decompose's venv with --python; the
    services import the monolith's `app` package (Chalice's entry steps aside) and run on its Flask 2.0."""
    shared = _every_stage(monolith, monolith_python, tmp_path, "app.factory:create_app")
    assert "Flask==2.0.3" in shared, shared
    assert "Werkzeug==2.0.3  # via Flask" in shared and "Jinja2==3.0.3  # via Flask" in shared, shared


def test_every_stage_runs_for_a_starlette_0_19_monolith(asgi_monolith: Path, asgi_python: Path, tmp_path: Path):
    """The same on FastAPI 0.79 (Starlette 0.19, pydantic 1, TestClient over requests), below decompose's
    own Starlette: the bridges and the host run on the monolith's Starlette, the services on its pins."""
    shared = _every_stage(asgi_monolith, asgi_python, tmp_path, "app.main:create_app")
    assert "fastapi==0.79.1" in shared.lower() and "pydantic==1.10.13" in shared.lower(), shared
    assert "starlette==0.19.1" in shared.lower(), shared


def _every_stage(monolith: Path, monolith_python: Path, tmp_path: Path, factory: str) -> str:
    """Every stage with --python; returns the layer's requirements.txt."""
    before = distributions(monolith_python)
    python = str(monolith_python)
    for stage in (["analyze", "."], ["plan", "--services", "2"]):
        assert decompose(monolith, *stage).returncode == 0
    plan = monolith / "decompose.toml"
    plan.write_text(plan.read_text() + f'\n[contracts]\napp = "{factory}"\n')
    done = decompose(monolith, "generate", "--python", python)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"monolith interpreter: {monolith_python}" in done.stderr
    assert "Run the services' tests with: decompose test --services services [<service> ...] (or cd services/<service> && " \
        "../../.decompose/services-venv/bin/python -m pytest tests" in done.stderr, done.stderr
    assert "Lambda runtime: python%d.%d" % version(monolith_python) in done.stderr
    flagged = [line.split()[1] for line in done.stderr.splitlines() if "has no wheel for Lambda" in line]
    # the monolith's own pins have wheels; decompose's chalice/mangum pins may not support an older Python
    assert all(name.split("==")[0] in ("chalice", "mangum", "apig-wsgi") for name in flagged), done.stderr
    shared = (monolith / "services" / "shared" / "requirements.txt").read_text()
    assert "Runtime: python%d.%d" % version(monolith_python) in "".join(
        p.read_text().replace('"Runtime": "', "Runtime: ").replace('"', "") for p in (monolith / "services").glob("*/.chalice/layer.json"))
    services = sorted(p.parent for p in (monolith / "services").glob("*/app.py"))
    assert len(services) == 2
    venv = (monolith / ".decompose" / "services-venv").resolve()
    own = distributions(venv / "bin" / "python")  # built from the generated requirements, on the monolith's Python
    assert {"chalice", "pytest"} <= own and not own & {"decompose", "typer", "libcst", "moto"}
    for service in services:  # as generate tells a user to run them: the services' venv, nothing exported
        tests = subprocess.run([str(venv / "bin" / "python"), "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider"],
                               cwd=service, capture_output=True, text=True, timeout=300, check=False,
                               env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
        assert tests.returncode == 0 and " passed" in tests.stdout, f"{service.name}: {tests.stdout[-3000:]}{tests.stderr[-1500:]}"
    done = decompose(monolith, "test", "--python", python, "--", "-q", "-p", "no:cacheprovider")  # the same, as one command
    assert done.returncode == 0 and "2/2 services' tests passed" in done.stderr, done.stdout[-3000:] + done.stderr
    done = decompose(monolith, "contracts", "record", "--python", python, "--", "tests")
    assert done.returncode == 0, done.stdout + done.stderr
    for target in ("monolith", "services"):
        done = decompose(monolith, "contracts", "verify", "--target", target, "--python", python)
        assert done.returncode == 0 and "Scenarios: 2/2 answered as recorded" in done.stderr, f"{target}: {done.stdout}{done.stderr}"
        assert f"monolith interpreter: {monolith_python}" in done.stderr
    _every_route_on_its_service_through_the_gateway(monolith, python)
    assert distributions(monolith_python) == before
    assert not before & {"decompose", "typer", "chalice", "jsonschema", "httpx", "libcst", "apig-wsgi"}
    return shared


def _every_route_on_its_service_through_the_gateway(monolith: Path, python: str) -> None:
    """gateway up (the monolith's host and every service in the monolith's interpreter), every recorded
    scenario replayed through it; the gateway is stopped as a process group, by its PID."""
    from benchmarks.pipeline import stop_group, wait_for_port
    from decompose.gateway.upstreams import free_port

    for args in (("gateway", "init"), ("gateway", "route", "service", "--all")):
        assert decompose(monolith, *args).returncode == 0
    port = free_port()
    secret = secrets.token_hex(16)  # the gateway's services and the replay share it (their reset endpoints)
    env = {**{k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}, "DECOMPOSE_INTERNAL_SECRET": secret}
    with open(monolith / "gateway.log", "w") as log:
        gateway = subprocess.Popen([sys.executable, "-m", "decompose", "gateway", "up", "--contract-world", "--port",
                                    str(port), "--python", python], cwd=monolith, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert wait_for_port(port, gateway, 180), (monolith / "gateway.log").read_text()[-3000:]
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DECOMPOSE_INTERNAL_SECRET", secret)
            done = decompose(monolith, "contracts", "verify", "--target", f"http://127.0.0.1:{port}")
        assert done.returncode == 0 and "Scenarios: 2/2 answered as recorded" in done.stderr, done.stdout + done.stderr
    finally:
        stop_group(gateway)
    assert f"monolith interpreter: {python}" in (monolith / "gateway.log").read_text()
