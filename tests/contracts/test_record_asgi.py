"""The recorder on an async FastAPI suite as async projects write them: httpx `AsyncClient` over
`ASGITransport` under anyio, Starlette's `TestClient`, a sub-app under `app.mount("/v2", ...)`, and
the project's own pytest configuration (`filterwarnings = error`, `addopts`) honoured as it is."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import write_tree

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
pytest.importorskip("anyio")

SUITE = {
    "pyproject.toml": '''
        [tool.pytest.ini_options]
        testpaths = ["tests"]
        addopts = "-ra --strict-markers"
        filterwarnings = ["error", "ignore:Using `httpx` with `starlette.testclient` is deprecated"]
        markers = ["slow: a marker the suite declares (strict markers are on)"]
        ''',
    "api/__init__.py": "",
    "api/main.py": '''
        from fastapi import FastAPI

        app = FastAPI()
        v2 = FastAPI()


        @app.get("/items/{item_id}")
        async def item(item_id: int):
            return {"id": item_id}


        @v2.get("/items")
        async def items_v2(limit: int = 10):
            return {"items": list(range(limit))}


        app.mount("/v2", v2)
        ''',
    "tests/__init__.py": "",
    "tests/test_api.py": '''
        import httpx
        import pytest
        from fastapi.testclient import TestClient

        from api.main import app


        @pytest.fixture
        def anyio_backend():
            return "asyncio"


        @pytest.mark.anyio
        @pytest.mark.slow
        async def test_async_client_reaches_the_app_and_the_mounted_one():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
                assert (await client.get("/items/3")).json() == {"id": 3}
                assert (await client.get("/v2/items", params={"limit": 2})).json() == {"items": [0, 1]}


        def test_sync_test_client_reaches_the_mounted_app():
            with TestClient(app) as client:
                assert client.get("/v2/items?limit=1").json() == {"items": [0]}
        ''',
}


def test_an_async_suite_with_its_own_strict_configuration_is_recorded_with_the_paths_clients_asked_for(tmp_path):
    write_tree(tmp_path, SUITE)
    recording = tmp_path / "recording.json"
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "decompose.contracts.recorder",
                             f"--decompose-record={recording}"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    scenarios = json.loads(recording.read_text())["scenarios"]
    targets = {s["name"].split("::")[-1]: [e["request"]["target"] for e in s["exchanges"]] for s in scenarios}
    assert targets == {
        "test_async_client_reaches_the_app_and_the_mounted_one": ["/items/3", "/v2/items?limit=2"],
        "test_sync_test_client_reaches_the_mounted_app": ["/v2/items?limit=1"],
    }
