"""End to end: the strangler-fig gateway in front of the sample monolith and its 12 generated services
(`decompose gateway up --contract-world`), its route table changed while it runs. The recorded
contracts pass through it with every route on the monolith, every route on its service, and a mixed
table (services, canaries and shadows), each scenario on a fresh system through the gateway's reset.
Then a deliberately wrong catalog service in shadow mode: clients get the monolith's answer, the
shadow log and `gateway status` show the difference."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import httpx
import pytest

from decompose.gateway import api
from decompose.gateway.upstreams import Fleet, chalice_local
from tests.helpers import run_in
from tests.sample import ROOT, WORLD

MIXED = [["route", "service", "--service", "cart", "--service", "accounts"], ["route", "canary:50", "--service", "orders"],
         ["route", "shadow", "--service", "catalog"]]


@pytest.fixture(scope="module")
def gateway(recorded):
    where, _ = recorded
    run_in(where, ["gateway", "init", "-q"])
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(where)
        patch.setenv("DECOMPOSE_INTERNAL_SECRET", "e2e-secret")
        with api.up(Path("routes.toml"), Path("services"), Path("decompose.toml"), ROOT, 0, Path(".decompose/gateway"),
                    contract_reset=True, record=Path("traffic.jsonl")) as stack:
            yield where, stack


def verify_through(where: Path, url: str, warmup: str) -> dict:
    """Answers only (--latency off): the latency of the gateway's routes is the benchmark's to judge
    (benchmarks/contracts_load.py), not a test's on a machine whose load it does not control."""
    return json.loads(run_in(where, ["contracts", "verify", "--target", url, "--root", str(ROOT), "--warmup", warmup,
                                     "--latency", "off", "--json", "-q"]))


@pytest.mark.parametrize("table", ["monolith", "service", "mixed"])
def test_every_contract_holds_through_the_gateway(gateway, table):
    where, stack = gateway
    commands = MIXED if table == "mixed" else [["route", table, "--all"]]
    run_in(where, ["gateway", "route", "monolith", "--all", "-q"], *[["gateway", *c, "-q"] for c in commands])
    modes = {row["mode"] for row in json.loads(run_in(where, ["gateway", "status", "--json", "-q"]))}
    assert modes == ({"monolith", "service", "canary:50", "shadow"} if table == "mixed" else {table})
    # the first run that reaches the services warms them up; the monolith and a warm fleet need none
    results = verify_through(where, stack.url, "1" if table == "service" else "0")
    routes = results["routes"]
    assert len(routes) == 51 and all(r["passed"] and r["budget_ms"] is None for r in routes), [r for r in routes if not r["passed"]]
    assert all(s["passed"] for s in results["scenarios"])


def test_the_gateway_recorded_every_exchange_and_contracts_build_from_it(gateway, tmp_path):
    where, _ = gateway  # after the contracts went through it (the tests above)
    lines = [json.loads(line) for line in (where / "traffic.jsonl").read_text().splitlines()]
    assert len(lines) > 1000 and {line["upstream"] for line in lines} >= {"monolith", "cart", "catalog"}
    plan = tmp_path / "decompose.toml"  # built, not calibrated: the point is the format
    plan.write_text((where / "decompose.toml").read_text().replace(WORLD, ""))
    run_in(where, ["contracts", "record", "-q", "--plan", str(plan), "--out", str(tmp_path / "live"), "--from", "traffic.jsonl"])
    built = [json.loads(p.read_text()) for p in (tmp_path / "live").glob("*.json")]
    owners = {line.split("]")[0].removeprefix("[services.") for line in plan.read_text().splitlines()
              if line.startswith("[services.") and not line.startswith("[services.shared")}
    assert sorted(c["service"] for c in built) == sorted(owners)  # a contract per service (each owns routes)
    assert all(c["uncovered"] == [] for c in built)


def test_shadow_logs_a_wrong_service_while_clients_get_the_monoliths_answer(gateway, tmp_path):
    where, stack = gateway
    owner = next(p.parent.name for p in sorted((where / "services").glob("*/app.py"))  # the plan decides who serves it
                 if "'/api/catalog/categories'" in p.read_text() or '"/api/catalog/categories"' in p.read_text())
    broken = tmp_path / "services" / owner
    shutil.copytree(where / "services" / owner, broken)
    (tmp_path / "services" / "shared").symlink_to(where / "services" / "shared")  # the layer, as ../shared/python
    views = next(p for p in (broken / "chalicelib" / "src").rglob("catalog.py") if "def list_categories" in p.read_text())
    views.write_text(views.read_text().replace('return {"categories": shop.category_tree()}', 'return {"kinds": shop.category_tree()}'))
    port = int(stack.urls[owner].rsplit(":", 1)[1])
    stack.fleet.kill(owner)
    env = {**stack.fleet.upstreams[owner].env}
    run_in(where, ["gateway", "route", "monolith", "--all", "-q"], ["gateway", "route", "shadow", "GET /api/catalog/categories", "-q"])
    log = where / ".decompose" / "gateway" / "shadow.jsonl"
    log.unlink(missing_ok=True)
    with Fleet([chalice_local(owner, broken, port, env)], logs=tmp_path / "logs"):
        answers = [httpx.get(stack.url + "/api/catalog/categories", timeout=10) for _ in range(3)]
        direct = httpx.get(stack.urls["monolith"] + "/api/catalog/categories", timeout=10)
        records = []
        for _ in range(50):  # the mirrors run after the answers: wait for them, 5 s at most
            records = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
            if len(records) == 3:
                break
            time.sleep(0.1)
    assert all(a.status_code == 200 and a.json() == direct.json() and "categories" in a.json() for a in answers)
    assert all(a.headers["x-decompose-upstream"] == "monolith" for a in answers)
    assert len(records) == 3 and all(r["route"] == "GET /api/catalog/categories" for r in records)
    assert all("$.categories: monolith an array of 0 items, service (absent)" in r["differences"] for r in records), records[0]
    [row] = [r for r in json.loads(run_in(where, ["gateway", "status", "--json", "-q", "--shadow-log", str(log)]))
             if r["route"] == "GET /api/catalog/categories"]
    assert (row["compared"], row["differing"], row["diff_rate"]) == (3, 3, 1.0)
