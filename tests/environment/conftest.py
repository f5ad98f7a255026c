"""The monolith every environment test uses: a Flask 2.0 app (Werkzeug 2.0, Jinja2 3.0: pins that conflict
with decompose's own Flask 3 / Jinja2 3.1) whose top package is `app`, and its venv on another Python
minor than decompose's.

The venv is built once with pip (PyPI only) and cached under tests/.cache/envs/, keyed by the
interpreter and the pins: later runs reuse it. The same tree serves the tests in decompose's own
interpreter (test_entry.py) and in that foreign one (test_foreign_monolith.py).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PINS = ["flask==2.0.3", "werkzeug==2.0.3", "jinja2==3.0.3", "itsdangerous==2.0.1", "click==8.0.4",
        "markupsafe==2.0.1", "pytest==7.4.4"]
CACHE = ROOT / "tests" / ".cache" / "envs"
PYENV = Path("/root/.pyenv/versions")

APP = {
    "app/__init__.py": 'NAME = "shop"\n',
    "app/factory.py": '''
from flask import Flask

from app.cart.views import cart
from app.users.views import users


def create_app():
    app = Flask(__name__)
    app.register_blueprint(cart)
    app.register_blueprint(users)
    return app
''',
    "app/cart/__init__.py": "",
    "app/cart/views.py": '''
from flask import Blueprint, current_app, jsonify, request

cart = Blueprint("cart", __name__)


@cart.route("/cart", methods=["GET"])
def show():
    return jsonify(items=current_app.config.setdefault("ITEMS", []))


@cart.route("/cart", methods=["POST"])
def add():
    items = current_app.config.setdefault("ITEMS", [])
    items.append(request.get_json()["item"])
    return jsonify(items=items), 201
''',
    "app/users/__init__.py": "",
    "app/users/views.py": '''
from flask import Blueprint, jsonify

from app import NAME

users = Blueprint("users", __name__)


@users.route("/users/<int:user_id>")
def user(user_id):
    return jsonify(id=user_id, name=f"user {user_id}", shop=NAME)
''',
    "tests/__init__.py": "",
    "tests/test_app.py": '''
import flask
import pytest

from app.factory import create_app


@pytest.fixture
def client():
    return create_app().test_client()


def test_the_pins_are_the_monolith_s():
    assert flask.__version__ == "2.0.3"


def test_cart(client):
    assert client.post("/cart", json={"item": "tea"}).status_code == 201
    assert client.get("/cart").get_json()["items"] == ["tea"]


def test_user(client):
    assert client.get("/users/7").get_json() == {"id": 7, "name": "user 7", "shop": "shop"}
''',
}


def other_python() -> Path | None:
    """A CPython 3.9 (else any 3.9-3.13 of another minor than decompose's) from pyenv."""
    own = f"{sys.version_info.major}.{sys.version_info.minor}"
    found = sorted(PYENV.glob("3.*/bin/python"), key=lambda p: [int(n) for n in p.parts[-3].split(".") if n.isdigit()])
    usable = [p for p in found if p.parts[-3].rsplit(".", 1)[0] in ("3.9", "3.10", "3.11", "3.12", "3.13")
              and not p.parts[-3].startswith(own + ".")]
    return usable[0] if usable else None


def venv_with(pins: list[str], base: Path | None = None) -> Path:
    """A venv on `base` (else other_python()) holding exactly `pins`, built once and cached; skips the test
    when no such Python exists or PyPI cannot be reached."""
    base = base or other_python()
    if base is None:
        pytest.skip("no CPython 3.9-3.13 other than decompose's own under /root/.pyenv/versions")
    key = hashlib.sha256(json.dumps([str(base), pins]).encode()).hexdigest()[:16]
    venv = CACHE / key
    python = venv / "bin" / "python"
    if not (venv / "ready").exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([str(base), "-m", "venv", str(venv)], check=True, timeout=120)
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *pins],
                              capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0:
            pytest.skip(f"PyPI not reachable to build the monolith's venv: {done.stderr.strip()[-300:]}")
        (venv / "ready").write_text("\n".join(pins) + "\n")
    return python


@pytest.fixture(scope="session")
def monolith_python() -> Path:
    return venv_with(PINS)


def write_monolith(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text.lstrip())
    return folder


@pytest.fixture
def monolith(tmp_path: Path) -> Path:
    """The app package monolith in a fresh folder (plain files: nothing analysed yet)."""
    return write_monolith(tmp_path, APP)


# --- the same shop on FastAPI 0.79: Starlette 0.19 and pydantic 1, below decompose's Starlette 0.37 ---------

ASGI_PINS = ["fastapi==0.79.1", "starlette==0.19.1", "pydantic==1.10.13", "anyio==3.7.1", "requests==2.31.0",
             "typing-extensions==4.7.1", "pytest==7.4.4"]

ASGI_APP = {
    "app/__init__.py": 'NAME = "shop"\n',
    "app/main.py": '''
from fastapi import FastAPI

from app.cart.routes import router as cart
from app.users.routes import router as users


def create_app():
    api = FastAPI()
    api.include_router(cart)
    api.include_router(users)
    return api
''',
    "app/cart/__init__.py": "",
    "app/cart/routes.py": '''
from fastapi import APIRouter, Request
from pydantic import BaseModel

router = APIRouter()


class Item(BaseModel):
    item: str


def _items(request: Request) -> list:
    if not hasattr(request.app.state, "items"):
        request.app.state.items = []
    return request.app.state.items


@router.get("/cart")
def show(request: Request):
    return {"items": _items(request)}


@router.post("/cart", status_code=201)
def add(body: Item, request: Request):
    items = _items(request)
    items.append(body.item)
    return {"items": items}
''',
    "app/users/__init__.py": "",
    "app/users/routes.py": '''
from fastapi import APIRouter

from app import NAME

router = APIRouter()


@router.get("/users/{user_id}")
def user(user_id: int):
    return {"id": user_id, "name": f"user {user_id}", "shop": NAME}
''',
    "tests/__init__.py": "",
    "tests/test_app.py": '''
import pytest
import starlette
from fastapi.testclient import TestClient

from app.main import create_app


@pytest.fixture
def client():
    return TestClient(create_app())


def test_the_pins_are_the_monolith_s():
    assert starlette.__version__ == "0.19.1"


def test_cart(client):
    assert client.post("/cart", json={"item": "tea"}).status_code == 201
    assert client.get("/cart").json()["items"] == ["tea"]


def test_user(client):
    assert client.get("/users/7").json() == {"id": 7, "name": "user 7", "shop": "shop"}
''',
}


@pytest.fixture(scope="session")
def asgi_python() -> Path:
    """FastAPI 0.79's venv on CPython 3.10 (its pydantic 1 wheels), else another minor than decompose's."""
    wanted = PYENV / "3.10.13" / "bin" / "python"
    return venv_with(ASGI_PINS, wanted if wanted.exists() and sys.version_info[:2] != (3, 10) else None)


@pytest.fixture
def asgi_monolith(tmp_path: Path) -> Path:
    return write_monolith(tmp_path, ASGI_APP)
