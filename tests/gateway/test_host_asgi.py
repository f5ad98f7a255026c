"""The monolith's host (`python -m decompose.gateway.host`, decompose_runtime.host in the monolith's
interpreter) serving an ASGI monolith as `gateway up` and `contracts verify --target monolith` run it:
lifespan startup before the first request on uvicorn's loop, the lifespan state in each request,
the old app's shutdown and the new app's startup on a contract reset, shutdown when it stops."""

from __future__ import annotations

import os
import sys
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
