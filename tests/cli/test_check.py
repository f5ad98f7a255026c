"""`decompose check` through the CLI: a fresh plan passes; a new cross-service call is a violation,
reported as text, JSON and valid SARIF 2.1.0."""

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import tomlkit
from typer.testing import CliRunner

from decompose.cli import app

SARIF_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"
PLAN = "decompose.toml"
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def project(planned_sample):
    """The sample monolith analysed and planned (tests/conftest.py); copied before any change."""
    return planned_sample


@pytest.fixture
def work(project, tmp_path, monkeypatch):
    shutil.copytree(project, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _placed(plan: dict, symbols: dict[str, dict]) -> dict[str, str]:
    """symbol id -> service, for the symbols the plan puts in a service."""
    homes = {}
    for name, body in plan["services"].items():
        for symbol in symbols.values():
            if symbol["id"] in body["symbols"] or symbol["module"] in body["modules"]:
                homes[symbol["id"]] = name
    return homes


@pytest.fixture(scope="module")
def violated(project, tmp_path_factory):
    """The planned project with one new call from service A into a non-interface function of service B.

    Returns (folder, caller id, callee id, relative path, line of the call)."""
    where = tmp_path_factory.mktemp("violated")
    shutil.copytree(project, where, dirs_exist_ok=True)
    plan = tomlkit.parse((where / PLAN).read_text()).unwrap()
    analysis = json.loads((where / ".decompose" / "analysis.json").read_text())
    symbols = {s["id"]: s for s in analysis["symbols"]}
    homes = _placed(plan, symbols)
    caller_service = next(n for n, body in plan["services"].items() if body["modules"])
    module = plan["services"][caller_service]["modules"][0]
    callee = next(s for s in sorted(homes) if homes[s] not in (caller_service,)
                  and symbols[s]["kind"] == "function" and s not in plan["services"][homes[s]]["interface"])
    callee_module, _, callee_name = callee.partition(":")
    path = next(m["path"] for m in analysis["modules"] if m["name"] == module)
    source = where / path
    text = source.read_text()
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    source.write_text(text + (
        "\n\n"
        "def boundary_probe():\n"
        f"    from {callee_module} import {callee_name}\n"
        f"    return {callee_name}()\n"), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(where)
        assert invoke("analyze", "sample_monolith", "-q").exit_code == 0
    return where, f"{module}:boundary_probe", callee, path, lines + 5


@pytest.fixture
def broken(violated, monkeypatch):
    monkeypatch.chdir(violated[0])
    return violated[1:]


# ---------------------------------------------------------------- a fresh plan

def test_fresh_plan_has_no_violations(work):
    result = invoke("check")
    assert result.exit_code == 0, result.output
    assert "0 boundary violations, 0 warnings." in result.stderr


def test_fresh_plan_sarif_has_no_results(work):
    result = invoke("check", "--format", "sarif")
    assert result.exit_code == 0
    log = json.loads(result.stdout)
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()))
    assert log["runs"][0]["results"] == []


def test_an_interface_opens_only_its_own_service(work):
    """Moving a used element from its service's interface to another service's does not allow it."""
    doc = tomlkit.parse(Path(PLAN).read_text())
    services = doc["services"]
    owner = next(n for n in services if services[n]["interface"])
    element = str(services[owner]["interface"][0])
    services[owner]["interface"].remove(element)
    services[next(n for n in services if n != owner)]["interface"].append(element)
    Path(PLAN).write_text(tomlkit.dumps(doc))
    result = invoke("check", "--format", "json", "-q")
    assert result.exit_code == 1
    assert element in {v["dst"] for v in json.loads(result.stdout)}


def test_check_refuses_a_plan_with_errors(work):
    doc = tomlkit.parse(Path(PLAN).read_text())
    first = next(iter(doc["services"]))
    doc["services"][first]["symbols"].append("proj.nope:missing")
    Path(PLAN).write_text(tomlkit.dumps(doc))
    result = invoke("check")
    assert result.exit_code == 2
    assert f"services.{first}.symbols[" in result.stderr and "decompose plan --check" in result.stderr


def test_unknown_format_is_a_usage_error(work):
    result = invoke("check", "--format", "xml")
    assert result.exit_code == 2 and "'xml' is not one of 'text', 'json', 'sarif'" in result.stderr


# ---------------------------------------------------------------- a new cross-service call

def test_new_cross_service_call_is_a_violation(broken):
    caller, callee, path, line = broken
    result = invoke("check")
    assert result.exit_code == 1, result.output
    assert f"{path}:{line}: boundary" in result.stderr
    assert f"{caller} calls {callee}" in result.stderr
    assert "1 boundary violation, 0 warnings." in result.stderr


def test_violation_in_json(broken):
    caller, callee, path, line = broken
    result = invoke("check", "--format", "json", "-q")
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert [(r["rule"], r["level"], r["src"], r["dst"], r["kind"], r["locations"]) for r in rows] == [
        ("boundary", "error", caller, callee, "call", [{"path": path, "line": line}])]


def test_violation_in_sarif(broken):
    caller, callee, path, line = broken
    result = invoke("check", "--format", "sarif", "-q")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()))
    [run] = log["runs"]
    [found] = run["results"]
    assert found["ruleId"] == "boundary" and found["level"] == "error"
    assert run["tool"]["driver"]["rules"][found["ruleIndex"]]["id"] == "boundary"
    [location] = found["locations"]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == path
    assert location["physicalLocation"]["region"]["startLine"] == line
    assert caller in found["message"]["text"] and callee in found["message"]["text"]


def test_exit_zero_reports_but_passes(broken):
    result = invoke("check", "--exit-zero")
    assert result.exit_code == 0
    assert "1 boundary violation," in result.stderr


def test_check_without_analysis_says_to_analyze(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("check")
    assert result.exit_code == 2 and "decompose analyze" in result.stderr
