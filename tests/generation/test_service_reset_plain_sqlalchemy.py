"""A generated FastAPI service over plain SQLAlchemy (an engine made at import, as the FastAPI project
template's `app.core.db` does) takes a scenario's starting rows through its reset endpoint even when
its first reset, without rows, built the app before anything watched for engines: that first reset
freezes what survives out of the garbage collector's list (reset.settle), so the service watches
from the moment it is imported."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run_in, service_folders, write_tree

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")

MONOLITH = {
    "shelf/__init__.py": "",
    "shelf/db.py": '''
        import os

        from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine

        metadata = MetaData()
        books = Table("books", metadata, Column("id", Integer, primary_key=True), Column("title", String(80)))
        engine = create_engine(os.environ.get("SHELF_DB", "sqlite:///shelf.sqlite3"))
        metadata.create_all(engine)
        ''',
    "shelf/books.py": '''
        from fastapi import APIRouter

        from shelf.db import books, engine

        router = APIRouter(prefix="/books")


        @router.get("")
        def list_books():
            with engine.connect() as connection:
                return [dict(row._mapping) for row in connection.execute(books.select().order_by(books.c.id))]
        ''',
    "shelf/main.py": '''
        from fastapi import FastAPI

        from shelf import books

        app = FastAPI()
        app.include_router(books.router)
        ''',
}

SCRIPT = """
import json
from chalice.test import Client
from app import app
secret = {"X-Decompose-Secret": "s3cret", "Content-Type": "application/json"}
with Client(app) as client:
    first = client.http.post("/_decompose/reset", headers=secret, body=json.dumps({}))
    second = client.http.post("/_decompose/reset", headers=secret,
                              body=json.dumps({"env": {}, "data": {"books": [{"id": 7, "title": "Dune"}]}}))
    listed = client.http.get("/books")
print(json.dumps([first.status_code, second.status_code, second.json_body, listed.json_body]))
"""


def test_a_reset_loads_starting_rows_after_a_first_reset_built_the_app(tmp_path: Path) -> None:
    write_tree(tmp_path, MONOLITH)
    run_in(tmp_path, ["analyze", ".", "-q"], ["plan", "-q"], ["generate", "-q"])
    owner = next(f for f in service_folders(tmp_path) if '"/books"' in (f / "app.py").read_text())
    env = {**os.environ, "DECOMPOSE_CONTRACT_RESET": "1", "DECOMPOSE_INTERNAL_SECRET": "s3cret",
           "SHELF_DB": f"sqlite:///{tmp_path / 'service.sqlite3'}"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=owner, env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    first, second, answer, listed = json.loads(result.stdout.strip().splitlines()[-1])
    assert (first, second) == (200, 200), answer
    assert answer["loaded"] == 1 and listed == [{"id": 7, "title": "Dune"}]
