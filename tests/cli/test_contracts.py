"""`decompose contracts record` and `verify` on the sample (planned with --converge; the `recorded`
fixture is in tests/conftest.py): its own test suite, recorded twice, gives one contract per planned
service with routes, every planned route covered, byte-identical when recorded again; replayed on the
monolith itself (a fresh database per scenario), every contract holds, twice in a row."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from decompose.cli import app
from tests.helpers import run_in
from tests.sample import POLLING, ROOT, SUITE, WORLD

runner = CliRunner()


def contracts(folder: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


def test_every_planned_route_is_covered_by_the_suite(recorded):
    recorded, report = recorded
    found = contracts(recorded / "contracts")
    plan_routes = {r for c in found.values() for r in c["routes"]}
    owners = {s["name"] for s in report["services"] if s["routes"]}
    assert set(found) == owners == {s["name"] for s in report["services"]} and len(plan_routes) == 51  # a contract per service
    assert all(c["uncovered"] == [] for c in found.values())
    cart = found["cart"]
    assert cart["routes"]["GET /api/cart"]["statuses"] == [200, 401]
    assert "200" in cart["routes"]["GET /api/cart"]["schemas"]
    assert all(e["service"] == "cart" for s in cart["scenarios"] for e in s["exchanges"] if e["route"].endswith("/api/cart"))
    scenarios = {s["name"] for c in found.values() for s in c["scenarios"]}
    assert len(scenarios) >= 100 and all(s.startswith("sample_monolith/tests/") for s in scenarios)
    latency = json.loads((recorded / ".decompose" / "latency.json").read_text())["routes"]
    assert latency["GET /api/cart"]["samples"] >= 16  # both runs


def test_scenarios_whose_test_changed_the_world_are_found_by_replaying_on_the_monolith(recorded):
    recorded, _ = recorded
    found = contracts(recorded / "contracts")
    scenarios = {s["name"].split("::")[1]: s for c in found.values() for s in c["scenarios"]}
    unreplayable = {name: s["why"] for name, s in scenarios.items() if s["replayable"] is False}
    # the clock moved forward, a setting changed, a file was deleted behind the app's back
    assert set(unreplayable) == {"test_token_expires_after_ttl", "test_raw_photo_errors", "test_upload_errors",
                                 "test_admin_sales_report_with_date_window_ignores_unpaid_orders", "test_seller_sales_report"}
    assert unreplayable["test_raw_photo_errors"].endswith("status was 404 in the test, 200 on replay "
                                                          "(the test changed the world between requests)")
    signup = scenarios["test_signup_returns_the_new_user"]["exchanges"][0]
    assert "$.user.created_at" in signup["volatile"]  # a fixed clock in the tests, the real one on replay
    assert (recorded / "contracts" / "test_cart.py").read_text().endswith('contract_tests(globals(), "cart.json")\n')


def test_recording_again_gives_byte_identical_contracts(recorded):
    recorded, _ = recorded
    before = {p.name: p.read_bytes() for p in (recorded / "contracts").iterdir()}
    run_in(recorded, ["contracts", "record", "-q", "--root", str(ROOT), "--", SUITE, POLLING])
    assert {p.name: p.read_bytes() for p in (recorded / "contracts").iterdir()} == before


def test_contracts_from_the_gateways_recording_cover_every_route(recorded, tmp_path):
    recorded, _ = recorded
    first = json.loads((recorded / ".decompose" / "recording-1.json").read_text())
    lines = tmp_path / "traffic.jsonl"  # what 'gateway serve --record' writes, here from the suite's recording
    lines.write_text("".join(json.dumps({"format": 1, "scenario": s["name"], "upstream": "monolith", "exchange": e}) + "\n"
                             for s in first["scenarios"] for e in s["exchanges"]))
    plan = tmp_path / "decompose.toml"  # without the [contracts] world: built, not calibrated (that is tested above)
    plan.write_text((recorded / "decompose.toml").read_text().replace(WORLD, ""))
    run_in(recorded, ["contracts", "record", "-q", "--plan", str(plan), "--out", str(tmp_path / "live"), "--from", str(lines)])
    built = contracts(tmp_path / "live")
    suite = contracts(recorded / "contracts")
    assert sorted(built) == sorted(suite) and all(c["uncovered"] == [] for c in built.values())
    assert {s for c in built.values() for s in c["routes"] if c["routes"][s].get("samples")} == \
        {s for c in suite.values() for s in c["routes"] if c["routes"][s].get("samples")}
    assert all(s["stable"] for c in built.values() for s in c["scenarios"])  # one recording: nothing contradicts it


def test_pytest_options_and_recordings_together_are_a_clear_error(recorded):
    recorded, _ = recorded
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(recorded)
        result = runner.invoke(app, ["contracts", "record", "--from", "traffic.jsonl", "--", SUITE])
    assert result.exit_code == 2 and "a recording is not a test run" in result.output


@pytest.mark.parametrize("warmup", ["1", "0"])  # twice in a row, each scenario on a fresh database
def test_the_monolith_keeps_every_contract(recorded, warmup, tmp_path):
    recorded, _ = recorded
    junit = tmp_path / "contracts.xml"
    results = json.loads(run_in(recorded, ["contracts", "verify", "--target", "monolith", "--root", str(ROOT),
                                           "--warmup", warmup, "--junit", str(junit), "--json", "-q"]))
    routes = results["routes"]
    assert len(routes) == 51 and all(r["passed"] for r in routes), [r for r in routes if not r["passed"]]
    assert all(r["budget_ms"] is None and r["latency"] == "not judged" for r in routes)  # the monolith is the yardstick
    scenarios = results["scenarios"]
    recorded_names = {s["name"] for c in contracts(recorded / "contracts").values() for s in c["scenarios"]}
    skipped = {s["name"] for s in results["skipped"]}
    assert len(skipped) == 5 and {s["name"] for s in scenarios} == recorded_names - skipped
    assert len(scenarios) > 150 and all(s["passed"] for s in scenarios)  # a scenario counts once per contract
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite.get("failures") == "0" and suite.get("errors") == "0" and int(suite.get("tests")) > 250
    kept = json.loads((recorded / ".decompose" / "verdicts.json").read_text())["against"]["monolith"]  # for report, --waves
    assert sum(v["routes"] for v in kept.values()) == 51 and all(v["routes_passed"] == v["routes"] for v in kept.values())


def test_a_target_that_is_not_one_is_a_clear_error(recorded):
    recorded, _ = recorded
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(recorded)
        result = runner.invoke(app, ["contracts", "verify", "--target", "staging"])
    assert result.exit_code == 2 and "'staging' is not a target" in result.output and "Traceback" not in result.output


def test_a_failing_suite_is_a_clear_error(recorded, tmp_path):
    recorded, _ = recorded
    failing = tmp_path / "test_fails.py"
    failing.write_text("def test_fails():\n    assert False\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(recorded)
        result = runner.invoke(app, ["contracts", "record", "--out", str(tmp_path / "out"), "--", str(failing)])
    assert result.exit_code == 2
    assert "tests failed while recording" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
