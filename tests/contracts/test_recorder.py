"""The recorder plugin on tiny Flask and FastAPI apps, run by pytest in a child process."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import textwrap
from pathlib import Path

FLASK_APP = '''
    from flask import Flask, Response, jsonify, request

    app = Flask(__name__)

    @app.post("/login")
    def login():
        response = jsonify(token="t-" + request.get_json()["name"])
        response.set_cookie("a", "1")
        response.set_cookie("b", "2")
        return response

    @app.get("/raw")
    def raw():
        return Response(bytes([0, 255, 1]), mimetype="application/octet-stream")

    @app.get("/missing")
    def missing():
        return {"error": "nope"}, 404
'''

FLASK_TESTS = '''
    from app import app

    def test_login_then_raw():
        client = app.test_client()
        assert client.post("/login", json={"name": "ann"}).status_code == 200
        assert client.get("/raw?x=1&x=2").data == bytes([0, 255, 1])

    def test_missing():
        assert app.test_client().get("/missing").status_code == 404

    def test_no_requests():
        assert True
'''

FASTAPI_APP = '''
    from fastapi import FastAPI

    app = FastAPI()

    @app.post("/items")
    async def create(item: dict):
        return {"created": item}
'''

FASTAPI_TESTS = '''
    from fastapi.testclient import TestClient
    from app import app

    def test_create():
        assert TestClient(app).post("/items", json={"n": 1}).json() == {"created": {"n": 1}}
'''


def record(tmp_path: Path, app: str, tests: str) -> dict:
    (tmp_path / "app.py").write_text(textwrap.dedent(app))
    (tmp_path / "test_app.py").write_text(textwrap.dedent(tests))
    out = tmp_path / "recording.json"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "decompose.contracts.recorder",
                           f"--decompose-record={out}", "test_app.py"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(out.read_text())


def test_flask_exchanges_are_grouped_by_test_in_order(tmp_path):
    recording = record(tmp_path, FLASK_APP, FLASK_TESTS)
    names = [s["name"] for s in recording["scenarios"]]
    assert names == ["test_app.py::test_login_then_raw", "test_app.py::test_missing"]  # no requests, no scenario
    login, raw = recording["scenarios"][0]["exchanges"]
    assert login["request"]["method"] == "POST" and login["request"]["target"] == "/login"
    assert json.loads(login["request"]["body"]["text"]) == {"name": "ann"}
    assert json.loads(login["answer"]["body"]["text"]) == {"token": "t-ann"}
    assert [v for k, v in login["answer"]["headers"] if k == "set-cookie"] == ["a=1; Path=/", "b=2; Path=/"]
    assert raw["request"]["target"] == "/raw?x=1&x=2"
    assert base64.b64decode(raw["answer"]["body"]["base64"]) == bytes([0, 255, 1])
    assert recording["scenarios"][1]["exchanges"][0]["answer"]["status"] == 404
    assert all(e["ms"] >= 0 for s in recording["scenarios"] for e in s["exchanges"])


def test_fastapi_exchanges_are_recorded_through_asgi(tmp_path):
    recording = record(tmp_path, FASTAPI_APP, FASTAPI_TESTS)
    (exchange,) = recording["scenarios"][0]["exchanges"]
    assert exchange["request"]["method"] == "POST" and exchange["answer"]["status"] == 200
    assert json.loads(exchange["answer"]["body"]["text"]) == {"created": {"n": 1}}
    assert ["content-type", "application/json"] in exchange["request"]["headers"]


FACTORY_APP = '''
    from flask import Flask

    class TestingConfig:
        GREETING = "hello"

    def create_app(config_name="production", overrides=None, config=None):
        app = Flask(__name__)
        app.config.from_object(config or TestingConfig)
        @app.get("/hi")
        def hi():
            return {"greeting": app.config["GREETING"], "config": config_name}
        return app
'''

FACTORY_TESTS = '''
    import os
    import pytest
    from app import TestingConfig, create_app

    os.environ["APP_MODE"] = "test"  # set by the suite, as a conftest would: part of the world

    @pytest.fixture
    def client(monkeypatch):
        monkeypatch.setenv("PER_TEST", os.environ.get("PYTEST_CURRENT_TEST", "")[:40])  # differs per test: not the world's
        return create_app("testing", {"DEBUG": False}, config=TestingConfig).test_client()

    def test_one(client):
        assert client.get("/hi").json == {"greeting": "hello", "config": "testing"}

    def test_two(client):
        assert client.get("/hi").status_code == 200
'''

MODULE_APP_TESTS = '''
    from fastapi.testclient import TestClient
    from app import app

    def test_create():
        assert TestClient(app).post("/items", json={"n": 1}).status_code == 200
'''


def test_the_app_factory_its_arguments_and_the_suites_environment_are_recorded(tmp_path):
    world = record(tmp_path, FACTORY_APP, FACTORY_TESTS)["world"]
    assert world["apps"] == [{"spec": "app:create_app(config_name='testing', overrides={'DEBUG': False}, "
                                       "config=app.TestingConfig)", "tests": 2}]
    assert world["env"] == {"APP_MODE": "test"}


def test_a_module_level_app_is_named_by_its_global(tmp_path):
    world = record(tmp_path, FASTAPI_APP, MODULE_APP_TESTS)["world"]
    assert world["apps"] == [{"spec": "app:app", "tests": 1}]


DATABASE_APP = '''
    from flask import Flask, request
    from flask_sqlalchemy import SQLAlchemy

    db = SQLAlchemy()

    class Note(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        title = db.Column(db.String(40))

    def create_app():
        app = Flask(__name__)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
        db.init_app(app)

        @app.post("/notes")
        def add():
            db.session.add(Note(title=request.get_json()["title"]))
            db.session.commit()
            return {"ok": True}, 201

        @app.get("/notes")
        def notes():
            return {"titles": [n.title for n in db.session.scalars(db.select(Note).order_by(Note.id))]}
        return app
'''

DATABASE_TESTS = '''
    import pytest
    from app import Note, create_app, db

    @pytest.fixture
    def app():
        app = create_app()
        with app.app_context():
            db.create_all()
            db.session.add(Note(title="from a factory"))
            db.session.commit()
            yield app

    def test_rows_before_and_between_requests(app):
        client = app.test_client()
        assert client.post("/notes", json={"title": "over http"}).status_code == 201
        db.session.add(Note(title="added between requests"))
        db.session.commit()
        assert len(client.get("/notes").json["titles"]) == 3
'''


def test_rows_the_test_made_before_its_first_request_and_between_requests_are_kept(tmp_path):
    (scenario,) = record(tmp_path, DATABASE_APP, DATABASE_TESTS)["scenarios"]
    assert scenario["data"] == {"note": [{"id": 1, "title": "from a factory"}]}
    posted, listed = scenario["exchanges"]
    assert "data" not in posted  # the row the request itself made is not the test's
    assert listed["data"] == {"note": [{"id": 3, "title": "added between requests"}]}


def test_an_app_built_when_a_conftest_is_imported_is_seen_too(tmp_path):
    (tmp_path / "conftest.py").write_text("from app import app  # imported before any plugin is configured\n")
    world = record(tmp_path, FASTAPI_APP, MODULE_APP_TESTS)["world"]
    assert world["apps"] == [{"spec": "app:app", "tests": 1}]


def test_a_suite_whose_configuration_runs_it_on_xdist_workers_is_recorded_in_one_process(tmp_path, monkeypatch):
    """The recorder hears its own process only: `-n 2` in the suite's addopts would leave it nothing."""
    from decompose.contracts.api import _run_suites
    from decompose.interpreter import Interpreter

    (tmp_path / "app.py").write_text(textwrap.dedent(FLASK_APP))
    (tmp_path / "test_app.py").write_text(textwrap.dedent(FLASK_TESTS))
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -n 2\n")
    monkeypatch.chdir(tmp_path)
    own = Interpreter(Path(sys.executable), "decompose's own", tuple(sys.version_info[:3]), sys.prefix)
    [recording] = _run_suites(tmp_path / "scratch", 1, ["test_app.py"], own)
    scenarios = {s["name"]: len(s["exchanges"]) for s in json.loads(recording.read_text())["scenarios"]}
    assert scenarios == {"test_app.py::test_login_then_raw": 2, "test_app.py::test_missing": 1}


def test_a_calibration_child_that_printed_nothing_is_reported_by_its_exit():
    """healthchecks: the corpus's calibration child ended printing nothing, and record's note ended at a colon
    (`...on the monolith failed (monolith interpreter: ...): `), saying nothing of why."""
    from decompose.contracts.api import _silent_exit

    assert _silent_exit(-9) == "the calibration process was killed by signal 9 (SIGKILL) and printed nothing"
    assert _silent_exit(3) == "the calibration process exited 3 and printed nothing"


def test_a_percent_sign_the_client_sent_encoded_is_recorded_so_a_replay_sends_it_encoded():
    """healthchecks' badge test asks for `db%2540dc1.svg` (its tag quoted twice): WSGI hands the view PATH_INFO
    `db%40dc1.svg`, decoded once. Recorded bare, the replay's server decoded it again (`db@dc1.svg`, which the
    route's converter refuses: 404); recorded as `%2540`, the replayed view sees what the test's saw."""
    import io

    import httpx

    from decompose.contracts.recorder import _wsgi_request

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/badge/db%40dc1.svg", "wsgi.input": io.BytesIO()}
    method, target, _, _, _ = _wsgi_request(environ)
    assert (method, target) == ("GET", "/badge/db%2540dc1.svg")
    seen = []

    def app(environ, start_response):
        seen.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b""]

    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://localhost") as client:
        client.get(target)
    assert seen == ["/badge/db%40dc1.svg"]


def test_a_compressed_answer_is_recorded_as_a_client_reads_it():
    """At the ASGI boundary a GZipMiddleware's bytes are still encoded; every replay reads them decoded."""
    import gzip
    import zlib

    from decompose.contracts.recorder import delivered

    text = b'{"access_control_list": []}' * 50
    assert delivered(gzip.compress(text), [("Content-Encoding", "gzip")]) == text
    assert delivered(zlib.compress(text), [("content-encoding", "deflate")]) == text
    assert delivered(text, [("content-encoding", "gzip")]) == text  # a test client decoded it already
    assert delivered(gzip.compress(text), [("content-type", "application/json")]) == gzip.compress(text)
