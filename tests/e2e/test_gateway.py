"""End to end: the strangler-fig gateway in front of the sample monolith and its 13 generated services
(`decompose gateway up --contract-world`), its route table changed while it runs. The recorded
contracts pass through it with every route on the monolith, every route on its service, and a mixed
table (services, canaries and shadows), each scenario on a fresh system through the gateway's reset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from decompose.gateway import api
from tests.helpers import run_in
from tests.sample import ROOT

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
                    contract_reset=True) as stack:
            yield where, stack


def verify_through(where: Path, url: str, warmup: str) -> dict:
    return json.loads(run_in(where, ["contracts", "verify", "--target", url, "--root", str(ROOT), "--warmup", warmup,
                                     "--json", "-q"]))


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
    assert len(routes) == 51 and all(r["passed"] for r in routes), [r for r in routes if not r["passed"]]
    assert all(s["passed"] for s in results["scenarios"])
