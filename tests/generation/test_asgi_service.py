"""`decompose generate` on a small FastAPI monolith built the way async APIs are: the app and its lifespan
in their own module, a loop-bound resource made at startup (an asyncio queue and the task draining it,
as an asyncpg/aiosqlite pool is), routers per domain with prefixes gathered by an `api` router that the
app includes under a prefix read from pydantic settings, settings that need a value only the project's
`.env` gives (read relative to the working folder), a data file beside the module that reads it at
startup. Each generated service then runs its own generated tests in a Python process of its own, and
answers through Chalice's test client with the lifespan run once."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run_in, run_service_tests, service_folders, write_tree

pytest.importorskip("fastapi")
pytest.importorskip("pydantic_settings")

MONOLITH = {
    ".env": "BOARD_TITLE='Team board'  # no default in the code: the settings fail without this file\n",
    "pyproject.toml": '[project]\nname = "board"\nversion = "2.1.0"\n'  # read back with importlib.metadata
                      # the monolith's own suite configuration: a plugin only its test environment has (lnbits:
                      # --cov without pytest-cov in the services' venv), which the services' tests must not inherit
                      '[tool.pytest.ini_options]\naddopts = "-p board_suite_plugin"\n',
    "board/__init__.py": "",
    "board/pages/banner.txt": "Welcome to the board\n",  # read relative to the working folder
    "board/alembic/env.py": "from alembic import context\n",  # migrations: never shipped
    "board/alembic/script.py.mako": "${message}\n",
    "board/settings.py": '''
        import os

        from pydantic_settings import BaseSettings, SettingsConfigDict


        class Settings(BaseSettings):
            model_config = SettingsConfigDict(env_file=".env")
            api_prefix: str = "/api"
            board_title: str
            board_data_folder: str = "."


        settings = Settings()
        if not os.path.isdir(settings.board_data_folder):  # as lnbits makes LNBITS_DATA_FOLDER
            os.mkdir(settings.board_data_folder)
        ''',
    "board/store/__init__.py": "",
    "board/store/seed.json": '{"notes": ["first"], "tags": ["general"]}\n',
    "board/store/memory.py": '''
        import asyncio
        import json
        from pathlib import Path

        SEED = Path(__file__).parent / "seed.json"


        class Store:
            """Rows behind a queue drained by one task: usable only on the loop that started it."""

            def __init__(self) -> None:
                self.rows = json.loads(SEED.read_text())
                self.queue = asyncio.Queue()
                self.worker = asyncio.ensure_future(self._drain())

            async def _drain(self) -> None:
                while True:
                    kind, value = await self.queue.get()
                    self.rows[kind].append(value)
                    self.queue.task_done()

            async def add(self, kind: str, value: str) -> list:
                await self.queue.put((kind, value))
                await self.queue.join()
                return self.rows[kind]
        ''',
    "board/notes.py": '''
        from pathlib import Path

        from fastapi import APIRouter, Request

        from board.settings import settings

        router = APIRouter(prefix="/notes", tags=["notes"])
        BANNER = Path("board", "pages", "banner.txt").read_text().strip()  # the monolith runs from its folder


        @router.get("")
        async def list_notes(request: Request):
            return request.app.state.store.rows["notes"]


        @router.get("/title")
        async def title():
            return settings.board_title


        @router.get("/banner")
        async def banner():
            return BANNER


        @router.post("/{text}")
        async def add_note(text: str, request: Request):
            return await request.app.state.store.add("notes", text)
        ''',
    "board/tags.py": '''
        from fastapi import APIRouter, Request

        router = APIRouter(prefix="/tags", tags=["tags"])


        @router.get("")
        async def list_tags(request: Request):
            return request.app.state.store.rows["tags"]


        @router.post("/{name}")
        async def add_tag(name: str, request: Request):
            return await request.app.state.store.add("tags", name)
        ''',
    "board/main.py": '''
        import importlib.metadata
        from contextlib import asynccontextmanager

        from fastapi import APIRouter, FastAPI

        from board import notes, tags
        from board.settings import settings
        from board.store.memory import Store

        api = APIRouter()
        api.include_router(notes.router)
        api.include_router(tags.router)


        @asynccontextmanager
        async def lifespan(app: FastAPI):
            app.state.store = Store()
            yield
            app.state.store.worker.cancel()


        def create_app() -> FastAPI:
            app = FastAPI(lifespan=lifespan, version=importlib.metadata.version("board"))
            app.include_router(api, prefix=settings.api_prefix)
            return app


        app = create_app()
        ''',
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, dict]:
    where = tmp_path_factory.mktemp("asgi-service")
    write_tree(where, MONOLITH)
    report = json.loads(run_in(where, ["analyze", ".", "-q"], ["plan", "-q"], ["generate", "--json", "-q"]))
    return where, report


def test_every_service_passes_its_generated_tests(generated):
    """The routers keep the prefix of the monolith's chain (api_router under settings.api_prefix), and the
    settings find BOARD_TITLE although the tests run in a scratch folder."""
    where, _ = generated
    folders = service_folders(where)
    assert folders
    assert any('"/api/notes/title"' in (folder / "app.py").read_text() for folder in folders)
    for folder in folders:  # a data folder relative to the monolith's folder, whose parent exists there
        result = run_service_tests(folder, env={**os.environ, "BOARD_DATA_FOLDER": "./var/board"})
        assert result.returncode == 0, f"{folder.name}:\n{result.stdout[-3000:]}{result.stderr[-2000:]}"


def test_a_service_runs_the_lifespan_once_and_serves_from_what_it_made(generated):
    where, _ = generated
    owner = next(f for f in service_folders(where) if '"/api/notes"' in (f / "app.py").read_text())
    script = """
import json
from chalice.test import Client
from app import app, BRIDGE
with Client(app) as client:
    answers = [client.http.post("/api/notes/second").json_body, client.http.post("/api/notes/third").json_body,
               client.http.get("/api/notes").json_body, client.http.get("/api/notes/title").json_body,
               client.http.get("/api/notes/banner").json_body]
import board.main
answers.append(board.main.app.version)
BRIDGE.reset()
print(json.dumps(answers))
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=owner, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [["first", "second"], ["first", "second", "third"],
                                                                   ["first", "second", "third"], "Team board",
                                                                   "Welcome to the board", "2.1.0"]


def test_the_layer_imports_no_router_it_unplugged_and_ships_no_migration(generated):
    where, _ = generated
    main = (where / "services" / "shared" / "python" / "board" / "main.py").read_text()
    assert "include_router(notes.router)" not in main and "from board import notes" not in main
    assert not [p for p in (where / "services").rglob("*") if "alembic" in p.parts]


def test_the_report_names_what_a_deployed_function_needs_from_the_env_file(generated):
    _, report = generated
    lines = [line for service in report["services"] for line in service["manual"] if "BOARD_TITLE" in line]
    assert lines and all("from .env" in line and "Team board" not in line for line in lines)


def test_the_data_file_is_shipped_beside_the_module_that_reads_it(generated):
    where, _ = generated
    shipped = sorted(p.relative_to(where / "services").as_posix() for p in (where / "services").rglob("seed.json"))
    assert shipped and all(p.endswith("board/store/seed.json") for p in shipped)
    homes = {p.split("/board/")[0] for p in shipped}
    modules = {p.relative_to(where / "services").as_posix().split("/board/")[0]
               for p in (where / "services").rglob("board/store/memory.py")}
    assert modules <= homes
