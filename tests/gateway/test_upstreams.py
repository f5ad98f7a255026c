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


def test_only_known_frameworks_start_on_their_own(tmp_path):
    assert monolith("shop.app:create_app", "flask", tmp_path, 5000).command[1:4] == ["-m", "flask", "--app"]
    assert "uvicorn" in monolith("shop.main:app", "fastapi", tmp_path, 5000).command
    with pytest.raises(UserError, match="django"):
        monolith("shop.wsgi:application", "django", tmp_path, 5000)
