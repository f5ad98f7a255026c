"""`decompose gateway init|route|status` on the sample through typer's CliRunner, and the clear errors of
`route`, `serve` and `up` (the servers themselves run in tests/e2e/test_gateway.py)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from decompose.cli import app
from tests.helpers import run_in
from tests.sample import SAMPLE

runner = CliRunner()


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    where = tmp_path_factory.mktemp("gateway")
    run_in(where, ["analyze", str(SAMPLE), "-q"], ["plan", "-q"], ["gateway", "init", "-q"])
    return where


def invoke(where, *args):
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(where)
        return runner.invoke(app, list(args))


def test_init_puts_every_route_in_monolith_mode_with_its_planned_owner(planned):
    rows = json.loads(run_in(planned, ["gateway", "status", "--json", "-q"]))
    assert len(rows) == 51 and {r["mode"] for r in rows} == {"monolith"}
    owners = {r["route"]: r["owner"] for r in rows}
    assert owners["GET /api/cart"] == "cart" and owners["GET /"] == "admin"


def test_route_changes_modes_by_service_and_init_again_keeps_them(planned):
    result = invoke(planned, "gateway", "route", "canary:20", "--service", "cart")
    assert result.exit_code == 0 and "route(s) now in mode canary:20" in result.output
    run_in(planned, ["gateway", "init", "-q"])
    rows = {r["route"]: r["mode"] for r in json.loads(run_in(planned, ["gateway", "status", "--json", "-q"]))}
    assert rows["GET /api/cart"] == "canary:20" and rows["GET /api/accounts/me"] == "monolith"


@pytest.mark.parametrize(("args", "message"), [
    (["gateway", "route", "canary:150", "--all"], "'canary:150' is not a mode"),
    (["gateway", "route", "service", "GET /nope"], "no route 'GET /nope'"),
    (["gateway", "serve", "--routes", "missing.toml"], "no route table here"),
    (["gateway", "serve", "--service-url", "cart"], "is not NAME=URL"),
])
def test_mistakes_are_clear_errors(planned, args, message):
    result = invoke(planned, *args)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_serving_a_route_whose_service_has_no_url_is_refused_before_listening(planned):
    run_in(planned, ["gateway", "route", "service", "GET /api/cart", "-q"])
    result = invoke(planned, "gateway", "serve")
    assert result.exit_code == 2 and "but service cart has no URL" in result.output


def test_up_needs_the_monoliths_app(planned):
    result = invoke(planned, "gateway", "up")
    assert result.exit_code == 2 and "[contracts] app is not set" in result.output
