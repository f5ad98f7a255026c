"""`decompose test`: a service's generated tests get its AWS from decompose's side (moto behind the front,
on 127.0.0.1, this run's key), named in the environment, and stopped after; nothing of it is installed
where the tests run. The services here are written by hand: what is checked is what `decompose test` gives."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

from typer.testing import CliRunner

from decompose.cli import app
from decompose.cli.servicetests_cmd import split_arguments
from decompose.servicetests import pytest_environment

runner = CliRunner()

USES_THE_BUCKET = '''
import os
from pathlib import Path

import boto3


def test_the_bucket_is_served_from_decompose_s_side():
    endpoint = os.environ["DECOMPOSE_LOCAL_AWS"]
    Path(os.environ["SEEN"]).write_text(endpoint)
    assert endpoint == os.environ["AWS_ENDPOINT_URL"] and endpoint.startswith("http://127.0.0.1:")
    assert os.environ["AWS_ACCESS_KEY_ID"].startswith("DECOMPOSE")  # this run's key: the front refuses moto's own
    assert "DECOMPOSE_LOCAL_CONSUMERS" not in os.environ  # no consumer polls during the tests
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.put_object(Bucket=os.environ["DECOMPOSE_BUCKET"], Key="a.txt", Body=b"hello")
    assert s3.get_object(Bucket=os.environ["DECOMPOSE_BUCKET"], Key="a.txt")["Body"].read() == b"hello"
'''


def _service(services: Path, name: str, test: str, resources: tuple[str, ...] = ()) -> None:
    folder = services / name
    (folder / "tests").mkdir(parents=True)
    (folder / ".chalice").mkdir()
    (folder / "app.py").write_text("")
    (folder / "tests" / "test_it.py").write_text(test)
    (folder / ".chalice" / "layer.json").write_text(json.dumps({"Resources": {r: {} for r in resources}}))


def _invoke(tmp_path: Path, *args: str):
    return runner.invoke(app, ["test", "--services", str(tmp_path / "services"), "--root", str(tmp_path),
                               "--python", sys.executable, *args])


def test_a_remediated_service_s_tests_reach_its_bucket_in_decompose_s_moto_stopped_after(tmp_path, monkeypatch) -> None:
    seen = tmp_path / "endpoint.txt"
    monkeypatch.setenv("SEEN", str(seen))
    _service(tmp_path / "services", "images", USES_THE_BUCKET, ("DecomposeBucket",))
    result = _invoke(tmp_path, "images", "--", "-q", "-p", "no:cacheprovider")
    assert result.exit_code == 0, result.output
    port = int(seen.read_text().rsplit(":", 1)[1])
    with socket.socket() as probe:  # the front's process tree was stopped when the tests ended
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_a_failing_service_fails_the_command_and_a_service_without_aws_starts_nothing(tmp_path) -> None:
    _service(tmp_path / "services", "good", "import os\n\ndef test_no_aws():\n    assert 'DECOMPOSE_LOCAL_AWS' not in os.environ\n")
    _service(tmp_path / "services", "bad", "def test_fails():\n    assert 1 == 2\n")
    result = _invoke(tmp_path, "--", "-q", "-p", "no:cacheprovider")
    assert result.exit_code == 1
    assert "1/2 services' tests passed; failed: bad (pytest exit 1)" in result.output


def test_an_unknown_service_is_named_with_the_choices(tmp_path) -> None:
    _service(tmp_path / "services", "good", "def test_ok():\n    pass\n")
    result = _invoke(tmp_path, "nope")
    assert result.exit_code == 2
    assert "no generated service named nope" in result.output and "good" in result.output


def test_names_come_first_then_pytest_s_arguments() -> None:
    assert split_arguments(["images", "orders", "-k", "upload", "-x"]) == (["images", "orders"], ["-k", "upload", "-x"])
    assert split_arguments(["-q"]) == ([], ["-q"])


def test_pytest_s_environment_names_the_endpoint_and_drops_the_local_consumer() -> None:
    aws = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "DECOMPOSE_BUCKET": "b", "DECOMPOSE_LOCAL_CONSUMERS": "1"}
    env = pytest_environment(aws, {"PATH": "/bin", "DECOMPOSE_LOCAL_AWS": "http://127.0.0.1:1"})
    assert env == {"PATH": "/bin", "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "DECOMPOSE_BUCKET": "b",
                   "DECOMPOSE_LOCAL_AWS": "http://127.0.0.1:9"}
    assert pytest_environment({}, {"DECOMPOSE_LOCAL_AWS": "stale", "X": "1"}) == {"X": "1"}
