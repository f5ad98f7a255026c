"""A call between Flask services carries the caller's request context: the callee's helper reads the
`flask.g.user` its caller's login decorator set (an ORM row, loaded again by primary key), and the
caller's request headers; what cannot travel stays behind; a context that does not decode is a 400 and
nothing runs."""

import json

import pytest
from flask import Flask, g, request
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

import decompose.generation.runtime.wire as wire
from decompose.generation.runtime import carry, flaskctx
from decompose.generation.runtime.internal import Endpoint
from tests.generation.test_wire import Base
from tests.generation.test_wire import Product as User  # any ORM row: the user the login decorator loaded

SECRET = {"x-decompose-secret": "s3cret"}


@pytest.fixture()
def world(monkeypatch):
    """One database both 'services' share (as generated services do), one user in it, Flask's pair registered."""
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    session = Session(engine)
    session.add(User(id=7, name="ada"))
    session.commit()
    saved = dict(wire._MODELS)
    wire.allow(models=[f"{User.__module__}:{User.__qualname__}"])
    wire.configure(session=lambda: session)
    carry.configure(flaskctx.capture, flaskctx.restored)
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", "s3cret")
    yield session
    carry._FRAMEWORK.clear()
    wire.configure(None)
    wire._MODELS.clear()
    wire._MODELS.update(saved)
    session.close()
    engine.dispose()


def caller_context(session: Session) -> dict:
    """What the notes service sends from inside a request whose login decorator set g.user."""
    caller = Flask("notes")
    with caller.test_request_context("/api/projects/3/notes?done=1", method="POST",
                                     headers={"Authorization": "Bearer t0k", "Content-Length": "2"}):
        g.user = session.get(User, 7)
        g.connection = object()  # a per-request resource: stays in the caller's process
        return json.loads(json.dumps(carry.capture()))


def whoami(project_id: int) -> dict:
    return {"project": project_id, "user": g.user.name, "auth": request.headers.get("Authorization"),
            "path": request.path, "done": request.args.get("done"), "method": request.method}


def test_the_callee_reads_the_callers_g_and_request(world) -> None:
    context = caller_context(world)
    callee = Flask("projects")
    endpoint = Endpoint({"app.projects:whoami": whoami}, context=callee.app_context)
    body = json.dumps({"args": [3], "kwargs": {}, "context": context}).encode()

    answer = endpoint.handle("app.projects:whoami", SECRET, body)

    assert (answer.status_code, json.loads(answer.body)) == (200, {"result": {
        "project": 3, "user": "ada", "auth": "Bearer t0k", "path": "/api/projects/3/notes", "done": "1", "method": "POST"}})
    assert sorted(context["g"]) == ["user"]
    assert {name.lower() for name, _ in context["request"]["headers"]} >= {"authorization"}
    assert "content-length" not in {name.lower() for name, _ in context["request"]["headers"]}


def test_without_a_context_the_callee_runs_as_before(world) -> None:
    callee = Flask("projects")
    endpoint = Endpoint({"app.projects:name_of": lambda: g.get("user", "nobody")}, context=callee.app_context)

    answer = endpoint.handle("app.projects:name_of", SECRET, b'{"args": [], "kwargs": {}}')

    assert (answer.status_code, json.loads(answer.body)) == (200, {"result": "nobody"})


def test_outside_a_request_nothing_is_carried(world) -> None:
    assert carry.capture() == {}


@pytest.mark.parametrize("context, why", [
    ({"g": {"user": {"$model": "os:system", "pk": [1]}}}, "does not decode"),
    ({"g": {"not a name": 1}}, "attribute names"),
    ({"request": {"method": "GET", "path": "http://elsewhere/", "query": "", "headers": []}}, "starting with '/'"),
    ({"request": {"method": "GET", "path": "/", "query": "", "headers": [["X-A", 1]]}}, "pairs of strings"),
    ("user=7", "must be an object"),
])
def test_a_context_that_does_not_decode_is_refused_and_nothing_runs(world, context, why) -> None:
    ran = []
    callee = Flask("projects")
    endpoint = Endpoint({"app.projects:touch": lambda: ran.append(1)}, context=callee.app_context)

    answer = endpoint.handle("app.projects:touch", SECRET, json.dumps({"args": [], "kwargs": {}, "context": context}).encode())

    assert answer.status_code == 400
    assert why in json.loads(answer.body)["message"]
    assert ran == []
