"""The monolith's host (`python -m decompose.gateway.host`, decompose_runtime.host in the monolith's
interpreter) serving an ASGI monolith as `gateway up` and `contracts verify --target monolith` run it:
lifespan startup before the first request on uvicorn's loop, the lifespan state in each request,
the old app's shutdown and the new app's startup on a contract reset, shutdown when it stops."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import httpx
import pytest

from decompose.gateway.upstreams import Fleet, Upstream, free_port
from tests.helpers import write_tree

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

SECRET = "host-test-secret"
JOURNAL_APP = {"journal.py": '''
    import asyncio
    import os
    from contextlib import asynccontextmanager
    from pathlib import Path

    from fastapi import FastAPI, Request

    LOG = Path(os.environ["JOURNAL_LOG"])


    @asynccontextmanager
    async def lifespan(app):
        LOG.write_text(LOG.read_text() + "startup\\n")
        queue = asyncio.Queue()
        seen = []

        async def drain():
            while True:
                seen.append(await queue.get())
                queue.task_done()

        worker = asyncio.ensure_future(drain())
        yield {"queue": queue, "seen": seen, "label": os.environ.get("JOURNAL_LABEL", "first")}
        worker.cancel()
        LOG.write_text(LOG.read_text() + "shutdown\\n")


    app = FastAPI(lifespan=lifespan)


    @app.get("/audit")
    async def audit(request: Request):
        await request.state.queue.put("hit")
        await request.state.queue.join()  # only on the loop whose startup made the queue and its drain task
        return {"seen": len(request.state.seen), "label": request.state.label}
    '''}


@pytest.fixture
def journal(tmp_path) -> tuple[Upstream, Path]:
    """The journal monolith hosted as `gateway up` hosts it (contract resets on), and its lifespan log."""
    write_tree(tmp_path, JOURNAL_APP)
    log = tmp_path / "lifespan.log"
    log.write_text("")
    port = free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DECOMPOSE_", "PYTEST_"))}
    command = [sys.executable, "-m", "decompose.gateway.host", "journal:app", "--port", str(port), "--root", str(tmp_path),
               "--allow-env", "JOURNAL_LABEL"]
    env = {**base, "JOURNAL_LOG": str(log), "DECOMPOSE_CONTRACT_RESET": "1", "DECOMPOSE_INTERNAL_SECRET": SECRET}
    return Upstream("monolith", command, tmp_path, port, env), log


def reset(url: str, env: dict[str, str]) -> httpx.Response:
    return httpx.post(url + "/_decompose/reset", json={"env": env, "hooks": []},
                      headers={"X-Decompose-Secret": SECRET}, timeout=30)


def test_the_host_runs_an_asgi_monoliths_lifespan_once_and_again_on_reset(journal, tmp_path):
    upstream, log = journal
    with Fleet([upstream], logs=tmp_path / "logs") as fleet:
        url = fleet.url("monolith")
        before = [httpx.get(url + "/audit", timeout=10).json() for _ in range(2)]
        assert reset(url, {"JOURNAL_LABEL": "second"}).status_code == 200
        after = httpx.get(url + "/audit", timeout=10).json()
    assert before == [{"seen": 1, "label": "first"}, {"seen": 2, "label": "first"}]
    assert after == {"seen": 1, "label": "second"}
    assert log.read_text().split() == ["startup", "shutdown", "startup", "shutdown"]


def test_a_refused_reset_leaves_the_running_app_alone(journal, tmp_path):
    upstream, log = journal
    with Fleet([upstream], logs=tmp_path / "logs") as fleet:
        url = fleet.url("monolith")
        httpx.get(url + "/audit", timeout=10)
        refused = reset(url, {"PATH": "/tmp"})
        still = httpx.get(url + "/audit", timeout=10).json()
    assert refused.status_code == 403 and "PATH" in refused.json()["message"]
    assert still == {"seen": 2, "label": "first"}
    assert log.read_text().split() == ["startup", "shutdown"]


# an app whose background tasks outlive a shutdown, as lnbits' do: its named writer, cancelled by the
# shutdown, takes a while to clean up (a transaction rolled back), and the next startup cancels a task of
# that name again; a ticker that a request starts is never cancelled by the app at all
BACKGROUND_APP = {"background.py": '''
    import asyncio
    import os
    from contextlib import asynccontextmanager
    from pathlib import Path

    from fastapi import FastAPI

    LOG = Path(os.environ["JOURNAL_LOG"])
    NAMED = {}


    def note(line):
        LOG.write_text(LOG.read_text() + line + "\\n")


    def start_named(name, coroutine):
        if name in NAMED:
            NAMED[name].cancel()  # a second cancellation when the old one is still cleaning up
        NAMED[name] = asyncio.ensure_future(coroutine)


    async def writer(label):
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await asyncio.sleep(0.6)  # the cleanup: cut short, it would leave its transaction open
            note(f"cleaned {label}")
            raise


    async def ticker(label):
        while True:
            note(f"tick {label}")
            await asyncio.sleep(0.1)


    @asynccontextmanager
    async def lifespan(app):
        label = os.environ.get("JOURNAL_LABEL", "first")
        note(f"startup {label}")
        start_named("writer", writer(label))
        yield {"label": label}
        NAMED["writer"].cancel()
        await asyncio.sleep(0.1)


    app = FastAPI(lifespan=lifespan)


    @app.get("/spawn")
    async def spawn():
        asyncio.ensure_future(ticker(os.environ.get("JOURNAL_LABEL", "first")))
        return {"spawned": True}
    '''}


def test_a_reset_lets_the_old_apps_tasks_finish_before_the_new_app_starts(tmp_path):
    write_tree(tmp_path, BACKGROUND_APP)
    log = tmp_path / "lifespan.log"
    log.write_text("")
    port = free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DECOMPOSE_", "PYTEST_"))}
    command = [sys.executable, "-m", "decompose.gateway.host", "background:app", "--port", str(port), "--root",
               str(tmp_path), "--allow-env", "JOURNAL_LABEL"]
    env = {**base, "JOURNAL_LOG": str(log), "DECOMPOSE_CONTRACT_RESET": "1", "DECOMPOSE_INTERNAL_SECRET": SECRET}
    with Fleet([Upstream("monolith", command, tmp_path, port, env)], logs=tmp_path / "logs") as fleet:
        url = fleet.url("monolith")
        assert httpx.get(url + "/spawn", timeout=10).json() == {"spawned": True}
        assert reset(url, {"JOURNAL_LABEL": "second"}).status_code == 200
        lines = log.read_text().split("\n")
        second = lines.index("startup second")
        # the old writer finished its cleanup before the new app started (nothing cut it short) ...
        assert "cleaned first" in lines[:second]
        # ... and the old app's ticker, which its shutdown never cancelled, stopped with it
        httpx.get(url + "/spawn", timeout=10)
        after = _ticks_after(log, second, "tick second", 3)  # 0.2 s of the new ticker: an old one alive ticks too
        assert "tick first" not in after and after.count("tick second") >= 3, log.read_text()


def _ticks_after(log, start: int, tick: str, count: int) -> list[str]:
    """The log's lines from `start` once `tick` shows `count` times (a bounded wait: a loaded machine is slow)."""
    deadline = time.monotonic() + 30
    while True:
        after = log.read_text().split("\n")[start:]
        if after.count(tick) >= count or time.monotonic() > deadline:
            return after
        time.sleep(0.05)
