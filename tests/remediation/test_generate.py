"""`generate` with the sample's proposed [remediate]: the images service gets S3, notifications an SQS
queue with a dead-letter queue and a consumer Lambda, categories a DynamoDB table with TTL; chalice
packages each with the resources merged, cfn-lint accepts the templates, and each IAM policy grants
exactly the actions its function uses on exactly the resources of its own template."""

import json
import os
import textwrap
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from decompose.cli import app
from tests.helpers import run_in

BIN = Path(sys.executable).parent
runner = CliRunner()
FILES = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
STATE = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]
RECEIVE = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
EXPECTED = {  # remediation -> policy resource -> the actions its service's policy grants
    # ListBucket: a missing key is a 404, not a 403; the images service also sends its labelling (slow work)
    # to its consumer, which reads large uploads back from the bucket
    "s3": {"DecomposeApiPolicy": sorted([*FILES, "s3:ListBucket", "sqs:SendMessage"]),
           "DecomposeConsumerPolicy": sorted([*FILES, "s3:ListBucket", *RECEIVE])},
    "dynamodb": {"DecomposeApiPolicy": STATE},
    "sqs": {"DecomposeApiPolicy": ["sqs:SendMessage"], "DecomposeConsumerPolicy": RECEIVE},
}


@pytest.fixture(scope="module")
def generated(planned_sample, tmp_path_factory):
    """The planned sample (tests/conftest.py) generated with its proposed [remediate]; returns services/."""
    where = tmp_path_factory.mktemp("remediated")
    shutil.copytree(planned_sample, where, dirs_exist_ok=True)
    run_in(where, ["generate", "-q"])
    return where / "services"


@pytest.fixture(scope="module")
def owners(generated) -> dict[str, str]:
    """remediation -> the service the plan gave its code (the planner names them: images, notifications, ...)."""
    report = json.loads((generated / "generation.json").read_text())
    found = {r["remediation"]: s["name"] for s in report["services"] for r in s.get("remediation", [])
             if r["kind"] != "slow-work"}  # the labelling's sqs sits beside the uploads' s3
    assert sorted(found) == sorted(EXPECTED) and len(set(found.values())) == len(found), found
    return found


@pytest.fixture(scope="module")
def packaged(generated, owners, tmp_path_factory):
    """remediation -> its service's packaged SAM template."""
    out = tmp_path_factory.mktemp("packaged")
    templates = {}
    for kind, name in owners.items():
        result = subprocess.run([str(BIN / "chalice"), "package", "--merge-template", ".chalice/layer.json", str(out / name)],
                                cwd=generated / name, capture_output=True, text=True, timeout=300, check=False,
                                env={"PATH": str(BIN), "AWS_DEFAULT_REGION": "us-east-1", "HOME": str(out)})
        assert result.returncode == 0, result.stderr
        templates[kind] = out / name / "sam.json"
    return templates


def test_report_says_what_changed_and_what_turned_asynchronous(generated, owners):
    report = json.loads((generated / "generation.json").read_text())
    rows = {s["name"]: s.get("remediation", []) for s in report["services"]}
    assert {(r["kind"], r["remediation"]) for r in rows[owners["s3"]]} == {("filesystem-write", "s3"), ("slow-work", "sqs")}
    (slow,) = [r for r in rows[owners["s3"]] if r["kind"] == "slow-work"]
    assert slow["asynchronous"] and slow["eventual"] == ["photo.labels"] and "aws.later" in " ".join(slow["rewritten"])
    assert {r["remediation"] for r in rows[owners["dynamodb"]]} == {"dynamodb"}
    assert all(r["asynchronous"] for r in rows[owners["sqs"]]) and rows[owners["sqs"]]
    assert "turns asynchronous" in rows[owners["sqs"]][0]["note"]
    assert all(r["rewritten"] and "todo" not in r for rows_of in rows.values() for r in rows_of)
    assert report["static"]["folders"] == ["sample_monolith/static"]
    assert not any(rows[name] for name in rows if name not in owners.values())


def test_only_services_with_work_get_a_consumer(generated, owners):
    assert (generated / owners["sqs"] / "chalicelib" / "consumers.py").exists()
    assert not (generated / owners["dynamodb"] / "chalicelib" / "consumers.py").exists()
    assert (generated / owners["dynamodb"] / "chalicelib" / "aws.py").exists()
    labelling = (generated / owners["s3"] / "chalicelib" / "consumers.py").read_text()
    assert '"sample_monolith.services.images:_decompose_later_store_photo_1"' in labelling
    assert "consumers.register(app, framework.app)" in (generated / owners["sqs"] / "app.py").read_text()
    consumers = (generated / owners["sqs"] / "chalicelib" / "consumers.py").read_text()
    assert '"sample_monolith.services.notifications:_ensure_worker"' in consumers


def test_cfn_lint_accepts_the_packaged_templates(packaged):
    lint = subprocess.run([str(BIN / "cfn-lint"), *map(str, packaged.values())], capture_output=True, text=True,
                          timeout=300, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_the_consumer_is_an_sqs_event_source_with_a_dead_letter_queue(packaged):
    resources = json.loads(packaged["sqs"].read_text())["Resources"]
    (event,) = resources["ConsumeWork"]["Properties"]["Events"].values()
    assert event["Type"] == "SQS" and event["Properties"]["BatchSize"] == 1
    queue = resources["DecomposeWorkQueue"]["Properties"]
    assert event["Properties"]["Queue"]["Fn::Sub"].endswith(":" + queue["QueueName"])
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["DecomposeDeadLetters", "Arn"]}
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5


def test_the_table_expires_entries(packaged):
    table = json.loads(packaged["dynamodb"].read_text())["Resources"]["DecomposeStateTable"]["Properties"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_each_policy_grants_exactly_what_its_function_uses_on_its_own_resources(packaged, kind):
    resources = json.loads(packaged[kind].read_text())["Resources"]
    policies = {k: v for k, v in resources.items() if k.startswith("Decompose") and v["Type"] == "AWS::IAM::Policy"}
    assert {k: sorted(a for s in v["Properties"]["PolicyDocument"]["Statement"] for a in s["Action"])
            for k, v in policies.items()} == EXPECTED[kind]
    for policy in policies.values():
        (role,) = policy["Properties"]["Roles"]
        assert resources[role["Ref"]]["Type"] == "AWS::IAM::Role"
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            assert "*" not in json.dumps(statement["Action"])
            target = statement["Resource"]
            name = target["Fn::GetAtt"][0] if "Fn::GetAtt" in target else target["Fn::Sub"].split(".")[0][2:]
            assert name in resources and name.startswith("Decompose"), statement


def test_gateway_template_serves_static_files_from_s3_through_cloudfront(generated, monkeypatch):
    import yaml

    monkeypatch.chdir(generated.parent)
    for args in (["gateway", "init", "-q"], ["gateway", "template", "-o", "gw.yaml", "-q"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
    document = yaml.safe_load(Path("gw.yaml").read_text())
    resources = document["Resources"]
    config = resources["Distribution"]["Properties"]["DistributionConfig"]
    assert [o["Id"] for o in config["Origins"]] == ["api", "static"]
    assert config["CacheBehaviors"][0]["PathPattern"] == "/static/*" and config["DefaultCacheBehavior"]["TargetOriginId"] == "api"
    (statement,) = resources["StaticBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"} and statement["Action"] == "s3:GetObject"
    assert "distribution/${Distribution}" in statement["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    assert resources["StaticBucket"]["Properties"]["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] is True
    assert document["Outputs"]["StaticSync"]["Value"]["Fn::Sub"].startswith("aws s3 sync sample_monolith/static s3://")
    lint = subprocess.run([str(BIN / "cfn-lint"), "gw.yaml"], capture_output=True, text=True, timeout=300, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr


AGAINST_MOTO = '''
import json, os, sys, threading
sys.path.insert(0, sys.argv[1])
os.environ.update(AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
os.environ.pop("AWS_ENDPOINT_URL", None)
import boto3
from moto import mock_aws

with mock_aws():
    os.environ["DECOMPOSE_QUEUE_URL"] = boto3.client("sqs").create_queue(QueueName="work")["QueueUrl"]
    boto3.client("s3").create_bucket(Bucket="files")
    os.environ["DECOMPOSE_BUCKET"] = "files"
    boto3.client("dynamodb").create_table(
        TableName="state", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "state", "AttributeType": "S"}, {"AttributeName": "key", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "state", "KeyType": "HASH"}, {"AttributeName": "key", "KeyType": "RANGE"}])
    os.environ["DECOMPOSE_TABLE"] = "state"
    import app as service  # noqa: F401 (sets the path up as the Lambda would)
    from chalicelib import framework
    from sample_monolith.extensions import db
    built = framework.app()
    with built.app_context():
        db.create_all()
    seen = {}
'''
SCENARIOS = {
    "notifications": '''
    from chalicelib import consumers
    from sample_monolith.models.notification import OutboxMessage
    from sample_monolith.services import notifications
    threads = threading.active_count()
    with built.app_context():
        message = notifications.enqueue(1, "welcome", "hi")
        db.session.commit()
        seen["id"] = message.id
    seen["threads started"] = threading.active_count() - threads
    received = boto3.client("sqs").receive_message(QueueUrl=os.environ["DECOMPOSE_QUEUE_URL"], MaxNumberOfMessages=10)
    seen["messages"] = [json.loads(m["Body"]) for m in received["Messages"]]
    with built.app_context():
        seen["before"] = db.session.get(OutboxMessage, seen["id"]).status
    for m in received["Messages"]:
        consumers.run(m["Body"], built)
    with built.app_context():
        seen["after"] = db.session.get(OutboxMessage, seen["id"]).status
''',
    "images": '''
    from sample_monolith.services import images
    from sample_monolith.models.media import Photo
    with built.app_context():
        relative = images._write_file(7, "1-abc.png", b"PNG-bytes")
        photo = Photo(storage_path=relative)
        seen["keys"] = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket="files")["Contents"]]
        seen["read"] = images.photo_bytes(photo).decode()
        seen["on disk"] = os.path.exists(images._absolute_path(photo))
''',
    "labels": '''
    import types
    from chalicelib import consumers
    from sample_monolith.services import images
    from sample_monolith.models.media import Photo
    sqs, url = boto3.client("sqs"), os.environ["DECOMPOSE_QUEUE_URL"]
    small, large = b"\\x89PNG\\r\\n\\x1a\\nsmall", b"\\x89PNG\\r\\n\\x1a\\n" + bytes(70000)
    ids = []
    with built.app_context():
        for data in (small, large):
            photo = images.store_photo(types.SimpleNamespace(id=1), data, "a.png")
            seen.setdefault("answered", []).append(photo.to_dict()["labels"])
            ids.append(photo.id)
        seen["sent before the commit"] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"]
        db.session.commit()
        seen["expected"] = [[{"name": n, "confidence": c} for n, c in images.recognize(d)] for d in (small, large)]
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    seen["markers"] = sorted(a["__decompose__"] for m in received for a in json.loads(m["Body"])["args"])
    seen["targets"] = sorted({json.loads(m["Body"])["target"] for m in received})
    for m in received:
        consumers.run(m["Body"], built)
    with built.app_context():
        db.session.expire_all()
        seen["stored"] = [[label.to_dict() for label in db.session.get(Photo, i).labels] for i in ids]
    try:
        consumers.run(json.dumps({"target": seen["targets"][0], "args": [{"__decompose__": "row", "class": "os:PathLike", "key": [1]}, None]}), built)
    except PermissionError as error:
        seen["foreign class"] = str(error)
''',
    "categories": '''
    from sample_monolith.services import shop
    from sample_monolith.models.commerce import Category
    with built.app_context():
        db.session.add(Category(name="Art", slug="art"))
        db.session.commit()
        seen["tree"] = shop.category_tree()
    items = boto3.client("dynamodb").scan(TableName="state")["Items"]
    seen["items"] = sorted(i["state"]["S"] for i in items)
    with built.app_context():
        shop.clear_category_cache()
    seen["after clear"] = boto3.client("dynamodb").scan(TableName="state")["Count"]
''',
}


def against_moto(service_dir: Path, scenario: str, scratch: Path) -> dict:
    code = AGAINST_MOTO + textwrap.dedent(scenario).replace("\n", "\n    ") + "\n    print(json.dumps(seen))\n"
    done = subprocess.run([sys.executable, "-c", code, str(service_dir)], cwd=scratch, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_notifications_go_through_sqs_with_no_thread_and_the_consumer_delivers_them(generated, owners, tmp_path):
    seen = against_moto(generated / owners["sqs"], SCENARIOS["notifications"], tmp_path)
    assert seen["threads started"] == 0
    assert seen["messages"] == [{"queue": "sample_monolith.services.notifications:_queue",
                                 "item": [{"__decompose__": "app"}, seen["id"]]}]
    assert (seen["before"], seen["after"]) == ("pending", "delivered")


def test_uploads_are_written_to_and_read_from_s3(generated, owners, tmp_path):
    seen = against_moto(generated / owners["s3"], SCENARIOS["images"], tmp_path)
    assert len(seen["keys"]) == 1 and seen["keys"][0].endswith("7/1-abc.png")
    assert seen["read"] == "PNG-bytes" and seen["on disk"] is False


def test_labelling_leaves_the_request_and_the_consumer_stores_the_labels(generated, owners, tmp_path, monkeypatch):
    monkeypatch.setenv("SAMPLE_RECOGNIZER_ROUNDS", "10")
    seen = against_moto(generated / owners["s3"], SCENARIOS["labels"], tmp_path)
    assert seen["answered"] == [[], []] and seen["sent before the commit"] == "0"
    assert seen["targets"] == ["sample_monolith.services.images:_decompose_later_store_photo_1"]
    assert seen["markers"] == ["bytes", "row", "row", "s3"]  # the large upload travels through the bucket
    assert seen["stored"] == seen["expected"] and all(len(labels) == 3 for labels in seen["stored"])
    assert "not a model of the monolith's package" in seen["foreign class"]


def test_the_category_cache_is_shared_through_dynamodb(generated, owners, tmp_path):
    seen = against_moto(generated / owners["dynamodb"], SCENARIOS["categories"], tmp_path)
    assert [c["slug"] for c in seen["tree"]] == ["art"]
    assert seen["items"] == ["sample_monolith.services.shop:_CATEGORY_TREE_CACHE"]
    assert seen["after clear"] == 0


LOCAL_CONSUMER = '''
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import app as service  # registers the consumer: with DECOMPOSE_LOCAL_CONSUMERS set, it polls the queue
from chalicelib import framework
from sample_monolith.extensions import db
from sample_monolith.models.notification import OutboxMessage
from sample_monolith.services import notifications
built = framework.app()
with built.app_context():
    db.create_all()
    message = notifications.enqueue(1, "welcome", "hi")
    db.session.commit()
    ids = message.id
status = "pending"
for _ in range(300):  # bounded: 30 s at most
    with built.app_context():
        db.session.expire_all()
        status = db.session.get(OutboxMessage, ids).status
    if status == "delivered":
        break
    time.sleep(0.1)
print(json.dumps({"status": status}))
'''


def test_gateway_up_runs_the_services_against_moto_server_and_their_consumers_poll(generated, owners, tmp_path):
    from decompose.gateway import aws_local

    names, worker = sorted(owners.values()), owners["sqs"]
    assert {n.service: sorted(n.kinds) for n in aws_local.needs(generated, [*names, "cart"])} == {
        owners["dynamodb"]: ["table"], owners["s3"]: ["bucket", "queue"], worker: ["queue"]}
    with aws_local.running(generated, names, tmp_path / "logs") as envs:
        assert set(envs) == set(names)
        sqs = boto3_client("sqs", envs[worker])
        redrive = sqs.get_queue_attributes(QueueUrl=envs[worker]["DECOMPOSE_QUEUE_URL"],
                                           AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"]
        assert json.loads(redrive)["deadLetterTargetArn"].endswith(f"{worker}-work-dead")
        env = {**os.environ, **envs[worker], "PATH": os.environ["PATH"]}
        done = subprocess.run([sys.executable, "-c", LOCAL_CONSUMER, str(generated / worker)], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        assert json.loads(done.stdout.strip().splitlines()[-1]) == {"status": "delivered"}
    assert not list(aws_local.needs(generated, ["cart"]))  # nothing to start for services without AWS


def boto3_client(name: str, env: dict[str, str]):
    import boto3

    return boto3.client(name, endpoint_url=env["AWS_ENDPOINT_URL"], region_name=env["AWS_DEFAULT_REGION"],
                        aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])


def test_the_consumer_runs_on_the_runtime_of_the_api(generated, owners):
    report = json.loads((generated / "generation.json").read_text())
    layer = json.loads((generated / owners["sqs"] / ".chalice" / "layer.json").read_text())["Resources"]
    runtime = report["shared"]["lambda_runtime"]["runtime"]
    assert layer["ConsumeWork"]["Properties"]["Runtime"] == layer["APIHandler"]["Properties"]["Runtime"] == runtime
