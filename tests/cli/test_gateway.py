"""`decompose gateway init|route|status` on the sample through typer's CliRunner, and the clear errors of
`route`, `serve` and `up` (the servers themselves run in tests/e2e/test_gateway.py); `gateway template`
for three tables, linted by cfn-lint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
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


TABLES = {"all-monolith": [["route", "monolith", "--all"]],
          "mixed": [["route", "service", "--service", "cart", "--service", "accounts"], ["route", "canary:10", "--service", "orders"],
                    ["route", "shadow", "--service", "catalog"]],
          "all-service": [["route", "service", "--all"]]}


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    """The sample's route table as CloudFormation for an all-monolith, a mixed and an all-service table,
    with a latency baseline of 2 ms per route (as 'contracts record' writes it)."""
    where = tmp_path_factory.mktemp("template")
    run_in(where, ["analyze", str(SAMPLE), "-q"], ["plan", "-q"], ["gateway", "init", "-q"])
    routes = json.loads(run_in(where, ["gateway", "status", "--json", "-q"]))
    (where / ".decompose" / "latency.json").write_text(json.dumps({r["route"]: {"p95_ms": 2.0, "samples": 3} for r in routes}))
    for name, commands in TABLES.items():
        run_in(where, ["gateway", "route", "monolith", "--all", "-q"], *[["gateway", *c, "-q"] for c in commands],
               ["gateway", "template", "-o", f"{name}.yaml", "--name", "sample-gateway", "-q"])
    return where


def test_cfn_lint_accepts_the_templates_of_all_monolith_mixed_and_all_service_tables(templates):
    bin_dir = Path(sys.executable).parent
    files = [str(templates / f"{name}.yaml") for name in TABLES]
    lint = subprocess.run([str(bin_dir / "cfn-lint"), *files], capture_output=True, text=True, check=False, timeout=300)
    assert lint.returncode == 0, lint.stdout + lint.stderr


@pytest.mark.parametrize(("name", "lambdas", "canaries", "alarms"), [("all-monolith", 0, 0, 0), ("mixed", 15, 4, 38),
                                                                       ("all-service", 51, 0, 102)])
def test_each_template_moves_exactly_the_routes_its_table_moves(templates, name, lambdas, canaries, alarms):
    document = yaml.safe_load((templates / f"{name}.yaml").read_text())
    methods = [r["Properties"] for r in document["Resources"].values() if r["Type"] == "AWS::ApiGateway::Method"]
    kinds = [m["Integration"]["Type"] for m in methods]
    canary = [m for m in methods if isinstance(m["Integration"]["Uri"], str)]
    assert (kinds.count("AWS_PROXY"), len(canary)) == (lambdas, canaries)
    assert sum(r["Type"] == "AWS::CloudWatch::Alarm" for r in document["Resources"].values()) == alarms


def test_template_refuses_to_overwrite_a_file_it_did_not_write(templates):
    (templates / "mine.yaml").write_text("Resources: {}\n")
    result = invoke(templates, "gateway", "template", "-o", "mine.yaml")
    assert result.exit_code == 2 and "was not written by 'decompose gateway template'" in result.output
    assert (templates / "mine.yaml").read_text() == "Resources: {}\n"


def test_init_keeps_what_a_library_mounts_on_the_monolith(tmp_path):
    """Django's admin is no route: `gateway init` writes its tree on the monolith and says so, so a moved
    `/{city}/` cannot capture `/admin/login/`."""
    from tests.helpers import write_tree

    app_dir = write_tree(tmp_path / "site", {
        "manage.py": "",
        "site_conf/__init__.py": "",
        "site_conf/settings.py": 'ROOT_URLCONF = "site_conf.urls"\nINSTALLED_APPS = ["events"]\n',
        "site_conf/urls.py": ('from django.contrib import admin\nfrom django.urls import include, path\n'
                              'urlpatterns = [path("admin/", admin.site.urls), path("", include("events.urls"))]\n'),
        "events/__init__.py": "",
        "events/urls.py": ('from django.urls import path\nfrom events import views\n'
                           'urlpatterns = [path("<slug:city>/", views.city)]\n'),
        "events/views.py": "def city(request, city):\n    return city\n",
    })
    where = tmp_path / "work"
    where.mkdir()
    run_in(where, ["analyze", str(app_dir), "-q"], ["plan", "-q"])
    result = invoke(where, "gateway", "init")
    assert result.exit_code == 0, result.output
    assert "1 URL tree a library mounts (Django's admin, ...) kept on the monolith" in result.output
    rows = {r["route"]: (r["owner"], r["mode"]) for r in json.loads(run_in(where, ["gateway", "status", "--json", "-q"]))}
    assert rows["ANY /admin/"] == rows["ANY /admin/{path+}"] == ("monolith", "monolith")
    assert rows["ANY /{city}/"][0] != "monolith"
