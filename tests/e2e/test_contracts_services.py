"""End to end: the sample's contracts, recorded from its own test suite, hold against the generated
services (every one under `chalice local`, a fresh shared database per scenario through their reset
endpoints), and a deliberately broken service (answered in-process through chalice.test.Client, the
others under chalice local) fails them with a readable diff or an SLA message.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from decompose.cli import app
from tests.helpers import run_in
from tests.sample import ROOT

runner = CliRunner()


def test_every_generated_service_keeps_its_contract(recorded):
    where, report = recorded
    results = json.loads(run_in(where, ["contracts", "verify", "--target", "services", "--latency", "off", "--json", "-q"]))
    routes = results["routes"]
    owners = {s["name"] for s in report["services"] if s["routes"]}
    assert {r["service"] for r in routes} == owners and len(routes) == 51
    # answers only: latency under load is benchmarks/contracts_load.py's to judge, not a test's
    assert all(r["passed"] and r["failed"] == r["errors"] == 0 for r in routes), [r for r in routes if not r["passed"]]
    assert all(s["passed"] for s in results["scenarios"]) and len(results["scenarios"]) > 150
    # every service of the converged plan answers routes (how many there are is the planner's to judge: tests/planning)
    assert results["target"].startswith(f"the generated services ({len(report['services'])},") and len(owners) == len(report["services"])
    # #23: the median request makes at most one internal call (the services' call log, decompose.contracts.calls)
    counted, calls = results["internal_calls"], {r["route"]: (r["calls_median"], r["called"]) for r in routes}
    assert counted["requests"] > 150 and counted["median"] <= 1, (counted, calls)


def break_cart(services: Path) -> None:
    """Three deliberate breaks in the cart service's copy of the monolith's cart views."""
    views = next(p for p in (services / "cart" / "chalicelib" / "src").rglob("*.py") if "def clear_cart():" in p.read_text())
    source = views.read_text()
    for old, new in (('return {"removed": removed}', 'return {"deleted": removed}'),  # a field renamed
                     ('    return "", 204', '    return "", 200'),  # a status changed
                     ("    return shop.cart_summary(current_user())\n",  # 1 s more on GET /api/cart
                      "    __import__('time').sleep(1.0)\n    return shop.cart_summary(current_user())\n")):
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    views.write_text(source)


def test_a_broken_service_fails_with_a_readable_diff_and_an_sla_message(recorded, tmp_path):
    where, _ = recorded
    broken = tmp_path / "services"
    shutil.copytree(where / "services", broken)
    break_cart(broken)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(where)
        result = runner.invoke(app, ["contracts", "verify", "--target", "service:cart", "--in-process", "--root", str(ROOT),
                                     "--services", str(broken), "--junit", str(tmp_path / "cart.xml"), "-v"])
    assert result.exit_code == 1, result.output
    output = result.output
    assert "DELETE /api/cart  (DELETE /api/cart)" in output
    assert re.search(r"\$\.removed: expected \d+, got \(absent\)", output) and "$.deleted: expected (absent), got" in output
    assert "schema 200: $: 'removed' is a required property" in output
    assert "status: expected 204, got 200" in output
    # 1 s more against 3x the monolith's p95 measured in the same run (+ 50 ms): a ratio, not an absolute time.
    # (300 ms stayed within that budget once, in a CI run at a load of ~20 on the 2 cores)
    assert "GET /api/cart (cart): latency p95" in output and "(the monolith's p95 in this run" in output
    failing = {line.split()[1] + " " + line.split()[2] for line in output.splitlines() if line.rstrip().endswith("FAIL")}
    assert failing == {"DELETE /api/cart", "DELETE /api/cart/items/{product_id}", "GET /api/cart"}, output[-3000:]
    assert "failures=" in (tmp_path / "cart.xml").read_text()
    assert "against service cart in-process (chalice.test.Client)" in output
