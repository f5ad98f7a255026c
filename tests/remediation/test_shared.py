"""Hazards in the shared kernel: the layer's copy of the module is rewritten against its own aws module,
whose bucket and table come from one shared stack every service imports (shared/resources.json); cfn-lint
accepts both halves, and the layer's aws module works against moto."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import boto3
from moto import mock_aws

from decompose.analysis.model import HazardOut
from decompose.gateway import aws_local
from decompose.remediation import aws, shared
from decompose.remediation.model import Decision
from decompose.resources import templates_dir

BIN = Path(sys.executable).parent
MODULE = b'''"""Cache and files of the kernel."""
_CACHE = {}


def get(key):
    return _CACHE.get(key)


def save(path, data):
    with open(path, "wb") as handle:
        handle.write(data)
'''
DECISIONS = (Decision("process-cache", "pkg.kernel:get", "dynamodb"), Decision("filesystem-write", "pkg.kernel:save", "s3"),
             Decision("background-thread", "pkg.jobs:start", "sqs"))
HAZARDS = [HazardOut("process-cache", "pkg.kernel:get", "pkg/kernel.py", 6, "_CACHE (item assignment)", "", "", True),
           HazardOut("filesystem-write", "pkg.kernel:save", "pkg/kernel.py", 10, "open(..., 'wb')", "", "", True),
           HazardOut("background-thread", "pkg.jobs:start", "pkg/jobs.py", 3, "threading.Thread", "", "", True)]


def applied():
    consumer = {"Resources": {aws.CONSUMER: {"Properties": {}}}}
    files = {"shared/python/pkg/kernel.py": MODULE, "cart/app.py": b"", "notify/app.py": b"",
             "notify/.chalice/layer.json": json.dumps(consumer).encode()}
    runtime = (templates_dir() / "generate" / "aws" / "aws.py").read_bytes()
    rows = shared.apply(files, aws.ServiceAws("shared", DECISIONS), "shop", HAZARDS, runtime)
    return files, {r["symbol"]: r for r in rows}


def test_the_layers_copy_is_rewritten_against_its_own_aws_module():
    files, rows = applied()
    layer = files["shared/python/pkg/kernel.py"].decode()
    assert shared.IMPORT in layer and '_CACHE = _decompose_aws.State("pkg.kernel:_CACHE")' in layer
    assert "_decompose_aws.files.open(path" in layer
    assert files[shared.RUNTIME].decode().endswith('NAMES.update(bucket="DECOMPOSE_SHARED_BUCKET", table="DECOMPOSE_SHARED_TABLE")\n')
    assert rows["pkg.kernel:get"]["rewritten"] and rows["pkg.kernel:save"]["rewritten"]
    assert "sqs/sns there is not generated" in rows["pkg.jobs:start"]["todo"]


def test_every_service_imports_the_shared_stack_and_may_use_exactly_its_resources():
    files, _ = applied()
    for name, roles in (("cart", ["ApiHandlerRole"]), ("notify", ["ApiHandlerRole", "ConsumeWorkRole"])):
        layer = json.loads(files[f"{name}/.chalice/layer.json"])
        assert layer["Parameters"][shared.STACK]["Default"] == "shop-shared"
        assert set(layer["Globals"]["Function"]["Environment"]["Variables"]) == {"DECOMPOSE_SHARED_BUCKET", "DECOMPOSE_SHARED_TABLE"}
        policy = layer["Resources"]["DecomposeSharedPolicy"]["Properties"]
        assert [r["Ref"] for r in policy["Roles"]] == roles
        actions = sorted(a for s in policy["PolicyDocument"]["Statement"] for a in s["Action"])
        assert actions == sorted(["s3:DeleteObject", "s3:GetObject", "s3:PutObject", "s3:ListBucket", "dynamodb:DeleteItem",
                                  "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"])
        assert "*" not in json.dumps(policy["PolicyDocument"]).replace("${Arn}/*", "")
    assert aws.CONSUMER in json.loads(files["notify/.chalice/layer.json"])["Resources"]  # merged, not replaced


def test_cfn_lint_accepts_the_shared_stack_and_a_service_importing_it(tmp_path):
    files, _ = applied()
    stack = tmp_path / "shared.json"
    stack.write_bytes(files[shared.RESOURCES])
    fragment = json.loads(files["cart/.chalice/layer.json"])
    service = {"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31",
               "Parameters": fragment["Parameters"], "Globals": fragment["Globals"], "Resources": {
                   **fragment["Resources"],
                   "ApiHandlerRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
                       "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                               "Principal": {"Service": "lambda.amazonaws.com"}}]}}},
                   "APIHandler": {"Type": "AWS::Serverless::Function", "Properties": {
                       "Runtime": "python3.12", "Handler": "app.app", "CodeUri": "./deployment.zip",
                       "Role": {"Fn::GetAtt": ["ApiHandlerRole", "Arn"]}}}}}
    (tmp_path / "service.json").write_text(json.dumps(service))
    lint = subprocess.run([str(BIN / "cfn-lint"), str(stack), str(tmp_path / "service.json")], capture_output=True,
                          text=True, timeout=300, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    outputs = json.loads(files[shared.RESOURCES])["Outputs"]
    assert sorted(outputs) == ["Bucket", "BucketArn", "Table", "TableArn"]


def test_the_layers_aws_module_uses_the_shared_bucket_and_table(tmp_path, monkeypatch):
    files, _ = applied()
    (tmp_path / "aws_shared.py").write_bytes(files[shared.RUNTIME])
    spec = importlib.util.spec_from_file_location("aws_shared", tmp_path / "aws_shared.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for key, value in (("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("DECOMPOSE_BUCKET", raising=False)
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket="shared-files")
        monkeypatch.setenv("DECOMPOSE_SHARED_BUCKET", "shared-files")
        module.Storage().put("a/b.txt", b"kernel")
        assert boto3.client("s3").get_object(Bucket="shared-files", Key="a/b.txt")["Body"].read() == b"kernel"


def test_gateway_up_makes_the_shared_resources_once_for_every_service(tmp_path):
    files, _ = applied()
    for key, value in files.items():
        if key.endswith("layer.json"):
            (tmp_path / key).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / key).write_bytes(value)
    found = {n.service: sorted(n.kinds) for n in aws_local.needs(tmp_path, ["cart", "notify"])}
    assert found == {"cart": ["shared-bucket", "shared-table"], "notify": ["shared-bucket", "shared-table"]}
