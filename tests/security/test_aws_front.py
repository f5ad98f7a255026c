"""moto for a local fleet listens only behind a front that takes this run's access key (aws_front): an
unsigned request, one signed with another key, and moto's own /moto-api/ are refused."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from decompose.gateway import aws_front, aws_local

KEY = "DECOMPOSEFEEDFACE0123456789"


def _inner(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"moto"]


def _call(environ: dict) -> tuple[str, bytes]:
    seen = {}

    def start_response(status, headers):
        seen["status"] = status

    body = b"".join(aws_front.Front(_inner, KEY)({"PATH_INFO": "/", "QUERY_STRING": "", **environ}, start_response))
    return seen["status"], body


def _signed(key: str) -> str:
    return (f"AWS4-HMAC-SHA256 Credential={key}/20261207/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=00")


@pytest.mark.parametrize("environ", [
    {},                                                               # unsigned
    {"HTTP_AUTHORIZATION": _signed("testing")},                       # moto's usual fake key
    {"HTTP_AUTHORIZATION": _signed(KEY + "X")},                       # another key, same prefix
    {"HTTP_AUTHORIZATION": "AWS " + KEY + ":c2lnbmF0dXJl"},           # SigV2 is not taken
    {"QUERY_STRING": "X-Amz-Credential=other%2F20261207%2Fus-east-1%2Fs3%2Faws4_request"},
    {"HTTP_AUTHORIZATION": _signed(KEY), "PATH_INFO": "/moto-api/reset"},   # moto's API, even with the key
    {"HTTP_AUTHORIZATION": _signed(KEY), "PATH_INFO": "/moto-api"},
])
def test_the_front_refuses(environ):
    status, body = _call(environ)
    assert status.startswith("403") and b"AccessDenied" in body


@pytest.mark.parametrize("environ", [
    {"HTTP_AUTHORIZATION": _signed(KEY)},
    {"QUERY_STRING": f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={KEY}%2F20261207%2Fus-east-1%2Fs3%2Faws4_request"},
    {"HTTP_AUTHORIZATION": _signed(KEY), "PATH_INFO": "/moto-apis-bucket/key"},  # a bucket, not moto's API
])
def test_the_front_passes_this_runs_key(environ):
    assert _call(environ) == ("200 OK", b"moto")


def test_the_front_never_runs_without_a_key(monkeypatch, capsys):
    with pytest.raises(ValueError):
        aws_front.Front(_inner, "")
    monkeypatch.delenv(aws_front.KEY_ENV, raising=False)
    assert aws_front.main(["-p", "9"]) == 2
    assert aws_front.KEY_ENV in capsys.readouterr().err


def test_each_run_gets_its_own_key():
    one, other = aws_local.run_key(), aws_local.run_key()
    assert one["AWS_ACCESS_KEY_ID"] != other["AWS_ACCESS_KEY_ID"]
    assert one["AWS_SECRET_ACCESS_KEY"] != other["AWS_SECRET_ACCESS_KEY"]
    assert len(one["AWS_ACCESS_KEY_ID"]) >= 20


def _status(request: urllib.request.Request) -> int:
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_fleets_moto_serves_the_run_and_refuses_everyone_else(tmp_path):
    boto3 = pytest.importorskip("boto3")
    from botocore.exceptions import ClientError

    chalice = tmp_path / "services" / "files" / ".chalice"
    chalice.mkdir(parents=True)
    (chalice / "layer.json").write_text(json.dumps({"Resources": {"DecomposeBucket": {"Type": "AWS::S3::Bucket"}}}))
    with aws_local.running(tmp_path / "services", ["files"], tmp_path / "logs") as envs:
        env = envs["files"]
        assert env["AWS_ACCESS_KEY_ID"] != "testing"

        def client(key_id: str, secret: str):
            return boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], region_name=env["AWS_DEFAULT_REGION"],
                                aws_access_key_id=key_id, aws_secret_access_key=secret)

        mine = client(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"])
        mine.put_object(Bucket=env["DECOMPOSE_BUCKET"], Key="a.txt", Body=b"kept")
        assert mine.get_object(Bucket=env["DECOMPOSE_BUCKET"], Key="a.txt")["Body"].read() == b"kept"
        with pytest.raises(ClientError) as refused:
            client("testing", "testing").get_object(Bucket=env["DECOMPOSE_BUCKET"], Key="a.txt")
        assert refused.value.response["Error"]["Code"] == "AccessDenied"
        base = env["AWS_ENDPOINT_URL"]
        assert _status(urllib.request.Request(f"{base}/{env['DECOMPOSE_BUCKET']}/a.txt")) == 403
        assert _status(urllib.request.Request(f"{base}/moto-api/reset", method="POST")) == 403
        assert _status(urllib.request.Request(f"{base}/moto-api/data.json")) == 403
        # the reset was refused: the object is still there
        assert mine.get_object(Bucket=env["DECOMPOSE_BUCKET"], Key="a.txt")["Body"].read() == b"kept"
