"""What the CLI calls for `decompose gateway ...`: the route table from the analysis and the plan,
mode changes, the status view with shadow diff rates, and the local gateway server.

    synced = init(analysis, plan, Path("routes.toml"))      # create, or update keeping modes
    rows = status(read(Path("routes.toml")), SHADOW_LOG)         # .decompose/gateway/shadow.jsonl
    serve(table, urls, port=8080, shadow_log=..., contracts=Path("contracts"))
    with up(Path("routes.toml"), Path("services"), plan, root, port, SCRATCH) as stack:   # everything, as process trees
        ...
    written = write_template(read(Path("routes.toml")), plan, latency, Path("gateway.yaml"), name, alarms=True)
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from decompose.contracts.fleet import HIDDEN, generated_services, monolith_host, replay_world, scenario_apps, service_environment
from decompose.contracts.replay import matcher
from decompose.contracts.settings import Settings
from decompose.contracts.settings import read as read_contract_settings
from decompose.contracts.verify import read_baseline
from decompose.contracts.world import World
from decompose.errors import UserError
from decompose.gateway import aws_local
from decompose.gateway.cloudformation import HEADER, Budget, add_static, dump, template
from decompose.gateway.matching import mounted_trees
from decompose.gateway.paths import SHADOW_LOG
from decompose.gateway.table import MONOLITH, SAFE_METHODS, Synced, Table, check_owners, missing_urls, read, sync
from decompose.gateway.upstreams import Fleet, Upstream, chalice_local, free_port
from decompose.generation.runtime.client import env_name
from decompose.generation.runtime.reset import ENABLE
from decompose.interpreter import find, service_runner
from decompose.planning.api import load, sound_plan
from decompose.remediation.table import cloudfront_folders


def init(analysis: Path, plan: Path, path: Path) -> Synced:
    """routes.toml from every served route of the monolith ("METHOD /template") -> its planned owner, or
    "monolith"; and the trees a library mounts (`ANY /admin/`, `ANY /admin/{path+}`), owned by the monolith."""
    ws = load(analysis, plan=plan)
    owners = {route: service.name for service in sound_plan(ws, plan).plan.services for route in service.routes}
    found = {}
    for route in ws.analysis.routes:
        if route.mounted:
            for method in route.methods:
                key = f"{method} {route.template}"
                found[key] = owners.get(key, MONOLITH)
    if not found:
        raise UserError(f"{analysis}: the analysis found no HTTP route", "a gateway routes HTTP routes; check 'decompose analyze'")
    trees = mounted_trees(ws.analysis.mounts, {r.split(" ", 1)[1] for r in found})
    synced = sync(path, found | {f"ANY {template}": MONOLITH for template in trees})
    synced.mounted = len({template.removesuffix("{path+}") for template in trees})
    return synced


@dataclass
class Row:
    route: str
    owner: str
    mode: str
    compared: int = 0
    differing: int = 0
    failed: int = 0

    @property
    def diff_rate(self) -> float | None:
        return self.differing / self.compared if self.compared else None


def status(table: Table, shadow_log: Path | None) -> list[Row]:
    rows = {e.route: Row(e.route, e.owner, str(e.mode)) for e in table.entries.values()}
    for record in _records(shadow_log):
        row = rows.get(record.get("route", ""))
        if row is None:
            continue
        if "error" in record.get("service", {}):
            row.failed += 1
        else:
            row.compared += 1
            row.differing += bool(record.get("differences"))
    return sorted(rows.values(), key=lambda r: (r.route.split(" ", 1)[1], r.route))


def _records(log: Path | None) -> list[dict]:
    if log is None or not log.exists():
        return []
    records = []
    for number, line in enumerate(log.read_text(encoding="utf-8").splitlines(), 1):
        try:
            records.append(json.loads(line))
        except ValueError:
            raise UserError(f"{log}:{number}: not a shadow log line (JSON)", "move the damaged log aside; the gateway starts a new one") from None
    return records


def contract_settings(plan: Path) -> Settings:
    """The plan's [contracts] table, or its defaults when there is no plan (a gateway can run without one)."""
    return read_contract_settings(plan) if plan.exists() else Settings()


def noise_from(contracts: Path | None, settings: Settings = Settings()) -> dict[str, Callable[[str], bool]]:
    """Per route, the fields shadow comparison ignores: the contracts' volatile fields (timestamps,
    tokens; found by recording twice) and the plan's [contracts] ignore patterns."""
    volatile: dict[str, set[str]] = {}
    for path in sorted(contracts.glob("*.json")) if contracts is not None and contracts.is_dir() else []:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            for route, facts in document["routes"].items():
                volatile.setdefault(route, set()).update(facts.get("volatile", []))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise UserError(f"{path}: not a contract ({error})", "record contracts again with 'decompose contracts record'") from None
    named = {pattern.rsplit(" ", 1)[0] for pattern in settings.ignore if " " in pattern}
    noise = {route: matcher(set(), volatile.get(route, set()) | settings.ignored(route)) for route in volatile.keys() | named}
    noise["*"] = matcher(set(), {p for p in settings.ignore if " " not in p})  # routes no contract covers
    return noise


def serve(table: Table, urls: dict[str, str], port: int, shadow_log: Path, noise: dict[str, Callable[[str], bool]],
          quiet: bool = False, record: Path | None = None) -> None:
    """The gateway under uvicorn on 127.0.0.1:port, until interrupted; `record`: append every exchange there."""
    import uvicorn

    from decompose.gateway.proxy import Gateway

    from decompose.gateway import lifeline, server

    lifeline.hold()  # started by `gateway up`: it stops when that process dies, even by SIGKILL
    gateway = Gateway(table, urls, shadow_log=shadow_log, noise=noise, record=record)
    # bounded: header read (GuardedH11Protocol), idle keep-alive, header size, open connections and requests
    uvicorn.run(gateway, host="127.0.0.1", port=port, log_level="warning" if quiet else "info",
                access_log=not quiet, lifespan="on", server_header=False, date_header=False,  # the upstream's pass through
                http=server.GuardedH11Protocol, timeout_keep_alive=server.KEEP_ALIVE_S,
                h11_max_incomplete_event_size=server.MAX_HEADER_BYTES, limit_concurrency=server.MAX_CONNECTIONS,
                timeout_graceful_shutdown=server.KEEP_ALIVE_S)


@dataclass
class Stack:
    fleet: Any  # upstreams.Fleet: the monolith, every service, the gateway
    url: str  # the gateway's
    urls: dict[str, str]  # monolith and services
    secret: str
    database: dict[str, str]  # the database variables every process got (empty: none found)
    interpreter: str = ""  # "monolith interpreter: PATH VERSION (how it was found)"


# A DSN names a database (PG_DSN), except an error tracker's project (SENTRY_DSN, GlitchTip's alike): the
# template's optional SENTRY_DSN stopped 'gateway up' as an unset database.
DATABASE_NAME = re.compile(r"(DATABASE|(^|_)DB)_?(URL|URI)$|^(?!.*(SENTRY|GLITCHTIP)).*(^|_)DSN$", re.IGNORECASE)
SQLITE = re.compile(r"^(sqlite[\w+]*):///?(.*)$")


@contextlib.contextmanager
def up(table_path: Path, services: Path, plan: Path, root: Path, port: int, scratch: Path,
       contract_reset: bool = False, contracts: Path = Path("contracts"), record: Path | None = None,
       database_url: str | None = None, database_env: tuple[str, ...] = (),
       python: Path | None = None) -> Iterator[Stack]:
    """Start the monolith (its [contracts] app on decompose.gateway.host), every generated service under
    `chalice local --no-autoreload`, and the gateway in front; stop them all, as process trees, on exit.
    contract_reset: every process in the contract world with its reset endpoint on (for verify).
    database_url: one database for all (else the one the environment or the world names).
    python: the monolith's interpreter (decompose.interpreter finds it without one)."""
    table = read(table_path)
    settings = read_contract_settings(plan)
    if not settings.app:
        raise UserError(f"{plan}: [contracts] app is not set: 'gateway up' starts the monolith from it",
                        'add app = "package.module:create_app" under [contracts] (docs/contracts.md#the-contracts-table), '
                        "or start everything yourself and run 'decompose gateway serve'")
    names = generated_services(services)
    check_owners(table, names, f"the services in {services}")
    _one_database_for_shadows(table)
    ports = {name: free_port() for name in [MONOLITH, *names]}
    urls = {name: f"http://127.0.0.1:{p}" for name, p in ports.items()}
    missing_urls(table, urls)
    secret = os.environ.get("DECOMPOSE_INTERNAL_SECRET") or secrets.token_hex(16)  # verify sends the same one
    base = {k: v for k, v in os.environ.items() if not k.startswith(HIDDEN)}
    # in the contract world, every process replays in the plan's world as verify's fleet does (replay_world:
    # the app's configuration, what a reset may name, one database per scenario in its folder)
    world = {**World(settings, (scratch / "world").resolve()).fresh(),
             **replay_world(settings, root, scenario_apps(contracts)), ENABLE: "1"} \
        if contract_reset else {}
    keys = database_env or database_keys(services)
    database = shared_database(keys, database_url, {**base, **world}, services, left_to_world=contract_reset)
    env = {**base, **world, **database, "DECOMPOSE_INTERNAL_SECRET": secret, **{env_name(n): urls[n] for n in names}}
    gateway_port = port or free_port()
    monolith = find(python, root)
    runner = service_runner(monolith, services, root, scratch)
    with aws_local.running(services, names, scratch / "logs") as aws:
        upstreams = [monolith_host(settings, root, monolith, scratch, ports[MONOLITH], env),
                     *[chalice_local(n, services / n, ports[n], {**env, **aws.get(n, {})}, runner) for n in names],
                     _gateway(table_path, gateway_port, urls, contracts, plan, scratch, record, env)]
        with Fleet(upstreams, logs=scratch / "logs") as fleet:
            yield Stack(fleet, f"http://127.0.0.1:{gateway_port}", urls, secret, database, monolith.describe())


def _one_database_for_shadows(table: Table) -> None:
    writes = [m for m in table.settings["shadow_methods"] if m not in SAFE_METHODS]
    if writes:  # the table allows them only with services_database = "separate", which `up` never gives
        raise UserError(f'{table.path}: gateway.shadow_methods has {writes[0]}, but \'gateway up\' runs every service on '
                        "the monolith's database: each mirrored request would write a second time",
                        f"remove {', '.join(writes)} from shadow_methods to run 'gateway up', or use 'gateway serve' "
                        "with services that have their own database")


def plan_services(plan: Path) -> list[str] | None:
    """The plan's service names (None without a plan: 'gateway serve' can run without one)."""
    if not plan.exists():
        return None
    from decompose.planning.planfile import load_document, parse

    return [s.name for s in parse(load_document(plan), plan)[0].services]


def _gateway(table_path: Path, port: int, urls: dict[str, str], contracts: Path, plan: Path, scratch: Path,
             record: Path | None, env: dict[str, str]) -> Upstream:
    services = sorted(set(urls) - {MONOLITH})
    return Upstream("gateway", [sys.executable, "-m", "decompose", "gateway", "serve", "-q", "--routes", str(table_path.resolve()),
                                "--port", str(port), "--monolith", urls[MONOLITH], *[f"--service-url={n}={urls[n]}" for n in services],
                                "--contracts", str(contracts.resolve()), "--plan", str(plan.resolve()),
                                "--shadow-log", str((scratch / SHADOW_LOG.name).resolve()),
                                *(["--record", str(record.resolve())] if record else [])],
                    Path.cwd(), port, env)


def database_keys(services: Path) -> tuple[str, ...]:
    """The environment variables the generated services read that name a database (DATABASE_URL,
    SHOP_DB_URL, PG_DSN, ...), from the generation report."""
    return tuple(sorted(k for k in service_environment(services) if DATABASE_NAME.search(k)))


def shared_database(keys: tuple[str, ...], url: str | None, env: dict[str, str], services: Path,
                    left_to_world: bool = False) -> dict[str, str]:
    """One database for the monolith and every service: each key gets `url`, or the value the environment
    (or the contract world) gives it, made absolute. A value left to each process's own default would give
    the services another database than the monolith's, a file inside their deployable folders.
    left_to_world: a key nothing sets is left unset (the contract world's app configuration names the
    database, and its in-memory SQLite is one file per scenario for every process: appcall)."""
    if url and not keys:
        raise UserError(f"--database-url: no generated service in {services} reads a database variable",
                        "name the variable the monolith reads its database from with --database-env NAME")
    found = {}
    for key in keys:
        value = url or env.get(key)
        if not value and left_to_world:
            continue
        if not value:
            raise UserError(f"{key} is not set: the monolith and each service would fall back on their own default "
                            "database, resolved against their own folders (the services' inside services/)",
                            f"name one database for all with --database-url URL (e.g. sqlite:////abs/path/dev.db), or export {key}")
        found[key] = _absolute(key, value, services)
    return found


def _absolute(key: str, value: str, services: Path) -> str:
    """A SQLite URL with an absolute path (relative ones are resolved against the current folder, once);
    in-memory databases and files inside the services' folder are refused."""
    sqlite = SQLITE.match(value)
    if not sqlite:
        return value  # a server database (postgresql://, mysql://...): the same for every process already
    scheme, rest = sqlite.groups()
    path, sep, query = rest.partition("?")
    if path in ("", ":memory:") or "mode=memory" in query:
        raise UserError(f"{key}={value}: an in-memory database cannot be shared between processes",
                        "use a file: --database-url sqlite:////abs/path/dev.db")
    if not value.startswith(f"{scheme}:///"):
        raise UserError(f"{key}={value}: not a SQLite URL", "write sqlite:////abs/path/dev.db")
    absolute = (Path.cwd() / path).resolve() if not path.startswith("/") else Path(path).resolve()
    if absolute.is_relative_to(services.resolve()):
        raise UserError(f"{key}={value}: the database {absolute} is inside {services}, which is deployed",
                        "put it outside the services folder, e.g. --database-url sqlite:////abs/path/dev.db")
    return f"{scheme}:///{absolute}{sep}{query}"


@dataclass
class Written:
    path: Path
    document: dict[str, Any]
    budgets: dict[str, Budget]
    baseline: bool  # the monolith's recorded latencies were found (latency alarms)


def budgets(table: Table, plan: Path, latency: Path) -> tuple[dict[str, Budget], bool]:
    """Each route's SLA budget as `contracts verify` judges it: latency from the monolith's recorded p95
    (None without a recording) and the plan's error budget."""
    settings = contract_settings(plan)
    baseline = read_baseline(latency) or {}
    found = {}
    for route in table.entries:
        p95 = (baseline.get(route) or {}).get("p95_ms")
        why = (f"(the monolith's p95 {p95:g} ms x {settings.latency_factor:g} + {settings.latency_allowance_ms:g} ms)"
               if p95 is not None else "")
        found[route] = Budget(settings.budget_ms(p95) if p95 is not None else None, settings.error_budget, why)
    return found, bool(baseline)


def write_template(table: Table, plan: Path, latency: Path, out: Path, name: str, alarms: bool = True) -> Written:
    """The CloudFormation template for the table, written to `out` (a file this command wrote before, or a new one)."""
    if out.exists() and not out.read_text(encoding="utf-8", errors="replace").startswith(HEADER):
        raise UserError(f"{out} exists and was not written by 'decompose gateway template'",
                        "choose another file with --out, or move it aside")
    found, baseline = budgets(table, plan, latency) if alarms else ({}, False)
    document = template(table, found, name)
    add_static(document, cloudfront_folders(plan))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dump(document), encoding="utf-8")
    return Written(out, document, found, baseline)
