"""decompose_runtime.localaws: a remediated service's generated tests get its resources in moto, in process."""

from __future__ import annotations

import json
import os

import boto3

from decompose.generation.runtime import localaws


def _service(tmp_path, resources: list[str], variables: dict[str, object]):
    folder = tmp_path / "files"
    (folder / ".chalice").mkdir(parents=True)
    template = {"Resources": {r: {} for r in resources},
                "Globals": {"Function": {"Environment": {"Variables": variables}}}}
    (folder / ".chalice" / "layer.json").write_text(json.dumps(template))
    return folder


def test_the_declared_resources_exist_in_moto_and_the_environment_names_them(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # never reached: moto answers in process
    folder = _service(tmp_path, ["DecomposeBucket", "DecomposeWorkQueue", "DecomposeLambda"],
                      {"DECOMPOSE_SHARED_BUCKET": {"Ref": "x"}})
    assert localaws.kinds_of(str(folder)) == {"bucket", "queue", "shared-bucket"}
    with localaws.mocked(str(folder)) as env:
        assert os.environ["DECOMPOSE_BUCKET"] == env["DECOMPOSE_BUCKET"] == "files-files"
        assert os.environ["DECOMPOSE_SHARED_BUCKET"] == "shared-files"
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.put_object(Bucket="files-files", Key="a/b.txt", Body=b"hello")
        assert s3.get_object(Bucket="files-files", Key="a/b.txt")["Body"].read() == b"hello"
        sqs = boto3.client("sqs", region_name="us-east-1")
        attributes = sqs.get_queue_attributes(QueueUrl=env["DECOMPOSE_QUEUE_URL"], AttributeNames=["RedrivePolicy"])
        assert json.loads(attributes["Attributes"]["RedrivePolicy"])["maxReceiveCount"] in (3, "3")
    assert "DECOMPOSE_BUCKET" not in os.environ
    assert os.environ["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9"  # the environment is as it was


def test_a_service_without_remediations_starts_nothing(tmp_path) -> None:
    with localaws.mocked(str(tmp_path)) as env:
        assert env == {}
    assert localaws.kinds_of(str(tmp_path)) == frozenset()
