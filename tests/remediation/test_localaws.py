"""decompose_runtime.localaws: a remediated service's generated tests get its resources in moto, in process."""

from __future__ import annotations

import json
import os

import boto3
import pytest

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


def test_moto_4_s_per_service_mocks_stand_in_for_mock_aws(monkeypatch) -> None:
    """An old monolith's pins leave the resolver moto 4 (no `mock_aws`): flasky's 18 auth tests stopped
    at the import. moto 4's per-service mocks are entered instead, and left when the block ends."""
    import contextlib
    import sys
    import types

    entered: list[str] = []

    def mock(name):
        @contextlib.contextmanager
        def started():
            entered.append(name)
            yield
            entered.append(f"/{name}")
        return started

    old = types.ModuleType("moto")
    for name in ("mock_s3", "mock_sqs", "mock_sns", "mock_dynamodb"):
        setattr(old, name, mock(name))
    monkeypatch.setitem(sys.modules, "moto", old)
    with localaws._moto():
        assert entered == ["mock_s3", "mock_sqs", "mock_sns", "mock_dynamodb"]
    assert entered[4:] == ["/mock_dynamodb", "/mock_sns", "/mock_sqs", "/mock_s3"]


def test_the_endpoint_decompose_test_gives_is_taken_and_nothing_is_made_in_process(tmp_path, monkeypatch) -> None:
    """`decompose test` serves moto from decompose's side and names it in DECOMPOSE_LOCAL_AWS: the tests take
    its resources as given (flasky's services' venv resolved moto 1.3.7, which botocore 1.42 cannot talk to)."""
    folder = _service(tmp_path, ["DecomposeBucket", "DecomposeWorkQueue"], {})
    monkeypatch.setenv(localaws.LOCAL_AWS, "http://127.0.0.1:4566")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    monkeypatch.setenv("DECOMPOSE_BUCKET", "files-files")
    monkeypatch.setenv("DECOMPOSE_QUEUE_URL", "http://127.0.0.1:4566/123456789012/files-work")
    with localaws.local(str(folder)) as env:
        assert env == {"DECOMPOSE_BUCKET": "files-files",
                       "DECOMPOSE_QUEUE_URL": "http://127.0.0.1:4566/123456789012/files-work"}
        assert os.environ["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"  # not put aside, as in process it is


def test_an_endpoint_off_this_machine_or_a_resource_left_unnamed_is_refused(tmp_path, monkeypatch) -> None:
    folder = _service(tmp_path, ["DecomposeBucket"], {})
    monkeypatch.setenv(localaws.LOCAL_AWS, "https://s3.amazonaws.com")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://s3.amazonaws.com")
    monkeypatch.setenv("DECOMPOSE_BUCKET", "files-files")
    with pytest.raises(localaws.LocalAwsMissing, match="never reach another AWS"), localaws.local(str(folder)):
        pass
    monkeypatch.setenv(localaws.LOCAL_AWS, "http://127.0.0.1:4566")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    monkeypatch.delenv("DECOMPOSE_BUCKET")
    with pytest.raises(localaws.LocalAwsMissing, match="DECOMPOSE_BUCKET not"), localaws.local(str(folder)):
        pass


def test_without_an_endpoint_or_moto_the_tests_are_told_how_to_run(tmp_path, monkeypatch) -> None:
    """The services' venv has no moto now: run bare, the tests fail on one sentence naming `decompose test`."""
    import sys

    folder = _service(tmp_path, ["DecomposeBucket"], {})
    monkeypatch.delenv(localaws.LOCAL_AWS, raising=False)
    monkeypatch.setitem(sys.modules, "moto", None)  # not importable, as in the services' venv
    with pytest.raises(localaws.LocalAwsMissing, match=r"decompose test files") as caught, localaws.local(str(folder)):
        pass
    assert "bucket" in str(caught.value)


def test_without_an_endpoint_a_venv_with_moto_still_mocks_in_process(tmp_path, monkeypatch) -> None:
    folder = _service(tmp_path, ["DecomposeBucket"], {})
    monkeypatch.delenv(localaws.LOCAL_AWS, raising=False)
    with localaws.local(str(folder)) as env:
        boto3.client("s3", region_name="us-east-1").head_bucket(Bucket=env["DECOMPOSE_BUCKET"])
