"""AWS services replacing what does not survive on Lambda (decompose generate, from the plan's [remediate]).

    Storage   files the monolith wrote under a folder -> S3 objects, keys from the same relative paths
    files     open/os.makedirs/os.remove/os.path.exists/send_file of a module remediated by s3, rewritten by generate
    Work      calls that ran on a thread or inside the request -> SQS messages, run by the consumer
    Queue     an in-memory queue (deque, queue.Queue) -> SQS: appends are messages, the consumer hands
              each item back to the process-local queue and runs the function that drained it
    Thread    threading.Thread of such a module: its start() sends the call (or, beside a Queue, does
              nothing: the queue's messages drive the work)
    later     slow work the request stored on a row (sqs on slow-work): sent once the request commits,
              run by the consumer on the row loaded again, committed there
    State     process-wide dicts and caches -> one DynamoDB table, TTL where entries expire

Names come from the environment the stack sets (DECOMPOSE_BUCKET, DECOMPOSE_QUEUE_URL,
DECOMPOSE_TABLE); AWS_ENDPOINT_URL points every client at moto (or LocalStack) for local runs.
Only functions listed in WORK at generation time may be run from a message: a message naming
anything else is refused, never imported.
"""

from __future__ import annotations

import base64
import builtins
import collections
import hashlib
import importlib
import inspect
import io
import json
import os
import posixpath
import queue as _queue_module
import sys
import tempfile
import threading
import time
import traceback
from typing import Any, Callable

PRESIGNED_SECONDS = 900
MAX_MESSAGE_BYTES = 250_000  # SQS takes 256 KiB per message, attributes included
INLINE_BYTES = 64_000  # larger bytes arguments travel through the bucket (when the service has one)
CLAIMS = "decompose-messages"  # the bucket's prefix for them, keyed by their sha256
LOCAL_ENV = "DECOMPOSE_LOCAL_CONSUMERS"  # set by `decompose gateway up`: the service polls its queue itself
ROOT_ENV = "DECOMPOSE_STORAGE_ROOT"  # the folder the monolith wrote under: its paths become keys relative to it
# where each resource's name is read from; the layer's copy (shared kernel) reads DECOMPOSE_SHARED_* instead
NAMES = {"bucket": "DECOMPOSE_BUCKET", "queue": "DECOMPOSE_QUEUE_URL", "topic": "DECOMPOSE_TOPIC_ARN",
         "table": "DECOMPOSE_TABLE"}
# decompose's local fleet only (decompose.generation.runtime.client.CALL_LOG, never set on AWS): the file each
# AWS call a request makes is appended to (`aws:s3.GetObject`), so `contracts verify` gives the route one
# network hop more per call in its latency budget (decompose.contracts.calls.AWS)
CALL_LOG = "DECOMPOSE_CALL_LOG"
_POLLING = threading.local()  # the local consumer's own receives and deletes answer no request: not counted


_CLIENTS: dict = {}
_CLIENTS_LOCK = threading.Lock()


def _client(name: str):
    """boto3 is imported on first use: Lambda's runtime provides it; a local run needs it (and moto)
    in the monolith's environment only when a remediated path actually runs. One client per service,
    endpoint and region for the process (boto3's clients are thread-safe; making one costs more than
    the call it serves, so a send or a poll never makes its own)."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL") or None
    key = (name, endpoint, os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION"))
    with _CLIENTS_LOCK:
        if key not in _CLIENTS:
            import boto3

            _CLIENTS[key] = boto3.client(name, endpoint_url=endpoint)
            if os.environ.get(CALL_LOG):
                _CLIENTS[key].meta.events.register("before-call", _logged)
        return _CLIENTS[key]


def _logged(model: Any = None, **_: Any) -> None:
    """One line per AWS call made while answering (module constant CALL_LOG), one write, appended."""
    path = os.environ.get(CALL_LOG)
    if path and model is not None and not getattr(_POLLING, "on", False):
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"aws:{model.service_model.service_name}.{model.name}\n")


def _setting(key: str) -> str:
    value = os.environ.get(key)
    if not value:
        raise RuntimeError(f"{key} is not set: deploy with 'chalice package --merge-template .chalice/layer.json', or export it for a local run")
    return value


class Storage:
    """A folder of the monolith as a bucket: put/get/delete by the same relative path."""

    def __init__(self, bucket: str | None = None, client=None):
        self._bucket, self._s3 = bucket, client

    @property
    def bucket(self) -> str:
        return self._bucket or _setting(NAMES["bucket"])

    @property
    def client(self):
        """Made on first use: a module holding a Storage imports without AWS settings."""
        if self._s3 is None:
            self._s3 = _client("s3")
        return self._s3

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        checked = _key(key)
        self.client.put_object(Bucket=self.bucket, Key=checked, Body=data, ContentType=content_type)
        return key

    def get(self, key: str) -> bytes:
        """The object's bytes; FileNotFoundError when there is none, as open() raised in the monolith."""
        return self.fetch(key)[0]

    def fetch(self, key: str) -> tuple[bytes, dict]:
        """The object's bytes and what a download names it by: its `etag` (unquoted) and `last_modified`."""
        checked = _key(key)
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=checked)
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(key) from None
        return found["Body"].read(), {"etag": str(found.get("ETag", "")).strip('"'), "last_modified": found.get("LastModified")}

    def delete(self, key: str) -> None:
        checked = _key(key)
        self.client.delete_object(Bucket=self.bucket, Key=checked)

    def keys(self, prefix: str) -> list[str]:
        """Every key under `prefix` (shutil.rmtree of a folder)."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=_key(prefix.rstrip("/")) + "/")
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=_key(key))
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

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


class OutsideStorage(ValueError):
    """A write to a path no root maps to a key (see Files)."""


# where the monolith's package tree sits: chalicelib/src beside this module (a service's copy), or the
# folder holding decompose_runtime/ (the shared layer's copy: shared/python, /opt/python on Lambda)
_HERE = os.path.dirname(os.path.abspath(__file__))
CODE_ROOTS = (os.path.join(_HERE, "src"), os.path.dirname(_HERE))
TEMP_PREFIX = "tmp/"


def _absolute(path) -> str:
    return posixpath.normpath(os.path.abspath(os.fspath(path)).replace(os.sep, "/"))


def _roots() -> list[tuple[str, str]]:
    """(folder, key prefix) for each folder whose files map to keys: the storage root, the code, the temp folder."""
    roots = [(_absolute(root), "") for root in CODE_ROOTS]
    roots.append((_absolute(tempfile.gettempdir()), TEMP_PREFIX))
    if os.environ.get(ROOT_ENV):
        roots.append((_absolute(os.environ[ROOT_ENV]), ""))
    return roots


class Files:
    """What generate put in place of open/os.makedirs/os.remove/os.path.exists in a module remediated by s3.

    Writes go to the bucket when the file is closed; reads look in the bucket first, then on the local
    disk (files shipped with the code: templates, fixtures); a folder is made on the disk only (S3 has none). Keys
    are paths relative to the closest of: DECOMPOSE_STORAGE_ROOT (the folder the monolith wrote under),
    the folder holding the monolith's package tree (a folder its code derives from __file__: the same
    key on every machine and on Lambda's /var/task), the temp folder (keys under `tmp/`). A key never
    holds the machine's absolute path: a write anywhere else is refused, a read goes to the disk.
    """

    def __init__(self, storage: Storage | None = None):
        self.storage = storage or Storage()

    def key(self, path) -> str:
        """The object key of a path the module writes; a path under none of the roots is refused."""
        found = self.stored_key(path)
        if found is None:
            raise OutsideStorage(f"{os.fspath(path)!r} is under none of the folders whose files go to the bucket "
                                 f"(the code's folder, the temp folder): set {ROOT_ENV} to the folder the "
                                 "monolith writes under, or write 'keep' for this module in [remediate]")
        return found

    def stored_key(self, path) -> str | None:
        """The key of `path` relative to the closest root (see the class), None when under none of them."""
        absolute = _absolute(path)
        for base, prefix in sorted(_roots(), key=lambda pair: -len(pair[0])):
            if absolute.startswith(base.rstrip("/") + "/"):
                return prefix + absolute[len(base.rstrip("/")) + 1:]
        return None

    def open(self, file, mode: str = "r", *args: Any, **kwargs: Any):
        if isinstance(file, int):
            return builtins.open(file, mode, *args, **kwargs)
        if any(flag in mode for flag in "wax+"):
            return _Upload(self, self.key(file), mode, kwargs.get("encoding") or "utf-8")
        key = self.stored_key(file)
        try:
            data = self.storage.get(key) if key is not None else None
        except FileNotFoundError:
            data = None
        if data is None:
            return builtins.open(file, mode, *args, **kwargs)  # shipped with the code, or missing: open() says so
        return io.BytesIO(data) if "b" in mode else io.StringIO(data.decode(kwargs.get("encoding") or "utf-8"))

    def makedirs(self, path, *args: Any, **kwargs: Any) -> None:
        """S3 has no folders (a key's prefix exists as soon as a file is written under it), but the disk
        does: the folder is made there too, when it can be, for what the module's files are not alone in
        (a SQLite database the app opens in its data folder: mealie's `ensure_directories`). A folder that
        cannot be made (Lambda's read-only code folders) is left to whoever opens a file in it."""
        try:
            os.makedirs(os.fspath(path), exist_ok=True)
        except (OSError, TypeError, ValueError):
            pass

    def remove(self, path, *args: Any, **kwargs: Any) -> None:
        key = self.stored_key(path)
        if key is None:  # not a file of the bucket: the disk's, as before
            return os.remove(path)
        if not self.storage.exists(key):
            raise FileNotFoundError(2, "No such file or directory", os.fspath(path))
        self.storage.delete(key)

    def exists(self, path) -> bool:
        key = self.stored_key(path)
        return (key is not None and self.storage.exists(key)) or os.path.exists(path)

    def unlink(self, path, missing_ok: bool = False) -> None:
        """Path(p).unlink(missing_ok=...)."""
        try:
            self.remove(path)
        except FileNotFoundError:
            if not missing_ok:
                raise

    def copy(self, source, destination, *args: Any, **kwargs: Any):
        """shutil.copy/copyfile/copy2 (a folder as destination keeps the source's name, as shutil does);
        the source is read from the bucket, or from the disk (a file shipped with the code, a temp file)."""
        target = os.fspath(destination)
        if target.endswith(("/", os.sep)) or os.path.isdir(target):
            target = os.path.join(target, os.path.basename(os.fspath(source)))
        with self.open(source, "rb") as reader, self.open(target, "wb") as writer:
            writer.write(reader.read())
        return target

    def move(self, source, destination, *args: Any, **kwargs: Any):
        """shutil.move: a copy, then the source removed (from the bucket, or from the disk)."""
        target = self.copy(source, destination)
        key = self.stored_key(source)
        if key is not None and self.storage.exists(key):
            self.storage.delete(key)
        else:
            os.remove(source)
        return target

    def rmtree(self, path, ignore_errors: bool = False, *args: Any, **kwargs: Any) -> None:
        """shutil.rmtree: every object under the folder's prefix (a missing folder raises, as it did)."""
        prefix = self.key(path).rstrip("/") + "/"
        keys = self.storage.keys(prefix)
        if not keys and not ignore_errors:
            raise FileNotFoundError(2, "No such file or directory", os.fspath(path))
        for key in keys:
            self.storage.delete(key)

    def mkdir(self, path, *args: Any, **kwargs: Any) -> None:
        """Path(p).mkdir(...): as makedirs (never an error: the bucket has the folder whether it exists or not)."""
        self.makedirs(path)

    def write_bytes(self, path, data: bytes) -> int:
        with self.open(path, "wb") as handle:
            return handle.write(data)

    def write_text(self, path, text: str, encoding: str | None = None, *args: Any, **kwargs: Any) -> int:
        with self.open(path, "w", encoding=encoding) as handle:
            return handle.write(text)

    def read_bytes(self, path) -> bytes:
        with self.open(path, "rb") as handle:
            return handle.read()

    def read_text(self, path, encoding: str | None = None, *args: Any, **kwargs: Any) -> str:
        with self.open(path, "r", encoding=encoding) as handle:
            return handle.read()

    def touch(self, path, *args: Any, exist_ok: bool = True, **kwargs: Any) -> None:
        if self.exists(path):
            if not exist_ok:
                raise FileExistsError(17, "File exists", os.fspath(path))
            return
        self.write_bytes(path, b"")

    def save(self, saver, path, *args: Any, **kwargs: Any):
        """`upload.save(path)` (werkzeug's FileStorage, Django's File) and `image.save(path)` (PIL): both
        take a file object instead; the object goes to the bucket when closed. PIL reads the format from
        the file's name (the key keeps the extension)."""
        with self.open(path, "wb") as handle:
            return saver.save(handle, *args, **kwargs)

    def url(self, path, seconds: int = PRESIGNED_SECONDS) -> str:
        return self.storage.url(self.key(path), seconds)

    def send_file(self, path, *args: Any, **kwargs: Any):
        """flask.send_file(<a path>): the object's bytes from the bucket, under the file's name (its type
        guessed from it, as before); a file shipped with the code, or missing, goes to flask as it did
        (a missing one fails as it did). A file object is sent as it is."""
        import flask

        if not isinstance(path, (str, os.PathLike)):
            return flask.send_file(path, *args, **kwargs)
        key = self.stored_key(path)
        try:
            data, meta = self.storage.fetch(key) if key is not None else (None, None)
        except FileNotFoundError:
            data = None
        if data is None:
            return flask.send_file(path, *args, **kwargs)
        accepted = inspect.signature(flask.send_file).parameters
        kwargs.setdefault("download_name" if "download_name" in accepted else "attachment_filename", os.path.basename(os.fspath(path)))
        for name in ("etag", "last_modified"):  # as a file on disk had them (flask >= 2.0 takes both for a file object)
            if name in accepted and meta[name] and kwargs.get(name, True) is True:
                kwargs[name] = meta[name]
        return flask.send_file(io.BytesIO(data), *args, **kwargs)

    def send_from_directory(self, directory, path, *args: Any, **kwargs: Any):
        """flask.send_from_directory: the same checks (a path out of the folder, or no such file: 404),
        the file read from the bucket (or the disk, for files shipped with the code)."""
        from werkzeug.exceptions import NotFound

        try:
            from werkzeug.utils import safe_join
        except ImportError:  # werkzeug < 2.0
            from werkzeug.security import safe_join
        joined = safe_join(os.fspath(directory), os.fspath(path))
        if joined is None or not (self.exists(joined) and not os.path.isdir(joined)):
            raise NotFound()
        return self.send_file(joined, *args, **kwargs)


class _Upload(io.BytesIO):
    """A file opened for writing: its bytes go to the bucket on close (appending reads the object first)."""

    def __init__(self, files: Files, key: str, mode: str, encoding: str):
        super().__init__()
        self.files, self.name, self.binary, self.encoding = files, key, "b" in mode, encoding
        if "a" in mode or "+" in mode:
            try:
                super().write(files.storage.get(key))
            except FileNotFoundError:
                pass
        elif "x" in mode and files.storage.exists(key):
            raise FileExistsError(17, "File exists", key)

    def write(self, data) -> int:
        super().write(data if self.binary else data.encode(self.encoding))
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self.files.storage.put(self.name, self.getvalue())
        super().close()


files = Files()


def _encode(value: Any, rows: list | None = None) -> Any:
    """An item as JSON: the framework app (Flask's, passed to threads) travels as a marker the consumer
    replaces by its own app, bytes as base64, a database row (Flask-SQLAlchemy model) as its class and
    primary key (collected in `rows`: the message leaves once their transaction commits); anything else
    JSON cannot hold is refused with the way out."""
    if hasattr(value, "app_context") and hasattr(value, "wsgi_app"):
        return {"__decompose__": "app"}
    if isinstance(value, (bytes, bytearray)):
        return _bytes_marker(bytes(value))
    if _is_row(value):
        return _row_marker(value, rows)
    if isinstance(value, (list, tuple)):
        return [_encode(v, rows) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v, rows) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"a {type(value).__name__} cannot travel in an SQS message: queue its id (or a dict of plain "
                    f"values) instead; see docs/remediation.md")


def _bytes_marker(data: bytes) -> dict:
    """Small bytes travel inline (base64); larger ones (an upload) go to the service's bucket first, when
    it has one, and the message carries the key (SQS takes 256 KiB): the consumer reads them back."""
    if len(data) > INLINE_BYTES and os.environ.get(NAMES["bucket"]):
        key = f"{CLAIMS}/{hashlib.sha256(data).hexdigest()}"
        Storage().put(key, data)
        return {"__decompose__": "s3", "key": key}
    return {"__decompose__": "bytes", "base64": base64.b64encode(data).decode("ascii")}


def _is_row(value: Any) -> bool:
    """A Flask-SQLAlchemy model instance (its class has `query`, whose session the consumer loads it with)."""
    return _is_row_class(type(value))


def _row_marker(row: Any, rows: list | None) -> dict:
    from sqlalchemy import inspect as mapped

    identity = mapped(row).identity
    if identity is None:
        raise TypeError(f"a {type(row).__name__} not flushed yet has no primary key to travel by: flush it first")
    if rows is not None:
        rows.append(row)
    cls = type(row)
    return {"__decompose__": "row", "class": f"{cls.__module__}:{cls.__qualname__}", "key": list(identity)}


def _decode(value: Any, app: Any, package: str = "", sessions: list | None = None) -> Any:
    """The inverse of _encode. A row is loaded again only when its class is a mapped model of the
    monolith's own package (`package`, the called function's top package): never an arbitrary import."""
    if isinstance(value, dict) and value.get("__decompose__") == "app":
        return app
    if isinstance(value, dict) and value.get("__decompose__") == "bytes":
        return base64.b64decode(value["base64"])
    if isinstance(value, dict) and value.get("__decompose__") == "s3" and str(value.get("key", "")).startswith(f"{CLAIMS}/"):
        return Storage().get(value["key"])
    if isinstance(value, dict) and value.get("__decompose__") == "row":
        return _load_row(value, package, sessions)
    if isinstance(value, list):
        return [_decode(v, app, package, sessions) for v in value]
    if isinstance(value, dict):
        return {k: _decode(v, app, package, sessions) for k, v in value.items()}
    return value


def _load_row(marker: dict, package: str, sessions: list | None) -> Any:
    name = marker["class"]
    if not package or name.split(".")[0] != package:
        raise PermissionError(f"{name!r} is not a model of the monolith's package {package!r}")
    cls = _resolve(name)
    if not (isinstance(cls, type) and _is_row_class(cls)):
        raise PermissionError(f"{name!r} is not a database model")
    session = cls.query.session
    row = session.get(cls, tuple(marker["key"]) if len(marker["key"]) > 1 else marker["key"][0])
    if row is None:  # not committed yet, or deleted since: SQS retries, then the dead-letter queue keeps it
        raise LookupError(f"{name} {marker['key']} not found")
    if sessions is not None and session not in sessions:
        sessions.append(session)
    return row


def _is_row_class(cls: type) -> bool:
    """Looked up statically: Flask-SQLAlchemy's `query` descriptor needs an app context to be read."""
    return inspect.getattr_static(cls, "__mapper__", None) is not None and inspect.getattr_static(cls, "query", None) is not None


def _after_commit(rows: list, send: Callable[[], Any]) -> None:
    """`send` once the transaction holding `rows` commits (a consumer must see them), never on a
    rollback; at once when no row is pending in a session."""
    from sqlalchemy import event
    from sqlalchemy.orm import object_session

    session = next((object_session(r) for r in rows if object_session(r) is not None), None)
    if session is None:
        send()
        return
    settled = []  # a rollback first: the rows are gone, nothing to send (a later commit must not send it)

    def committed(_session) -> None:
        if not settled:
            settled.append("commit")
            send()

    event.listen(session, "after_commit", committed, once=True)
    event.listen(session, "after_rollback", lambda _session: settled.append("rollback"), once=True)


def later(function: Callable[..., Any], *args: Any) -> None:
    """What generate put in place of slow work whose result the request stored on a row (a photo's
    labels): the call goes to the consumer Lambda once the request's transaction commits; the row is
    loaded there, the function runs and the consumer commits. When an argument cannot travel (or the
    message would pass SQS's 256 KB), the work runs here, as before, and stderr says why."""
    target = f"{function.__module__}:{function.__qualname__}"
    rows: list = []
    try:
        message = {"target": target, "args": _encode(list(args), rows), "kwargs": {}}
        if len(json.dumps(message)) > MAX_MESSAGE_BYTES:
            raise TypeError(f"the message would pass SQS's {MAX_MESSAGE_BYTES} bytes")
    except TypeError as error:
        print(f"decompose: {target}: {error}; ran in the request instead", file=sys.stderr)
        function(*args)
        return
    _after_commit(rows, lambda: _send(message))


def _send(message: dict) -> str:
    """What a Queue or Thread sends; the consumer checks the target against what generate allowed."""
    client = _client("sqs")
    return client.send_message(QueueUrl=_setting(NAMES["queue"]),
                               MessageBody=json.dumps(message, sort_keys=True))["MessageId"]


class Queue:
    """An in-memory queue of the monolith (deque, queue.Queue, list) as this service's SQS queue.

    append/put send the item as a message and return; the consumer Lambda hands it back with `deliver`
    to this process-local buffer and runs the function that drained the queue (its consumers.py).
    Popping an empty buffer raises as the original did (IndexError, queue.Empty); nothing blocks.
    """

    def __init__(self, name: str, *args: Any, **kwargs: Any):
        self.name = name
        self._local: collections.deque = collections.deque()

    def append(self, item: Any) -> None:
        rows: list = []
        message = {"queue": self.name, "item": _encode(item, rows)}
        _after_commit(rows, lambda: _send(message))

    put = put_nowait = appendleft = append

    def extend(self, items) -> None:
        for item in items:
            self.append(item)

    def deliver(self, item: Any) -> None:
        self._local.append(item)

    def popleft(self) -> Any:
        return self._local.popleft()

    pop = popleft

    def get_nowait(self) -> Any:
        try:
            return self._local.popleft()
        except IndexError:
            raise _queue_module.Empty from None

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        return self.get_nowait()

    def task_done(self) -> None:
        """Done is the message's deletion, which the consumer's success triggers."""

    def __len__(self) -> int:
        return len(self._local)

    def qsize(self) -> int:
        return len(self._local)

    def empty(self) -> bool:
        return not self._local

    def clear(self) -> None:
        self._local.clear()

    def __bool__(self) -> bool:
        return bool(self._local)


class Thread:
    """threading.Thread in a module remediated by sqs: start() sends the target's call as a message and
    returns; the consumer Lambda runs it (with retries, then the dead-letter queue)."""

    def __init__(self, group=None, target=None, name=None, args=(), kwargs=None, *, daemon=None):
        self.target, self.args, self.kwargs, self.name, self.daemon = target, args, kwargs or {}, name, daemon
        self._sent = False

    def start(self) -> None:
        """Sends the call; when an argument cannot travel as JSON (a mail message object, say), or the
        target is no module-level function (a bound method), runs it here, before the answer, and says so
        on stderr: slower, but done, where a thread would be frozen with the Lambda after the answer."""
        target = f"{self.target.__module__}:{self.target.__qualname__}"
        self._sent = True
        rows: list = []
        try:
            if "." in self.target.__qualname__ or "<" in self.target.__qualname__:
                raise TypeError("not a module-level function, which the consumer could find")
            message = {"target": target, "args": _encode(list(self.args), rows), "kwargs": _encode(self.kwargs, rows)}
        except TypeError as error:
            print(f"decompose: {target}: {error}; ran in the request instead", file=sys.stderr)
            _run(self.target, self.args, self.kwargs)
            return
        _after_commit(rows, lambda: _send(message))

    def is_alive(self) -> bool:
        return self._sent

    def join(self, timeout: float | None = None) -> None:
        """The work runs in another Lambda: nothing to wait for here."""


def background(function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """FastAPI's `background_tasks.add_task(function, ...)` in a module remediated by sqs: the call goes to
    the consumer Lambda (after the request's commit), as a Thread's would; Lambda would not run it after
    the answer."""
    Thread(target=function, args=args, kwargs=kwargs).start()


def _run(function: Callable[..., Any], args: Any, kwargs: dict) -> Any:
    """The call, awaited when the function is a coroutine function (FastAPI's tasks may be)."""
    result = function(*args, **kwargs)
    if not inspect.iscoroutine(result):
        return result
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(result)
    done: list = []  # inside the request's event loop: the coroutine gets a loop of its own, on a thread
    worker = threading.Thread(target=lambda: done.append(asyncio.run(result)), name="decompose-background")
    worker.start()
    worker.join()
    return done[0] if done else None


class WorkerThread(Thread):
    """threading.Thread beside a remediated Queue: the thread only drained the queue, whose items now
    arrive as messages, so starting it does nothing and it counts as alive (never started again)."""

    def start(self) -> None:
        self._sent = True

    def is_alive(self) -> bool:
        return True


class Work:
    """Calls sent as messages: `send("pkg.mod:function", *args)` returns at once; `consume` runs them."""

    def __init__(self, allowed: frozenset[str], queue_url: str | None = None, client=None):
        self.allowed = allowed
        self._queue_url, self._sqs = queue_url, client

    @property
    def queue_url(self) -> str:
        return self._queue_url or _setting(NAMES["queue"])

    @property
    def client(self):
        if self._sqs is None:
            self._sqs = _client("sqs")
        return self._sqs

    def send(self, target: str, *args: Any, **kwargs: Any) -> str:
        self._check(target)
        body = json.dumps({"target": target, "args": list(args), "kwargs": kwargs}, sort_keys=True)
        return self.client.send_message(QueueUrl=self.queue_url, MessageBody=body)["MessageId"]

    def publish(self, target: str, *args: Any, topic_arn: str | None = None, client=None, **kwargs: Any) -> str:
        """sns: the same message to every subscriber of the topic (this service's queue is one)."""
        self._check(target)
        body = json.dumps({"target": target, "args": list(args), "kwargs": kwargs}, sort_keys=True)
        sns = client or _client("sns")
        return sns.publish(TopicArn=topic_arn or _setting(NAMES["topic"]), Message=body)["MessageId"]

    def run(self, body: str, app: Any = None, drains: dict[str, list[str]] | None = None) -> Any:
        """One message: a call, or an item of a remediated Queue (handed back to it, then the functions
        that drained it run). `app` replaces the app marker (_encode). An error propagates: SQS retries
        the message, then moves it to the dead-letter queue."""
        message = json.loads(body)
        if "queue" in message:
            return self._drain(message, app, drains or {})
        target = message["target"]
        self._check(target)
        package, sessions = target.split(".")[0], []
        result = _run(_resolve(target), _decode(message.get("args", []), app, package, sessions),
                      _decode(message.get("kwargs", {}), app, package, sessions))
        for session in sessions:  # what the request's commit did for the work it no longer runs
            session.commit()
        return result

    def _drain(self, message: dict, app: Any, drains: dict[str, list[str]]) -> None:
        name = message["queue"]
        if name not in drains:
            raise PermissionError(f"{name!r} is not a queue this service drains")
        queue = _resolve(name)
        if not isinstance(queue, Queue):
            raise TypeError(f"{name} is a {type(queue).__name__}, not the Queue generate put there")
        sessions: list = []
        queue.deliver(_decode(message["item"], app, name.split(".")[0], sessions))
        for drain in drains[name]:
            _resolve(drain)()
        for session in sessions:
            session.commit()

    def _check(self, target: str) -> None:
        if target not in self.allowed:
            raise PermissionError(f"{target!r} is not a function this service runs from its queue")


def poll(handle: Callable[[str], Any], stop: threading.Event, wait_seconds: int = 1) -> None:
    """What Lambda's SQS event source does, as a loop for local runs (`decompose gateway up` against
    moto): receive one message, handle it, delete it on success. A failure leaves it in the queue: it
    comes back after its visibility timeout, then goes to the dead-letter queue, as on AWS."""
    _POLLING.on = True  # this thread answers no request: its calls are no request's hops
    while not stop.is_set():
        try:
            client, url = _client("sqs"), _setting(NAMES["queue"])
            got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=wait_seconds)
        except ImportError as error:  # no boto3 in the monolith's environment: nothing will ever arrive
            print(f"decompose consumer: not polling: {error} (pip install boto3 to run the consumer locally)",
                  file=sys.stderr)
            return
        except Exception as error:  # the local queue not reachable yet: try again, say why
            print(f"decompose consumer: receiving failed: {error}", file=sys.stderr)
            stop.wait(1)
            continue
        for message in got.get("Messages", []):
            try:
                handle(message["Body"])
            except Exception:
                traceback.print_exc()
                continue
            client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def poll_locally(handle: Callable[[str], Any]) -> threading.Thread | None:
    """The local consumer thread, only when `gateway up` asked for it and never on Lambda."""
    if not os.environ.get(LOCAL_ENV) or "AWS_LAMBDA_FUNCTION_NAME" in os.environ:
        return None
    thread = threading.Thread(target=poll, args=(handle, threading.Event()), name="decompose-consumer", daemon=True)
    thread.start()
    return thread


def _resolve(target: str) -> Callable[..., Any]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


class State:
    """A process-wide dict as DynamoDB items (pk: the state's name and key); values are JSON."""

    def __init__(self, name: str, ttl_seconds: int = 0, table: str | None = None, client=None):
        self.name, self.ttl_seconds = name, ttl_seconds
        self._table, self._dynamodb = table, client

    @property
    def table(self) -> str:
        return self._table or _setting(NAMES["table"])

    @property
    def client(self):
        """Made on first use: generate puts a State where a module-level dict was, built at import."""
        if self._dynamodb is None:
            self._dynamodb = _client("dynamodb")
        return self._dynamodb

    def setdefault(self, key: str, default: Any = None) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            self[key] = value = default
        return value

    def pop(self, key: str, *default: Any) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            if not default:
                raise KeyError(key)
            return default[0]
        del self[key]
        return value

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
