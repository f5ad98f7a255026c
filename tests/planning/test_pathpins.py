"""[paths] pins: a route path part the analysis could not resolve, given its value in the plan.

Unit tests on the pure functions, then the commands on a small FastAPI tree whose prefix is read
from the environment at run time (analysis cannot know it): `plan` proposes the pin, `generate` and
`gateway route` refuse the unresolved routes by name, and once pinned every stage sees the real path.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from decompose.cli import app
from decompose.errors import UserError
from decompose.planning import pathpins
from tests.helpers import run_in, write_tree


def test_pin_replaces_the_expression_and_the_slash_the_analysis_put_before_it():
    pins = {"settings.API_V1_STR": "/api/v1", "lang": "en/"}
    assert pathpins.pin("/${settings.API_V1_STR}/users/{id}", pins) == "/api/v1/users/{id}"
    assert pathpins.pin("/${lang}admin/", pins) == "/en/admin/"
    assert pathpins.pin("/${other}/x", pins) == "/${other}/x"
    assert pathpins.pin_route_id("GET /${settings.API_V1_STR}/items", pins) == "GET /api/v1/items"


def test_unresolved_lists_each_expression_with_its_routes():
    found = pathpins.unresolved(["GET /${a}/x", "POST /${a}/y", "GET /z", "GET /${b}/${a}"])
    assert found == {"a": ["GET /${a}/x", "GET /${b}/${a}", "POST /${a}/y"], "b": ["GET /${b}/${a}"]}


def test_read_rejects_values_that_are_no_pin():
    pins, problems = pathpins.read({"paths": {"PREFIX": "/api", "N": 3, "X": "/${Y}"}})
    assert pins == {"PREFIX": "/api"}
    assert [p.where for p in problems] == ["paths['N']", "paths['X']"]
    assert pathpins.read({"paths": "x"})[1][0].what == "must be a table"


def test_require_resolved_names_the_expression_and_the_table():
    pathpins.require_resolved(["GET /api/items"], "generate")
    with pytest.raises(UserError) as raised:
        pathpins.require_resolved(["GET /${PREFIX}/items", "GET /${PREFIX}/users"], "generate", "plan.toml")
    assert "2 routes hold ${PREFIX}" in raised.value.what
    assert '[paths] "PREFIX" =' in raised.value.next_step and "plan.toml" in raised.value.next_step


SHOP = {
    "shop/__init__.py": "",
    "shop/main.py": """
        import os

        from fastapi import FastAPI

        from shop import items, users

        PREFIX = os.environ["SHOP_PREFIX"]  # known only when the app runs

        app = FastAPI()
        app.include_router(items.router, prefix=PREFIX)
        app.include_router(users.router, prefix=PREFIX)
    """,
    "shop/items.py": """
        from fastapi import APIRouter

        router = APIRouter(prefix="/items")


        @router.get("/{item_id}")
        def get_item(item_id: int):
            return {"id": item_id}
    """,
    "shop/users.py": """
        from fastapi import APIRouter

        router = APIRouter(prefix="/users")


        @router.get("/")
        def list_users():
            return [{"name": "ada"}]
    """,
}


def _invoke(where: Path, monkeypatch, *args: str):
    monkeypatch.chdir(where)
    return CliRunner().invoke(app, list(args))


def test_an_unresolved_prefix_is_an_error_until_the_plan_pins_it(tmp_path, monkeypatch):
    write_tree(tmp_path / "src", SHOP)
    run_in(tmp_path, ["analyze", "src", "-q"], ["plan", "-q"])
    plan = tmp_path / "decompose.toml"
    assert '# "PREFIX" = ""  # 2 routes, e.g. GET /${PREFIX}/items/{item_id}' in plan.read_text()

    refused = _invoke(tmp_path, monkeypatch, "plan", "--check")  # check reports what generate refuses
    assert refused.exit_code == 1 and "hold ${PREFIX}" in refused.output and "paths['PREFIX']" in refused.output
    refused = _invoke(tmp_path, monkeypatch, "check", "--format", "sarif")
    sarif = json.loads(refused.stdout)["runs"][0]
    assert refused.exit_code == 1 and {r["ruleId"] for r in sarif["results"]} == {"paths"}
    assert "${PREFIX}" in sarif["results"][0]["message"]["text"]
    refused = _invoke(tmp_path, monkeypatch, "generate", "-q")
    assert refused.exit_code == 2 and "hold ${PREFIX}" in refused.output and '[paths] "PREFIX"' in refused.output

    run_in(tmp_path, ["gateway", "init", "-q"])
    refused = _invoke(tmp_path, monkeypatch, "gateway", "route", "service", "--all")
    assert refused.exit_code == 2 and "gateway route: 2 routes hold ${PREFIX}" in refused.output

    plan.write_text(plan.read_text().replace('# "PREFIX" = ""  # 2 routes', '"PREFIX" = "/api"  # 2 routes'))
    report = json.loads(run_in(tmp_path, ["plan", "--check", "-q"], ["generate", "--json", "-q"]))
    routes = sorted(r for s in report["services"] for r in s["routes"])
    assert routes == ["GET /api/items/{item_id}", "GET /api/users/"]
    run_in(tmp_path, ["plan", "-q"], ["gateway", "init", "-q"], ["gateway", "route", "service", "--all", "-q"])
    assert "GET /api/users/" in (tmp_path / "routes.toml").read_text() and "${" not in (tmp_path / "routes.toml").read_text()
