"""AWS for `gateway up`: moto_server on 127.0.0.1, the resources each remediated service declares, and
the environment that points the service (and its local consumer) at them.

    services/<name>/.chalice/layer.json  --needs-->  {service: {bucket, queue, table, topic}}
    moto_server (an Upstream of its own fleet, started first)  --provision-->  resources, per-service env
    chalice local <name>  with that env + DECOMPOSE_LOCAL_CONSUMERS=1: its consumers.py polls the queue
                          in a thread and runs each message, as Lambda's SQS event source would

Resources get local names (<service>-files, -work, -state, -fanout); the queue has its dead-letter
queue and redrive policy, the table its key schema: what the template declares, so a local run fails
where AWS would.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from decompose.errors import UserError
from decompose.gateway.upstreams import HOST, Fleet, Upstream, free_port

ACCOUNT_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
LOCAL_CONSUMERS = "DECOMPOSE_LOCAL_CONSUMERS"  # read by the generated chalicelib/aws.py
LOCAL_VISIBILITY_SECONDS = "5"  # a failed message comes back soon: local runs are short
LOCAL_MAX_RECEIVES = "3"
KINDS = {"DecomposeBucket": "bucket", "DecomposeWorkQueue": "queue", "DecomposeStateTable": "table",
         "DecomposeTopic": "topic"}
SHARED = {"DECOMPOSE_SHARED_BUCKET": "shared-bucket", "DECOMPOSE_SHARED_TABLE": "shared-table"}  # the layer's, one for all


@dataclass(frozen=True)
class Needs:
    service: str
    kinds: frozenset[str]  # bucket, queue, table, topic; shared-bucket, shared-table (the shared kernel's)


@contextlib.contextmanager
def running(services: Path, names: list[str], logs: Path) -> Iterator[dict[str, dict[str, str]]]:
    """moto_server with the resources of the remediated services among `names`, started before them and
    stopped after them (enter this first); service -> its AWS environment. Nothing starts when no
    service uses AWS."""
    wanted = needs(services, names)
    if not wanted:
        yield {}
        return
    server = moto_server(free_port())
    with Fleet([server], logs=logs):
        yield provision(server.url, wanted)


def needs(services: Path, names: list[str]) -> list[Needs]:
    """The services whose generated template declares remediation resources, and which."""
    found = []
    for name in names:
        layer = services / name / ".chalice" / "layer.json"
        declared = json.loads(layer.read_text()) if layer.is_file() else {}
        env = declared.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
        kinds = frozenset([KINDS[r] for r in declared.get("Resources", {}) if r in KINDS] + [SHARED[v] for v in env if v in SHARED])
        if kinds:
            found.append(Needs(name, kinds))
    return found


def moto_server(port: int) -> Upstream:
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask_cors") is None:
        raise UserError("the generated services use AWS ([remediate] in the plan) and 'gateway up' runs them against "
                        "moto_server, which is missing from decompose's environment",
                        "reinstall decompose (it depends on moto[server]) or pip install "
                        "'moto[server,s3,sqs,sns,dynamodb]' into its environment (docs/remediation.md)")
    # held by decompose's lifeline: moto_server stops when whoever started it dies, even by SIGKILL
    return Upstream("aws", [sys.executable, "-m", "decompose.gateway.lifeline", "moto.server", "-H", HOST, "-p", str(port)],
                    Path.cwd(), port,
                    dict(ACCOUNT_ENV))


def provision(endpoint: str, wanted: list[Needs]) -> dict[str, dict[str, str]]:
    """Creates each service's resources in the moto_server at `endpoint`; service -> its environment."""
    import boto3

    def client(name: str):
        return boto3.client(name, endpoint_url=endpoint, region_name=ACCOUNT_ENV["AWS_DEFAULT_REGION"],
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    envs = {}
    shared = _shared(client, set().union(*(need.kinds for need in wanted)))
    for need in wanted:
        env = {**ACCOUNT_ENV, "AWS_ENDPOINT_URL": endpoint, LOCAL_CONSUMERS: "1"}
        env.update({name: value for name, value in shared.items() if SHARED[name] in need.kinds})
        if "bucket" in need.kinds:
            env["DECOMPOSE_BUCKET"] = _bucket(client("s3"), f"{need.service}-files")
        if "table" in need.kinds:
            env["DECOMPOSE_TABLE"] = _table(client("dynamodb"), f"{need.service}-state")
        if "queue" in need.kinds:
            env["DECOMPOSE_QUEUE_URL"] = _queue(client("sqs"), f"{need.service}-work")
        if "topic" in need.kinds:
            env["DECOMPOSE_TOPIC_ARN"] = _topic(client("sns"), client("sqs"), f"{need.service}-fanout",
                                                env["DECOMPOSE_QUEUE_URL"])
        envs[need.service] = env
    return envs


def _shared(client, kinds: set[str]) -> dict[str, str]:
    """The shared kernel's bucket and table, made once for every service (shared/resources.json's)."""
    env = {}
    if "shared-bucket" in kinds:
        env["DECOMPOSE_SHARED_BUCKET"] = _bucket(client("s3"), "shared-files")
    if "shared-table" in kinds:
        env["DECOMPOSE_SHARED_TABLE"] = _table(client("dynamodb"), "shared-state")
    return env


def _bucket(s3, name: str) -> str:
    s3.create_bucket(Bucket=name)
    return name


def _table(dynamodb, name: str) -> str:
    dynamodb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "state", "AttributeType": "S"},
                              {"AttributeName": "key", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "state", "KeyType": "HASH"}, {"AttributeName": "key", "KeyType": "RANGE"}])
    return name


def _arn(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _queue(sqs, name: str) -> str:
    dead = sqs.create_queue(QueueName=f"{name}-dead")["QueueUrl"]
    redrive = json.dumps({"deadLetterTargetArn": _arn(sqs, dead), "maxReceiveCount": LOCAL_MAX_RECEIVES})
    return sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": LOCAL_VISIBILITY_SECONDS,
                                                        "RedrivePolicy": redrive})["QueueUrl"]


def _topic(sns, sqs, name: str, queue_url: str) -> str:
    arn = sns.create_topic(Name=name)["TopicArn"]
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=_arn(sqs, queue_url), Attributes={"RawMessageDelivery": "true"})
    return arn
