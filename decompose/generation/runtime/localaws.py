"""The AWS resources a remediated service uses ([remediate] in the plan), made locally: in the moto that
decompose serves from its own environment (decompose.gateway.aws_local) for `gateway up`, `contracts verify
--target services` and `decompose test`, which runs a service's generated tests with DECOMPOSE_LOCAL_AWS
naming that endpoint (`local`, from its tests/conftest.py); or, when the tests run without it, in moto in
the tests' own process if the venv has one (`mocked`), else a clear error saying how to run them.

    services/<name>/.chalice/layer.json  --kinds-->  bucket, queue, table, topic; shared-bucket, shared-table
    provision(client, service, kinds)   -->  the resources, named <service>-files/-work/-state/-fanout,
                                             and the environment naming them (DECOMPOSE_BUCKET, ...)

The queue has its dead-letter queue and redrive policy, the table its key schema: what the template
declares, so a local run fails where AWS would. boto3 and moto are imported only when a service uses AWS.
"""
from __future__ import annotations

import contextlib
import json
import os
from typing import Any, Callable, Iterator

ACCOUNT_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
LOCAL_VISIBILITY_SECONDS = "5"  # a failed message comes back soon: local runs are short
LOCAL_MAX_RECEIVES = "3"
KINDS = {"DecomposeBucket": "bucket", "DecomposeWorkQueue": "queue", "DecomposeStateTable": "table",
         "DecomposeTopic": "topic"}
SHARED = {"DECOMPOSE_SHARED_BUCKET": "shared-bucket", "DECOMPOSE_SHARED_TABLE": "shared-table"}  # the layer's, one for all
NAMES = {"bucket": "DECOMPOSE_BUCKET", "queue": "DECOMPOSE_QUEUE_URL", "table": "DECOMPOSE_TABLE",
         "topic": "DECOMPOSE_TOPIC_ARN", **{kind: name for name, kind in SHARED.items()}}
LOCAL_AWS = "DECOMPOSE_LOCAL_AWS"  # the endpoint `decompose test` serves moto on, its resources already made
LOOPBACK = ("http://127.0.0.1:", "http://localhost:", "http://[::1]:")


def kinds_of(service: str) -> frozenset:
    """What the service's generated template (.chalice/layer.json) declares; empty without remediations."""
    path = os.path.join(service, ".chalice", "layer.json")
    if not os.path.isfile(path):
        return frozenset()
    with open(path, encoding="utf-8") as handle:
        declared = json.load(handle)
    env = declared.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    return frozenset([KINDS[r] for r in declared.get("Resources", {}) if r in KINDS] + [SHARED[v] for v in env if v in SHARED])


def provision(client: Callable[[str], Any], service: str, kinds: frozenset, shared: dict | None = None) -> dict:
    """Makes the service's resources with `client(name)` (a boto3 client); the environment naming them.
    `shared`: the layer's resources already made for another service (made here when None)."""
    env = dict(shared if shared is not None else provision_shared(client, kinds))
    env = {name: value for name, value in env.items() if SHARED[name] in kinds}
    if "bucket" in kinds:
        env["DECOMPOSE_BUCKET"] = _bucket(client("s3"), f"{service}-files")
    if "table" in kinds:
        env["DECOMPOSE_TABLE"] = _table(client("dynamodb"), f"{service}-state")
    if "queue" in kinds:
        env["DECOMPOSE_QUEUE_URL"] = _queue(client("sqs"), f"{service}-work")
    if "topic" in kinds:
        env["DECOMPOSE_TOPIC_ARN"] = _topic(client("sns"), client("sqs"), f"{service}-fanout", env["DECOMPOSE_QUEUE_URL"])
    return env


def provision_shared(client: Callable[[str], Any], kinds: frozenset) -> dict:
    """The shared kernel's bucket and table, made once for every service (shared/resources.json's)."""
    env = {}
    if "shared-bucket" in kinds:
        env["DECOMPOSE_SHARED_BUCKET"] = _bucket(client("s3"), "shared-files")
    if "shared-table" in kinds:
        env["DECOMPOSE_SHARED_TABLE"] = _table(client("dynamodb"), "shared-state")
    return env


class LocalAwsMissing(RuntimeError):
    """The service uses AWS and its tests were given none: no endpoint from decompose, no moto here."""


@contextlib.contextmanager
def local(service: str) -> Iterator[dict]:
    """The AWS of the service's generated tests: the endpoint `decompose test` gives (DECOMPOSE_LOCAL_AWS,
    on this machine only, the resources named in the environment), else moto in this process when the venv
    has it; never a real account. Nothing happens when the service uses no AWS."""
    kinds = kinds_of(service)
    if not kinds:
        yield {}
        return
    endpoint = os.environ.get(LOCAL_AWS, "")
    if endpoint:
        yield given(endpoint, kinds, os.environ)
        return
    import importlib.util

    if importlib.util.find_spec("moto") is None:
        raise LocalAwsMissing(missing_message(service, kinds))
    with mocked(service) as env:
        yield env


def given(endpoint: str, kinds: frozenset, environ: Any) -> dict:
    """The environment `decompose test` set for these resources, checked: a loopback endpoint, the same in
    AWS_ENDPOINT_URL, and every declared resource named."""
    if not endpoint.startswith(LOOPBACK) or environ.get("AWS_ENDPOINT_URL") != endpoint:
        raise LocalAwsMissing(f"{LOCAL_AWS}={endpoint!r} is not the AWS_ENDPOINT_URL on 127.0.0.1 that 'decompose test' "
                              "sets: the generated tests never reach another AWS; run them with 'decompose test'")
    absent = sorted(NAMES[kind] for kind in kinds if not environ.get(NAMES[kind]))
    if absent:
        raise LocalAwsMissing(f"{LOCAL_AWS} is set but {', '.join(absent)} not: run the tests with 'decompose test'")
    return {NAMES[kind]: environ[NAMES[kind]] for kind in sorted(kinds)}


def missing_message(service: str, kinds: frozenset) -> str:
    name = os.path.basename(os.path.abspath(service))
    return (f"service {name!r} uses AWS ({', '.join(sorted(kinds))}: [remediate] in the plan) and its tests were given "
            f"none. Run them with 'decompose test {name}' from the project's folder: it serves moto from decompose's "
            "own environment on 127.0.0.1, makes these resources there and stops it after (docs/remediation.md); "
            "or install moto in this venv (it then runs in the tests' own process)")


@contextlib.contextmanager
def mocked(service: str) -> Iterator[dict]:
    """The service's resources in moto, in this process, for the length of the block, with the
    environment naming them (and moto's fake account) set; nothing happens when it uses no AWS. The
    generated tests run under it: never against a real account, never skipped for want of a bucket."""
    kinds = kinds_of(service)
    if not kinds:
        yield {}
        return
    import boto3

    saved = {name: os.environ.get(name) for name in (*ACCOUNT_ENV, "AWS_ENDPOINT_URL", *SHARED,
                                                     "DECOMPOSE_BUCKET", "DECOMPOSE_TABLE", "DECOMPOSE_QUEUE_URL",
                                                     "DECOMPOSE_TOPIC_ARN")}
    os.environ.update(ACCOUNT_ENV)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    try:
        with _moto():
            env = provision(lambda name: boto3.client(name, region_name=ACCOUNT_ENV["AWS_DEFAULT_REGION"]),
                            os.path.basename(os.path.abspath(service)), kinds)
            os.environ.update(env)
            yield env
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _moto() -> Iterator[None]:
    """moto's mock of every AWS service: `mock_aws` (moto 5), else the per-service mocks of moto 4, which
    is what a monolith's old pins leave the resolver (flasky's Jinja2 2.10 is below moto 5's floor)."""
    try:
        from moto import mock_aws
    except ImportError:
        import moto

        with contextlib.ExitStack() as stack:
            for name in ("mock_s3", "mock_sqs", "mock_sns", "mock_dynamodb"):
                stack.enter_context(getattr(moto, name)())
            yield
        return
    with mock_aws():
        yield


def _bucket(s3: Any, name: str) -> str:
    s3.create_bucket(Bucket=name)
    return name


def _table(dynamodb: Any, name: str) -> str:
    dynamodb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "state", "AttributeType": "S"},
                              {"AttributeName": "key", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "state", "KeyType": "HASH"}, {"AttributeName": "key", "KeyType": "RANGE"}])
    return name


def _arn(sqs: Any, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _queue(sqs: Any, name: str) -> str:
    dead = sqs.create_queue(QueueName=f"{name}-dead")["QueueUrl"]
    redrive = json.dumps({"deadLetterTargetArn": _arn(sqs, dead), "maxReceiveCount": LOCAL_MAX_RECEIVES})
    return sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": LOCAL_VISIBILITY_SECONDS,
                                                        "RedrivePolicy": redrive})["QueueUrl"]


def _topic(sns: Any, sqs: Any, name: str, queue_url: str) -> str:
    arn = sns.create_topic(Name=name)["TopicArn"]
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=_arn(sqs, queue_url), Attributes={"RawMessageDelivery": "true"})
    return arn
