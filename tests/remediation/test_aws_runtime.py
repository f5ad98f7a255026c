"""The generated chalicelib/aws.py against moto: files in S3 by relative path, calls through SQS
(and SNS) run by the consumer with retries left to the queue, dicts in DynamoDB with TTL."""

import importlib.util
import io
import json
import sqlite3
import sys
import tempfile
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


def test_storage_without_a_bucket_says_what_to_set_on_first_use(aws, monkeypatch):
    monkeypatch.delenv("DECOMPOSE_BUCKET", raising=False)
    storage = aws.Storage()  # built at import time by rewritten modules: no settings needed yet
    with pytest.raises(RuntimeError, match="DECOMPOSE_BUCKET is not set"):
        storage.put("a/b.txt", b"x")


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



def test_files_put_what_a_module_writes_into_the_bucket_and_read_it_back(aws, monkeypatch, tmp_path):
    boto3.client("s3").create_bucket(Bucket="uploads")
    monkeypatch.setenv("DECOMPOSE_BUCKET", "uploads")
    monkeypatch.setenv("DECOMPOSE_STORAGE_ROOT", str(tmp_path / "uploads"))
    files = aws.Files()
    path = tmp_path / "uploads" / "7" / "a.png"
    files.makedirs(path.parent, exist_ok=True)
    with files.open(path, "wb") as handle:
        handle.write(b"\x89PNG")
    assert not path.exists()  # nothing on the local disk
    assert boto3.client("s3").get_object(Bucket="uploads", Key="7/a.png")["Body"].read() == b"\x89PNG"
    with files.open(str(path), "rb") as handle:
        assert handle.read() == b"\x89PNG"
    assert files.exists(path)
    files.remove(path)
    assert not files.exists(path)
    with pytest.raises(FileNotFoundError):
        files.remove(path)


def test_a_folder_the_module_makes_exists_on_the_disk_too_for_what_is_not_in_the_bucket(aws, monkeypatch, tmp_path):
    """mealie's ensure_directories (remediated: it copies a template into its data folder) makes the folder
    its SQLite database is then opened in, by SQLAlchemy, not through the bucket."""
    boto3.client("s3").create_bucket(Bucket="uploads")
    monkeypatch.setenv("DECOMPOSE_BUCKET", "uploads")
    monkeypatch.setenv("DECOMPOSE_STORAGE_ROOT", str(tmp_path))
    files = aws.Files()
    data = tmp_path / "tests" / ".temp"
    files.mkdir(data / "groups", parents=True, exist_ok=True)
    files.makedirs(str(data / "backups"))
    files.mkdir(data / "groups")  # already there: no error, as before
    with sqlite3.connect(data / "mealie.db") as database:
        database.execute("create table t (a)")
    assert sorted(p.name for p in data.iterdir()) == ["backups", "groups", "mealie.db"]
    with files.open(data / "templates" / "recipes.md", "w") as handle:  # a file of the bucket, as before
        handle.write("# {{ name }}")
    assert not (data / "templates" / "recipes.md").exists()
    assert boto3.client("s3").get_object(Bucket="uploads", Key="tests/.temp/templates/recipes.md")["Body"].read()


def test_a_folder_that_cannot_be_made_on_the_disk_is_no_error(aws, tmp_path):
    (tmp_path / "file").write_text("x")
    aws.Files().makedirs(tmp_path / "file" / "under")  # a read-only code folder on Lambda fails the same way
    assert (tmp_path / "file").read_text() == "x"


class Image:
    """Saves as PIL's Image.save does: to a path or a file object, the format from the file's name."""

    def save(self, fp, format=None):
        name = fp if isinstance(fp, str) else fp.name
        data = f"{format or name.rsplit('.', 1)[-1].upper()} image".encode()
        if isinstance(fp, str):
            with open(fp, "wb") as handle:
                handle.write(data)
        else:
            fp.write(data)


def test_shutil_pathlib_and_savers_go_to_the_bucket(aws, monkeypatch, tmp_path):
    from werkzeug.datastructures import FileStorage

    boto3.client("s3").create_bucket(Bucket="uploads")
    monkeypatch.setenv("DECOMPOSE_BUCKET", "uploads")
    monkeypatch.setenv("DECOMPOSE_STORAGE_ROOT", str(tmp_path / "uploads"))
    files, root = aws.Files(), tmp_path / "uploads"
    shipped = tmp_path / "logo.png"
    shipped.write_bytes(b"logo")
    files.copy(shipped, root / "brand" / "logo.png")  # from the disk (shipped with the code) to the bucket
    files.copy(str(root / "brand" / "logo.png"), str(root / "brand") + "/")  # a folder: keeps the name
    files.move(root / "brand" / "logo.png", root / "old" / "logo.png")
    files.write_text(root / "notes" / "a.txt", "hi")
    files.save(FileStorage(io.BytesIO(b"upload"), "u.bin"), str(root / "notes" / "u.bin"))
    files.save(Image(), root / "thumbs" / "1.webp")
    keys = lambda: sorted(o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket="uploads").get("Contents", []))
    assert keys() == ["notes/a.txt", "notes/u.bin", "old/logo.png", "thumbs/1.webp"]
    assert files.read_bytes(root / "thumbs" / "1.webp") == b"WEBP image" and files.read_text(root / "notes" / "a.txt") == "hi"
    assert files.read_bytes(root / "notes" / "u.bin") == b"upload" and shipped.exists() and not root.exists()
    files.unlink(root / "old" / "logo.png")
    files.unlink(root / "old" / "logo.png", missing_ok=True)
    with pytest.raises(FileNotFoundError):
        files.unlink(root / "old" / "logo.png")
    files.rmtree(root / "notes")
    assert keys() == ["thumbs/1.webp"]
    with pytest.raises(FileNotFoundError):
        files.rmtree(root / "notes")
    files.rmtree(root / "notes", ignore_errors=True)


def test_files_append_text_and_fall_back_to_files_shipped_with_the_code(aws, monkeypatch, tmp_path):
    boto3.client("s3").create_bucket(Bucket="uploads")
    monkeypatch.setenv("DECOMPOSE_BUCKET", "uploads")
    files = aws.Files()
    with files.open(tmp_path / "log.txt", "a") as handle:
        handle.write("one\n")
    with files.open(tmp_path / "log.txt", "a") as handle:
        handle.write("two\n")
    assert files.open(tmp_path / "log.txt").read() == "one\ntwo\n"
    shipped = tmp_path / "template.txt"
    shipped.write_text("shipped")
    assert files.open(shipped).read() == "shipped"
    with pytest.raises(FileNotFoundError):
        files.open(tmp_path / "missing.txt")


def test_send_file_and_send_from_directory_stream_the_object_as_flask_did(aws, monkeypatch, tmp_path):
    import flask
    from werkzeug.exceptions import NotFound

    boto3.client("s3").create_bucket(Bucket="uploads")
    monkeypatch.setenv("DECOMPOSE_BUCKET", "uploads")
    monkeypatch.setenv("DECOMPOSE_STORAGE_ROOT", str(tmp_path / "uploads"))
    files, root = aws.Files(), tmp_path / "uploads"
    files.write_bytes(root / "ab12" / "report.pdf", b"%PDF-1.4")
    shipped = tmp_path / "shipped.txt"
    shipped.write_text("with the code")
    app = flask.Flask(__name__)
    with app.test_request_context():
        sent = files.send_file(str(root / "ab12" / "report.pdf"), as_attachment=True)
        sent.direct_passthrough = False
        assert sent.get_data() == b"%PDF-1.4" and sent.mimetype == "application/pdf"
        assert sent.headers["Content-Disposition"] == "attachment; filename=report.pdf"
        assert sent.headers["ETag"] and sent.headers["Last-Modified"] and sent.headers["Cache-Control"] == "no-cache"
        assert files.send_file(str(root / "ab12" / "report.pdf"), etag=False).headers.get("ETag") is None  # as asked
        served = files.send_from_directory(root, "ab12/report.pdf")
        served.direct_passthrough = False
        assert served.get_data() == b"%PDF-1.4" and "attachment" not in served.headers.get("Content-Disposition", "")
        local = files.send_file(shipped)  # not in the bucket: from the disk, as before
        local.direct_passthrough = False
        assert local.get_data() == b"with the code"
        for name in ("../shipped.txt", "ab12/missing.pdf", "ab12"):  # out of the folder, missing, a folder
            with pytest.raises(NotFound):
                files.send_from_directory(root, name)
        with pytest.raises(FileNotFoundError):
            files.send_file(str(root / "ab12" / "missing.pdf"))


class FakeApp:
    """What _encode takes for a framework app (Flask's duck type)."""

    def app_context(self):
        return None

    def wsgi_app(self):
        return None


DRAINED = []
LOCAL = None


def drain_local():
    while True:
        try:
            DRAINED.append(LOCAL.popleft())
        except IndexError:
            return


def test_a_queue_sends_its_items_and_the_consumer_hands_them_to_the_draining_function(aws, monkeypatch):
    global LOCAL
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    monkeypatch.setenv("DECOMPOSE_QUEUE_URL", url)
    LOCAL = aws.Queue(f"{__name__}:LOCAL")
    LOCAL.extend([(FakeApp(), 4), (FakeApp(), 5)])
    assert len(LOCAL) == 0 and not DRAINED  # nothing queued in this process, nothing ran
    consumer_app = FakeApp()
    work = aws.Work(frozenset())
    for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]:
        work.run(message["Body"], app=consumer_app, drains={f"{__name__}:LOCAL": [f"{__name__}:drain_local"]})
    assert sorted(item[1] for item in DRAINED) == [4, 5]
    assert all(item[0] is consumer_app for item in DRAINED)  # the consumer's own app took the marker's place
    DRAINED.clear()
    with pytest.raises(PermissionError, match="not a queue this service drains"):
        work.run(json.dumps({"queue": "os:environ", "item": 1}), drains={})


def photos_database():
    """A Flask-SQLAlchemy-like model (a class-level `query`) on an in-memory database."""
    from sqlalchemy import Integer, String, create_engine
    from sqlalchemy.orm import DeclarativeBase, mapped_column, scoped_session, sessionmaker

    class Base(DeclarativeBase):
        pass

    session = scoped_session(sessionmaker(create_engine("sqlite://")))

    class Photo(Base):
        __tablename__ = "photos"
        id = mapped_column(Integer, primary_key=True)
        label = mapped_column(String, default="")
        query = session.query_property()

    Base.metadata.create_all(session.get_bind())
    return session, Photo


def label(photo, data):
    photo.label = f"{len(data)} bytes"


def test_later_sends_once_the_request_commits_and_the_consumer_stores_the_result(aws, monkeypatch):
    monkeypatch.setenv("DECOMPOSE_QUEUE_URL", boto3.client("sqs").create_queue(QueueName="work")["QueueUrl"])
    session, Photo = photos_database()
    monkeypatch.setattr(sys.modules[__name__], "Photo", Photo, raising=False)  # resolvable by the consumer
    Photo.__module__, Photo.__qualname__ = __name__, "Photo"
    received = lambda: boto3.client("sqs").receive_message(QueueUrl=aws.os.environ["DECOMPOSE_QUEUE_URL"],
                                                           MaxNumberOfMessages=10).get("Messages", [])
    dropped = Photo()
    session.add(dropped)
    session.flush()
    aws.later(label, dropped, b"x")
    session.rollback()  # the request failed: nothing is sent, not even at the next commit
    kept = Photo()
    session.add(kept)
    session.flush()
    aws.later(label, kept, b"\x89PNG")
    kept_id = kept.id
    assert received() == []  # not before the commit: the consumer would not find the row
    session.commit()
    (message,) = received()
    target = f"{__name__}:label"
    assert json.loads(message["Body"])["target"] == target
    session.remove()
    aws.Work(frozenset({target})).run(message["Body"])
    session.remove()
    assert session.get(Photo, kept_id).label == "4 bytes"


def test_a_thread_start_becomes_a_message_the_consumer_runs(aws, monkeypatch):
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    monkeypatch.setenv("DECOMPOSE_QUEUE_URL", url)
    CALLS.clear()
    thread = aws.Thread(target=record, args=(FakeApp(), 3), kwargs={"kind": "mail"}, daemon=True)
    thread.start()
    assert CALLS == [] and thread.is_alive()
    (message,) = sqs.receive_message(QueueUrl=url)["Messages"]
    consumer_app = FakeApp()
    aws.Work(frozenset({f"{__name__}:record"})).run(message["Body"], app=consumer_app)
    assert CALLS == [((consumer_app, 3), {"kind": "mail"})]
    with pytest.raises(TypeError, match="cannot travel in an SQS message"):
        aws.Queue("m:q").append(object())


def test_a_thread_whose_arguments_cannot_travel_runs_in_the_request_and_says_so(aws, monkeypatch, capsys):
    monkeypatch.setenv("DECOMPOSE_QUEUE_URL", "unused: nothing is sent")
    CALLS.clear()
    mail = object()
    aws.Thread(target=record, args=(FakeApp(), mail)).start()
    assert CALLS and CALLS[0][0][1] is mail
    assert "cannot travel in an SQS message" in capsys.readouterr().err


def test_a_worker_thread_beside_a_queue_never_starts(aws):
    thread = aws.WorkerThread(target=drain_local, daemon=True)
    thread.start()
    assert thread.is_alive() and not DRAINED


def test_the_local_consumer_stops_at_once_without_boto3(aws, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "boto3", None)  # what a monolith's environment without boto3 gives
    aws.poll(lambda body: None, aws.threading.Event())  # returns instead of retrying forever
    assert "pip install boto3" in capsys.readouterr().err


def test_one_client_per_service_and_endpoint_for_the_process(aws, monkeypatch):
    """A send, a poll or a Files call never makes its own boto3 client (making one costs more than the call)."""
    sqs = aws._client("sqs")
    assert aws._client("sqs") is sqs and aws._client("s3") is not sqs
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5999")
    assert aws._client("sqs") is not sqs and aws._client("sqs").meta.endpoint_url == "http://127.0.0.1:5999"


def load_copy(path):
    """The runtime as generate places it (a service's chalicelib/aws.py, the layer's decompose_runtime/aws.py)."""
    path.parent.mkdir(parents=True)
    path.write_text((templates_dir() / "generate" / "aws" / "aws.py").read_text())
    spec = importlib.util.spec_from_file_location(f"generated_aws_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_keys_are_relative_to_the_code_without_a_storage_root(aws, monkeypatch, tmp_path):
    boto3.client("s3").create_bucket(Bucket="uploads")
    monkeypatch.setenv("DECOMPOSE_BUCKET", "uploads")
    monkeypatch.delenv("DECOMPOSE_STORAGE_ROOT", raising=False)
    service = load_copy(tmp_path / "svc" / "chalicelib" / "aws.py").Files()
    layer = load_copy(tmp_path / "shared" / "python" / "decompose_runtime" / "aws.py").Files()
    # a folder the monolith derives from __file__ (CTFd's UPLOAD_FOLDER): the same key in both copies
    assert service.key(tmp_path / "svc" / "chalicelib" / "src" / "pkg" / "uploads" / "7" / "a.png") == "pkg/uploads/7/a.png"
    assert layer.key(tmp_path / "shared" / "python" / "pkg" / "uploads" / "7" / "a.png") == "pkg/uploads/7/a.png"
    scratch = tmp_path / "scratch.bin"  # a temp file: under tmp/, relative to the temp folder
    assert service.key(scratch) == "tmp/" + scratch.relative_to(tempfile.gettempdir()).as_posix()


def test_a_write_outside_every_root_is_refused_and_a_read_goes_to_the_disk(aws, monkeypatch, tmp_path):
    boto3.client("s3").create_bucket(Bucket="uploads")
    monkeypatch.setenv("DECOMPOSE_BUCKET", "uploads")
    monkeypatch.delenv("DECOMPOSE_STORAGE_ROOT", raising=False)
    files = load_copy(tmp_path / "svc" / "chalicelib" / "aws.py").Files()
    outside = "/decompose-nowhere/uploads/a.png"
    with pytest.raises(ValueError, match="DECOMPOSE_STORAGE_ROOT"):
        files.write_bytes(outside, b"x")
    assert not files.exists(outside)
    with pytest.raises(FileNotFoundError):
        files.open(outside, "rb")
    assert "Contents" not in boto3.client("s3").list_objects_v2(Bucket="uploads")


async def record_later(*args, **kwargs):
    return record(*args, **kwargs)


class Mailer:
    def send(self, *args):
        return record("mailer", *args)


def test_a_background_task_becomes_a_message_and_the_consumer_awaits_a_coroutine_function(aws, monkeypatch):
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    monkeypatch.setenv("DECOMPOSE_QUEUE_URL", url)
    CALLS.clear()
    aws.background(record_later, 7, size="thumb")
    assert CALLS == []  # nothing ran in the request
    (message,) = sqs.receive_message(QueueUrl=url)["Messages"]
    assert aws.Work(frozenset({f"{__name__}:record_later"})).run(message["Body"]) == 1
    assert CALLS == [((7,), {"size": "thumb"})]


def test_a_background_task_on_a_bound_method_runs_in_the_request_and_says_so(aws, monkeypatch, capsys):
    monkeypatch.setenv("DECOMPOSE_QUEUE_URL", "unused: nothing is sent")
    CALLS.clear()
    aws.background(Mailer().send, "hello")
    assert CALLS == [(("mailer", "hello"), {})]
    assert "not a module-level function" in capsys.readouterr().err


def test_a_request_s_aws_calls_go_to_the_local_call_log_and_the_consumer_s_do_not(aws, monkeypatch, tmp_path):
    log = tmp_path / "calls.log"
    monkeypatch.setenv(aws.CALL_LOG, str(log))
    boto3.client("s3").create_bucket(Bucket="uploads")
    monkeypatch.setenv("DECOMPOSE_BUCKET", "uploads")
    aws._CLIENTS.clear()
    storage = aws.Storage()
    storage.put("a/b.txt", b"x")
    assert storage.get("a/b.txt") == b"x"
    assert log.read_text().splitlines() == ["aws:s3.PutObject", "aws:s3.GetObject"]
    stop = aws.threading.Event()

    def consumer() -> None:  # the local poller's thread: whatever it calls answers no request
        aws._POLLING.on = True
        storage.get("a/b.txt")
        stop.set()

    thread = aws.threading.Thread(target=consumer)
    thread.start()
    thread.join(timeout=30)
    assert stop.is_set() and log.read_text().splitlines() == ["aws:s3.PutObject", "aws:s3.GetObject"]


def test_without_a_call_log_nothing_is_written(aws, monkeypatch, tmp_path):
    monkeypatch.delenv(aws.CALL_LOG, raising=False)
    monkeypatch.chdir(tmp_path)
    boto3.client("s3").create_bucket(Bucket="uploads")
    aws._CLIENTS.clear()
    aws.Storage(bucket="uploads").put("a.txt", b"x")
    assert list(tmp_path.iterdir()) == []
