"""Decisions whose code sits in the shared kernel (the layer every service loads) -> the layer's copy of
the module rewritten, its own aws module, and resources every service shares.

    shared/python/decompose_runtime/aws.py  chalicelib/aws.py's code, reading DECOMPOSE_SHARED_BUCKET/_TABLE
    shared/python/<module path>             the call sites switched to it (decompose.remediation.rewrite)
    shared/resources.json                   a CloudFormation stack, deployed before the services: the shared
                                            bucket and table, their names and ARNs exported
    <service>/.chalice/layer.json           gains the parameter naming that stack, the environment and IAM
                                            on the shared resources (every service loads the layer)

Only s3 and dynamodb: state every service must see alike, so one bucket and one table for all. sqs and
sns in the layer keep their to-do: which service's consumer runs the work is a choice the plan does not make.
"""

from __future__ import annotations

import json

from decompose.remediation import aws, rewrite

CHOICES = ("s3", "dynamodb")
STACK = "DecomposeSharedStack"  # the services' parameter: the name of the stack made from shared/resources.json
RUNTIME = "shared/python/decompose_runtime/aws.py"
RESOURCES = "shared/resources.json"
IMPORT = "from decompose_runtime import aws as _decompose_aws  # decompose: [remediate] shared kernel, docs/remediation.md\n"
NAMES = ("\n\n# decompose: the shared kernel's copy: its bucket and table are the shared stack's (shared/resources.json)\n"
         'NAMES.update(bucket="DECOMPOSE_SHARED_BUCKET", table="DECOMPOSE_SHARED_TABLE")\n')
UNSWITCHED = "in the shared kernel (the layer every service loads): its copy has no call generate switches; "
TODO = ("in the shared kernel (the layer every service loads): sqs/sns there is not generated (which service's "
        "consumer runs the work is not decided); pin the symbol to the service that runs it ([constraints] pin), or ")


def apply(files: dict[str, bytes], shared: aws.ServiceAws, project: str, hazards: list, runtime: bytes) -> list[dict]:
    """Adds the layer's remediation to `files` (in place); returns the report rows of the shared decisions."""
    done = aws.ServiceAws("shared", tuple(d for d in shared.decisions if d.choice in CHOICES))
    changes: dict[str, list[str]] = {}
    for path, wanted in rewrite.wanted(done.decisions, hazards).items():
        key = f"shared/python/{path}"
        if key in files:
            result = rewrite.rewrite(files[key].decode("utf-8"), wanted, IMPORT)
            files[key] = result.source.encode("utf-8")
            if result.changes:
                changes[wanted.module] = result.changes
    uses = {d.choice for d in done.decisions if d.target.split(":")[0] in changes}
    if uses:
        files[RUNTIME] = runtime.rstrip(b"\n") + b"\n" + NAMES.encode()
        files[RESOURCES] = (json.dumps(resources(uses, project), indent=2, sort_keys=True) + "\n").encode()
        _grant(files, uses, project)
    rows = [row if "rewritten" in row else {**row, "todo": UNSWITCHED + row["todo"]} for row in aws.report(done, changes)]
    rows += [{**row, "todo": TODO + row["todo"]} for row in aws.report(
        aws.ServiceAws("shared", tuple(d for d in shared.decisions if d.choice not in CHOICES)))]
    return sorted(rows, key=lambda r: (r["kind"], r["symbol"]))


def resources(uses: set[str], project: str) -> dict:
    """The shared stack: the bucket and the table as the services' own (private, encrypted; TTL), exported."""
    made: dict[str, dict] = {}
    outputs: dict[str, dict] = {}
    if "s3" in uses:
        aws._bucket(made, [], {})
        _export(outputs, "Bucket", {"Ref": "DecomposeBucket"}, {"Fn::GetAtt": ["DecomposeBucket", "Arn"]})
    if "dynamodb" in uses:
        aws._table(made, [], {})
        _export(outputs, "Table", {"Ref": "DecomposeStateTable"}, {"Fn::GetAtt": ["DecomposeStateTable", "Arn"]})
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": made, "Outputs": outputs,
            "Description": f"{project}: the resources of the shared kernel's remediations (deploy before the services)"}


def _export(outputs: dict, name: str, value: dict, arn: dict) -> None:
    for suffix, what in (("", value), ("Arn", arn)):
        outputs[f"{name}{suffix}"] = {"Value": what, "Export": {"Name": {"Fn::Sub": f"${{AWS::StackName}}-{name}{suffix}"}}}


def _imported(name: str) -> dict:
    return {"Fn::ImportValue": {"Fn::Sub": f"${{{STACK}}}-{name}"}}


def fragment(uses: set[str], project: str, roles: list[str]) -> dict:
    """What each service's layer.json gains: the parameter, the environment, one policy on its roles."""
    env: dict[str, dict] = {}
    statements: list[dict] = []
    if "s3" in uses:
        env["DECOMPOSE_SHARED_BUCKET"] = _imported("Bucket")
        objects = {"Fn::Sub": ["${Arn}/*", {"Arn": _imported("BucketArn")}]}
        statements += [{"Sid": "SharedFiles", "Effect": "Allow", "Action": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                        "Resource": objects},
                       {"Sid": "SharedFilesMissing", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": _imported("BucketArn")}]
    if "dynamodb" in uses:
        env["DECOMPOSE_SHARED_TABLE"] = _imported("Table")
        statements.append({"Sid": "SharedState", "Effect": "Allow", "Resource": _imported("TableArn"),
                           "Action": ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]})
    policy = {"Type": "AWS::IAM::Policy", "Properties": {
        "PolicyName": "decompose-remediation-shared", "Roles": [{"Ref": role} for role in roles],
        "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}}
    return {"Parameters": {STACK: {"Type": "String", "Default": f"{project}-shared",
                                   "Description": "the stack made from shared/resources.json (deploy it first)"}},
            "Globals": {"Function": {"Environment": {"Variables": env}}},
            "Resources": {"DecomposeSharedPolicy": policy}}


def _grant(files: dict[str, bytes], uses: set[str], project: str) -> None:
    """Every service (each loads the layer, so each may run the shared code) gets the shared fragment."""
    for app in sorted(k for k in files if k.endswith("/app.py") and k.count("/") == 1):
        name = app.split("/")[0]
        layer = f"{name}/.chalice/layer.json"
        current = json.loads(files[layer]) if layer in files else {}
        roles = [aws.API_ROLE] + ([f"{aws.CONSUMER}Role"] if aws.CONSUMER in current.get("Resources", {}) else [])
        merged = aws.merged(current, fragment(uses, project, roles))
        files[layer] = (json.dumps(merged, indent=2, sort_keys=True) + "\n").encode()

