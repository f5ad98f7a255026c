"""What `decompose report` calls: analysis.json (+ the plan, when there is one) -> the report's data.

    report_data(analysis_path, plan_path)  -> dict for html.render / mermaid.services_graph
Errors a user can fix are UserErrors; nothing here prints or writes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from decompose.contracts.verdicts import VERDICTS_PATH, read, status_of, summary_of
from decompose.planning.api import Workspace, baseline_scores, load, review_scores, sound_plan
from decompose.planning.scoring import per_service
from decompose.report.model import PlanView, build

REASON = re.compile(r'^\s*"([^"]+)",?\s*#\s*(.+?)\s*$')


def report_data(analysis_path: Path, plan_path: Path | None) -> dict[str, Any]:
    ws = load(analysis_path, plan=plan_path)
    plan = plan_view(ws, plan_path) if plan_path is not None else None
    return build(ws.analysis, plan)


def plan_view(ws: Workspace, path: Path) -> PlanView:
    found = sound_plan(ws, path)
    figures = per_service(ws.graph, found.homes)
    services, names = [], [service.name for service in found.plan.services]
    verdicts = read(path.parent / VERDICTS_PATH)  # once: the cards and the statuses judge the same file
    for service in found.plan.services:
        f = figures.get(service.name)
        services.append({"name": service.name, "routes": list(service.routes), "tables": list(service.tables),
                         "interface": len(service.interface), "elements": f.elements if f else 0,
                         "cohesion": f.cohesion if f else 0.0})
    return PlanView(homes=dict(found.homes), reasons=reasons(path.read_text(encoding="utf-8")), services=services,
                    scores=review_scores(ws, found), baseline=baseline_scores(ws, found.plan.settings),
                    path=path.name, manual=manual_steps(path.parent / "services" / "generation.json"),
                    contracts=contract_status(path.parent / "contracts", names, verdicts),
                    verdicts=status_of(verdicts, names))


def manual_steps(report: Path) -> dict[str, list[str]]:
    """The manual work `decompose generate` listed per service (its generation.json), if it ran here."""
    try:
        found = json.loads(report.read_text(encoding="utf-8"))
        return {s["name"]: [str(step) for step in s["manual"]] for s in found["services"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def contract_status(folder: Path, services: list[str], verdicts: dict[str, Any]) -> dict[str, str]:
    """Each service's contract as far as we know: the verdicts of the last 'decompose contracts verify'
    (`verdicts`, .decompose/verdicts.json as read), else "recorded" when contracts/<service>.json exists."""
    recorded = {name: "recorded" for name in services if (folder / f"{name}.json").is_file()}
    return {**recorded, **summary_of(verdicts, services)}


def reasons(plan_text: str) -> dict[str, str]:
    """The comment beside each element in the plan file: why decompose put it there (or your note)."""
    found = {}
    for line in plan_text.splitlines():
        match = REASON.match(line)
        if match:
            found[match.group(1)] = match.group(2)
    return found
