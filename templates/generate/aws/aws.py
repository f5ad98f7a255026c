"""AWS services replacing what does not survive on Lambda (decompose generate, from the plan's [remediate]).

    Storage   files the monolith wrote under a folder -> S3 objects, keys from the same relative paths
    Work      calls that ran on a thread or inside the request -> SQS messages, run by `consume`
    State     process-wide dicts and caches -> one DynamoDB table, TTL where entries expire

Names come from the environment the stack sets (DECOMPOSE_BUCKET, DECOMPOSE_QUEUE_URL,
DECOMPOSE_TABLE); AWS_ENDPOINT_URL points every client at moto (or LocalStack) for local runs.
Only functions listed in WORK at generation time may be run from a message: a message naming
anything else is refused, never imported.
"""

from __future__ import annotations

import importlib
import json
import os
import time
from typing import Any, Callable

PRESIGNED_SECONDS = 900


def _client(name: str):
    """boto3 is imported on first use: Lambda's runtime provides it; a local run needs it (and moto)
    in the monolith's environment only when a remediated path actually runs."""
    import boto3

    return boto3.client(name, endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None)


def _setting(key: str) -> str:
    value = os.environ.get(key)
    if not value:
        raise RuntimeError(f"{key} is not set: deploy with 'chalice package --merge-template .chalice/layer.json', or export it for a local run")
    return value


class Storage:
    """A folder of the monolith as a bucket: put/get/delete by the same relative path."""

    def __init__(self, bucket: str | None = None, client=None):
        self.bucket = bucket or _setting("DECOMPOSE_BUCKET")
        self.client = client or _client("s3")

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        checked = _key(key)
        self.client.put_object(Bucket=self.bucket, Key=checked, Body=data, ContentType=content_type)
        return key

    def get(self, key: str) -> bytes:
        """The object's bytes; FileNotFoundError when there is none, as open() raised in the monolith."""
        checked = _key(key)
        try:
            return self.client.get_object(Bucket=self.bucket, Key=checked)["Body"].read()
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(key) from None

    def delete(self, key: str) -> None:
        checked = _key(key)
        self.client.delete_object(Bucket=self.bucket, Key=checked)

    def url(self, key: str, seconds: int = PRESIGNED_SECONDS) -> str:
        """Where a client downloads the file itself (instead of the service streaming it)."""
        checked = _key(key)
        return self.client.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": checked},
                                                  ExpiresIn=seconds)


def _key(path: str) -> str:
    """A relative path as an object key: forward slashes, no leading slash, no `..` (fail closed)."""
    key = path.replace("\\", "/").lstrip("/")
    if not key or any(part in ("", ".", "..") for part in key.split("/")):
        raise ValueError(f"{path!r} is not a relative file path")
    return key


class Work:
    """Calls sent as messages: `send("pkg.mod:function", *args)` returns at once; `consume` runs them."""

    def __init__(self, allowed: frozenset[str], queue_url: str | None = None, client=None):
        self.allowed = allowed
        self.queue_url = queue_url or _setting("DECOMPOSE_QUEUE_URL")
        self.client = client or _client("sqs")

    def send(self, target: str, *args: Any, **kwargs: Any) -> str:
        self._check(target)
        body = json.dumps({"target": target, "args": list(args), "kwargs": kwargs}, sort_keys=True)
        return self.client.send_message(QueueUrl=self.queue_url, MessageBody=body)["MessageId"]

    def publish(self, target: str, *args: Any, topic_arn: str | None = None, client=None, **kwargs: Any) -> str:
        """sns: the same message to every subscriber of the topic (this service's queue is one)."""
        self._check(target)
        body = json.dumps({"target": target, "args": list(args), "kwargs": kwargs}, sort_keys=True)
        sns = client or _client("sns")
        return sns.publish(TopicArn=topic_arn or _setting("DECOMPOSE_TOPIC_ARN"), Message=body)["MessageId"]

    def run(self, body: str) -> Any:
        """One message's call. An error propagates: SQS retries it, then moves it to the dead-letter queue."""
        message = json.loads(body)
        self._check(message["target"])
        return _resolve(message["target"])(*message.get("args", []), **message.get("kwargs", {}))

    def _check(self, target: str) -> None:
        if target not in self.allowed:
            raise PermissionError(f"{target!r} is not a function this service runs from its queue")


def _resolve(target: str) -> Callable[..., Any]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


class State:
    """A process-wide dict as DynamoDB items (pk: the state's name and key); values are JSON."""

    def __init__(self, name: str, ttl_seconds: int = 0, table: str | None = None, client=None):
        self.name, self.ttl_seconds = name, ttl_seconds
        self.table = table or _setting("DECOMPOSE_TABLE")
        self.client = client or _client("dynamodb")

    def get(self, key: str, default: Any = None) -> Any:
        item = self.client.get_item(TableName=self.table, Key=self._pk(key), ConsistentRead=True).get("Item")
        if item is None or self._expired(item):
            return default
        return json.loads(item["value"]["S"])

    def __contains__(self, key: str) -> bool:
        return self.get(key, _MISSING) is not _MISSING

    def __getitem__(self, key: str) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        item = {**self._pk(key), "value": {"S": json.dumps(value, sort_keys=True)}}
        if self.ttl_seconds:
            item["expires_at"] = {"N": str(int(time.time()) + self.ttl_seconds)}
        self.client.put_item(TableName=self.table, Item=item)

    def __delitem__(self, key: str) -> None:
        self.client.delete_item(TableName=self.table, Key=self._pk(key))

    def clear(self) -> None:
        """Every key of this state (a Query on its name, then deletes): what dict.clear() did."""
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table, KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": "state", "#k": "key"},
            ExpressionAttributeValues={":s": {"S": self.name}}, ProjectionExpression="#s, #k")
        for page in pages:
            for item in page["Items"]:
                self.client.delete_item(TableName=self.table, Key={"state": item["state"], "key": item["key"]})

    def _pk(self, key: str) -> dict:
        return {"state": {"S": self.name}, "key": {"S": str(key)}}

    @staticmethod
    def _expired(item: dict) -> bool:
        """DynamoDB deletes expired items lazily (within days): an expired one reads as missing."""
        return "expires_at" in item and int(item["expires_at"]["N"]) <= time.time()


_MISSING = object()
