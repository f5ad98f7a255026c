"""The IAM policy of a service's Lambda role, per stage (.chalice/policy-<stage>.json, autogen_policy off).

    CloudWatch Logs: create its log group and streams, put events (what chalice's own policy grants)
    execute-api:Invoke on exactly the internal routes this service calls:
        arn:aws:execute-api:*:*:*/<stage>/POST/_decompose/call/<module:function>

The callee's API id, region and account are not known when the code is generated (each service is its
own stack, deployed later), so they are wildcards: the role may POST those exact paths, on that stage,
of any API it can reach. Only the callees' APIs have such paths, and an API of another account also
needs its own resource policy to let this role in. docs/generation.md says how to narrow it to one API
once the ids are known.
"""

from __future__ import annotations

import json

from decompose.generation.runtime.client import CALL_PATH

LOGS = {
    "Sid": "Logs",
    "Effect": "Allow",
    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
    "Resource": "arn:*:logs:*:*:*",
}


def invoke_arn(stage: str, target: str, api: str = "*", region: str = "*", account: str = "*") -> str:
    return f"arn:aws:execute-api:{region}:{account}:{api}/{stage}/POST{CALL_PATH}{target}"


def document(stage: str, targets: list[str]) -> dict:
    statements = [LOGS]
    if targets:
        statements.append({"Sid": "InvokeInternalRoutes", "Effect": "Allow", "Action": "execute-api:Invoke",
                           "Resource": [invoke_arn(stage, t) for t in sorted(set(targets))]})
    return {"Version": "2012-10-17", "Statement": statements}


def render(stage: str, targets: list[str]) -> str:
    return json.dumps(document(stage, targets), indent=2) + "\n"
