"""Starting data: the rows a test's fixtures left before its first request, captured through
Flask-SQLAlchemy's metadata and loaded into a fresh app's database before replay."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid

import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from decompose.contracts import startdata


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Role(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True)


class User(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(80))
    joined: Mapped[datetime.datetime]
    role_id: Mapped[int] = mapped_column(ForeignKey("role.id"))


def create_app(default_roles=("admin",)):
    """As many apps do: the tables and default rows come with the app; the test adds its users."""
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db.init_app(app)
    with app.app_context():
        db.create_all()
        db.session.add_all([Role(name=name) for name in default_roles])
        db.session.commit()
    return app


def test_a_factory_made_user_is_captured_and_loaded_into_a_fresh_app():
    app = create_app()
    with app.app_context():  # what a factory_boy fixture does, in the test's app context
        db.session.add(User(id=7, email="ann@example.com", joined=datetime.datetime(2024, 5, 1, 12), role_id=1))
        db.session.commit()
        data = startdata.capture(app)
    assert data == {"role": [{"id": 1, "name": "admin"}],
                    "user": [{"id": 7, "email": "ann@example.com", "joined": {"$datetime": "2024-05-01T12:00:00"}, "role_id": 1}]}
    json.dumps(data)  # what the contract stores
    fresh = create_app(default_roles=("editor", "admin"))  # the same role under another id: skipped, not a crash
    assert startdata.load(fresh, json.loads(json.dumps(data))) == 1
    with fresh.app_context():
        user = db.session.get(User, 7)
        assert user.email == "ann@example.com" and user.joined == datetime.datetime(2024, 5, 1, 12)
        assert sorted(r.name for r in db.session.scalars(db.select(Role))) == ["admin", "editor"]
    assert startdata.load(fresh, data) == 0  # loading twice adds nothing


NO_DATABASE = """
import sys
from flask import Flask
from decompose.contracts import startdata
assert startdata.capture(Flask("bare")) is None
try:
    startdata.load(Flask("bare"), {"user": []})
except startdata.LoadError as error:
    print(error)
"""


def test_an_app_without_a_database_has_no_starting_data_and_refuses_some():
    """In a fresh process: this one has the engines of the other tests' apps (plain SQLAlchemy would find them)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", NO_DATABASE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "no SQLAlchemy database (Flask-SQLAlchemy or an engine)" in done.stdout
    with pytest.raises(startdata.LoadError, match="table 'payments', which the app's metadata does not have"):
        startdata.load(create_app(), {"payments": [{"id": 1}]})


def test_a_service_leaves_the_rows_of_tables_its_models_do_not_describe_to_another_service():
    """flasky's posts service: the scenario's rows include `roles` and `follows`, its app's metadata has neither."""
    app = create_app()
    joined = {"$datetime": "2024-05-01T12:00:00"}
    rows = {"payments": [{"id": 1}], "user": [{"id": 3, "email": "bo@example.com", "joined": joined, "role_id": 1}]}
    assert startdata.load(app, rows, strict=False) == 1
    with app.app_context():
        assert db.session.get(User, 3).email == "bo@example.com"


@pytest.mark.parametrize("value", [datetime.date(2024, 1, 2), datetime.time(3, 4), decimal.Decimal("1.50"),
                                   uuid.UUID(int=5), b"\x00\xff", {"a": [1]}, None, 3, "x"])
def test_values_json_cannot_hold_are_tagged_and_come_back(value):
    assert startdata.decode(json.loads(json.dumps(startdata.encode(value)))) == value


PLAIN = '''
    import datetime, uuid
    from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Uuid, create_engine

    metadata = MetaData()
    owners = Table("owners", metadata, Column("id", Integer, primary_key=True), Column("email", String(80)))
    items = Table("items", metadata, Column("id", Uuid, primary_key=True), Column("title", String(40)),
                  Column("owner_id", ForeignKey("owners.id")), Column("at", DateTime))

    def make_engine(url):
        """What an app's db module does at import (FastAPI + SQLModel, a session factory, Alchemical)."""
        engine = create_engine(url)
        metadata.create_all(engine)
        return engine
'''


def test_plain_sqlalchemy_rows_are_captured_from_the_last_engine_and_loaded_into_a_fresh_one(tmp_path, monkeypatch,
                                                                                              one_app_process):
    """No Flask-SQLAlchemy: the engine built last and every MetaData the process knows (startdata.watch)."""
    from tests.helpers import write_tree

    write_tree(tmp_path, {"plain_db_for_startdata.py": PLAIN})
    monkeypatch.syspath_prepend(str(tmp_path))
    import plain_db_for_startdata as plain  # its MetaData, noted as its tables attach

    first = plain.make_engine(f"sqlite:///{tmp_path / 'recorded.db'}")
    with first.begin() as connection:  # what a fixture or factory did before the test's first request
        connection.execute(plain.owners.insert(), [{"id": 3, "email": "ann@example.com"}])
        connection.execute(plain.items.insert(), [{"id": uuid.UUID(int=9), "title": "pen", "owner_id": 3,
                                                   "at": datetime.datetime(2024, 5, 1)}])
    data = startdata.capture(object())  # any app (FastAPI's): no Flask-SQLAlchemy, so the plain engine
    assert data == {"items": [{"at": {"$datetime": "2024-05-01T00:00:00"}, "id": {"$uuid": str(uuid.UUID(int=9))},
                               "owner_id": 3, "title": "pen"}],
                    "owners": [{"email": "ann@example.com", "id": 3}]}
    fresh = plain.make_engine(f"sqlite:///{tmp_path / 'replayed.db'}")  # the replay's new app, built after
    assert startdata.load(object(), json.loads(json.dumps(data))) == 2
    with fresh.connect() as connection:
        assert [tuple(r) for r in connection.execute(plain.items.select())] == [
            (uuid.UUID(int=9), "pen", 3, datetime.datetime(2024, 5, 1))]
    with pytest.raises(startdata.LoadError, match="'no_such_table', which no SQLAlchemy metadata"):
        startdata.load(object(), {"no_such_table": [{"id": 1}]})  # no MetaData of this process has it


def test_a_scenario_start_leaves_a_database_that_outlives_scenarios_holding_exactly_its_rows(tmp_path, monkeypatch,
                                                                                              one_app_process):
    """A PostgreSQL database the suite's settings name is the same for every scenario: rows an earlier
    scenario left are deleted, a row a module-scoped fixture changed (a new password) is updated, the
    missing ones inserted; rows added or changed between two requests are added or updated, and no other
    row is touched (a test that hides a user without HTTP, then asks again: CTFd's scoreboard tests)."""
    from tests.helpers import write_tree

    write_tree(tmp_path, {"lasting_db_for_startdata.py": PLAIN})
    monkeypatch.syspath_prepend(str(tmp_path))
    import lasting_db_for_startdata as plain

    startdata.watch()
    engine = plain.make_engine(f"sqlite:///{tmp_path / 'lasting.db'}")
    with engine.begin() as connection:  # what the last scenario left behind
        connection.execute(plain.owners.insert(), [{"id": 3, "email": "old@example.com"}, {"id": 4, "email": "gone@example.com"}])
        connection.execute(plain.items.insert(), [{"id": uuid.UUID(int=1), "title": "left", "owner_id": 4}])
    data = {"owners": [{"id": 3, "email": "ann@example.com"}, {"id": 5, "email": "cy@example.com"}]}
    assert startdata.load(object(), data, replace=True) == 1  # cy inserted; ann updated in place
    with engine.connect() as connection:
        assert sorted(tuple(r) for r in connection.execute(plain.owners.select())) == [
            (3, "ann@example.com"), (5, "cy@example.com")]
        assert list(connection.execute(plain.items.select())) == []  # a table the data has no rows of: emptied
    between = {"owners": [{"id": 6, "email": "di@example.com"}, {"id": 3, "email": "ann@new.example.com"}]}
    assert startdata.load(object(), between) == 1  # between requests: di added, ann's new address kept
    with engine.connect() as connection:
        assert sorted(tuple(r) for r in connection.execute(plain.owners.select())) == [
            (3, "ann@new.example.com"), (5, "cy@example.com"), (6, "di@example.com")]


LAZY = '''
    from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select

    metadata = MetaData()
    people = Table("people", metadata, Column("id", Integer, primary_key=True), Column("name", String(20)))


    class Database:
        """Builds its engine at first use, as Alchemical does."""
        metadata = metadata

        def __init__(self):
            self.engine = None

        def get_engine(self):
            if self.engine is None:
                self.engine = create_engine("sqlite://")  # in memory: one connection per thread
            return self.engine

        def create_all(self):
            metadata.create_all(self.get_engine())


    db = Database()


    def create_app():
        db.engine = None  # a new app, a new database (built at its first query)

        def app(environ, start_response):
            with db.get_engine().connect() as connection:
                names = [row.name for row in connection.execute(select(people))]
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [",".join(names).encode()]
        return app
'''


def test_the_host_loads_into_a_lazily_built_in_memory_database_and_serves_it_on_that_thread(tmp_path, monkeypatch):
    """microblog-api (Alchemical, sqlite://): the fresh app has no engine until its first query, and an
    in-memory SQLite database is one per thread, so rows loaded by the reset must be read on its thread."""
    import io
    import threading

    from decompose.gateway import host
    from tests.helpers import write_tree

    write_tree(tmp_path, {"lazy_db_for_host.py": LAZY})
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("DECOMPOSE_CONTRACT_RESET", "1")
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", "s")
    hosted = host.Hosted("lazy_db_for_host:create_app", tmp_path, host.allowed([]))
    body = json.dumps({"env": {}, "hooks": [], "data": {"people": [{"id": 1, "name": "ann"}]}}).encode()
    seen: dict = {}

    def call(method: str, path: str, payload: bytes = b"") -> None:
        environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "CONTENT_LENGTH": str(len(payload)),
                   "wsgi.input": io.BytesIO(payload), "HTTP_X_DECOMPOSE_SECRET": "s"}
        seen[path] = b"".join(hosted.wsgi(environ, lambda status, headers: seen.setdefault("status", []).append(status)))

    for method, path, payload in (("POST", "/_decompose/reset", body), ("GET", "/people", b"")):
        worker = threading.Thread(target=call, args=(method, path, payload))  # each request on its own thread
        worker.start()
        worker.join(timeout=60)
    assert seen["status"] == ["200 OK", "200 OK"], seen
    assert json.loads(seen["/_decompose/reset"])["loaded"] == 1 and seen["/people"] == b"ann"


LAZY_PROXY = '''
from decompose.contracts import startdata

class Unconfigured:  # as Django's settings before configure(): reading __class__ evaluates the proxy
    @property
    def __class__(self):
        raise RuntimeError("Requested setting, but settings are not configured")

proxy = Unconfigured()
startdata.watch()
print("watched")
'''


BUILT_BEFORE_THE_WATCH = '''
import sys
sys.path.insert(0, sys.argv[1])
import plain_db_for_startdata as plain  # a conftest imported before the recorder's plugin loaded: its MetaData
engine = plain.make_engine("sqlite:///" + sys.argv[1] + "/early.db")  # and its engine are already alive
with engine.begin() as connection:
    connection.execute(plain.owners.insert(), [{"id": 7, "email": "eve@example.com"}])
from decompose.contracts import startdata
startdata.watch()
print(sorted(startdata.capture(object())["owners"][0].items()))
'''


def test_the_watch_finds_the_engine_and_metadata_alive_before_it_among_the_live_objects(tmp_path):
    import subprocess
    import sys

    from tests.helpers import write_tree

    write_tree(tmp_path, {"plain_db_for_startdata.py": PLAIN})
    done = subprocess.run([sys.executable, "-c", BUILT_BEFORE_THE_WATCH, str(tmp_path)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.stdout.strip() == "[('email', 'eve@example.com'), ('id', 7)]", done.stderr[-2000:]


def test_watching_never_evaluates_a_lazy_proxy_it_meets_among_the_live_objects():
    """The recorder watches at load, in a process where pytest-django's settings proxy may be alive."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", LAZY_PROXY], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "watched", done.stderr[-2000:]


def test_make_tables_creates_a_flask_apps_tables_empty_and_says_when_there_is_no_database():
    # flasky's create_app('testing') makes no table (its suite's setUp calls db.create_all()): a generated
    # service's route tests make them as the suite does
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db.init_app(app)
    with app.app_context():
        assert not db.inspect(db.engine).has_table("user")
    assert startdata.make_tables(app) is True
    with app.app_context():
        assert db.inspect(db.engine).has_table("user") and db.session.query(User).count() == 0
    assert startdata.make_tables(Flask("bare")) is False


def test_the_dialect_of_a_scoped_session_is_asked_of_its_own_session():
    """Flask-SQLAlchemy 2.x under SQLAlchemy 1.4: the scoped proxy's get_bind passes `bind=`, which the
    SignallingSession refuses (ctfd's scenarios all failed to load their rows on that TypeError)."""
    from types import SimpleNamespace

    class Signalling:  # Flask-SQLAlchemy 2.5's signature
        def get_bind(self, mapper=None, clause=None):
            return SimpleNamespace(dialect=SimpleNamespace(name="postgresql"))

    class Scoped:  # SQLAlchemy 1.4's scoped_session proxy
        def __init__(self):
            self.registry = Signalling

        def get_bind(self, mapper=None, clause=None, bind=None):
            return self.registry().get_bind(mapper=mapper, clause=clause, bind=bind)

    assert startdata._dialect(Scoped()) == "postgresql"
    assert startdata._dialect(Signalling()) == "postgresql"
