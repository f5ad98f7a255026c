"""What the last `contracts verify` found, per service, kept for `report` and `plan --waves`.

    keep(path, target, results)      # after a verify: each service's routes within contract, by target kind
    status(path, services)           # {service: "passed" | "failed"}: its contract against its own service
    document = read(path)            # read once, then judged twice (the report's cards and its statuses):
    status_of(document, services); summary_of(document, services)

.decompose/verdicts.json holds the last verdict of each service against each kind of target:
"monolith" (the contract held by the monolith itself: its calibration), "services" (by the generated
services: --target services or service:NAME) and "url" (a running system named by its URL). A verify
of some services (--only, service:NAME) replaces only theirs. No time or machine detail is kept:
the same verdicts give the same file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from decompose.artefacts import VERDICTS, read_json

VERDICTS_PATH = Path(".decompose/verdicts.json")


def target_kind(target: str) -> str:
    if target == "monolith":
        return "monolith"
    if target == "services" or target.startswith("service:"):
        return "services"
    return "url"


def per_service(results: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Routes and scenarios verified and passed, per service, from a Verifier's results."""
    found: dict[str, dict[str, int]] = {}
    for route in results.get("routes", []):
        row = found.setdefault(route["service"], _empty())
        row["routes"] += 1
        row["routes_passed"] += bool(route["passed"])
    for scenario in results.get("scenarios", []):
        row = found.setdefault(scenario["service"], _empty())
        row["scenarios"] += 1
        row["scenarios_passed"] += bool(scenario["passed"])
    return found


def _empty() -> dict[str, int]:
    return {"routes": 0, "routes_passed": 0, "scenarios": 0, "scenarios_passed": 0}


def keep(path: Path, target: str, results: dict[str, Any]) -> None:
    """Merge this run's verdicts into `path` (written whole, then moved into place)."""
    document = read(path)
    document["against"].setdefault(target_kind(target), {}).update(per_service(results))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read(path: Path) -> dict[str, Any]:
    """The verdicts kept so far (none yet: an empty document); a damaged file is a UserError."""
    if not path.exists():
        return {"schema_version": VERDICTS.version, "against": {}}
    return read_json(path, VERDICTS)


def verdict(row: dict[str, int]) -> str | None:
    """"passed" when every route verified kept its contract, "failed" when one did, None when none was judged."""
    if not row["routes"]:
        return None
    return "passed" if row["routes_passed"] == row["routes"] else "failed"


def status(path: Path, services: list[str]) -> dict[str, str]:
    """Each service's contract against its generated service (what a migration waits on)."""
    return status_of(read(path), services)


def status_of(document: dict[str, Any], services: list[str]) -> dict[str, str]:
    against = document["against"].get("services", {})
    found = {name: verdict(against[name]) for name in services if name in against}
    return {name: v for name, v in found.items() if v is not None}


def summary(path: Path, services: list[str]) -> dict[str, str]:
    """One line per service for the report's cards: every kind of target it was verified against."""
    return summary_of(read(path), services)


def summary_of(document: dict[str, Any], services: list[str]) -> dict[str, str]:
    against = document["against"]
    lines: dict[str, str] = {}
    for name in services:
        parts = [f"{_word(verdict(rows[name]))} against the {_target_words(kind)}: {rows[name]['routes_passed']}/"
                 f"{rows[name]['routes']} routes within contract, {rows[name]['scenarios_passed']}/{rows[name]['scenarios']} scenarios"
                 for kind, rows in sorted(against.items(), key=lambda item: _ORDER.index(item[0]))
                 if name in rows and rows[name]["routes"]]
        if parts:
            lines[name] = "; ".join(parts)
    return lines


_ORDER = ("services", "monolith", "url")


def _word(found: str | None) -> str:
    return "passed" if found == "passed" else "FAILED"


def _target_words(kind: str) -> str:
    return {"services": "generated service", "monolith": "monolith", "url": "URL target"}[kind]
