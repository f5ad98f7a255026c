"""The generated chalicelib/aws.py against moto: files in S3 by relative path, calls through SQS
(and SNS) run by the consumer with retries left to the queue, dicts in DynamoDB with TTL."""

import importlib.util
import json
import time

import boto3
import pytest
from moto import mock_aws

from decompose.resources import templates_dir

REGION = "us-east-1"


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    spec = importlib.util.spec_from_file_location("generated_aws", templates_dir() / "generate" / "aws" / "aws.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with mock_aws():
        yield module


def test_storage_keeps_the_relative_paths(aws, monkeypatch):
    boto3.client("s3").create_bucket(Bucket="uploads")
    monkeypatch.setenv("DECOMPOSE_BUCKET", "uploads")
    storage = aws.Storage()
    assert storage.put("7/12-abc.png", b"\x89PNG", "image/png") == "7/12-abc.png"
    assert [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket="uploads")["Contents"]] == ["7/12-abc.png"]
    assert storage.get("7/12-abc.png") == b"\x89PNG"
    assert "uploads" in storage.url("7/12-abc.png") and "Signature" in storage.url("7/12-abc.png")
    storage.delete("7/12-abc.png")
    with pytest.raises(FileNotFoundError):
        storage.get("7/12-abc.png")


@pytest.mark.parametrize("path", ["../etc/passwd", "a/../../b", "", "a//b"])
def test_storage_refuses_paths_that_leave_the_folder(aws, path):
    with pytest.raises(ValueError, match="not a relative file path"):
        aws.Storage(bucket="uploads", client=object()).put(path, b"x")


def test_storage_without_a_bucket_says_what_to_set(aws, monkeypatch):
    monkeypatch.delenv("DECOMPOSE_BUCKET", raising=False)
    with pytest.raises(RuntimeError, match="DECOMPOSE_BUCKET is not set"):
        aws.Storage()


CALLS = []


def record(*args, **kwargs):
    CALLS.append((args, kwargs))
    return len(CALLS)


def test_work_goes_through_the_queue_and_runs_in_the_consumer(aws):
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    target = f"{__name__}:record"
    work = aws.Work(frozenset({target}), queue_url=url)
    CALLS.clear()
    work.send(target, 3, kind="welcome")
    assert CALLS == []  # nothing ran in the request
    (message,) = sqs.receive_message(QueueUrl=url)["Messages"]
    assert work.run(message["Body"]) == 1
    assert CALLS == [((3,), {"kind": "welcome"})]


def test_a_message_naming_another_function_is_refused_not_imported(aws):
    work = aws.Work(frozenset({"pkg.mod:allowed"}), queue_url="unused", client=object())
    body = json.dumps({"target": "os:system", "args": ["true"]})
    with pytest.raises(PermissionError, match="is not a function this service runs"):
        work.run(body)
    with pytest.raises(PermissionError):
        work.send("os:system", "true")


def test_publish_fans_out_to_the_subscribed_queue(aws):
    sqs, sns = boto3.client("sqs"), boto3.client("sns")
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name="fanout")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    target = f"{__name__}:record"
    work = aws.Work(frozenset({target}), queue_url=url)
    CALLS.clear()
    work.publish(target, 5, topic_arn=topic)
    (message,) = sqs.receive_message(QueueUrl=url)["Messages"]
    work.run(message["Body"])
    assert CALLS == [((5,), {})]


def make_table(name="state"):
    boto3.client("dynamodb").create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "state", "AttributeType": "S"}, {"AttributeName": "key", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "state", "KeyType": "HASH"}, {"AttributeName": "key", "KeyType": "RANGE"}])


def test_state_reads_and_modifies_like_the_dict_it_replaces(aws):
    make_table()
    cache = aws.State("category-tree", table="state")
    other = aws.State("other", table="state")
    assert "sqlite://" not in cache and cache.get("sqlite://") is None
    cache["sqlite://"] = [{"name": "Art", "children": []}]
    other["sqlite://"] = 1
    assert "sqlite://" in aws.State("category-tree", table="state")  # another instance sees it
    assert cache["sqlite://"] == [{"name": "Art", "children": []}]
    cache.clear()
    with pytest.raises(KeyError):
        cache["sqlite://"]
    assert other["sqlite://"] == 1  # clear() empties this state only


def test_state_entries_expire_with_their_ttl(aws, monkeypatch):
    make_table()
    cache = aws.State("tree", ttl_seconds=60, table="state")
    cache["k"] = "v"
    item = boto3.client("dynamodb").get_item(TableName="state", Key={"state": {"S": "tree"}, "key": {"S": "k"}})["Item"]
    assert int(item["expires_at"]["N"]) > time.time()
    monkeypatch.setattr(aws.time, "time", lambda: time.monotonic() + 10**10)
    assert cache.get("k") is None

