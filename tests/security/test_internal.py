"""Issue #27: a generated service's internal endpoint (POST /_decompose/call/{target}) fails closed.

- no DECOMPOSE_INTERNAL_SECRET configured: every call is refused (503) and nothing runs;
- on AWS (DECOMPOSE_INTERNAL_AUTH=iam) only requests API Gateway's IAM authorizer let through (its
  request context names the signer) run; the secret does not replace the signature;
- the wire decoder builds only classes allowed at generation time: `$model`/`$error` names from the
  caller import nothing; an unknown model is a 400, an unknown error a RemoteError carrying the name;
- a deeply nested or malformed body is a 400, never a 500;
- an error of a class the callee does not know reaches the caller as its name only (no SQL, no
  parameters); the callee's log has the whole error.
The last test checks the same through a generated service (the sample's), in its own process.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import subprocess
import sys
import types
from pathlib import Path

import pytest

from decompose.generation.runtime import wire
from decompose.generation.runtime.internal import Deferred, Endpoint
from tests.helpers import run_in
from tests.sample import SAMPLE

SECRET = "s3cret-for-tests"
GOOD = {"x-decompose-secret": SECRET}


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        return {"args": list(args)}


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    monkeypatch.delenv("DECOMPOSE_INTERNAL_SECRET", raising=False)
    monkeypatch.delenv("DECOMPOSE_INTERNAL_AUTH", raising=False)
    tables = wire._ERRORS, getattr(wire, "_MODELS", {})
    saved = [dict(t) for t in tables]
    yield
    for table, before in zip(tables, saved):
        table.clear()
        table.update(before)


def call(endpoint: Endpoint, body: object, headers: dict | None = None, context: dict | None = None,
         target: str = "shop:get") -> tuple[int, dict]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    extra = [context] if context is not None else []  # (the request context is new: old endpoints took three)
    response = endpoint.handle(target, headers if headers is not None else GOOD, raw, *extra)
    return response.status_code, json.loads(response.body)


def endpoint(function=None) -> tuple[Endpoint, Recorder]:
    recorder = function or Recorder()
    return Endpoint({"shop:get": recorder}), recorder


# --- authentication ----------------------------------------------------------------------------------------

def test_without_a_configured_secret_every_call_is_refused_and_nothing_runs():
    service, recorder = endpoint()
    for headers in ({}, {"x-decompose-secret": ""}, {"x-decompose-secret": "anything"}):
        status, answer = call(service, {"args": [1]}, headers)
        assert status == 503 and "not configured" in answer["message"]
    assert recorder.calls == []


def test_with_the_secret_configured_only_the_right_header_runs(monkeypatch):
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", SECRET)
    service, recorder = endpoint()
    assert call(service, {"args": [1]}, {})[0] == 403
    assert call(service, {"args": [1]}, {"x-decompose-secret": SECRET + "x"})[0] == 403
    assert call(service, {"args": [1]}, {"x-decompose-secret": "é"})[0] == 403  # non-ASCII: refused, no TypeError
    assert recorder.calls == []
    assert call(service, {"args": [1]}) == (200, {"result": {"args": [1]}})
    assert recorder.calls == [((1,), {})]


IAM_CONTEXT = {"identity": {"userArn": "arn:aws:sts::123456789012:assumed-role/orders-prod/orders-prod",
                            "accessKey": "ASIAEXAMPLE", "caller": "AROAEXAMPLE:orders-prod", "sourceIp": "10.0.0.1"}}


@pytest.mark.parametrize("context", [None, {}, {"identity": {"sourceIp": "127.0.0.1"}},  # chalice local's context
                                     {"identity": {"userArn": "", "accessKey": "ASIA"}}])
def test_on_aws_a_request_the_iam_authorizer_did_not_sign_is_refused(monkeypatch, context):
    monkeypatch.setenv("DECOMPOSE_INTERNAL_AUTH", "iam")
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", SECRET)  # the secret does not stand in for a signature
    service, recorder = endpoint()
    status, answer = call(service, {"args": [1]}, GOOD, context)
    assert status == 403 and "SigV4" in answer["message"]
    assert recorder.calls == []


def test_on_aws_a_request_the_iam_authorizer_signed_runs(monkeypatch):
    monkeypatch.setenv("DECOMPOSE_INTERNAL_AUTH", "iam")
    service, recorder = endpoint()
    assert call(service, {"args": [2]}, {}, IAM_CONTEXT) == (200, {"result": {"args": [2]}})
    assert recorder.calls == [((2,), {})]


# --- what the decoder builds ---------------------------------------------------------------------------

def test_a_model_name_from_the_caller_imports_nothing_and_is_a_400(monkeypatch):
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", SECRET)
    monkeypatch.delitem(sys.modules, "this", raising=False)
    monkeypatch.delitem(sys.modules, "antigravity", raising=False)
    service, recorder = endpoint()
    for model in ("os:system", "this:Nope", "antigravity:geohash"):
        status, answer = call(service, {"args": [{"$model": model, "pk": ["echo pwned"]}]})
        assert status == 400, answer
        assert "a model this service does not know" in answer["message"] and model in answer["message"]
    assert "this" not in sys.modules and "antigravity" not in sys.modules
    assert recorder.calls == []


def test_an_error_name_from_the_caller_imports_nothing_and_stays_text(monkeypatch):
    monkeypatch.delitem(sys.modules, "this", raising=False)
    for origin in ("this:Nope", "os:system", "subprocess:CalledProcessError", "builtins:SystemExit",
                   "builtins:KeyboardInterrupt", "builtins:print"):
        error = wire.decode_error({"$error": origin, "args": ["it"], "state": {"x": 1}})
        assert type(error) is wire.RemoteError, origin
        assert str(error) == f"{origin}: it"
    assert "this" not in sys.modules


def test_allowed_classes_still_travel(monkeypatch):
    wire.allow(errors=[f"{__name__}:Refused"])
    error = wire.decode_error({"$error": f"{__name__}:Refused", "args": ["no"], "state": {"code": 7}})
    assert type(error) is Refused and error.args == ("no",) and error.code == 7
    assert type(wire.decode_error({"$error": "builtins:KeyError", "args": ["k"]})) is KeyError


@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000,  # json.loads itself gives up (RecursionError)
    json.dumps({"args": [json.loads("[" * 70 + "]" * 70)]}).encode(),  # deeper than the wire's bound
    json.dumps({"args": [{"$bytes": 7}]}).encode(),
    json.dumps({"args": [{"$decimal": "not a number"}]}).encode(),
    json.dumps({"args": [{"$dict": [[[1], 2]]}]}).encode(),  # an unhashable key
    json.dumps({"args": [{"$timedelta": {"days": 1}}]}).encode(),
    json.dumps({"args": {"not": "a list"}}).encode(),
    json.dumps({"args": [], "kwargs": {"$tuple": [1]}}).encode(),
    json.dumps([1, 2]).encode(),
    b"\xff\xfe not json",
])
def test_a_malformed_or_deeply_nested_body_is_a_400_and_nothing_runs(monkeypatch, body):
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", SECRET)
    service, recorder = endpoint()
    status, answer = call(service, body)
    assert status == 400, answer
    assert answer["message"]
    assert recorder.calls == []


def test_a_body_over_the_bound_is_refused_before_it_is_parsed(monkeypatch):
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", SECRET)
    service, recorder = endpoint()
    assert call(service, b'{"args": ["' + b"x" * (6 * 1024 * 1024) + b'"]}')[0] == 413
    assert recorder.calls == []


# --- what an error tells the caller -----------------------------------------------------------------------

class Refused(Exception):
    pass


def test_an_error_of_an_unknown_class_reaches_the_caller_without_its_sql_or_parameters(monkeypatch, caplog):
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", SECRET)
    monkeypatch.setenv("DECOMPOSE_SERVICE", "accounts")

    def failing(*args):
        error = sqlite3.OperationalError("no such column: password_hash in SELECT * FROM users WHERE email = ?")
        error.statement, error.params = "SELECT * FROM users WHERE email = ?", ["alice@example.com"]
        raise error

    service, _ = endpoint(failing)
    with caplog.at_level(logging.WARNING, logger="decompose_runtime.internal"):
        status, answer = call(service, {"args": []})
    assert status == 200
    assert answer == {"error": {"$error": "sqlite3:OperationalError",
                                "args": ["OperationalError raised in accounts (its log has the details)"], "state": {}}}
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "shop:get" in logged and "password_hash" in caplog.text  # the callee's log keeps everything
    raised = wire.decode_error(answer["error"])
    assert type(raised) is wire.RemoteError and "SELECT" not in str(raised) and "alice" not in str(raised)


def test_an_error_of_a_known_class_keeps_its_args_and_attributes(monkeypatch):
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", SECRET)
    wire.allow(errors=[f"{__name__}:Refused"])

    def failing():
        error = Refused("card declined")
        error.code = 402
        raise error

    status, answer = call(endpoint(failing)[0], {"args": []})
    assert (status, answer["error"]) == (200, {"$error": f"{__name__}:Refused", "args": ["card declined"],
                                                "state": {"code": 402}})


# --- through a generated service --------------------------------------------------------------------------

PROBE = r"""
import json, os, sys
sys.path.insert(0, os.getcwd())
from chalice.test import Client
from app import app
from chalicelib.internal import ENDPOINT
target = sorted(ENDPOINT.functions)[0]
ran = []
ENDPOINT.functions[target] = lambda *a, **k: ran.append(1)
headers = {"content-type": "application/json"}
def post(body, **extra):
    with Client(app) as client:
        answer = client.http.post(f"/_decompose/call/{target}", headers={**headers, **extra}, body=body)
    return answer.status_code
out = {}
os.environ.pop("DECOMPOSE_INTERNAL_SECRET", None)
out["no_secret"] = post(json.dumps({"args": []}), **{"x-decompose-secret": ""})
os.environ["DECOMPOSE_INTERNAL_SECRET"] = "right"
out["wrong"] = post(json.dumps({"args": []}), **{"x-decompose-secret": "wrong"})
out["nested"] = post("[" * 100000 + "]" * 100000, **{"x-decompose-secret": "right"})
out["model"] = post(json.dumps({"args": [{"$model": "os:system", "pk": ["id"]}]}), **{"x-decompose-secret": "right"})
os.environ["DECOMPOSE_INTERNAL_AUTH"] = "iam"
out["iam_unsigned"] = post(json.dumps({"args": []}), **{"x-decompose-secret": "right"})
del os.environ["DECOMPOSE_INTERNAL_AUTH"]
out["ran_before_good"] = len(ran)
out["good"] = post(json.dumps({"args": []}), **{"x-decompose-secret": "right"})
out["ran"] = len(ran)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("internal")
    run_in(where, ["analyze", str(SAMPLE), "-q"], ["plan", "-q"], ["generate", "-q"])
    return where / "services"


def test_a_generated_services_internal_endpoint_fails_closed(generated):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DECOMPOSE_", "AWS_"))}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=generated / "catalog", env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "no_secret": 503, "wrong": 403, "nested": 400, "model": 400, "iam_unsigned": 403, "ran_before_good": 0,
        "good": 200, "ran": 1}


# --- modules imported on the first call ----------------------------------------------------------------------

def test_an_exposed_functions_module_is_imported_on_its_first_call_inside_the_app_context(monkeypatch):
    """CTFd's geoip reads current_app.config at import: the monolith imported it inside a request, so the
    service imports it inside the app's context, on the first call, and once."""
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", SECRET)
    events: list[str] = []

    @contextlib.contextmanager
    def app_context():
        events.append("enter")
        yield
        events.append("exit")

    def geoip():
        events.append("import")
        return types.SimpleNamespace(lookup=lambda address: {"address": address, "inside": events[-1] == "import"})

    service = Endpoint({"shop:lookup": Deferred(geoip, "lookup")}, context=app_context)
    assert events == []  # building the endpoint (importing app.py) imports nothing
    status, answer = call(service, {"args": ["10.0.0.1"]}, target="shop:lookup")
    assert status == 200 and answer["result"] == {"address": "10.0.0.1", "inside": True}
    assert events == ["enter", "import", "exit"]
    status, _ = call(service, {"args": ["10.0.0.2"]}, target="shop:nothing")
    assert status == 404 and events == ["enter", "import", "exit"]  # an unknown target imports nothing
