"""The verdicts `contracts verify` keeps for `report` and `plan --waves` (.decompose/verdicts.json)."""

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from decompose.cli import app
from decompose.contracts.verdicts import keep, per_service, read, status, summary
from decompose.errors import UserError

SAMPLE = Path(__file__).resolve().parents[2] / "sample_monolith"
runner = CliRunner()


def results(*rows: tuple[str, str, bool]) -> dict:
    """A Verifier's results with one route and one scenario per (service, route, passed)."""
    return {"routes": [{"service": s, "route": r, "passed": ok} for s, r, ok in rows],
            "scenarios": [{"service": s, "name": f"test_{r}", "passed": ok} for s, r, ok in rows]}


def test_per_service_counts_routes_and_scenarios():
    found = per_service(results(("cart", "GET /cart", True), ("cart", "POST /cart", False), ("users", "GET /me", True)))
    assert found == {"cart": {"routes": 2, "routes_passed": 1, "scenarios": 2, "scenarios_passed": 1},
                     "users": {"routes": 1, "routes_passed": 1, "scenarios": 1, "scenarios_passed": 1}}


def test_a_later_verify_of_one_service_replaces_only_its_verdict(tmp_path):
    path = tmp_path / ".decompose" / "verdicts.json"
    keep(path, "services", results(("cart", "GET /cart", False), ("users", "GET /me", True)))
    keep(path, "service:cart", results(("cart", "GET /cart", True)))
    keep(path, "monolith", results(("cart", "GET /cart", True)))
    assert status(path, ["cart", "users", "orders"]) == {"cart": "passed", "users": "passed"}
    assert read(path)["against"].keys() == {"services", "monolith"}


def test_a_failed_route_fails_the_service_and_the_cards_say_against_what(tmp_path):
    path = tmp_path / "verdicts.json"
    keep(path, "services", results(("cart", "GET /cart", True), ("cart", "POST /cart", False)))
    keep(path, "monolith", results(("cart", "GET /cart", True), ("cart", "POST /cart", True)))
    assert status(path, ["cart"]) == {"cart": "failed"}
    assert summary(path, ["cart"]) == {"cart": "FAILED against the generated service: 1/2 routes within contract, "
                                               "1/2 scenarios; passed against the monolith: 2/2 routes within contract, 2/2 scenarios"}


def test_the_same_verdicts_write_the_same_file(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for path in (first, second):
        keep(path, "services", results(("users", "GET /me", True), ("cart", "GET /cart", False)))
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("text", ["{", '{"schema_version": 1, "against": {"staging": {}}}',
                                  '{"schema_version": 1, "against": {"services": {"cart": {"routes": "two"}}}}'])
def test_a_damaged_file_is_a_clear_error_and_is_left_alone(tmp_path, text):
    path = tmp_path / "verdicts.json"
    path.write_text(text)
    with pytest.raises(UserError, match="verdicts.json"):
        keep(path, "services", results(("cart", "GET /cart", True)))
    assert path.read_text() == text


def test_a_service_whose_contract_failed_waits_in_the_last_wave_and_its_card_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SAMPLE, tmp_path / "sample_monolith", ignore=shutil.ignore_patterns("__pycache__"))
    assert runner.invoke(app, ["analyze", "sample_monolith", "-q"]).exit_code == 0
    assert runner.invoke(app, ["plan", "-q"]).exit_code == 0
    before = json.loads(runner.invoke(app, ["plan", "--waves", "--json"]).stdout)["waves"]
    first = before[0]["services"][0]["service"]
    keep(Path(".decompose/verdicts.json"), "services", results((first, "GET /x", False)))
    after = json.loads(runner.invoke(app, ["plan", "--waves", "--json"]).stdout)["waves"]
    assert not before[-1]["blocked"] and after[-1]["blocked"]
    assert [s["service"] for s in after[-1]["services"]] == [first] and after[-1]["services"][0]["contract"] == "failed"
    assert runner.invoke(app, ["report", "-q", "--out", "report.html"]).exit_code == 0
    page = Path("report.html").read_text()
    assert "FAILED against the generated service: 0/1 routes within contract" in page


def test_the_report_judges_cards_and_statuses_from_one_reading_of_the_file(tmp_path):
    from decompose.report.api import contract_status

    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "users.json").write_text("{}")
    path = tmp_path / ".decompose" / "verdicts.json"
    keep(path, "services", results(("cart", "GET /cart", False)))
    document = read(path)
    path.unlink()  # what the report shows comes from the document it read, not from a second reading
    assert contract_status(tmp_path / "contracts", ["cart", "users"], document) == {
        "users": "recorded", "cart": "FAILED against the generated service: 0/1 routes within contract, 0/1 scenarios"}
