"""Issue #27: on AWS, generated services can call each other, and no more than that.

Two services of the sample that call each other (the first such pair of the plan) are generated and packaged with
`chalice package`. Each one's Lambda role grants CloudWatch Logs and `execute-api:Invoke` on exactly the
internal routes (POST /_decompose/call/<target>, stage prod) of the functions it calls, nothing else;
the role and its policy are created in moto's IAM (they are valid IAM); the callee's internal route
takes only SigV4 (API Gateway's IAM authorizer); and the generated client signs its call with botocore
(AWS4-HMAC-SHA256 for execute-api over the exact body: re-signing the captured request with the same
credentials gives the same signature, another body another one).
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from moto import mock_aws

from decompose.generation import policy
from decompose.generation.runtime import client as runtime_client
from decompose.generation.runtime.client import Service
from tests.generation.test_client import FakeService
from tests.helpers import run_in
from tests.sample import SAMPLE

STAGE = "prod"
KEY, SECRET_KEY, REGION = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "eu-west-1"


@pytest.fixture(scope="module")
def packaged(tmp_path_factory) -> dict:
    """The sample generated; the pair packaged for stage prod: {"report": ..., name: sam template}."""
    where = tmp_path_factory.mktemp("iam")
    report = json.loads(run_in(where, ["analyze", str(SAMPLE), "-q"], ["plan", "-q"], ["generate", "--json", "-q"]))
    chalice = Path(sys.executable).parent / "chalice"
    found: dict = {"report": {s["name"]: s for s in report["services"]}, "folder": where / "services"}
    found["pair"] = pair(found["report"])
    for name in found["pair"]:
        out = where / "package" / name
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")}, "AWS_DEFAULT_REGION": "us-east-1"}
        result = subprocess.run([str(chalice), "package", "--stage", STAGE, "--merge-template", ".chalice/layer.json", str(out)],
                                cwd=where / "services" / name, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        found[name] = json.loads((out / "sam.json").read_text())
    return found


def pair(report: dict) -> tuple[str, str]:
    """The first two services (by name) that call each other: the planner names them, the test does not."""
    found = [(a, b) for a in sorted(report) for b in sorted(called(report, a).values())
             if a < b and a in called(report, b).values()]
    assert found, "no two services of the sample's plan call each other"
    return found[0]


def called(report: dict, name: str) -> dict[str, str]:
    """target -> the service that owns it, for every function `name` calls over HTTP."""
    return {c["target"]: c["service"] for c in report[name]["clients"] if c["kind"] == "client"}


def role_policies(template: dict) -> list[dict]:
    roles = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    assert len(roles) == 1, "one role per service"
    return [p["PolicyDocument"] for p in roles[0]["Properties"]["Policies"]]


def allows(document: dict, action: str, resource: str) -> bool:
    """IAM's matching for Allow statements without conditions (* and ? wildcards); enough for these policies."""
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow" and "Condition" not in statement and "NotAction" not in statement
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in actions) and \
                any(fnmatch.fnmatchcase(resource, r) for r in resources):
            return True
    return False


def call_arn(target: str, stage: str = STAGE, method: str = "POST", api: str = "a1b2c3d4e5") -> str:
    return f"arn:aws:execute-api:{REGION}:123456789012:{api}/{stage}/{method}/_decompose/call/{target}"


# --- the policy ----------------------------------------------------------------------------------------

def test_the_pair_calls_each_other(packaged):
    report, (one, other) = packaged["report"], packaged["pair"]
    assert other in called(report, one).values() and one in called(report, other).values()


@pytest.mark.parametrize("side", [0, 1])
def test_the_role_grants_logs_and_exactly_the_internal_routes_it_calls(packaged, side):
    name = packaged["pair"][side]
    report = packaged["report"]
    targets = called(report, name)
    for target, owner in targets.items():
        assert target in report[owner]["exposed"], f"{owner} does not expose {target}"
    documents = role_policies(packaged[name])
    assert documents == [policy.document(STAGE, sorted(targets))]
    statements = documents[0]["Statement"]
    assert [s["Sid"] for s in statements] == ["Logs", "InvokeInternalRoutes"]
    actions = [a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert sorted(actions) == ["execute-api:Invoke", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    assert statements[1]["Resource"] == sorted(f"arn:aws:execute-api:*:*:*/{STAGE}/POST/_decompose/call/{t}" for t in targets)


@pytest.mark.parametrize("side", [0, 1])
def test_the_role_may_invoke_nothing_else(packaged, side):
    name = packaged["pair"][side]
    document = role_policies(packaged[name])[0]
    targets = called(packaged["report"], name)
    target = sorted(targets)[0]
    owner_exposes = set(packaged["report"][targets[target]]["exposed"])
    not_called = sorted(owner_exposes - set(targets)) or ["pkg.elsewhere:function"]
    assert all(allows(document, "execute-api:Invoke", call_arn(t)) for t in targets)
    for action, resource in [
        ("execute-api:Invoke", call_arn(not_called[0])),  # a function of the same callee it does not call
        ("execute-api:Invoke", call_arn(target, method="GET")),
        ("execute-api:Invoke", call_arn(target, stage="dev")),
        ("execute-api:Invoke", call_arn(target).replace("/_decompose/call/", "/api/")),
        ("execute-api:Invoke", f"arn:aws:execute-api:{REGION}:123456789012:a1b2c3d4e5/{STAGE}/POST/_decompose/reset"),
        ("execute-api:ManageConnections", call_arn(target)),
        ("lambda:InvokeFunction", f"arn:aws:lambda:{REGION}:123456789012:function:users"),
        ("iam:PassRole", "arn:aws:iam::123456789012:role/admin"),
        ("ssm:GetParameter", "arn:aws:ssm:eu-west-1:123456789012:parameter/sample-monolith/prod/services/users/url"),
        ("logs:DeleteLogGroup", "arn:aws:logs:eu-west-1:123456789012:log-group:x"),
    ]:
        assert not allows(document, action, resource), (action, resource)


def test_the_callees_internal_route_takes_only_sigv4(packaged):
    for name in packaged["pair"]:
        body = packaged[name]["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
        route = body["paths"]["/_decompose/call/{target}"]
        assert set(route) == {"post"} and route["post"]["security"] == [{"sigv4": []}]
        assert body["securityDefinitions"]["sigv4"]["x-amazon-apigateway-authtype"] == "awsSigv4"


def test_the_role_and_its_policy_are_valid_iam(packaged, monkeypatch):
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(variable, "testing")  # moto's fake credentials, never this machine's
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        for name in packaged["pair"]:
            check_in_iam(iam, name, packaged[name])
        with pytest.raises(iam.exceptions.MalformedPolicyDocumentException):  # moto does check documents
            iam.create_policy(PolicyName="broken", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "not-an-arn"}]}))


def check_in_iam(iam, name: str, template: dict) -> None:
    role = next(r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role")["Properties"]
    iam.create_role(RoleName=f"{name}-prod", AssumeRolePolicyDocument=json.dumps(role["AssumeRolePolicyDocument"]))
    document = role_policies(template)[0]
    created = iam.create_policy(PolicyName=f"{name}-prod-calls", PolicyDocument=json.dumps(document))["Policy"]
    iam.attach_role_policy(RoleName=f"{name}-prod", PolicyArn=created["Arn"])
    version = iam.get_policy_version(PolicyArn=created["Arn"], VersionId=created["DefaultVersionId"])["PolicyVersion"]
    stored = version["Document"]
    assert (json.loads(stored) if isinstance(stored, str) else stored) == document
    attached = iam.list_attached_role_policies(RoleName=f"{name}-prod")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [created["Arn"]]


# --- the signature -------------------------------------------------------------------------------------

@pytest.fixture()
def signing(monkeypatch, tmp_path):
    """Fake credentials only: no profile, config or credentials file of this machine is read."""
    for variable in list(os.environ):
        if variable.startswith("AWS_") or variable.startswith("DECOMPOSE_"):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("DECOMPOSE_INTERNAL_AUTH", "iam")
    listener = FakeService()
    listener.answers = [(200, {"result": "ok"})]
    yield listener
    listener.close()


def resign(captured: dict, url: str, body: bytes) -> str:
    """The signature botocore gives the captured request (its signed headers, its X-Amz-Date) over `body`."""
    signed = re.search(r"SignedHeaders=([^,]+)", captured["headers"]["authorization"]).group(1).split(";")
    headers = {h: captured["headers"][h] for h in signed if h != "host"}
    request = AWSRequest(method="POST", url=url, data=body, headers=headers)
    request.context["timestamp"] = captured["headers"]["x-amz-date"]
    auth = SigV4Auth(Credentials(KEY, SECRET_KEY), "execute-api", REGION)
    return auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)


def test_the_generated_client_signs_its_call_with_sigv4_over_the_exact_body(packaged, signing, monkeypatch):
    layer = packaged["folder"] / "shared" / "python" / "decompose_runtime" / "client.py"
    assert layer.read_bytes() == Path(runtime_client.__file__).read_bytes()  # what is deployed is what runs here
    one, other = packaged["pair"]
    target, owner = sorted(called(packaged["report"], one).items())[0]
    assert owner == other or other in called(packaged["report"], one).values()
    monkeypatch.setenv(runtime_client.env_name(owner), signing.url)
    assert Service(owner).function(target, idempotent=False)("alice", ttl=3) == "ok"
    captured = signing.requests[-1]
    assert captured["path"] == f"/_decompose/call/{target}"
    assert captured["body"] == {"args": ["alice"], "kwargs": {"ttl": 3}}
    authorization = captured["headers"]["authorization"]
    match = re.fullmatch(rf"AWS4-HMAC-SHA256 Credential={KEY}/(\d{{8}})/{REGION}/execute-api/aws4_request, "
                         r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})", authorization)
    assert match, authorization
    assert captured["headers"]["x-amz-date"].startswith(match.group(1))
    assert {"host", "x-amz-date", "content-type"} <= set(match.group(2).split(";"))
    assert "x-decompose-secret" not in captured["headers"]
    url = signing.url + captured["path"]
    assert resign(captured, url, captured["raw"]) == match.group(3)
    assert resign(captured, url, captured["raw"] + b" ") != match.group(3)  # the body is part of the signature
    assert allows(policy.document(STAGE, [target]), "execute-api:Invoke", call_arn(target))


def test_the_signature_is_for_the_callees_region(signing):
    url = "https://a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com/prod/_decompose/call/pkg.shop:get"
    headers = runtime_client._sigv4(url, b'{"args": []}', {"Content-Type": "application/json"})
    assert "/eu-central-1/execute-api/aws4_request" in headers["Authorization"]


def test_without_credentials_the_call_fails_with_a_clear_error(signing, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("DECOMPOSE_URL_USERS", signing.url)
    with pytest.raises(runtime_client.RemoteCallError, match="no AWS credentials"):
        Service("users").function("pkg.users:get", idempotent=True)()
    assert signing.requests == []
