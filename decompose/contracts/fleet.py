"""The generated services, started together on 127.0.0.1 for replay: every one under
`chalice local --no-autoreload`, calling the others through their clients, each with the reset
endpoint on (DECOMPOSE_CONTRACT_RESET=1) and one shared secret. They run as an upstreams.Fleet:
each in its own session, stopped as a process tree on exit and on SIGTERM, SIGHUP or SIGINT.

    with services_fleet(Path("services"), base_env, logs) as (fleet, urls):
        ...   # urls: service -> http://127.0.0.1:PORT
    with monolith_fleet(settings, root, interpreter, scratch, env) as (url, secret):
        ...   # the monolith's app on decompose_runtime.host, in the monolith's own interpreter
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from decompose.artefacts import GENERATION, read_json
from decompose.contracts import calls
from decompose.contracts.settings import Settings
from decompose.errors import UserError
from decompose.gateway import aws_local
from decompose.gateway.table import MONOLITH
from decompose.gateway.upstreams import Fleet, ServiceRunner, Upstream, chalice_local, free_port
from decompose.generation.runtime.client import CALL_LOG, env_name
from decompose.contracts.appcall import APPS
from decompose.contracts.appcall import ROOT as APP_ROOT
from decompose.contracts.appcall import VARIABLE as APP
from decompose.generation.runtime.reset import ALLOW, ENABLE, SHARED
from decompose.interpreter import Interpreter, environment, runtime_path

HIDDEN = ("AWS_", "DECOMPOSE_", "PYTEST_")  # never leak the caller's into the services


def generated_services(folder: Path) -> list[str]:
    """The services `decompose generate` wrote in `folder` (from its report)."""
    return [s["name"] for s in _report(folder)]


def service_environment(folder: Path) -> set[str]:
    """Every environment variable some generated service reads (the report's `environment` lists)."""
    return {name for s in _report(folder) for name in s.get("environment", [])}


def eventual_fields(folder: Path) -> list[str]:
    """The body fields a remediated service fills in after the answer (the report's `eventual`, e.g.
    "photo.labels" -> "labels"): verify checks them eventually (decompose.contracts.replay)."""
    found = {_field(stored) for s in _report(folder) for row in s.get("remediation", [])
             for stored in row.get("eventual", []) if not stored.startswith("(")}
    return sorted(found - {""})


def _field(stored: str) -> str:
    """`photo.labels` -> labels; `row["labels"]` -> labels."""
    if stored.endswith("]"):
        return stored.rsplit("[", 1)[-1].strip("]'\" ")
    return stored.rsplit(".", 1)[-1]


def _report(folder: Path) -> list[dict]:
    report = folder / "generation.json"  # checked against its schema (decompose.artefacts)
    return read_json(report, GENERATION, missing="run 'decompose generate' first, or pass --services")["services"]


def replay_world(settings: Settings, root: Path | None = None, apps: list[str] | None = None) -> dict[str, str]:
    """What a service is started with to replay contracts in the plan's world as it is now, not as it was
    when the service was generated: its app factory's arguments ([contracts] app, decompose_runtime.appcall)
    and what a reset may name (the [contracts] hooks and env keys, decompose_runtime.reset.launched).
    `root`: the monolith's folder, where a configuration class of its tests is loaded from by file;
    `apps`: the scenarios' own app calls (scenario_apps), the only ones a reset may choose instead."""
    world = {**reset_allowance(settings),
             SHARED: "1"}  # one database for the fleet, a file in each scenario's folder (appcall.shared)
    if settings.app:
        world[APP] = settings.app
        if root is not None:
            world[APP_ROOT] = str(root.resolve())
    if apps:
        world[APPS] = json.dumps(sorted(set(apps)))
    return world


def scenario_apps(contracts: Path) -> list[str]:
    """Every app call a scenario of the contracts in `contracts` is replayed on instead of the world's (its
    test built the app with another configuration: build.Scenario.app), sorted. A file that does not read
    is left to verify, which says what is wrong with it."""
    found: set[str] = set()
    for path in sorted(contracts.glob("*.json")) if contracts.is_dir() else []:
        try:
            scenarios = json.loads(path.read_text(encoding="utf-8")).get("scenarios", [])
            found.update(s["app"] for s in scenarios if isinstance(s, dict) and isinstance(s.get("app"), str))
        except (OSError, ValueError, AttributeError, TypeError):
            continue
    return sorted(found)


def reset_allowance(settings: Settings) -> dict[str, str]:
    """What a reset may name, from the plan as it is now (the [contracts] hooks and env keys): `contracts
    record` writes [contracts.env] after `generate`, so the list written at generation may lack them."""
    return {ALLOW: json.dumps({"hooks": sorted(settings.reset), "env": sorted(settings.env)}, sort_keys=True)}


@contextlib.contextmanager
def services_fleet(folder: Path, env: dict[str, str], logs: Path, runner: ServiceRunner | None = None,
                   settings: Settings | None = None, root: Path | None = None,
                   apps: list[str] | None = None) -> Iterator[tuple[Fleet, dict[str, str], str]]:
    """Start every generated service (in the monolith's interpreter when `runner` says so, see
    decompose.interpreter.service_runner) in the plan's world (`settings`, `apps`: replay_world), each appending
    the internal calls it runs to `calls.log_path(logs)`; yields (fleet, urls, secret) and stops them all on exit."""
    names = generated_services(folder)
    ports = {name: free_port() for name in names}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    secret = secrets.token_hex(16)
    base = {k: v for k, v in os.environ.items() if not k.startswith(HIDDEN)}
    count = calls.log_path(logs)
    count.parent.mkdir(parents=True, exist_ok=True)
    count.unlink(missing_ok=True)  # this run's calls only
    shared = {**base, **env, ENABLE: "1", "DECOMPOSE_INTERNAL_SECRET": secret, CALL_LOG: str(count),
              **replay_world(settings or Settings(), root, apps), **{env_name(name): url for name, url in urls.items()}}
    with aws_local.running(folder, names, logs) as aws:  # moto_server for services remediated by [remediate]
        upstreams = [chalice_local(name, folder / name, ports[name], {**shared, **aws.get(name, {})}, runner)
                     for name in names]
        with Fleet(upstreams, logs=logs) as fleet:
            yield fleet, urls, secret


def host_allowances(settings: Settings) -> list[str]:
    """The monolith host's arguments naming what a reset may do: the plan's [contracts] hooks and env keys."""
    return [*(f"--allow-hook={h}" for h in settings.reset), *(f"--allow-env={k}" for k in sorted(settings.env))]


def monolith_host(settings: Settings, root: Path, interpreter: Interpreter, scratch: Path, port: int,
                  env: dict[str, str]) -> Upstream:
    """decompose_runtime.host in the monolith's interpreter. Only the monolith gets its root on PYTHONPATH: a
    service that imports from it would pass here and fail once deployed; without it, the service fails to
    start and says which import is missing. A reset may name only the plan's [contracts] hooks and env keys."""
    if not settings.app:
        raise UserError("the plan's [contracts] table names no app: nothing to start the monolith from",
                        'add app = "package.module:create_app" under [contracts] (docs/contracts.md)')
    command = [str(interpreter.path), "-m", "decompose_runtime.host", settings.app, "--port", str(port),
               "--root", str(root.resolve()), *host_allowances(settings)]
    return Upstream(MONOLITH, command, root.resolve(), port,
                    environment(interpreter, [runtime_path(scratch), root.resolve()], env))


@contextlib.contextmanager
def monolith_fleet(settings: Settings, root: Path, interpreter: Interpreter, scratch: Path,
                   env: dict[str, str], apps: list[str] | None = None) -> Iterator[tuple[str, str]]:
    """The monolith alone, in its own interpreter, reset endpoint on; yields (url, secret), stops it on exit.
    `apps`: the scenarios' own app calls (scenario_apps), the only ones a reset may build instead of the world's."""
    secret, port = secrets.token_hex(16), free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith(HIDDEN)}
    shared = {**base, **env, ENABLE: "1", "DECOMPOSE_INTERNAL_SECRET": secret, APPS: json.dumps(sorted(set(apps or [])))}
    with Fleet([monolith_host(settings, root, interpreter, scratch, port, shared)], logs=scratch / "logs"):
        yield f"http://127.0.0.1:{port}", secret
