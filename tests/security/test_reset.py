"""Issue #27: the contract reset endpoint (POST /_decompose/reset) runs only what the plan allows.

It exists only with DECOMPOSE_CONTRACT_RESET=1; it refuses every request without the shared secret
(503 when none is configured); it sets only the plan's [contracts.env] keys and calls only the plan's
[contracts] reset hooks, as they were when the service was generated (the monolith host: the plan the
launcher names); a request naming anything else is refused whole (403 naming it), nothing applied.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from decompose.contracts.fleet import host_allowances
from decompose.contracts.settings import read
from decompose.gateway import host
from decompose.generation.runtime import reset
from tests.helpers import run_in
from tests.sample import SAMPLE, WORLD

SECRET = "reset-secret"
GOOD = {"x-decompose-secret": SECRET}
CALLED: list[str] = []


def allowed_hook() -> None:
    CALLED.append("allowed")


def other_hook() -> None:
    CALLED.append("other")


ALLOWED = reset.Allowed.of(hooks=[f"{__name__}:allowed_hook"], env=["DECOMPOSE_TEST_DB"])


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    CALLED.clear()
    monkeypatch.delenv("DECOMPOSE_INTERNAL_SECRET", raising=False)
    monkeypatch.delenv("DECOMPOSE_TEST_DB", raising=False)
    monkeypatch.delenv("DECOMPOSE_TEST_OTHER", raising=False)
    monkeypatch.setenv("PATH", os.environ["PATH"])  # restored whatever a failing test sets


def send(body: dict, headers: dict | None = None, allowed: reset.Allowed = ALLOWED) -> tuple[int, dict]:
    rebuilt: list[int] = []
    status, answer = reset.handle(GOOD if headers is None else headers, json.dumps(body).encode(),
                                  lambda: rebuilt.append(1), allowed)
    assert len(rebuilt) == (1 if status == 200 else 0)
    return status, answer


def test_without_a_configured_secret_a_reset_is_refused_and_nothing_applied():
    for headers in ({}, {"x-decompose-secret": ""}, GOOD):
        status, answer = send({"env": {"DECOMPOSE_TEST_DB": "x"}, "hooks": [f"{__name__}:allowed_hook"]}, headers)
        assert status == 503 and "not configured" in answer["message"]
    assert "DECOMPOSE_TEST_DB" not in os.environ and CALLED == []


def test_a_wrong_secret_is_refused(monkeypatch):
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", SECRET)
    assert send({"env": {"DECOMPOSE_TEST_DB": "x"}}, {"x-decompose-secret": "nope"})[0] == 403
    assert "DECOMPOSE_TEST_DB" not in os.environ


def test_an_env_key_outside_the_plan_is_refused_by_name_and_nothing_is_applied(monkeypatch):
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", SECRET)
    path = os.environ["PATH"]
    status, answer = send({"env": {"DECOMPOSE_TEST_DB": "allowed", "PATH": "/tmp/evil"},
                           "hooks": [f"{__name__}:allowed_hook"]})
    assert status == 403 and "'PATH'" in answer["message"] and "[contracts.env]" in answer["message"]
    assert os.environ["PATH"] == path and "DECOMPOSE_TEST_DB" not in os.environ and CALLED == []


@pytest.mark.parametrize("hook", ["os:abort", f"{__name__}:other_hook", "builtins:exit"])
def test_a_hook_outside_the_plan_is_refused_by_name_and_nothing_is_applied(monkeypatch, hook):
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", SECRET)
    status, answer = send({"env": {"DECOMPOSE_TEST_DB": "allowed"}, "hooks": [f"{__name__}:allowed_hook", hook]})
    assert status == 403 and repr(hook) in answer["message"]
    assert "DECOMPOSE_TEST_DB" not in os.environ and CALLED == []


def test_what_the_plan_allows_is_applied(monkeypatch):
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", SECRET)
    assert send({"env": {"DECOMPOSE_TEST_DB": "sqlite:///x.db"}, "hooks": [f"{__name__}:allowed_hook"]}) == \
        (200, {"skipped": []})
    assert os.environ["DECOMPOSE_TEST_DB"] == "sqlite:///x.db" and CALLED == ["allowed"]


def test_a_deeply_nested_reset_body_is_a_400(monkeypatch):
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", SECRET)
    status, _ = reset.handle(GOOD, b"[" * 100_000 + b"]" * 100_000, lambda: None, ALLOWED)
    assert status == 400


# --- the monolith host: the launcher names the plan ------------------------------------------------------

def test_the_monolith_host_allows_only_the_plans_contracts_table(tmp_path, monkeypatch):
    (tmp_path / "tinyapp.py").write_text("class App:\n    def __call__(self, environ, start_response):\n"
                                         "        start_response('200 OK', [])\n        return [b'hi']\n\napp = App()\n")
    plan = tmp_path / "decompose.toml"
    plan.write_text('schema_version = 1\n\n[contracts]\napp = "tinyapp:app"\nreset = ["%s:allowed_hook"]\n\n'
                    '[contracts.env]\nDECOMPOSE_TEST_DB = "sqlite:///{scratch}/t.db"\n' % __name__)
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", SECRET)
    monkeypatch.delitem(sys.modules, "tinyapp", raising=False)  # another test's tinyapp, imported in this worker
    hosted = host.Hosted("tinyapp:app", tmp_path, host.allowed(host_allowances(read(plan))))
    status, answer = hosted.hooks_and_rebuild(GOOD, json.dumps({"env": {"DECOMPOSE_TEST_OTHER": "x"}}).encode())
    assert status == 403 and "DECOMPOSE_TEST_OTHER" in answer["message"]
    assert hosted.hooks_and_rebuild(GOOD, json.dumps({"env": {"DECOMPOSE_TEST_DB": "y"},
                                                      "hooks": [f"{__name__}:allowed_hook"]}).encode())[0] == 200
    assert os.environ["DECOMPOSE_TEST_DB"] == "y" and CALLED == ["allowed"]
    bare = host.Hosted("tinyapp:app", tmp_path, host.allowed([]))  # started with no allowance: nothing allowed
    assert bare.hooks_and_rebuild(GOOD, json.dumps({"env": {"DECOMPOSE_TEST_DB": "z"}}).encode())[0] == 403
    assert os.environ["DECOMPOSE_TEST_DB"] == "y"


# --- a generated service: the allow-lists are baked in at generation time -----------------------------

PROBE = r"""
import json, os, sys
sys.path.insert(0, os.getcwd())
from chalice.test import Client
import app as service
calls = []
service._rebuild = lambda: calls.append(os.environ.get("SAMPLE_UPLOAD_DIR"))  # (Client restores os.environ)
def post(body, secret="right"):
    with Client(service.app) as client:
        answer = client.http.post("/_decompose/reset", headers={"content-type": "application/json",
                                  "x-decompose-secret": secret}, body=json.dumps(body))
    return answer.status_code
out = {"hooks": sorted(service.RESET.hooks), "env": sorted(service.RESET.env)}
os.environ.pop("DECOMPOSE_INTERNAL_SECRET", None)
out["no_secret"] = post({"env": {}})
os.environ["DECOMPOSE_INTERNAL_SECRET"] = "right"
out["path"] = post({"env": {"PATH": "/tmp"}})
out["abort"] = post({"hooks": ["os:abort"]})
out["path_unchanged"] = os.environ["PATH"] != "/tmp"
out["rebuilds_before_good"] = len(calls)
out["good"] = post({"env": {"SAMPLE_UPLOAD_DIR": "/tmp/x"}})
out["applied"] = calls
os.environ["SAMPLE_DATABASE_URL"] = "sqlite://"
out["data"] = post({"data": {}})  # a scenario's starting data (its tables, no rows): into the service's database
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("reset")
    run_in(where, ["analyze", str(SAMPLE), "-q"], ["plan", "-q"])
    plan = where / "decompose.toml"
    plan.write_text(plan.read_text() + "\n" + WORLD)
    run_in(where, ["generate", "-q"])
    return where / "services"


def test_a_generated_service_takes_only_its_plans_hooks_and_keys(generated):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DECOMPOSE_", "AWS_", "SAMPLE_"))}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=generated / "cart", capture_output=True, text=True,
                            timeout=120, env={**base, "DECOMPOSE_CONTRACT_RESET": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.splitlines()[-1])
    assert out == {
        "hooks": ["sample_monolith.services.notifications:reset_queue", "sample_monolith.services.shop:clear_category_cache"],
        "env": ["SAMPLE_ADMIN_EMAILS", "SAMPLE_DATABASE_URL", "SAMPLE_NOTIFICATIONS_SYNC", "SAMPLE_PASSWORD_HASH_METHOD",
                "SAMPLE_PAYMENT_BACKOFF_SECONDS", "SAMPLE_RECOGNIZER_ROUNDS", "SAMPLE_UPLOAD_DIR"],
        "no_secret": 503, "path": 403, "abort": 403, "path_unchanged": True, "rebuilds_before_good": 0,
        "good": 200, "applied": ["/tmp/x"], "data": 200}


def test_a_generated_service_has_no_reset_endpoint_unless_enabled(generated):
    script = PROBE.split("out = {")[0] + 'print(post({"env": {"SAMPLE_UPLOAD_DIR": "/tmp/x"}}))\n'
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DECOMPOSE_", "AWS_", "SAMPLE_"))}
    answer = subprocess.run([sys.executable, "-c", script], cwd=generated / "cart", capture_output=True, text=True,
                            timeout=120, env={**base, "DECOMPOSE_INTERNAL_SECRET": "right"})
    assert answer.returncode == 0, answer.stderr[-3000:]
    assert answer.stdout.split()[-1] in ("403", "404")  # API Gateway's answer to a route that does not exist


def test_the_monolith_host_builds_a_scenarios_own_app_only_from_its_own_factory(tmp_path, monkeypatch):
    """A test that built its app with another configuration class (microblog-api's TestConfigWithAuth) is
    replayed on that app when the host was started to replay it (DECOMPOSE_CONTRACT_APPS, as a service);
    a reset naming any other callable, or another call of the factory, is refused whole, nothing built."""
    from decompose.contracts import appcall

    (tmp_path / "factoryapp.py").write_text(
        "class Config:\n    NAME = 'plain'\n\nclass AuthConfig(Config):\n    NAME = 'auth'\n\n"
        "class OtherConfig(Config):\n    NAME = 'other'\n\n"
        "def create_app(config_class=Config):\n"
        "    def app(environ, start_response):\n"
        "        start_response('200 OK', [])\n        return [config_class.NAME.encode()]\n    return app\n")
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", SECRET)
    auth = "factoryapp:create_app(config_class=factoryapp.AuthConfig)"
    monkeypatch.setenv(appcall.APPS, json.dumps([auth]))
    hosted = host.Hosted("factoryapp:create_app(config_class=factoryapp.Config)", tmp_path, host.allowed([]))
    body = lambda app: json.dumps({"app": app} if app else {}).encode()  # noqa: E731
    assert hosted.hooks_and_rebuild(GOOD, body(auth))[0] == 200
    assert hosted.app({}, lambda *a: None) == [b"auth"]
    status, answer = hosted.hooks_and_rebuild(GOOD, body("os:system('true')"))
    assert status == 403 and "does not call this host's factory factoryapp:create_app" in answer["message"]
    status, answer = hosted.hooks_and_rebuild(GOOD, body("factoryapp:create_app(config_class=factoryapp.OtherConfig)"))
    assert status == 403 and appcall.APPS in answer["message"]  # its own factory, but not a scenario's call
    assert hosted.app({}, lambda *a: None) == [b"auth"]  # nothing was reset
    assert hosted.hooks_and_rebuild(GOOD, body(None))[0] == 200 and hosted.app({}, lambda *a: None) == [b"plain"]
    monkeypatch.setenv(appcall.APPS, "not json")  # a list that does not read allows none
    assert hosted.hooks_and_rebuild(GOOD, body(auth))[0] == 403
    assert hosted.hooks_and_rebuild(GOOD, body("factoryapp:create_app(config_class=factoryapp.Config)"))[0] == 200


def test_a_service_builds_a_scenarios_own_app_only_among_those_its_fleet_allowed(monkeypatch):
    """A generated service replays a scenario on its test's configuration (the reset's "app") only when the fleet
    that started it listed that call (DECOMPOSE_CONTRACT_APPS, from the contracts); any other is refused whole,
    and a reset without "app" goes back to the world's call."""
    from decompose.contracts import appcall

    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", SECRET)
    world, auth = "shop:create_app(tests.base.Config)", "shop:create_app(tests.base.AuthConfig)"
    environ = {appcall.VARIABLE: world, appcall.APPS: json.dumps([auth])}
    choose = appcall.Chooser(environ)

    def reset_with(extra: dict) -> tuple[int, dict]:
        body = json.dumps({"env": {"DECOMPOSE_TEST_DB": "x"}, **extra}).encode()
        return reset.handle(GOOD, body, lambda: None, ALLOWED, None, choose)

    assert reset_with({"app": auth})[0] == 200 and environ[appcall.VARIABLE] == auth
    assert reset_with({})[0] == 200 and environ[appcall.VARIABLE] == world
    os.environ.pop("DECOMPOSE_TEST_DB", None)
    for wanted in ("os:system('true')", "shop:create_app(tests.base.Other)", ["list"]):
        status, answer = reset_with({"app": wanted})
        assert status == 403 and "DECOMPOSE_CONTRACT_APPS" in answer["message"]
        assert environ[appcall.VARIABLE] == world and "DECOMPOSE_TEST_DB" not in os.environ  # nothing was reset
    environ[appcall.APPS] = "not json"
    assert reset_with({"app": auth})[0] == 403


def test_no_reset_sets_the_apps_a_service_may_choose(monkeypatch):
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", SECRET)
    allowed = reset.Allowed.of(env=["DECOMPOSE_CONTRACT_APPS"])
    status, answer = send({"env": {"DECOMPOSE_CONTRACT_APPS": "[\"os:system('x')\"]"}}, allowed=allowed)
    assert status == 403 and "control variable" in answer["message"]
