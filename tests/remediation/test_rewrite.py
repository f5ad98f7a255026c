"""The call-site rewrite of remediated modules, as before/after source strings (LibCST's way), and
which globals and functions the decisions and their hazards name."""

import textwrap

import pytest

from decompose.analysis.model import HazardOut
from decompose.remediation.model import Decision
from decompose.remediation.rewrite import IMPORT, Wanted, drains, rewrite, wanted


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


CASES = [
    pytest.param(Wanted("m", files=True), '''
        """Uploads."""
        from __future__ import annotations
        import os

        def save(path, data):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)
            if os.path.exists(path):
                os.remove(path)
        ''', '''
        """Uploads."""
        from __future__ import annotations
        {IMPORT}import os

        def save(path, data):
            _decompose_aws.files.makedirs(os.path.dirname(path), exist_ok=True)
            with _decompose_aws.files.open(path, "wb") as handle:
                handle.write(data)
            if _decompose_aws.files.exists(path):
                _decompose_aws.files.remove(path)
        ''', id="s3"),
    pytest.param(Wanted("pkg.shop", states=frozenset({"_CACHE", "_OTHER"})), '''
        _CACHE: dict[str, list] = {}
        _OTHER = {"seeded": 1}
        _UNNAMED = {}

        def f():
            _CACHE = {}
            return _CACHE
        ''', '''
        {IMPORT}_CACHE: dict[str, list] = _decompose_aws.State("pkg.shop:_CACHE")
        _OTHER = {"seeded": 1}
        _UNNAMED = {}

        def f():
            _CACHE = {}
            return _CACHE
        ''', id="dynamodb: only empty module-level dicts the hazards name"),
    pytest.param(Wanted("pkg.jobs", queues=frozenset({"_queue", "_worker"}), threads=True), '''
        import threading
        from collections import deque

        _queue = deque()
        _worker = None

        def start():
            global _worker
            _worker = threading.Thread(target=run, daemon=True)
            _worker.start()
        ''', '''
        {IMPORT}import threading
        from collections import deque

        _queue = _decompose_aws.Queue("pkg.jobs:_queue")
        _worker = None

        def start():
            global _worker
            _worker = _decompose_aws.WorkerThread(target=run, daemon=True)
            _worker.start()
        ''', id="sqs: a queue and the worker that drained it"),
    pytest.param(Wanted("app.email", threads=True), '''
        from threading import Thread

        def send_email(msg):
            thr = Thread(target=send_async_email, args=[current_app._get_current_object(), msg])
            thr.start()
        ''', '''
        {IMPORT}from threading import Thread

        def send_email(msg):
            thr = _decompose_aws.Thread(target=send_async_email, args=[current_app._get_current_object(), msg])
            thr.start()
        ''', id="sqs: a thread per task becomes a message"),
    pytest.param(Wanted("m", files=True), '''
        from os import makedirs as md
        from shutil import rmtree

        def clean(folder):
            md(folder, exist_ok=True)
            rmtree(folder)
        ''', '''
        {IMPORT}from os import makedirs as md
        from shutil import rmtree

        def clean(folder):
            _decompose_aws.files.makedirs(folder, exist_ok=True)
            _decompose_aws.files.rmtree(folder)
        ''', id="s3: functions imported by name"),
    pytest.param(Wanted("m", files=True), '''
        import shutil
        from pathlib import Path

        def keep(upload, image, folder, name):
            upload.save(os.path.join(folder, name))
            image.save(thumb_path, format="PNG")
            user.save()
            shutil.copy(Path(folder) / name, "/srv/backup/")
            shutil.rmtree(folder)
            (Path(folder) / name).unlink(missing_ok=True)
            Path(folder).mkdir(parents=True)
        ''', '''
        {IMPORT}import shutil
        from pathlib import Path

        def keep(upload, image, folder, name):
            _decompose_aws.files.save(upload, os.path.join(folder, name))
            _decompose_aws.files.save(image, thumb_path, format="PNG")
            user.save()
            _decompose_aws.files.copy(Path(folder) / name, "/srv/backup/")
            _decompose_aws.files.rmtree(folder)
            _decompose_aws.files.unlink((Path(folder) / name), missing_ok=True)
            _decompose_aws.files.mkdir(Path(folder), parents=True)
        ''', id="s3: shutil, pathlib and savers (uploads, images) to a path"),
    pytest.param(Wanted("app.media", slow=frozenset({"label"})), '''
        def upload(owner, data):
            photo = Photo(owner=owner)
            photo.tags = [Tag(name=n) for n, score in label(data) if score > 50]
            label(data)
            tags = label(data)
            return photo, tags

        def label(data):
            return score(data)
        ''', '''
        {IMPORT}def upload(owner, data):
            photo = Photo(owner=owner)
            _decompose_aws.later(_decompose_later_upload_1, photo, data)
            _decompose_aws.later(_decompose_later_upload_2, data)
            tags = label(data)
            return photo, tags

        def label(data):
            return score(data)


        def _decompose_later_upload_1(photo, data):
            """decompose: [remediate] slow-work sqs: line 3 of upload, run by the consumer Lambda."""
            photo.tags = [Tag(name=n) for n, score in label(data) if score > 50]


        def _decompose_later_upload_2(data):
            """decompose: [remediate] slow-work sqs: line 4 of upload, run by the consumer Lambda."""
            label(data)
        ''', id="sqs: slow work whose result is stored on a row, or dropped, is deferred; a local's value is not"),
]


@pytest.mark.parametrize("want,before,after", CASES)
def test_rewrite(want, before, after):
    done = rewrite(src(before), want)
    assert done.source == src(after).replace("{IMPORT}", IMPORT)
    assert done.changes


def test_a_thread_per_task_names_its_target_for_the_consumer():
    done = rewrite(src(CASES[3].values[1]), CASES[3].values[0])
    assert done.thread_targets == ["app.email:send_async_email"]
    assert done.changes == ["line 4: Thread -> aws.Thread"]


def test_deferred_slow_work_names_its_function_and_what_it_stores():
    done = rewrite(src(CASES[-1].values[1]), CASES[-1].values[0])
    assert done.thread_targets == ["app.media:_decompose_later_upload_1", "app.media:_decompose_later_upload_2"]
    assert done.deferred == ["(dropped)", "photo.tags"]


def test_an_uploader_class_serving_its_files_is_switched_whole():
    """CTFd's FilesystemUploader: copyfileobj into open(), send_file of the stored path, Path(...).open()."""
    before = src('''
        from pathlib import Path
        from shutil import copyfileobj, rmtree
        from zipfile import ZipFile

        from flask import send_file, send_from_directory


        class FilesystemUploader:
            def store(self, fileobj, location):
                with open(location, "wb") as dst:
                    copyfileobj(fileobj, dst, 16384)

            def download(self, location):
                return send_file(location, as_attachment=True)

            def avatar(self, folder, name):
                return send_from_directory(folder, name)

            def open(self, location, mode="rb"):
                path = Path(location)
                return path.open(mode=mode)

            def member(self, archive, name, other):
                other.open()
                return ZipFile(archive).open(name)
        ''')
    done = rewrite(before, Wanted("ctf.uploads", files=True))
    assert "with _decompose_aws.files.open(location, \"wb\") as dst:" in done.source
    assert "return _decompose_aws.files.send_file(location, as_attachment=True)" in done.source
    assert "return _decompose_aws.files.send_from_directory(folder, name)" in done.source
    assert "return _decompose_aws.files.open(path, mode=mode)" in done.source
    assert "other.open()" in done.source and "ZipFile(archive).open(name)" in done.source  # not a Path: untouched
    assert done.changes == ["line 10: open -> aws.files.open", "line 14: flask.send_file -> aws.files.send_file",
                            "line 17: flask.send_from_directory -> aws.files.send_from_directory",
                            "line 21: .open() -> aws.files.open"]


def test_a_registry_of_classes_filled_at_import_time_is_not_state():
    """CTFd's JinjaEnum decorator and microblog-api's PaginatedCollection factory: classes stored at import
    time are the same in every instance, and not JSON."""
    before = src('''
        JINJA_ENUMS = {}
        SEEN = {}


        def JinjaEnum(cls):
            if cls.__name__ not in JINJA_ENUMS:
                JINJA_ENUMS[cls.__name__] = cls
            return cls


        def remember(key, value):
            SEEN[key] = value
            return value


        paginated_schema_cache = {}


        def PaginatedCollection(schema):
            if schema in paginated_schema_cache:
                return paginated_schema_cache[schema]

            class PaginatedSchema:
                data = schema

            paginated_schema_cache[schema] = PaginatedSchema
            return PaginatedSchema
        ''')
    states = frozenset({"JINJA_ENUMS", "SEEN", "paginated_schema_cache"})
    done = rewrite(before, Wanted("ctf.constants", states=states))
    assert "JINJA_ENUMS = {}" in done.source and "paginated_schema_cache = {}" in done.source  # code, not data
    assert done.changes == ["line 2: SEEN -> aws.State"]  # a value stored under a key the caller gives: state


def test_nothing_to_switch_leaves_the_module_byte_for_byte():
    before = "import os\n\nX = [1]\n\ndef f():\n    return os.getcwd()\n"
    assert rewrite(before, Wanted("m", files=True, states=frozenset({"X"}), queues=frozenset({"X"}))).source == before


def hazard(kind, symbol, detail):
    return HazardOut(kind, symbol, "pkg/jobs.py", 1, detail, "", "", True)


HAZARDS = [
    hazard("global-mutable-state", "pkg.jobs:publish", "_queue (.extend())"),
    hazard("global-mutable-state", "pkg.jobs:drain", "_queue (.popleft())"),
    hazard("background-thread", "pkg.jobs:start", "threading.Thread"),
    hazard("process-cache", "pkg.jobs:tree", "_CACHE (item assignment)"),
    hazard("filesystem-write", "pkg.jobs:save", "open(..., 'wb')"),
]


def test_wanted_reads_the_globals_from_the_hazards_of_each_decision():
    decisions = (Decision("global-mutable-state", "pkg.jobs:publish", "sqs"),
                 Decision("global-mutable-state", "pkg.jobs:drain", "sqs"),
                 Decision("background-thread", "pkg.jobs:start", "sqs"),
                 Decision("process-cache", "pkg.jobs:tree", "keep"),
                 Decision("filesystem-write", "pkg.jobs:save", "s3"))
    assert wanted(decisions, HAZARDS) == {"pkg/jobs.py": Wanted("pkg.jobs", files=True, queues=frozenset({"_queue"}),
                                                                threads=True)}
    assert drains(decisions, HAZARDS, {"pkg.jobs": ["_queue"]}) == {"pkg.jobs:_queue": ["pkg.jobs:drain"]}
    assert drains(decisions, HAZARDS, {}) == {}  # a global left as it was is drained in-process, as before


class FakeRendered:
    """What generation.render.Rendered gives the hook: files and the report."""

    def __init__(self, files, report):
        self.files, self.report = files, report


def test_a_hazard_in_the_shared_kernel_is_reported_not_silently_dropped():
    from decompose.remediation.generate import apply

    rendered = FakeRendered({"jobs/app.py": b"app = None\n", "shared/python/pkg/jobs.py": b"import os\n"},
                            {"services": [{"name": "jobs"}], "shared": {}})
    decisions = (Decision("filesystem-write", "pkg.jobs:save", "s3"),)
    apply(rendered, decisions, {"pkg.jobs": "shared"}, "proj", HAZARDS)
    (row,) = rendered.report["shared"]["remediation"]
    assert row["symbol"] == "pkg.jobs:save" and row["todo"].startswith("in the shared kernel")
    assert "jobs/chalicelib/aws.py" not in rendered.files
    assert rendered.files["shared/python/pkg/jobs.py"] == b"import os\n"  # nothing to switch: no resources either
    assert "shared/resources.json" not in rendered.files and "jobs/.chalice/layer.json" not in rendered.files


def test_fastapi_background_tasks_send_their_call_and_name_the_function_for_the_consumer():
    before = src('''
        from fastapi import BackgroundTasks
        from app.thumbs import make_thumbnail

        def upload(photo_id: int, background_tasks: BackgroundTasks):
            background_tasks.add_task(make_thumbnail, photo_id, size=128)
            background_tasks.add_task(notify, photo_id)
            return {"id": photo_id}

        def notify(photo_id):
            return photo_id
        ''')
    done = rewrite(before, Wanted("app.photos", threads=True))
    assert "_decompose_aws.background(make_thumbnail, photo_id, size=128)" in done.source
    assert "_decompose_aws.background(notify, photo_id)" in done.source and ".add_task(" not in done.source
    assert done.thread_targets == ["app.photos:notify", "app.thumbs:make_thumbnail"]
    assert done.changes == ["line 5: background_tasks.add_task -> aws.background",
                            "line 6: background_tasks.add_task -> aws.background"]
