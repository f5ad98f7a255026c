"""`decompose report` and `decompose analyze --html` on the sample, through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from decompose.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def sample(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["analyze", str(ROOT / "sample_monolith"), "-q"]).exit_code == 0
    return tmp_path


def embedded(html: str) -> dict:
    start = html.index('<script id="report-data" type="application/json">') + len('<script id="report-data" type="application/json">')
    return json.loads(html[start:html.index("</script>", start)])


def test_report_without_a_plan_shows_the_analysis(sample):
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 0, result.output
    data = embedded((sample / ".decompose" / "report.html").read_text())
    assert data["planned"] is False and len(data["nodes"]) == 45 and data["counts"]["routes"] == 51
    assert "without a plan" in result.output


def test_report_with_the_plan_is_deterministic_and_lists_services(sample):
    assert runner.invoke(app, ["plan", "-q"]).exit_code == 0
    assert runner.invoke(app, ["report", "-q", "--out", "one.html"]).exit_code == 0
    assert runner.invoke(app, ["report", "-q", "--out", "two.html"]).exit_code == 0
    assert (sample / "one.html").read_bytes() == (sample / "two.html").read_bytes()
    data = embedded((sample / "one.html").read_text())
    planned = (sample / "decompose.toml").read_text().count("\n[services.")  # however many the planner made
    assert planned > 1 and len(data["services"]) == planned and data["scores"]["plan"]["services"] == planned
    assert data["migration"]["shared_tables"] and data["migration"]["cross_calls"]
    assert {h["resolution"] for h in data["hazards"]} and len(data["hazards"]) == data["counts"]["hazards"]


def test_mermaid_prints_the_service_graph(sample):
    assert runner.invoke(app, ["plan", "-q"]).exit_code == 0
    result = runner.invoke(app, ["report", "--mermaid"])
    assert result.exit_code == 0
    assert result.stdout.startswith("flowchart LR\n") and "s_orders" in result.stdout and "-->|" in result.stdout


def test_mermaid_without_a_plan_is_a_clear_error(sample):
    result = runner.invoke(app, ["report", "--mermaid"])
    assert result.exit_code == 2
    assert "decompose plan" in result.output and "Traceback" not in result.output


def test_analyze_html_writes_the_report_beside_the_analysis(sample):
    result = runner.invoke(app, ["analyze", str(ROOT / "sample_monolith"), "--html", "-q"])
    assert result.exit_code == 0, result.output
    assert embedded((sample / ".decompose" / "report.html").read_text())["counts"]["modules"] == 45


def test_a_missing_analysis_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 2 and "decompose analyze" in result.output
