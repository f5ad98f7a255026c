"""Which hazards in a request path have no decision in [remediate], and which decisions name
nothing the analysis still finds: what `decompose check` reports (errors and warnings)."""

from __future__ import annotations

from dataclasses import dataclass

from decompose.analysis.model import HazardOut
from decompose.remediation.model import STATIC, Decision, propose


@dataclass(frozen=True)
class Finding:
    level: str  # error: a hazard without a decision | warning: a decision for no hazard
    kind: str
    target: str
    path: str
    line: int
    message: str


def audit(hazards: list[HazardOut], static_dirs: list[str], decisions: tuple[Decision, ...]) -> list[Finding]:
    decided = {(d.kind, d.target) for d in decisions}
    wanted = {(d.kind, d.target) for d in propose(hazards, static_dirs)}
    where = _first_locations(hazards)
    found = []
    for kind, target in sorted(wanted - decided):
        path, line = where.get((kind, target), (target, 0))
        found.append(Finding("error", kind, target, path, line,
                             f"{target}: {kind} in a request path has no decision in [remediate] "
                             f"(run 'decompose plan' to propose one, or write it; docs/remediation.md)"))
    for kind, target in sorted(decided - wanted):
        what = "static folder" if kind == STATIC else f"{kind} hazard in a request path"
        found.append(Finding("warning", kind, target, target, 0,
                             f"{target}: [remediate.{kind}] names no {what} any more; remove the line"))
    return found


def _first_locations(hazards: list[HazardOut]) -> dict[tuple[str, str], tuple[str, int]]:
    where: dict[tuple[str, str], tuple[str, int]] = {}
    for h in sorted(hazards, key=lambda h: (h.path, h.line)):
        where.setdefault((h.kind, h.symbol), (h.path, h.line))
    return where


def violations(hazards: list[HazardOut], static_dirs: list[str], decisions: tuple[Decision, ...]) -> list:
    """The findings as `decompose check` violations (rule "remediation"), next to the boundary ones."""
    from decompose.analysis.model import Location
    from decompose.planning.check import Violation

    return [Violation("remediation", f.level, f.target, "", f.kind, f.message,
                      (Location(f.path, f.line),) if f.line else ())
            for f in audit(hazards, static_dirs, decisions)]
