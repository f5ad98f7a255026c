"""`decompose plan --waves`: services nobody left in the monolith calls move first; a cycle is broken
at its least-called service; a failing contract waits; each wave carries its gateway commands."""

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from decompose.cli import app
from decompose.planning.waves import Facts, to_text, waves

SAMPLE = Path(__file__).resolve().parents[2] / "sample_monolith"
runner = CliRunner()


def _order(found):
    return [[s.service for s in w.steps] for w in found]


def test_callees_wait_for_their_callers():
    facts = Facts(("a", "b", "c"), {("a", "b"): 3, ("b", "c"): 1}, {})
    assert _order(waves(facts)) == [["a"], ["b"], ["c"]]


def test_fewer_shared_tables_first_within_a_wave():
    facts = Facts(("a", "b"), {}, {"a": ("users", "orders")})
    found = waves(facts)
    assert _order(found) == [["b", "a"]]
    assert "shares users, orders" in found[0].steps[1].why


def test_a_cycle_is_broken_at_its_least_called_service():
    facts = Facts(("a", "b", "c"), {("a", "b"): 5, ("b", "a"): 1, ("c", "a"): 1}, {})
    found = waves(facts)
    assert _order(found) == [["c"], ["a"], ["b"]]
    assert found[1].cycle and not found[0].cycle


def test_a_failing_contract_waits_in_a_last_wave():
    facts = Facts(("a", "b"), {}, {}, {"a": "failed", "b": "passed"})
    found = waves(facts)
    assert _order(found) == [["b"], ["a"]] and found[-1].blocked
    assert found[0].commands() == ["decompose gateway route service --service b"]
    assert "Wave 2 (blocked: contracts fail):" in to_text(found)


def test_plan_waves_on_the_sample(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SAMPLE, tmp_path / "sample_monolith", ignore=shutil.ignore_patterns("__pycache__"))
    assert runner.invoke(app, ["analyze", "sample_monolith", "-q"]).exit_code == 0
    assert runner.invoke(app, ["plan", "-q"]).exit_code == 0
    text = runner.invoke(app, ["plan", "--waves"])
    assert text.exit_code == 0 and text.stdout.startswith("Wave 1:")
    data = json.loads(runner.invoke(app, ["plan", "--waves", "--json"]).stdout)
    planned = [line.split("]")[0].removeprefix("[services.") for line in
               (tmp_path / "decompose.toml").read_text().splitlines() if line.startswith("[services.")]
    moved = [s["service"] for w in data["waves"] for s in w["services"]]
    assert sorted(moved) == sorted(planned) and len(moved) == len(set(moved))
    for wave in data["waves"]:
        assert wave["commands"] == [f"decompose gateway route service --service {s['service']}" for s in wave["services"]]
        assert f"decompose gateway route service --service {wave['services'][0]['service']}" in text.stdout
