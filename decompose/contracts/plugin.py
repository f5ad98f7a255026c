"""The contract suite as pytest tests: one test per recorded scenario, then one SLA test per route.

`decompose contracts record` writes, beside each contract, a module such as contracts/test_cart.py:

    from decompose.contracts.plugin import contract_tests
    contract_tests(globals(), "cart.json")

This plugin is registered when decompose is installed (entry point `pytest11`) and does nothing
until a target is given:

    pytest contracts/ --decompose-target=monolith                  # the monolith's app, in-process
    pytest contracts/ --decompose-target=http://127.0.0.1:8000     # the gateway, chalice local, a stage
    pytest contracts/ --decompose-target=fleet:fleet.json          # {"urls": {service: url}, "resets": [...]}
        # with "in_process": "services/cart", cart's requests go to its Chalice app in-process (chalice.test.Client)
    options: --decompose-plan decompose.toml  --decompose-latency .decompose/latency.json
             --decompose-root .  --decompose-repeat 1  --decompose-warmup 1  --decompose-no-reset  --decompose-results out.json

`decompose contracts verify` runs this for you, with JUnit XML and a summary table.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from decompose.contracts import masking
from decompose.contracts.build import read_contract
from decompose.contracts.calls import CallLog
from decompose.contracts.fleet import replay_world
from decompose.contracts.settings import Settings, read
from decompose.contracts.targets import Http, InProcess, InProcessService
from decompose.contracts.verify import Verifier, read_baseline, skip_reason
from decompose.contracts.world import World
from decompose.errors import UserError
from decompose.generation.runtime.client import env_name

CONTRACTS: dict[str, dict[str, Any]] = {}  # service -> contract, for every generated module collected
USAGE = "give a target: --decompose-target=monolith | URL | fleet:FILE.json (or run 'decompose contracts verify')"


def contract_tests(namespace: dict[str, Any], contract_file: str) -> None:
    """Define test_scenario and test_sla in a generated module, from the contract beside it."""
    contract = read_contract(Path(namespace["__file__"]).with_name(contract_file))
    CONTRACTS[contract["service"]] = contract
    scenarios = contract["scenarios"]
    names = [_test_id(s["name"]) for s in scenarios]

    @pytest.mark.parametrize("scenario", scenarios, ids=names)
    def test_scenario(scenario: dict[str, Any], decompose_verifier: Verifier) -> None:
        why = skip_reason(scenario)
        run = decompose_verifier.scenario(contract, scenario)
        if why:
            pytest.skip(why)
        if run is not None and not run.passed:
            pytest.fail(f"scenario {scenario['name']} against {decompose_verifier.target.name}:\n{run.report()}",
                        pytrace=False)

    @pytest.mark.parametrize("route", sorted(contract["routes"]))
    def test_sla(route: str, decompose_verifier: Verifier) -> None:
        verdict = decompose_verifier.route(contract, route)
        if not contract["routes"][route].get("samples"):
            pytest.skip("not verified: no test of the monolith exercised this route")
        if not verdict.verified:
            pytest.skip("not verified: no replayable scenario reached this route")
        if not verdict.passed:
            pytest.fail(f"{route} ({contract['service']}): " + "; ".join(verdict.problems), pytrace=False)

    namespace["test_scenario"], namespace["test_sla"] = test_scenario, test_sla
    namespace["decompose_service"] = contract["service"]


def _test_id(name: str) -> str:
    return name.rsplit("/", 1)[-1].replace("::", ".")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("decompose", "decompose contracts")
    group.addoption("--decompose-target", default=None, help="monolith | URL | fleet:FILE.json")
    group.addoption("--decompose-plan", default="decompose.toml", help="The plan; its [contracts] table sets the world and budgets.")
    group.addoption("--decompose-latency", default=".decompose/latency.json", help="The monolith's recorded latencies.")
    group.addoption("--decompose-secrets", default=".decompose/secrets.json",
                    help="The values masked out of the scenarios' starting data (written by 'decompose contracts record').")
    group.addoption("--decompose-root", default=".", help="Where the monolith's package imports from (in-process).")
    group.addoption("--decompose-repeat", type=int, default=1, help="Replay each scenario N times (more latency samples).")
    group.addoption("--decompose-warmup", type=int, default=1, help="First replay, N times and unjudged, scenarios that reach every route.")
    group.addoption("--decompose-no-reset", action="store_true", help="Do not ask URL targets for a fresh start.")
    group.addoption("--decompose-results", default=None, help="Write the results (routes, scenarios) as JSON here.")
    group.addoption("--decompose-progress", default=None, help="Append 'done/total' to this file as each test finishes.")
    group.addoption("--decompose-seed", action="store_true",
                    help="The URL target's resets load each scenario's starting data (the monolith's host, the gateway "
                         "in the contract world, services started with DECOMPOSE_CONTRACT_RESET=1).")
    group.addoption("--decompose-eventual", action="append", default=[],
                    help="A body field a remediated service fills in after its answer (repeatable): checked eventually "
                         "on a URL target, as on the services (the gateway, or deployed services).")
    group.addoption("--decompose-reference", default=None,
                    help="The monolith's URL (reset with $DECOMPOSE_REFERENCE_SECRET): replayed before the target on every "
                         "scenario; its times in this run set the latency budgets.")
    group.addoption("--decompose-latency-judge", default="auto", choices=("auto", "recorded", "off"),
                    help="Without a reference: auto holds targets other than the monolith to the recorded latencies; "
                         "recorded holds every target to them; off measures without judging.")


def pytest_configure(config: pytest.Config) -> None:
    progress = config.getoption("--decompose-progress", None)
    if progress and not config.pluginmanager.has_plugin("decompose-progress"):
        from decompose.contracts.recorder import _Progress

        config.pluginmanager.register(_Progress(progress), "decompose-progress")


@pytest.fixture(scope="session")
def decompose_verifier(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    option = request.config.getoption
    spec = option("--decompose-target")
    if not spec:
        pytest.skip(USAGE)
    plan = Path(option("--decompose-plan"))
    try:
        settings = read(plan) if plan.exists() else Settings()
        baseline = read_baseline(Path(option("--decompose-latency")))
        target = _target(spec, settings, Path(option("--decompose-root")).resolve(), option("--decompose-no-reset"),
                         option("--decompose-seed"))
        if spec.startswith(("http://", "https://")):
            target.eventual = tuple(option("--decompose-eventual"))
        reference = _reference(option("--decompose-reference"), settings)
    except UserError as error:
        pytest.exit(f"decompose contracts: {error.what}\n  next: {error.next_step}", returncode=2)
    world = World(settings, tmp_path_factory.mktemp("decompose-world"))
    judge = option("--decompose-latency-judge")
    verifier = Verifier(target, world, settings, baseline,
                        repeat=max(1, option("--decompose-repeat")), warmup=max(0, option("--decompose-warmup")),
                        reference=reference, judge_recorded=judge == "recorded" or (judge == "auto" and spec != "monolith"),
                        secrets=masking.read(Path(option("--decompose-secrets"))))
    verifier.warm_up(_selected(request.session.items))
    yield verifier
    target.close()
    if reference is not None:
        reference.close()
    results = option("--decompose-results")
    if results:
        Path(results).write_text(json.dumps(verifier.results(), indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _selected(items: list[pytest.Item]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The (contract, scenario) pairs this session will replay (after -k, --deselect, ...)."""
    pairs = []
    for item in items:
        params = getattr(item, "callspec", None) and item.callspec.params
        if params and "scenario" in params and item.module is not None:
            service = getattr(item.module, "decompose_service", None)
            if service in CONTRACTS:
                pairs.append((CONTRACTS[service], params["scenario"]))
    return pairs


def _reference(url: str | None, settings: Settings) -> Http | None:
    """The monolith served beside the target, measured on the same scenarios in the same run."""
    if not url:
        return None
    secret = os.environ.get("DECOMPOSE_REFERENCE_SECRET")
    if not secret:
        raise UserError("--decompose-reference: DECOMPOSE_REFERENCE_SECRET is not set: the monolith's reset endpoint "
                        "refuses every request without it", "set it to the secret the monolith's host was started with")
    return Http(url, [url], settings.reset, secret, name=f"the monolith at {url}", loads_data=True)


def _target(spec: str, settings: Settings, root: Path, no_reset: bool, seed: bool = False):
    secret = os.environ.get("DECOMPOSE_INTERNAL_SECRET")
    if spec.startswith(("http://", "https://")) and not no_reset and not secret:
        raise UserError("the reset endpoints refuse every request without the services' shared secret",
                        "set DECOMPOSE_INTERNAL_SECRET to the one they were started with, or pass --decompose-no-reset")
    if spec == "monolith":
        if not settings.app:
            raise UserError("target monolith: the plan's [contracts] table names no app",
                            'add app = "package.module:create_app" under [contracts] (docs/contracts.md)')
        return InProcess(settings.app, root, settings.reset)
    if spec.startswith(("http://", "https://")):
        return Http(spec, [] if no_reset else [spec], settings.reset, secret, name=spec, loads_data=seed)
    if spec.startswith("fleet:"):
        path = Path(spec.removeprefix("fleet:"))
        try:
            fleet = json.loads(path.read_text(encoding="utf-8"))
            urls, resets = dict(fleet["urls"]), list(fleet.get("resets", []))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise UserError(f"{path}: not a fleet file ({error})", 'write {"urls": {"service": "http://..."}, "resets": [...]}') from None
        secret = fleet.get("secret", secret)
        if not secret:
            raise UserError(f"{path}: no \"secret\" and DECOMPOSE_INTERNAL_SECRET is not set: the services refuse every "
                            "internal call and reset without it", "add the secret the services were started with")
        others = Http(urls, [] if no_reset else resets, settings.reset, secret, name=fleet.get("name", spec),
                      loads_data=bool(fleet.get("loads_data")))
        others.eventual = tuple(fleet.get("eventual", ()))  # fields a consumer Lambda fills in (docs/remediation.md)
        if fleet.get("calls_log"):  # the services append every internal call they run (decompose.contracts.calls)
            others.calls = CallLog(Path(fleet["calls_log"])).since
        local = fleet.get("in_process")
        if not local:
            return others
        env = {**replay_world(settings, root), **{env_name(name): url for name, url in urls.items()}}
        env["DECOMPOSE_INTERNAL_SECRET"] = secret
        target = InProcessService(Path(local), env, settings.reset, others)
        target.eventual = others.eventual
        return target
    raise UserError(f"--decompose-target {spec!r} is not a target", USAGE)
