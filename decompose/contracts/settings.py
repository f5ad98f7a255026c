"""The plan's `[contracts]` table: the world a contract is replayed in, and the budgets it is held to.

    [contracts]
    app = "shop.app:create_app"       # the monolith's WSGI/ASGI app, or a factory of one (target "monolith")
    reset = ["shop.cache:clear"]      # called before every scenario, in every process that has the module
    latency_factor = 3.0              # a route's p95 budget: the monolith's recorded p95 x factor + allowance
    latency_allowance_ms = 50.0       #   per network hop: the request's, and one per internal or AWS call it made
    error_budget = 0.0                # share of a route's exchanges allowed to fail in transport or with a new 5xx
    ignore = ["$.server_time", "GET /api/cart $.items[*].added_at"]   # fields never compared (all routes, or one)

    [contracts.env]                   # set before every scenario; {scratch} is a fresh folder per scenario
    SHOP_DATABASE_URL = "sqlite:///{scratch}/shop.db"

Every scenario starts from a fresh system, as every test of the monolith's suite did: a new
{scratch} folder, the env above, the reset hooks, and a new app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from decompose.errors import UserError
from decompose.planning.planfile import load_document

KEYS = ("app", "reset", "env", "latency_factor", "latency_allowance_ms", "error_budget", "ignore")
FIX = "see docs/contracts.md#the-contracts-table"


def hops(internal_calls: float | None) -> float:
    """The network hops a request pays for: the caller's to the service, plus one per internal or AWS call."""
    return 1 + (internal_calls or 0)


@dataclass(frozen=True)
class Settings:
    app: str | None = None
    reset: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    latency_factor: float = 3.0
    latency_allowance_ms: float = 50.0
    error_budget: float = 0.0
    ignore: tuple[str, ...] = ()

    def budget_ms(self, p95_ms: float, internal_calls: float | None = None) -> float:
        """A route's latency budget from the monolith's p95: p95 x factor + one allowance per network hop,
        the request's own and one per internal or AWS call it made (the route's medians, when they were counted)."""
        return round(p95_ms * self.latency_factor + self.latency_allowance_ms * hops(internal_calls), 1)

    def ignored(self, route: str) -> set[str]:
        """The ignore patterns that apply to one route ("METHOD /template")."""
        found = set()
        for entry in self.ignore:
            parts = entry.rsplit(" ", 1)
            if len(parts) == 1:
                found.add(entry)
            elif parts[0] == route:
                found.add(parts[1])
        return found


def read(plan: Path) -> Settings:
    """The plan's [contracts] table (defaults when it has none); a UserError naming a bad field."""
    table = load_document(plan).unwrap().get("contracts", {})
    if not isinstance(table, dict):
        raise UserError(f"{plan}: contracts must be a table", f"write it as [contracts]; {FIX}")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise UserError(f"{plan}: contracts.{unknown[0]}: unknown field", f"use: {', '.join(KEYS)}; {FIX}")
    return Settings(
        app=_text(table, "app", plan),
        reset=tuple(_texts(table, "reset", plan, spec=True)),
        env={k: str(v) for k, v in _table(table, "env", plan).items()},
        latency_factor=_number(table, "latency_factor", 3.0, plan),
        latency_allowance_ms=_number(table, "latency_allowance_ms", 50.0, plan),
        error_budget=_number(table, "error_budget", 0.0, plan, most=1.0),
        ignore=tuple(_texts(table, "ignore", plan)),
    )


def _text(table: dict[str, Any], key: str, plan: Path) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or ":" not in value:
        raise UserError(f"{plan}: contracts.{key}: {value!r} is not 'module:attribute'",
                        f'write it as {key} = "package.module:name"; {FIX}')
    return value


def _texts(table: dict[str, Any], key: str, plan: Path, spec: bool = False) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UserError(f"{plan}: contracts.{key}: must be a list of strings", f"{FIX}")
    for item in value:
        if spec and ":" not in item:
            raise UserError(f"{plan}: contracts.{key}: {item!r} is not 'module:function'", f"{FIX}")
    return value


def _table(table: dict[str, Any], key: str, plan: Path) -> dict[str, Any]:
    value = table.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(v, (str, int, float, bool)) for v in value.values()):
        raise UserError(f"{plan}: contracts.{key}: must be a table of names to values",
                        f'write it as [contracts.{key}] with NAME = "value" lines; {FIX}')
    return value


def _number(table: dict[str, Any], key: str, default: float, plan: Path, most: float | None = None) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (most is not None and value > most):
        bound = f"between 0 and {most}" if most is not None else "zero or more"
        raise UserError(f"{plan}: contracts.{key}: {value!r} must be a number {bound}", f"{FIX}")
    return float(value)
