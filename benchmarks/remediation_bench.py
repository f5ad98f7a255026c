"""Benchmark the upload route's answer time with and without the [remediate] decisions of its hazards.

    python benchmarks/remediation_bench.py [--requests 20] [--rounds 200000]

Both sides run the sample's own `POST /api/images` (Flask test client, SQLite, one process):
- as is: the monolith writes the file to disk and labels it inside the request (its recognizer,
  --rounds SHA-256 rounds, the sample's default);
- remediated: the images module exactly as generate rewrites it for the service with the proposed
  [remediate] (its file calls through chalicelib/aws.py's `files`, into S3; the statement storing the
  labels, slow-work sqs, deferred by `aws.later` and sent once the request commits), and the messages
  run afterwards as the consumer Lambda runs them (Work.run: the photo loaded again, labelled,
  committed; its time is measured apart). S3 and SQS are moto, in process: real AWS adds a network
  round trip per call (single-digit milliseconds inside a region), not a labelling.
Prints a Markdown table (median and p95 of the answer time, and the consumer's time per message).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16


def generated_aws():
    spec = importlib.util.spec_from_file_location("generated_aws", ROOT / "templates" / "generate" / "aws" / "aws.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def client_and_token(folder: Path, rounds: int):
    from sample_monolith.app import create_app
    from sample_monolith.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
                      "UPLOAD_DIR": str(folder / "uploads"), "RECOGNIZER_ROUNDS": rounds, "NOTIFICATIONS_SYNC": True,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        db.create_all()
    client = app.test_client()
    body = {"email": "bench@example.com", "password": "password-123", "display_name": "Bench", "role": "seller"}
    assert client.post("/api/accounts/signup", json=body).status_code == 201
    token = client.post("/api/accounts/login", json={"email": body["email"], "password": body["password"]}).get_json()["token"]
    return app, client, token


def answer_times(client, token: str, count: int) -> list[float]:
    times = []
    for index in range(count):
        started = time.perf_counter()
        response = client.post(f"/api/images?filename=p{index}.png", data=PNG + bytes([index % 256]),
                               headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"})
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 201, response.get_data(as_text=True)
    return times


@contextlib.contextmanager
def remediated(aws):
    """The images service as generate makes it: its module rewritten by decompose.remediation.rewrite with
    the decisions plan proposes for it (s3 for the files, sqs for the recognizer's slow work)."""
    import boto3
    from sample_monolith.services import images

    from decompose.remediation.rewrite import Wanted, rewrite

    boto3.client("s3").create_bucket(Bucket="uploads")
    os.environ["DECOMPOSE_BUCKET"] = "uploads"
    url = boto3.client("sqs").create_queue(QueueName="work")["QueueUrl"]
    os.environ["DECOMPOSE_QUEUE_URL"] = url
    original = dict(vars(images))
    chalicelib = types.ModuleType("chalicelib")
    chalicelib.aws = aws
    sys.modules["chalicelib"] = chalicelib
    done = rewrite(Path(images.__file__).read_text(), Wanted(images.__name__, files=True, slow=frozenset({"recognize"})))
    exec(compile(done.source, images.__file__, "exec"), vars(images))  # the generated service's copy, in place
    try:
        yield url, aws.Work(frozenset(done.thread_targets), queue_url=url)
    finally:
        vars(images).clear()
        vars(images).update(original)
        sys.modules.pop("chalicelib", None)


def consume(app, url: str, work) -> list[float]:
    """What the consumer Lambda does per message (consumers.run): the call in the app's context."""
    import boto3

    sqs, times = boto3.client("sqs"), []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return times
        for message in messages:
            started = time.perf_counter()
            with app.app_context():
                work.run(message["Body"], app=app)
            times.append((time.perf_counter() - started) * 1000)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def labelled(app) -> int:
    from sample_monolith.extensions import db
    from sample_monolith.models.media import Photo

    with app.app_context():
        return sum(1 for photo in db.session.scalars(db.select(Photo)) if photo.labels)


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=200_000, help="the recognizer's SHA-256 rounds (the sample's default)")
    args = parser.parse_args()
    for key, value in (("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "bench"), ("AWS_SECRET_ACCESS_KEY", "bench")):
        os.environ.setdefault(key, value)
    from moto import mock_aws

    aws = generated_aws()
    with tempfile.TemporaryDirectory() as folder:
        app, client, token = client_and_token(Path(folder), args.rounds)
        before = answer_times(client, token, args.requests)
        with mock_aws(), remediated(aws) as (url, work):
            after = answer_times(client, token, args.requests)
            unlabelled = args.requests * 2 - labelled(app)
            consumer = consume(app, url, work)
            assert labelled(app) == args.requests * 2, "the consumer did not label every remediated upload"
    print(f"POST /api/images, {args.requests} uploads of {len(PNG) + 1} bytes, recognizer at {args.rounds} rounds:\n")
    print("| upload route | median answer (ms) | p95 answer (ms) | labels in the answer | consumer per message (ms) |")
    print("|---|---|---|---|---|")
    print(f"| as is (disk, labelled in the request) | {statistics.median(before):.1f} | {p95(before):.1f} | yes | - |")
    print(f"| remediated (S3 + SQS, moto) | {statistics.median(after):.1f} | {p95(after):.1f} | no (eventual: "
          f"{unlabelled} unlabelled at the last answer) | {statistics.median(consumer):.1f} ({len(consumer)} messages) |")


if __name__ == "__main__":
    main()
