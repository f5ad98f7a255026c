"""`decompose gateway up` and the processes it runs, on a tiny generated project (a Flask monolith with
two blueprints on SQLite, each a service): the whole process tree stops on SIGTERM, SIGINT and SIGHUP
and when one child dies; one database for all; `status` reads the shadow log `up` writes; services
import only what they ship; one Content-Length; an ASGI monolith; the route table's semantic checks."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from decompose.errors import UserError
from decompose.gateway import api
from decompose.gateway.upstreams import Fleet, Upstream, free_port
from tests.helpers import run_in, write_tree

WT = str(Path(__file__).resolve().parents[2])
SPAWN = "import subprocess, sys; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'], start_new_session=True)"
MONOLITH = {
    "app/tinyshop/__init__.py": "",
    "app/tinyshop/views/__init__.py": "",
    "app/tinyshop/db.py": '''
        import os
        import sqlite3


        def connect():
            url = os.environ.get("TINY_DATABASE_URL", "sqlite:///tiny.db")
            db = sqlite3.connect(url[len("sqlite:///"):])
            db.execute("CREATE TABLE IF NOT EXISTS notes (body TEXT)")
            return db
        ''',
    "app/tinyshop/views/notes.py": '''
        from flask import Blueprint, jsonify, request

        from tinyshop.db import connect

        bp = Blueprint("notes", __name__)


        @bp.post("/api/notes")
        def add_note():
            with connect() as db:
                db.execute("INSERT INTO notes VALUES (?)", (request.get_json()["body"],))
            return jsonify({"ok": True}), 201
        ''',
    "app/tinyshop/views/board.py": '''
        from flask import Blueprint, jsonify

        from tinyshop.db import connect

        bp = Blueprint("board", __name__)


        @bp.get("/api/board")
        def board():
            with connect() as db:
                return jsonify({"notes": [row[0] for row in db.execute("SELECT body FROM notes")]})
        ''',
    # TINY_SPAWN=1: the app starts a worker that leaves its process group (setsid), as some servers' workers do
    "app/tinyshop/app.py": f'''
        import os

        from flask import Flask

        from tinyshop.views import board, notes


        def create_app():
            if os.environ.get("TINY_SPAWN") == "1":
                exec({SPAWN!r})
            app = Flask(__name__)
            app.register_blueprint(notes.bp)
            app.register_blueprint(board.bp)
            return app
        ''',
}
PLAN = '''
    schema_version = 1

    [plan]
    analysis = ".decompose/analysis.json"

    [shared]
    modules = ["tinyshop", "tinyshop.views", "tinyshop.app", "tinyshop.db"]
    symbols = []

    [services.board]
    modules = ["tinyshop.views.board"]
    symbols = []
    tables = []
    routes = ["GET /api/board"]

    [services.notes]
    modules = ["tinyshop.views.notes"]
    symbols = []
    tables = []
    routes = ["POST /api/notes"]

    [contracts]
    app = "tinyshop.app:create_app"
    '''


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The tiny monolith analysed, planned by hand (two services), generated, with routes.toml."""
    where = write_tree(tmp_path_factory.mktemp("tiny"), {**MONOLITH, "decompose.toml": PLAN})
    run_in(where, ["analyze", "app/tinyshop", "-q"], ["generate", "-q"], ["gateway", "init", "-q"])
    return where


@pytest.fixture
def copy(project, tmp_path) -> Path:
    """A copy of the project of its own (`up` writes .decompose/gateway/ in the current folder)."""
    return Path(shutil.copytree(project, tmp_path / "project", symlinks=True))


def env(**extra: str) -> dict[str, str]:
    """The environment of a `decompose` subprocess: this worktree's code first."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DECOMPOSE_", "PYTEST_"))}
    return {**base, "PYTHONPATH": os.pathsep.join(filter(None, [WT, os.environ.get("PYTHONPATH")])), **extra}


# ---- process trees -------------------------------------------------------------------------------


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc."""
    children: dict[int, set[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        children.setdefault(int(text[text.rfind(")") + 2:].split()[1]), set()).add(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), set()) - found:
            found.add(child)
            todo.append(child)
    return found


def parent(pid: int) -> int:
    text = Path(f"/proc/{pid}/stat").read_text()
    return int(text[text.rfind(")") + 2:].split()[1])


def running(pid: int) -> bool:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text[text.rfind(")") + 2:].split()[0] != "Z"


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def start_up(where: Path, port: int, *options: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "decompose", "gateway", "up", "--root", "app", "--port", str(port), *options],
                            cwd=where, env=env(TINY_SPAWN="1", TINY_DATABASE_URL=f"sqlite:///{where / 'shared.db'}"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def tree_when_up(up: subprocess.Popen, port: int) -> set[int]:
    """The PIDs of up's tree once the gateway answers: the monolith, two services, the gateway, and the
    workers the monolith and the services' apps started outside their groups."""
    for _ in range(600):  # 60 s at most
        assert up.poll() is None, up.communicate()
        if listening(port):
            httpx.get(f"http://127.0.0.1:{port}/api/board", timeout=10)  # the monolith builds its app: a worker
            tree = descendants(up.pid)
            if len(tree) >= 5:
                return tree
        time.sleep(0.1)
    raise AssertionError("gateway up did not start in 60 s")


def gone_within(pids: set[int], seconds: float = 30.0) -> set[int]:
    """The PIDs still running after `seconds` (polled); every survivor is killed, so no test leaks one."""
    deadline = time.monotonic() + seconds
    alive = {p for p in pids if running(p)}
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = {p for p in alive if running(p)}
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    return alive


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name)
def test_up_stops_its_whole_process_tree_on_a_stop_signal(copy, signum):
    port = free_port()
    up = start_up(copy, port)
    tree = set()
    try:
        tree = tree_when_up(up, port)
        direct = {p for p in tree if parent(p) == up.pid}
        escaped = {p for p in tree - direct if os.getpgid(p) == p}
        assert escaped, "the monolith's worker should have left its process group (the case groups alone miss)"
        up.send_signal(signum)
        _, err = up.communicate(timeout=60)
    finally:
        if up.poll() is None:
            up.kill()
        survivors = gone_within(tree)
    assert survivors == set(), f"still running after {signum.name}: {survivors}"
    assert up.returncode == 0 and f"Stopped by {signum.name}" in err, err


def test_a_child_that_dies_is_named_and_the_others_are_stopped(copy):
    port = free_port()
    up = start_up(copy, port)
    tree = set()
    try:
        tree = tree_when_up(up, port)
        [notes] = [p for p in tree if Path(f"/proc/{p}/cwd").resolve() == copy / "services" / "notes"
                   and "chalice_local" in Path(f"/proc/{p}/cmdline").read_text()]
        os.kill(notes, signal.SIGKILL)
        _, err = up.communicate(timeout=60)
    finally:
        if up.poll() is None:
            up.kill()
        survivors = gone_within(tree)
    assert up.returncode == 2 and "notes was killed by SIGKILL on its own; stopping the others" in err, err
    assert "notes.log" in err and "Serving on http://127.0.0.1:" in err  # its last log lines
    assert survivors == set()


HOLDER = """
import sys, time
from pathlib import Path
from decompose.gateway.upstreams import Fleet, Upstream

port = int(sys.argv[1])
serve = SPAWN + f"; import http.server as h; h.test(h.SimpleHTTPRequestHandler, port={port}, bind='127.0.0.1')"
with Fleet([Upstream("srv", [sys.executable, "-c", serve], Path("."), port)], logs=Path("logs")):
    print("up", flush=True)
    time.sleep(600)
"""


def test_the_contracts_fleet_stops_its_tree_on_a_signal_too(tmp_path):
    """`services_fleet` (contracts verify) is an upstreams.Fleet: the same handlers, the same tree stop."""
    (tmp_path / "holder.py").write_text(f"SPAWN = {SPAWN!r}\n" + HOLDER)
    holder = subprocess.Popen([sys.executable, "holder.py", str(free_port())], cwd=tmp_path, env=env(), stdout=subprocess.PIPE, text=True)
    tree = set()
    try:
        assert holder.stdout.readline() == "up\n"
        for _ in range(100):  # the server and the worker it started, 10 s at most
            tree = descendants(holder.pid)
            if len(tree) >= 2:
                break
            time.sleep(0.1)
        holder.send_signal(signal.SIGTERM)
        holder.wait(timeout=60)
    finally:
        if holder.poll() is None:
            holder.kill()
        survivors = gone_within(tree)
    assert len(tree) >= 2 and survivors == set()


KILLED = """
import sys, time
from pathlib import Path
from decompose.gateway.upstreams import Fleet, Upstream

plain, held = int(sys.argv[1]), int(sys.argv[2])
serve = "import http.server as h; h.test(h.SimpleHTTPRequestHandler, port={}, bind='127.0.0.1')"
with Fleet([Upstream("plain", [sys.executable, "-c", serve.format(plain)], Path("."), plain),
            Upstream("held", [sys.executable, "-m", "decompose.gateway.lifeline", "http.server", "--bind", "127.0.0.1",
                              str(held)], Path("."), held)], logs=Path("logs")):
    print("up", flush=True)
    time.sleep(600)
"""


def test_a_fleet_killed_by_sigkill_leaves_no_child_running(tmp_path):
    """No handler sees SIGKILL: each child dies with the fleet (decompose.gateway.lifeline), a plain command by
    the death signal the fleet sets before exec, a held one (moto_server, chalice local, the host) by its own too."""
    (tmp_path / "killed.py").write_text(KILLED)
    holder = subprocess.Popen([sys.executable, "killed.py", str(free_port()), str(free_port())], cwd=tmp_path, env=env(),
                              stdout=subprocess.PIPE, text=True)
    tree = set()
    try:
        assert holder.stdout.readline() == "up\n"
        tree = descendants(holder.pid)
        holder.kill()
        holder.wait(timeout=60)
    finally:
        if holder.poll() is None:
            holder.kill()
        survivors = gone_within(tree, 20.0)
    assert len(tree) == 2 and survivors == set(), f"left running after SIGKILL: {survivors} of {tree}"


def test_a_held_process_takes_the_fleets_variable_out_of_its_environment(monkeypatch):
    """What a fleet child starts is not the fleet's child: it must not read the fleet's pid as its parent's."""
    from decompose.gateway import lifeline

    environ = {lifeline.PARENT: "not-a-pid", "OTHER": "1"}
    assert lifeline.hold(environ) is False and environ == {"OTHER": "1"}


# ---- one stack, in process: database, shadow log, framing ----------------------------------------


@pytest.fixture
def stack(copy):
    """`gateway up` in this process (its Stack gives the URLs), notes in service mode, board shadowed."""
    run_in(copy, ["gateway", "route", "service", "--service", "notes", "-q"], ["gateway", "route", "shadow", "--service", "board", "-q"])
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(copy)
        for key, value in env().items():
            patch.setenv(key, value)
        patch.setenv("TINY_DATABASE_URL", "sqlite:///shared.db")  # relative: each process would resolve it against its own folder
        with api.up(Path("routes.toml"), Path("services"), Path("decompose.toml"), Path("app"), 0,
                    Path(".decompose/gateway")) as running_stack:  # where the CLI's `up` keeps its files
            yield copy, running_stack


def test_a_write_through_a_service_is_read_through_the_monolith(stack):
    where, up = stack
    written = httpx.post(up.url + "/api/notes", json={"body": "from the service"}, timeout=10)
    assert written.status_code == 201 and written.headers["x-decompose-upstream"] == "notes"
    read = httpx.get(up.url + "/api/board", timeout=10)
    assert read.headers["x-decompose-upstream"] == "monolith" and read.json() == {"notes": ["from the service"]}
    assert up.database == {"TINY_DATABASE_URL": f"sqlite:///{where / 'shared.db'}"}
    assert not list((where / "services").rglob("*.db"))


def test_status_reads_the_shadow_log_up_writes(stack):
    where, up = stack
    for _ in range(3):
        assert httpx.get(up.url + "/api/board", timeout=10).status_code == 200
    rows = []
    for _ in range(100):  # the mirrors run after the answers: 10 s at most
        rows = [r for r in json.loads(run_in(where, ["gateway", "status", "--json", "-q"])) if r["route"] == "GET /api/board"]
        if rows[0]["compared"] == 3:
            break
        time.sleep(0.1)
    assert (rows[0]["compared"], rows[0]["differing"]) == (3, 0)


def test_a_service_answers_with_one_content_length(stack):
    _, up = stack
    port = int(up.urls["board"].rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(b"GET /api/board HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        raw = b""
        while chunk := conn.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    lengths = [line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
    types = [line for line in head.split(b"\r\n") if line.lower().startswith(b"content-type:")]
    assert len(lengths) == 1 and int(lengths[0].split(b":")[1]) == len(body) and len(types) == 1, head


# ---- what the services import ---------------------------------------------------------------------


def test_a_service_missing_a_module_fails_to_start_naming_the_import(copy, monkeypatch):
    """Its module is on the monolith's root, not in the service: `up` must not hide that."""
    (copy / "services" / "notes" / "chalicelib" / "src" / "tinyshop" / "views" / "notes.py").unlink()
    (copy / "services" / "notes" / "app.py").write_text((copy / "services" / "notes" / "app.py").read_text()
                                                         + "\nimport tinyshop.views.notes  # noqa\n")
    monkeypatch.chdir(copy)
    for key, value in env(TINY_DATABASE_URL="sqlite:///shared.db").items():
        monkeypatch.setenv(key, value)
    with pytest.raises(UserError) as caught, api.up(Path("routes.toml"), Path("services"), Path("decompose.toml"), Path("app"), 0,
                                                     Path(".decompose/gateway")):
        pass
    message = str(caught.value)
    assert message.startswith("notes exited with code"), message
    assert "before listening" in message and "No module named 'tinyshop.views.notes'" in message.splitlines()[0]


# ---- one database ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("variables", "url", "message"), [
    ({}, None, "TINY_DATABASE_URL is not set: the monolith and each service would fall back on their own default"),
    ({"TINY_DATABASE_URL": "sqlite://"}, None, "an in-memory database cannot be shared"),
    ({}, "sqlite:///services/shared/python/x.db", "which is deployed"),
])
def test_up_refuses_a_database_the_processes_would_not_share(copy, monkeypatch, variables, url, message):
    monkeypatch.chdir(copy)
    monkeypatch.delenv("TINY_DATABASE_URL", raising=False)
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    assert api.database_keys(Path("services")) == ("TINY_DATABASE_URL",)  # what the services read, from generation.json
    with pytest.raises(UserError, match=message):
        api.shared_database(("TINY_DATABASE_URL",), url, dict(os.environ), Path("services"))


@pytest.mark.parametrize(("name", "database"), [("DATABASE_URL", True), ("SHOP_DB_URL", True), ("PG_DSN", True),
                                              ("DSN", True), ("SQLALCHEMY_DATABASE_URI", True), ("SENTRY_DSN", False),
                                              ("GLITCHTIP_DSN", False), ("API_URL", False)])
def test_a_variable_names_a_database_by_its_name_but_an_error_trackers_dsn_does_not(name, database):
    assert bool(api.DATABASE_NAME.search(name)) is database


def test_in_the_contract_world_an_unset_key_is_left_to_the_worlds_app_and_a_set_one_still_checked(copy, monkeypatch):
    """flasky-style TestingConfig: the world's app names its database in a config class; every process of the
    contract world opens its in-memory SQLite as the scenario's one file (appcall), so DATABASE_URL need not be set."""
    monkeypatch.chdir(copy)
    assert api.shared_database(("TINY_DATABASE_URL",), None, {}, Path("services"), left_to_world=True) == {}
    with pytest.raises(UserError, match="an in-memory database cannot be shared"):
        api.shared_database(("TINY_DATABASE_URL",), None, {"TINY_DATABASE_URL": "sqlite://"}, Path("services"),
                            left_to_world=True)


def test_a_database_named_by_hand_is_made_absolute_once_for_all(copy, monkeypatch):
    monkeypatch.chdir(copy)
    found = api.shared_database(("SHOP_DSN",), "sqlite:///data/x.db?timeout=5", {}, Path("services"))
    assert found == {"SHOP_DSN": f"sqlite:///{copy / 'data' / 'x.db'}?timeout=5"}
    assert api.shared_database(("SHOP_DSN",), "postgresql://db.internal/shop", {}, Path("services")) == {
        "SHOP_DSN": "postgresql://db.internal/shop"}


# ---- an ASGI monolith --------------------------------------------------------------------------------


def test_the_host_serves_an_asgi_monolith(tmp_path):
    write_tree(tmp_path, {"five.py": '''
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        app = Starlette(routes=[Route("/hi", lambda request: JSONResponse({"hi": "there"}))])
        '''})
    port = free_port()
    host = Upstream("monolith", [sys.executable, "-m", "decompose.gateway.host", "five:app", "--port", str(port), "--root", str(tmp_path)],
                    tmp_path, port, env())
    with Fleet([host], logs=tmp_path / "logs") as fleet:
        answer = httpx.get(fleet.url("monolith") + "/hi", timeout=10)
    assert answer.status_code == 200 and answer.json() == {"hi": "there"}


# ---- the route table ---------------------------------------------------------------------------------


def table_with(copy: Path, old: str, new: str) -> Path:
    path = copy / "routes.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return path


def cli(where: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "decompose", *args], cwd=where, env=env(), capture_output=True, text=True,
                          timeout=120, check=False)


def test_an_empty_table_is_an_error(copy):
    from decompose.gateway.table import read

    path = copy / "routes.toml"
    path.write_text(path.read_text().split("[routes]")[0] + "[routes]\n")
    with pytest.raises(UserError, match="no routes"):
        read(path)
    result = cli(copy, "gateway", "status")
    assert result.returncode == 2 and "no routes" in result.stderr and "Traceback" not in result.stderr


def test_a_hot_reload_of_an_emptied_table_keeps_the_previous_one(copy):
    from decompose.gateway.proxy import Gateway
    from decompose.gateway.table import read
    from decompose.gateway.transport import bare

    run_in(copy, ["gateway", "route", "service", "--service", "notes", "-q"])
    seen = []
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.port)
        return httpx.Response(201, stream=httpx.ByteStream(b""))

    client = bare(httpx.AsyncClient(transport=httpx.MockTransport(answer)))
    urls = {"notes": "http://127.0.0.1:8001", "board": "http://127.0.0.1:8002"}
    gateway = Gateway(read(copy / "routes.toml"), urls, client=client)
    path = copy / "routes.toml"
    path.write_text(path.read_text().split("[routes]")[0] + "[routes]\n")
    os.utime(path, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))  # a new stamp even on a coarse clock

    async def post():
        async with bare(httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway), base_url="http://x")) as c:
            return await c.post("/api/notes", json={"body": "x"})

    answer = asyncio.run(post())
    assert answer.headers["x-decompose-upstream"] == "notes" and seen == [8001]


def test_an_unknown_owner_is_rejected_by_up_and_serve(copy, monkeypatch):
    table_with(copy, '"POST /api/notes" = {owner = "notes"', '"POST /api/notes" = {owner = "nots"')
    result = cli(copy, "gateway", "serve", "--port", str(free_port()))
    assert result.returncode == 2 and "owner 'nots' is not one of the services of decompose.toml (board, notes)" in result.stderr
    monkeypatch.chdir(copy)
    monkeypatch.setenv("TINY_DATABASE_URL", "sqlite:///shared.db")
    with pytest.raises(UserError, match="owner 'nots' is not one of the services in services"), \
            api.up(Path("routes.toml"), Path("services"), Path("decompose.toml"), Path("app"), 0, Path(".decompose/gateway")):
        pass


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "PURGE"])
def test_shadowing_a_method_that_writes_is_refused_on_a_shared_database(copy, method):
    from decompose.gateway.table import read

    path = table_with(copy, 'shadow_methods = ["GET", "HEAD"]', f'shadow_methods = ["GET", "{method.lower()}"]')
    with pytest.raises(UserError, match=f"shadow_methods: {method} changes data, and mirroring it .* would make the same change twice"):
        read(path)
    table_with(copy, 'services_database = "shared"', 'services_database = "separate"')
    assert method in read(path).settings["shadow_methods"]  # the services write elsewhere: allowed


def test_up_refuses_shadowed_writes_even_when_the_table_says_separate(copy, monkeypatch):
    table_with(copy, 'shadow_methods = ["GET", "HEAD"]', 'shadow_methods = ["GET", "POST"]')
    table_with(copy, 'services_database = "shared"', 'services_database = "separate"')
    monkeypatch.chdir(copy)
    monkeypatch.setenv("TINY_DATABASE_URL", "sqlite:///shared.db")
    with pytest.raises(UserError, match="runs every service on the monolith's database"), \
            api.up(Path("routes.toml"), Path("services"), Path("decompose.toml"), Path("app"), 0, Path(".decompose/gateway")):
        pass
