"""`decompose contracts record` on the sample: its own test suite, recorded twice, gives one
contract per planned service with routes, every planned route covered, byte-identical when recorded again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from decompose.cli import app
from tests.helpers import run_in

ROOT = Path(__file__).resolve().parents[2]
SUITE = str(ROOT / "sample_monolith" / "tests")
# This test polls until a background thread has delivered: how many polls it records depends on timing,
# so its scenario differs from run to run (the recorder reports it as unstable). Contracts need repeatable tests.
POLLING = "--deselect=sample_monolith/tests/test_sm_notifications.py::test_background_worker_delivers_after_commit"
runner = CliRunner()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    where = tmp_path_factory.mktemp("contracts")
    run_in(where, ["analyze", str(ROOT / "sample_monolith"), "-q"], ["plan", "-q"],
           ["contracts", "record", "-q", "--", SUITE, POLLING])
    return where


def contracts(folder: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


def test_every_planned_route_is_covered_by_the_suite(recorded):
    found = contracts(recorded / "contracts")
    plan_routes = {r for c in found.values() for r in c["routes"]}
    assert len(found) == 9 and len(plan_routes) == 51  # the 9 services that own routes
    assert all(c["uncovered"] == [] for c in found.values())
    cart = found["cart"]
    assert cart["routes"]["GET /api/cart"]["statuses"] == [200, 401]
    assert "200" in cart["routes"]["GET /api/cart"]["schemas"]
    assert all(e["service"] == "cart" for s in cart["scenarios"] for e in s["exchanges"] if e["route"].endswith("/api/cart"))
    scenarios = {s["name"] for c in found.values() for s in c["scenarios"]}
    assert len(scenarios) >= 100 and all(s.startswith("sample_monolith/tests/") for s in scenarios)
    latency = json.loads((recorded / ".decompose" / "latency.json").read_text())
    assert latency["GET /api/cart"]["samples"] >= 16  # both runs


def test_recording_again_gives_byte_identical_contracts(recorded):
    before = {p.name: p.read_bytes() for p in (recorded / "contracts").glob("*.json")}
    run_in(recorded, ["contracts", "record", "-q", "--", SUITE, POLLING])
    assert {p.name: p.read_bytes() for p in (recorded / "contracts").glob("*.json")} == before


def test_a_failing_suite_is_a_clear_error(recorded, tmp_path):
    failing = tmp_path / "test_fails.py"
    failing.write_text("def test_fails():\n    assert False\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(recorded)
        result = runner.invoke(app, ["contracts", "record", "--out", str(tmp_path / "out"), "--", str(failing)])
    assert result.exit_code == 2
    assert "tests failed while recording" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
