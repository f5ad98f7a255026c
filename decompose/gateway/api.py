"""What the CLI calls for `decompose gateway ...`: the route table from the analysis and the plan,
mode changes, the status view with shadow diff rates, and the local gateway server.

    synced = init(analysis, plan, Path("routes.toml"))      # create, or update keeping modes
    rows = status(read(Path("routes.toml")), Path(".decompose/shadow.jsonl"))
    serve(table, urls, port=8080, shadow_log=..., contracts=Path("contracts"))
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from decompose.contracts.replay import matcher
from decompose.errors import UserError
from decompose.gateway.table import MONOLITH, Synced, Table, sync
from decompose.planning.api import load, sound_plan


def routes_of(analysis: Path, plan: Path) -> dict[str, str]:
    """Every served route of the monolith ("METHOD /template") -> its planned owner, or "monolith"."""
    ws = load(analysis)
    owners = {route: service.name for service in sound_plan(ws, plan).plan.services for route in service.routes}
    found = {}
    for route in ws.analysis.routes:
        if route.mounted:
            for method in route.methods:
                key = f"{method} {route.template}"
                found[key] = owners.get(key, MONOLITH)
    if not found:
        raise UserError(f"{analysis}: the analysis found no HTTP route", "a gateway routes HTTP routes; check 'decompose analyze'")
    return found


def init(analysis: Path, plan: Path, path: Path) -> Synced:
    return sync(path, routes_of(analysis, plan))


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


def noise_from(contracts: Path | None, ignore: tuple[str, ...] = ()) -> dict[str, Callable[[str], bool]]:
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
    everywhere = {p for p in ignore if " " not in p}
    per_route: dict[str, set[str]] = {}
    for pattern in ignore:
        if " " in pattern:
            route, where = pattern.rsplit(" ", 1)
            per_route.setdefault(route, set()).add(where)
    noise = {route: matcher(set(), volatile.get(route, set()) | everywhere | per_route.get(route, set()))
             for route in volatile.keys() | per_route.keys()}
    noise["*"] = matcher(set(), everywhere)  # routes no contract covers
    return noise


def owners_with_traffic(table: Table) -> list[str]:
    return sorted({e.owner for e in table.entries.values() if e.mode.kind != MONOLITH})


def serve(table: Table, urls: dict[str, str], port: int, shadow_log: Path, noise: dict[str, Callable[[str], bool]],
          quiet: bool = False) -> None:
    """The gateway under uvicorn on 127.0.0.1:port, until interrupted."""
    import uvicorn

    from decompose.gateway.proxy import Gateway

    gateway = Gateway(table, urls, shadow_log=shadow_log, noise=noise)
    uvicorn.run(gateway, host="127.0.0.1", port=port, log_level="warning" if quiet else "info",
                access_log=not quiet, lifespan="on")
