"""The local fleet: processes started, waited for, and stopped by PID, with clear errors."""

import sys
import urllib.request

import pytest

from decompose.errors import UserError
from decompose.gateway.upstreams import Fleet, Upstream, free_port, monolith


def server(name: str, tmp_path) -> Upstream:
    port = free_port()
    return Upstream(name, [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"], tmp_path, port)


def test_the_fleet_starts_serves_and_stops_every_process(tmp_path):
    (tmp_path / "hello.txt").write_text("hi")
    ups = [server("one", tmp_path), server("two", tmp_path)]
    with Fleet(ups, logs=tmp_path / "logs") as fleet:
        pids = [p.pid for p in fleet.processes.values()]
        for name in ("one", "two"):
            with urllib.request.urlopen(fleet.url(name) + "/hello.txt", timeout=5) as answer:
                assert answer.read() == b"hi"
        processes = list(fleet.processes.values())
    assert len(pids) == 2 and all(p.poll() is not None for p in processes)


def test_a_process_that_dies_before_listening_is_a_clear_error_and_the_rest_are_stopped(tmp_path):
    dying = Upstream("broken", [sys.executable, "-c", "import sys; print('no config'); sys.exit(3)"], tmp_path, free_port())
    fleet = Fleet([server("fine", tmp_path), dying], logs=tmp_path / "logs")
    with pytest.raises(UserError) as caught, fleet:
        pass
    assert "broken exited with code 3" in str(caught.value) and "no config" in str(caught.value)
    assert fleet.processes == {}


def test_a_process_that_never_listens_times_out(tmp_path):
    silent = Upstream("silent", [sys.executable, "-c", "import time; time.sleep(30)"], tmp_path, free_port())
    with pytest.raises(UserError, match="silent not listening after"), Fleet([silent], logs=tmp_path / "logs", startup_s=0.5):
        pass


SLOW_START = """
import http.server, sys, time
for step in range({steps}):
    print("migration", step, flush=True)
    time.sleep(0.1)
http.server.HTTPServer(("127.0.0.1", {port}), http.server.SimpleHTTPRequestHandler).serve_forever()
"""


def slow_start(tmp_path, steps: int) -> Upstream:
    port = free_port()
    return Upstream("slow", [sys.executable, "-c", SLOW_START.format(steps=steps, port=port)], tmp_path, port)


def test_a_startup_that_logs_its_progress_gets_more_than_the_silent_limit(tmp_path):
    """mealie's lifespan migrates a fresh database, a line per migration, before the port opens."""
    upstream = slow_start(tmp_path, steps=45)  # 4.5 s or more of startup, a line every 0.1 s
    with Fleet([upstream], logs=tmp_path / "logs", startup_s=3.0) as fleet:
        assert fleet.processes["slow"].poll() is None
        assert "migration 29" in (tmp_path / "logs" / "slow.log").read_text()


def test_a_startup_that_logs_forever_still_has_a_limit(tmp_path):
    upstream = slow_start(tmp_path, steps=10_000)
    with pytest.raises(UserError, match=r"slow not listening after .*in all"), \
            Fleet([upstream], logs=tmp_path / "logs", startup_s=0.5, limit_s=1.5):
        pass


def test_only_known_frameworks_start_on_their_own(tmp_path):
    assert monolith("shop.app:create_app", "flask", tmp_path, 5000).command[1:4] == ["-m", "flask", "--app"]
    assert "uvicorn" in monolith("shop.main:app", "fastapi", tmp_path, 5000).command
    with pytest.raises(UserError, match="django"):
        monolith("shop.wsgi:application", "django", tmp_path, 5000)
