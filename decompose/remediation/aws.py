"""[remediate] decisions -> what `generate` adds to each service: boto3 code, resources, IAM, a report.

    chalicelib/aws.py          Storage (s3), Work (sqs/sns), State (dynamodb): templates/generate/aws/aws.py
    chalicelib/consumers.py    the SQS consumer Lambda (on_sqs_message) running the queued calls
    .chalice/layer.json        gains the CloudFormation `chalice package --merge-template` merges: the bucket, the
                               queue and its dead-letter queue, the topic, the table (TTL), the environment
                               every function reads, and an IAM policy on chalice's role granting exactly
                               the actions used, on exactly these resources
Decisions are placed by the service that owns their symbol; `keep` and `cloudfront` (the gateway's)
add nothing here. Everything is a pure function of the decisions: same plan, same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from decompose.remediation.model import Decision

SERVICE_CHOICES = ("s3", "sqs", "sns", "dynamodb")
MAX_RECEIVES = 5  # attempts before a message goes to the dead-letter queue
VISIBILITY_SECONDS = 180  # six times chalice's default 30 s Lambda timeout, as AWS advises
DLQ_RETENTION_SECONDS = 1209600  # 14 days, SQS's maximum: time to look at what failed
CONSUMER = "ConsumeWork"  # chalice names a handler's resource (and its role, + "Role") after consume_work
API_ROLE = "ApiHandlerRole"  # chalice's role of APIHandler when autogen_policy is off
RUNTIME = "python3.12"  # without generation.json's shared.lambda_runtime (the monolith's Python), as for APIHandler
ASYNC_NOTE = ("The route turns asynchronous: the work runs in the consumer Lambda after the answer, which no "
              "longer contains its result; a client polls for the resource to reach its state. Contracts poll only "
              "for the fields generate knows a consumer stores (slow work's `eventual`): record this route from "
              "tests that wait for the state (docs/remediation.md).")

SLOW_NOTE = ("The route turns asynchronous: the slow work runs in the consumer Lambda once the request commits, and "
             "stores what `eventual` names there; the answer no longer holds it, a later read of the resource does "
             "(contracts verify checks it eventually: docs/remediation.md).")


@dataclass(frozen=True)
class ServiceAws:
    service: str
    decisions: tuple[Decision, ...]

    def uses(self, choice: str) -> bool:
        return any(d.choice == choice for d in self.decisions)

    @property
    def work(self) -> list[str]:
        """The functions a message may name: the symbols remediated by sqs or sns."""
        return sorted({d.target for d in self.decisions if d.choice in ("sqs", "sns")})


def by_service(decisions: tuple[Decision, ...], homes: dict[str, str], shared: bool = False) -> dict[str, ServiceAws]:
    """The decisions that generate code, grouped by the service owning their symbol (or its module);
    shared: those in the shared kernel instead (under "shared"): decompose.remediation.shared remediates them."""
    grouped: dict[str, list[Decision]] = {}
    for decision in decisions:
        home = homes.get(decision.target) or homes.get(decision.target.split(":")[0])
        if decision.choice in SERVICE_CHOICES and home and (home == "shared") == shared:
            grouped.setdefault(home, []).append(decision)
    return {name: ServiceAws(name, tuple(sorted(group, key=lambda d: (d.kind, d.target))))
            for name, group in sorted(grouped.items())}


def merged(base: dict, extra: dict) -> dict:
    """`extra` deep-merged into `base` (chalice package takes one --merge-template: layer.json)."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def queue_name(project: str, service: str) -> str:
    return f"{project}-{service}-work"[:80]


def template(aws: ServiceAws, project: str, runtime: str = RUNTIME) -> dict:
    """The CloudFormation (SAM) fragment merged into .chalice/layer.json (`chalice package --merge-template`).
    Chalice gives each function its own role (autogen_policy off): the API's may send, the consumer's
    may receive; both may use the bucket, the table and the topic the service's code uses. runtime: the
    consumer's, the API's own (generation.json's shared.lambda_runtime)."""
    resources: dict[str, dict] = {}
    shared: list[dict] = []  # statements both roles need
    api: list[dict] = []  # the API's only: sending and publishing
    env: dict[str, dict] = {}
    if aws.uses("s3"):
        _bucket(resources, shared, env)
    if aws.uses("dynamodb"):
        _table(resources, shared, env)
    if aws.work:
        _queue(resources, env, queue_name(project, aws.service))
        resources[CONSUMER] = {"Properties": {"Layers": [{"Ref": "SharedLayerArn"}], "Runtime": runtime}}
        api.append(_queue_statement("Send", SEND))
        if aws.uses("sns"):
            _topic(resources, api, env)
    resources["DecomposeApiPolicy"] = _policy("decompose-remediation-api", API_ROLE, shared + api)
    if aws.work:
        resources["DecomposeConsumerPolicy"] = _policy("decompose-remediation-consumer", f"{CONSUMER}Role",
                                                       shared + [_queue_statement("Receive", RECEIVE)])
    return {"Globals": {"Function": {"Environment": {"Variables": env}}}, "Resources": resources}


def _policy(name: str, role: str, statements: list[dict]) -> dict:
    return {"Type": "AWS::IAM::Policy", "Properties": {
        "PolicyName": name, "Roles": [{"Ref": role}],
        "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}}


def _queue_statement(sid: str, actions: list[str]) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": {"Fn::GetAtt": ["DecomposeWorkQueue", "Arn"]}}


SEND = ["sqs:SendMessage"]
RECEIVE = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]


def _bucket(resources: dict, statements: list, env: dict) -> None:
    resources["DecomposeBucket"] = {"Type": "AWS::S3::Bucket", "Properties": {
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                           "IgnorePublicAcls": True, "RestrictPublicBuckets": True}}}
    statements.append({"Sid": "Files", "Effect": "Allow", "Action": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                       "Resource": {"Fn::Sub": "${DecomposeBucket.Arn}/*"}})
    # without ListBucket, S3 answers a missing key with 403 instead of 404: open() and os.path.exists()
    # of a file not written yet would fail instead of raising FileNotFoundError / returning False
    statements.append({"Sid": "FilesMissing", "Effect": "Allow", "Action": ["s3:ListBucket"],
                       "Resource": {"Fn::GetAtt": ["DecomposeBucket", "Arn"]}})
    env["DECOMPOSE_BUCKET"] = {"Ref": "DecomposeBucket"}


def _queue(resources: dict, env: dict, name: str) -> None:
    resources["DecomposeDeadLetters"] = {"Type": "AWS::SQS::Queue", "Properties": {
        "MessageRetentionPeriod": DLQ_RETENTION_SECONDS, "SqsManagedSseEnabled": True}}
    resources["DecomposeWorkQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {
        "QueueName": name, "VisibilityTimeout": VISIBILITY_SECONDS, "SqsManagedSseEnabled": True,
        "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["DecomposeDeadLetters", "Arn"]},
                          "maxReceiveCount": MAX_RECEIVES}}}
    env["DECOMPOSE_QUEUE_URL"] = {"Ref": "DecomposeWorkQueue"}


def _topic(resources: dict, statements: list, env: dict) -> None:
    """sns: a topic others may subscribe to; this service's own queue is its first subscriber."""
    resources["DecomposeTopic"] = {"Type": "AWS::SNS::Topic", "Properties": {}}
    resources["DecomposeTopicToQueue"] = {"Type": "AWS::SNS::Subscription", "Properties": {
        "Protocol": "sqs", "RawMessageDelivery": True, "TopicArn": {"Ref": "DecomposeTopic"},
        "Endpoint": {"Fn::GetAtt": ["DecomposeWorkQueue", "Arn"]}}}
    resources["DecomposeQueueFromTopic"] = {"Type": "AWS::SQS::QueuePolicy", "Properties": {
        "Queues": [{"Ref": "DecomposeWorkQueue"}],
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": {"Fn::GetAtt": ["DecomposeWorkQueue", "Arn"]},
            "Condition": {"ArnEquals": {"aws:SourceArn": {"Ref": "DecomposeTopic"}}}}]}}}
    statements.append({"Sid": "Fanout", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": {"Ref": "DecomposeTopic"}})
    env["DECOMPOSE_TOPIC_ARN"] = {"Ref": "DecomposeTopic"}


def _table(resources: dict, statements: list, env: dict) -> None:
    resources["DecomposeStateTable"] = {"Type": "AWS::DynamoDB::Table", "Properties": {
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "state", "AttributeType": "S"},
                                 {"AttributeName": "key", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "state", "KeyType": "HASH"}, {"AttributeName": "key", "KeyType": "RANGE"}],
        "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True}}}
    statements.append({"Sid": "State", "Effect": "Allow",
                       "Action": ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
                       "Resource": {"Fn::GetAtt": ["DecomposeStateTable", "Arn"]}})
    env["DECOMPOSE_TABLE"] = {"Ref": "DecomposeStateTable"}


def consumers(aws: ServiceAws, project: str, targets: list[str] = (), drains: dict[str, list[str]] | None = None) -> str:
    """chalicelib/consumers.py: the SQS consumer, registered on the service's app by app.py.
    targets: the functions a rewritten Thread sends; drains: "module:queue" -> the functions popping it."""
    work = sorted(set(aws.work) | set(targets))
    return CONSUMERS.format(work=json.dumps(work)[1:-1], queue=json.dumps(queue_name(project, aws.service)),
                            drains=json.dumps(drains or {}, indent=4, sort_keys=True))


CONSUMERS = '''"""The consumer Lambda of this service's work queue (decompose generate, from [remediate] sqs/sns).

A message is a call to one function of WORK (a Thread's start(), chalicelib.aws.Work.send) or an item
of a queue generate turned into chalicelib.aws.Queue: the item goes back to the process-local queue
and DRAINS names the functions that pop it. Either runs inside the monolith's app context, where the
app marker of a queued tuple becomes this Lambda's app. A failure raises: SQS retries the message,
then moves it to the dead-letter queue (see .chalice/layer.json).
"""
import contextlib

from chalicelib import aws

WORK = frozenset({{{work}}})
DRAINS = {drains}
QUEUE = {queue}


def run(body, built):
    """One message's work, in the app's context (what the Lambda and `gateway up`'s local driver call)."""
    context = built.app_context() if hasattr(built, "app_context") else contextlib.nullcontext()
    with context:
        return aws.Work(WORK).run(body, app=built, drains=DRAINS)


def register(app, framework_app):
    """`framework_app()` returns the monolith's app, built once per Lambda instance."""

    @app.on_sqs_message(queue=QUEUE, batch_size=1)
    def consume_work(event):
        for record in event:
            run(record.body, framework_app())

    aws.poll_locally(lambda body: run(body, framework_app()))  # `decompose gateway up` only
'''


def report(aws: ServiceAws, rewritten: dict[str, list[str]] | None = None,
           deferred: dict[str, list[str]] | None = None) -> list[dict]:
    """What changed for each decision: the call sites generate switched in its module (`rewritten`:
    module -> changes), else what is left to a person; whether its route turned asynchronous, and for
    slow work, what the consumer now stores (`deferred`: module -> "photo.labels")."""
    rows = []
    for d in aws.decisions:
        module = d.target.split(":")[0]
        changes = (rewritten or {}).get(module, [])
        row = {"kind": d.kind, "symbol": d.target, "remediation": d.choice, "asynchronous": d.choice in ("sqs", "sns")}
        row.update({"rewritten": changes} if changes else {"todo": _todo(d)})
        if d.kind == "slow-work" and (deferred or {}).get(module):
            row["eventual"] = deferred[module]
        if row["asynchronous"]:
            row["note"] = SLOW_NOTE if "eventual" in row else ASYNC_NOTE
        rows.append(row)
    return rows


def _todo(d: Decision) -> str:
    return {
        "s3": f"in {d.target}, write and read through chalicelib.aws.Storage().put/get/delete(relative_path) "
              "instead of the folder; serve downloads with Storage().url(key)",
        "sqs": f"replace the call {d.target} started (thread, queue) with chalicelib.aws.Work(WORK).send"
               f"('{d.target}', ...); remove the thread and the in-memory queue",
        "sns": f"publish to the topic instead of calling {d.target}; subscribers run it",
        "dynamodb": f"in {d.target}, use chalicelib.aws.State(name, ttl_seconds) where the module-level dict was "
                    "(left as it is when it is not an empty dict, or is a registry a decorator fills at import time "
                    "with classes or functions: write 'keep' for such a registry)",
    }[d.choice]
