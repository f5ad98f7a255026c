"""Issue #26: the generated services replay in the plan's world as `contracts verify` reads it, not as it
was when they were generated: the app factory gets the suite's configuration ([contracts] app, e.g.
flasky's `create_app('testing')`), and a reset may name the plan's [contracts] hooks and env keys of now
(a service generated before `contracts record` wrote [contracts.env] took none and refused them, 403).
"""

from __future__ import annotations

import json
import os
import sys

import pytest

from decompose.contracts import appcall
from decompose.contracts.fleet import replay_world
from decompose.contracts.settings import Settings
from decompose.generation.runtime import reset

SECRET = "world-secret"
GENERATED_EMPTY = reset.Allowed.of()  # what a service generated before [contracts.env] existed allows


class Config:  # a configuration object the spec names by module.Name, as microblog-api's TestConfig
    TESTING = True


def factory(*args, **kwargs):
    return {"args": args, "kwargs": kwargs}


# --- the app factory's arguments ------------------------------------------------------------------------

def test_the_worlds_call_of_this_factory_gives_its_arguments():
    spec = f"{__name__}:factory('testing', config={__name__}.Config, debug=False)"
    built = appcall.build(factory, f"{__name__}:factory", {appcall.VARIABLE: spec})
    assert built == {"args": ("testing",), "kwargs": {"config": Config, "debug": False}}


def test_without_a_world_or_with_another_factory_the_factory_is_called_bare():
    element = f"{__name__}:factory"
    assert appcall.build(factory, element, {}) == {"args": (), "kwargs": {}}
    assert appcall.build(factory, element, {appcall.VARIABLE: "other.app:create_app('testing')"}) == {"args": (), "kwargs": {}}
    assert appcall.build(factory, element, {appcall.VARIABLE: f"{__name__}:factory"}) == {"args": (), "kwargs": {}}


@pytest.mark.parametrize("call", ["__import__('os').system('true')", "**{'a': 1}", "no_such_module_xyz.Config"])
def test_arguments_that_are_not_literals_or_importable_names_are_refused_by_name(call):
    with pytest.raises(appcall.AppCallError, match=r"DECOMPOSE_CONTRACT_APP=.*fix \[contracts\] app"):
        appcall.build(factory, f"{__name__}:factory", {appcall.VARIABLE: f"{__name__}:factory({call})"})


def test_a_service_is_started_with_the_plans_world():
    settings = Settings(app="app:create_app(config_name='testing')", reset=("app.cache:clear",),
                        env={"DATABASE_URL": "sqlite:///{scratch}/db.sqlite", "SERVER_NAME": "localhost"})
    world = replay_world(settings)
    assert world[appcall.VARIABLE] == "app:create_app(config_name='testing')"
    assert json.loads(world[reset.ALLOW]) == {"env": ["DATABASE_URL", "SERVER_NAME"], "hooks": ["app.cache:clear"]}
    assert appcall.VARIABLE not in replay_world(Settings())
    assert json.loads(replay_world(Settings())[reset.ALLOW]) == {"env": [], "hooks": []}


# --- what a reset may name ------------------------------------------------------------------------------

@pytest.fixture
def secret(monkeypatch):
    monkeypatch.setenv("DECOMPOSE_INTERNAL_SECRET", SECRET)
    for name in ("DECOMPOSE_TEST_WORLD", "DECOMPOSE_TEST_OTHER", reset.ALLOW):
        monkeypatch.delenv(name, raising=False)
    yield
    os.environ.pop("DECOMPOSE_TEST_WORLD", None)
    os.environ.pop(reset.SCENARIO, None)  # a rebuilding reset sets it outside monkeypatch


def send(body: dict) -> tuple[int, dict]:
    return reset.handle({"x-decompose-secret": SECRET}, json.dumps(body).encode(), lambda: None, GENERATED_EMPTY)


def test_a_key_the_plan_names_now_is_allowed_though_the_service_was_generated_without_it(secret, monkeypatch):
    assert send({"env": {"DECOMPOSE_TEST_WORLD": "1"}})[0] == 403  # the generated list alone: refused
    monkeypatch.setenv(reset.ALLOW, json.dumps({"hooks": [], "env": ["DECOMPOSE_TEST_WORLD"]}))
    status, answer = send({"env": {"DECOMPOSE_TEST_WORLD": "1"}})
    assert status == 200 and os.environ["DECOMPOSE_TEST_WORLD"] == "1"


def test_a_key_the_plan_does_not_name_is_still_refused_whole(secret, monkeypatch):
    monkeypatch.setenv(reset.ALLOW, json.dumps({"hooks": [], "env": ["DECOMPOSE_TEST_WORLD"]}))
    status, answer = send({"env": {"DECOMPOSE_TEST_WORLD": "1", "DECOMPOSE_TEST_OTHER": "2"}})
    assert status == 403 and "'DECOMPOSE_TEST_OTHER'" in answer["message"]
    assert "DECOMPOSE_TEST_WORLD" not in os.environ and "DECOMPOSE_TEST_OTHER" not in os.environ


@pytest.mark.parametrize("control", sorted(reset.CONTROL))
def test_no_reset_sets_decomposes_control_variables_even_when_a_plan_names_them(secret, monkeypatch, control):
    monkeypatch.setenv(reset.ALLOW, json.dumps({"hooks": [], "env": [control]}))
    before = os.environ.get(control)
    status, answer = send({"env": {control: "[]"}})
    assert status == 403 and "control variable" in answer["message"]
    assert os.environ.get(control) == before


@pytest.mark.parametrize("raw", ["not json", "[]", '{"env": "DECOMPOSE_TEST_WORLD"}', '{"env": [1]}', '{"hooks": {"a": 1}}'])
def test_an_allow_list_that_does_not_parse_allows_nothing(secret, monkeypatch, raw):
    monkeypatch.setenv(reset.ALLOW, raw)
    generous = reset.Allowed.of(env=["DECOMPOSE_TEST_WORLD"])
    assert reset.launched(generous).refusal({"DECOMPOSE_TEST_WORLD": "1"}, []) is not None
    status, answer = send({"env": {"DECOMPOSE_TEST_WORLD": "1"}})
    assert status == 403 and "nothing is allowed" in answer["message"]


def test_without_a_launch_list_the_generated_one_holds():
    generated = reset.Allowed.of(env=["A"])
    assert reset.launched(generated, {}) is generated
    assert reset.launched(generated, {reset.ALLOW: '{"env": ["B"]}'}).refusal({"A": "1"}, []) == \
        f"'A' is not a [contracts.env] key of the plan as {reset.ALLOW} gave it"


def test_a_configuration_class_of_the_monoliths_tests_is_loaded_from_its_file_under_the_root(tmp_path):
    """microblog-api: create_app(config_class=tests.base_test_case.TestConfig); a service has its own tests/."""
    (tmp_path / "suite_conf_xyz").mkdir()
    (tmp_path / "suite_conf_xyz" / "base.py").write_text("class TestConfig:\n    TESTING = True\n    DATABASE = 'sqlite://'\n")
    spec = f"{__name__}:factory(config_class=suite_conf_xyz.base.TestConfig)"
    with pytest.raises(appcall.AppCallError, match="no module of it imports"):
        appcall.build(factory, f"{__name__}:factory", {appcall.VARIABLE: spec})
    built = appcall.build(factory, f"{__name__}:factory", {appcall.VARIABLE: spec, appcall.ROOT: str(tmp_path)})
    config = built["kwargs"]["config_class"]
    assert config.TESTING is True and config.DATABASE == "sqlite://"


def test_a_same_named_package_without_the_class_does_not_hide_the_roots_file(tmp_path):
    """`tests` imports in the service (its own generated tests/) but has no base_test_case there."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "base_case_zz.py").write_text("class TestConfig:\n    NAME = 'from the root'\n")
    spec = f"{__name__}:factory(tests.base_case_zz.TestConfig)"
    built = appcall.build(factory, f"{__name__}:factory", {appcall.VARIABLE: spec, appcall.ROOT: str(tmp_path)})
    assert built["args"][0].NAME == "from the root"
    assert replay_world(Settings(app="a:b(1)"), tmp_path)[appcall.ROOT] == str(tmp_path.resolve())


# --- one database for a fleet ---------------------------------------------------------------------------

def test_in_a_fleet_an_in_memory_database_is_one_file_in_the_scenarios_folder(tmp_path):
    """factory_boy_users: create_app(test_config={'SQLALCHEMY_DATABASE_URI': 'sqlite://'}); the login at the
    accounts service wrote a token the notes service must see."""
    spec = f"{__name__}:factory({{'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'OTHER': 'sqlite://x'}}, url='sqlite+pysqlite:///:memory:')"
    environ = {appcall.VARIABLE: spec, appcall.SHARED: "1", appcall.SCRATCH: str(tmp_path)}
    built = appcall.build(factory, f"{__name__}:factory", environ)
    assert built["args"][0] == {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/shared.sqlite", "OTHER": "sqlite://x"}
    assert built["kwargs"]["url"] == f"sqlite+pysqlite:///{tmp_path}/shared.sqlite"
    alone = appcall.build(factory, f"{__name__}:factory", {appcall.VARIABLE: spec, appcall.SCRATCH: str(tmp_path)})
    assert alone["args"][0]["SQLALCHEMY_DATABASE_URI"] == "sqlite://"  # one process (the monolith): as the suite had it


def test_a_reset_keeps_the_scenarios_folder_only_in_a_fleet_and_only_an_existing_absolute_one(secret, monkeypatch, tmp_path):
    assert send({"env": {reset.SCRATCH: str(tmp_path)}})[0] == 200  # the monolith's host: dropped, not refused
    assert reset.SCRATCH not in os.environ
    monkeypatch.setenv(reset.SHARED, "1")
    monkeypatch.delenv(reset.SCRATCH, raising=False)
    assert send({"env": {reset.SCRATCH: str(tmp_path)}})[0] == 200
    assert os.environ[reset.SCRATCH] == str(tmp_path)
    for wrong in ("relative/folder", str(tmp_path / "absent"), 3):
        status, answer = send({"env": {reset.SCRATCH: wrong}})
        assert status == 400 and reset.SCRATCH in answer["message"]
    assert send({"env": {reset.SHARED: "0"}})[0] == 403  # launch-time only


def test_a_rebuilding_reset_names_the_scenario_it_starts_and_one_without_a_folder_names_none(secret, monkeypatch, tmp_path):
    """django_data flushes a fleet's shared database once per scenario, by this name: a stale one (a reset that
    named no scenario after one that did) would leave the last scenario's rows in place."""
    assert send({"env": {reset.SCRATCH: str(tmp_path)}})[0] == 200  # any process, in a fleet or not
    assert os.environ[reset.SCENARIO] == str(tmp_path)
    assert send({"data": {}})[0] == 400 and os.environ[reset.SCENARIO] == str(tmp_path)  # refused: nothing changes
    assert send({})[0] == 200 and reset.SCENARIO not in os.environ
    assert send({"env": {reset.SCENARIO: str(tmp_path)}})[0] == 403  # never set by a reset's env


def test_in_a_fleet_an_in_memory_database_the_configuration_names_itself_is_the_scenarios_file(tmp_path, monkeypatch):
    """flasky's TestingConfig says 'sqlite://' in a class, not in the factory's arguments: each service would have
    its own empty database, and a loan made at one service would not be seen by the next."""
    from sqlalchemy import create_engine, text

    def factory():
        return create_engine("sqlite://")  # what the app's own configuration opens

    monkeypatch.setenv(appcall.SHARED, "1")
    monkeypatch.setenv(appcall.SCRATCH, str(tmp_path))
    environ = {appcall.SHARED: "1", appcall.SCRATCH: str(tmp_path)}
    one, other = appcall.build(factory, f"{__name__}:factory", environ), appcall.build(factory, f"{__name__}:factory", environ)
    with one.begin() as connection:
        connection.execute(text("CREATE TABLE loan (id INTEGER)"))
        connection.execute(text("INSERT INTO loan VALUES (7)"))
    with other.connect() as connection:
        assert connection.execute(text("SELECT id FROM loan")).scalar() == 7
    assert (tmp_path / "shared.sqlite").is_file()
    one.dispose()
    other.dispose()

    monkeypatch.delenv(appcall.SHARED)  # alone (not a fleet): the configuration's in-memory database, as it was
    alone = create_engine("sqlite://")
    with alone.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM sqlite_master")).scalar() == 0
    alone.dispose()


def test_the_monolith_host_in_a_fleet_opens_its_in_memory_database_as_the_scenarios_file(tmp_path, monkeypatch):
    """`gateway up --contract-world` runs the monolith beside the services: the same scenario file for all."""
    from decompose.gateway import host

    (tmp_path / "tinyapp.py").write_text("def factory(config):\n    return lambda environ, start: config\n")
    monkeypatch.delitem(sys.modules, "tinyapp", raising=False)  # another test's tinyapp, imported in this worker
    monkeypatch.setenv(appcall.SHARED, "1")
    monkeypatch.setenv(appcall.SCRATCH, str(tmp_path))
    app = host.load_app("tinyapp:factory({'SQLALCHEMY_DATABASE_URI': 'sqlite://'})", tmp_path)
    assert app(None, None) == {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/shared.sqlite"}
    monkeypatch.delenv(appcall.SHARED)
    alone = host.load_app("tinyapp:factory({'SQLALCHEMY_DATABASE_URI': 'sqlite://'})", tmp_path)
    assert alone(None, None) == {"SQLALCHEMY_DATABASE_URI": "sqlite://"}


# --- one Flask-Caching cache for a fleet -----------------------------------------------------------------

def caching_app(cache_type: str = "SimpleCache"):
    """A Flask app as CTFd builds its own: a module-level `Cache()` bound in the factory with `init_app`."""
    from flask import Flask
    from flask_caching import Cache

    app = Flask("cached")
    app.config.update(CACHE_TYPE=cache_type)
    cache = Cache()
    cache.init_app(app)
    return app, cache


def ctfd_app():
    return caching_app("simple")  # CTFd's TestingConfig (Flask-Caching 2.5 knows only SimpleCache: the fleet's own)


def test_in_a_fleet_a_flask_caching_cache_of_the_process_is_one_folder_in_the_scenarios_folder(tmp_path, monkeypatch):
    """CTFd's sessions live in Flask-Caching's `simple` cache (TestingConfig): a login at the auth service wrote a
    session the challenges service never saw (403), 8 of 42 scenarios passing on the services."""
    monkeypatch.setenv(appcall.SHARED, "1")
    monkeypatch.setenv(appcall.SCRATCH, str(tmp_path))
    environ = {appcall.SHARED: "1", appcall.SCRATCH: str(tmp_path)}
    (auth, auth_cache), (challenges, challenges_cache) = (appcall.build(ctfd_app, f"{__name__}:ctfd_app", environ)
                                                          for _ in range(2))
    with auth.app_context():
        auth_cache.set("session:7", {"user": 1, "nonce": "abc"})
    with challenges.app_context():
        assert challenges_cache.get("session:7") == {"user": 1, "nonce": "abc"}
    assert (tmp_path / "flask-caching" / "0").is_dir()

    monkeypatch.delenv(appcall.SHARED)  # alone (the monolith): the configuration's own cache, as it was
    (one, one_cache), (other, other_cache) = caching_app(), caching_app()
    with one.app_context():
        one_cache.set("session:8", {"user": 2})
    with other.app_context():
        assert other_cache.get("session:8") is None


@pytest.mark.parametrize("cache_type", ["RedisCache", "flask_caching.backends.MemcachedCache", "NullCache", None])
def test_a_cache_the_fleet_already_shares_or_no_cache_is_left_as_configured(tmp_path, monkeypatch, cache_type):
    from flask import Flask

    monkeypatch.setenv(appcall.SHARED, "1")
    monkeypatch.setenv(appcall.SCRATCH, str(tmp_path))
    app = Flask("cached")
    if cache_type:
        app.config["CACHE_TYPE"] = cache_type
    assert appcall.fleet_cache(app, None, None) is None
    assert appcall.fleet_cache(app, None, {"CACHE_TYPE": "SimpleCache"})["CACHE_DIR"] == str(tmp_path / "flask-caching" / "0")


def test_the_monolith_host_in_a_fleet_binds_its_flask_caching_cache_to_the_scenarios_folder(tmp_path, monkeypatch):
    """`gateway up --contract-world` with some routes left on the monolith: its sessions are the services' too."""
    from flask_caching import Cache
    from flask_caching.backends import FileSystemCache

    from decompose.gateway import host

    # as in a fresh process (another test of this worker may have wrapped init_app): the host must wrap it itself
    monkeypatch.setattr(Cache, "init_app", getattr(Cache.init_app, "__wrapped__", Cache.init_app))
    monkeypatch.setattr(appcall, "_CACHING", [])

    (tmp_path / "cachedapp.py").write_text(
        "from tests.contracts.test_replay_world import caching_app\n\ndef factory():\n    return caching_app()[0]\n")
    monkeypatch.delitem(sys.modules, "cachedapp", raising=False)
    monkeypatch.setenv(appcall.SHARED, "1")
    monkeypatch.setenv(appcall.SCRATCH, str(tmp_path))
    app = host.load_app("cachedapp:factory()", tmp_path)
    (backend,) = app.extensions["cache"].values()
    assert isinstance(backend, FileSystemCache) and (tmp_path / "flask-caching" / "0").is_dir()
