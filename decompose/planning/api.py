"""What the CLI calls: analysis.json -> plan (+ scores); plan file -> problems, scores, explanations.

    load(analysis.json)            -> Workspace (element graph, weights)
    propose_plan(workspace, ...)   -> Proposal (plan, TOML text, scores vs the baseline)
    review(workspace, document)    -> Review (problems per field, placement of the plan as written)
    review_scores(workspace, review) -> the metrics of the plan as written

Nothing here prints or exits; errors a user can fix are UserErrors.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import tomlkit

from decompose.analysis.model import Analysis
from decompose.analysis.serialize import read
from decompose.errors import UserError
from decompose.planning.constraints import SHARED, Constraints, Unhonoured
from decompose.planning.elements import ElementGraph, element_graph
from decompose.planning.naming import name_communities
from decompose.planning.groundtruth import ground_truth_partition, read_ground_truth
from decompose.planning.ownership import dissolve_ownerless
from decompose.planning import pathpins
from decompose.planning.plan import Plan, Problem, Settings, placement_of, roll_up
from decompose.planning.planfile import fingerprint, load_document, parse, render
from decompose.planning.planner import Placement, PlanOptions, propose
from decompose.planning.scoring import per_service, score
from decompose.planning.scripts import scripts
from decompose.planning.sourcefacts import SourceFacts, read_facts
from decompose.planning.validity import problems as validity_problems
from decompose.planning.validity import repair
from decompose.planning.strategies import STRATEGIES
from decompose.planning.weights import Weights, load_weights
from decompose.remediation import model as remediation


MAX_SETTLING = 5  # dissolve ownerless services, repair again: each round only moves code toward the layer


@dataclass(frozen=True)
class Workspace:
    graph: ElementGraph
    weights: Weights
    root: str
    analysis_path: Path
    analysis: Analysis  # as read: later stages (generate) need more of it than the element graph
    _facts: dict = field(default_factory=dict, compare=False, repr=False)

    def facts(self, root: Path | None = None) -> SourceFacts:
        """What the source says beyond the analysis (import-time lines, app builders), read once per root."""
        key = str(root or self.root)
        if key not in self._facts:
            self._facts[key] = read_facts(self.graph, Path(key))
        return self._facts[key]


def load(analysis_path: Path, config: Path | None = None, plan: Path | None = None) -> Workspace:
    """analysis.json as the plan at `plan` sees it: its [paths] pins applied to the route templates."""
    analysis = pathpins.pinned(read(analysis_path), pathpins.read_file(plan))
    if config is None:
        candidates = [Path("pyproject.toml"), Path(analysis.root) / "pyproject.toml"]
        config = next((c for c in candidates if c.is_file() and "[tool.decompose" in c.read_text(errors="replace")), None)
    graph = element_graph(analysis, scripts(analysis, Path(analysis.root)))
    return Workspace(graph, load_weights(config), analysis.root, analysis_path, analysis)


@dataclass(frozen=True)
class Proposal:
    plan: Plan
    text: str
    scores: dict[str, Any]
    baseline: dict[str, Any]
    unhonoured: list[Unhonoured]


def propose_plan(ws: Workspace, settings: Settings, constraints: Constraints,
                 previous: tomlkit.TOMLDocument | None = None, ground_truth: Path | None = None) -> Proposal:
    if settings.strategy not in STRATEGIES:
        raise UserError(f"unknown strategy {settings.strategy!r}", f"use one of: {', '.join(sorted(STRATEGIES))}")
    options = PlanOptions(settings.strategy, settings.resolution, settings.seed, settings.services, ws.weights,
                          constraints=constraints, facts=ws.facts())
    placement = _proposed(ws, options, set(constraints.pins.values()))
    plan = roll_up(ws.graph, placement, constraints, settings)
    homes, _ = placement_of(plan, ws.graph)
    truth = _truth(ws, ground_truth)
    scores = score(ws.graph, homes, truth)
    baseline = baseline_scores(ws, settings, truth)
    _describe(ws, plan, homes)
    summary = [f"Scores ({settings.strategy}, baseline in brackets): " + score_line(scores, baseline)]
    text = render(plan, ws.root, lambda e: plan.reasons.get(e, ""), summary, previous, proposed_remediations(ws),
                  pathpins.route_ids(ws.analysis.routes))
    return Proposal(plan, text, scores, baseline, placement.unhonoured)


def proposed_remediations(ws: Workspace) -> list[remediation.Decision]:
    """[remediate]'s proposals: a decision per hazard in a request path and per static folder."""
    registries = remediation.code_registries(Path(ws.root), ws.analysis.hazards)
    return remediation.propose(ws.analysis.hazards, static_folders(ws), registries)


def static_folders(ws: Workspace, root: Path | None = None) -> list[str]:
    return remediation.static_dirs(Path(root or ws.root), [m.path for m in ws.analysis.modules if m.role == "app"])


def _proposed(ws: Workspace, options: PlanOptions, pinned: set[str]) -> Placement:
    """Propose and repair; with `--services K`, aim higher while the repair (services owning no
    route dissolved) leaves fewer than K, and when no aim gives K services owning a route (K above
    the number of route families), keep the route-less ones: the user asked for K."""
    target = options.services
    placement = _repaired(ws, propose(ws.graph, options), pinned)
    aim = target
    for _ in range(4):
        missing = target - len(placement.services)
        if not target or missing <= 0:
            break
        aim += missing
        placement = _repaired(ws, propose(ws.graph, replace(options, services=aim)), pinned)
    if target and len(placement.services) < target:  # more services than route families: the user asked
        raw = propose(ws.graph, options)
        placement = _repaired(ws, raw, pinned | set(raw.services))
    unhonoured = [u for u in placement.unhonoured if not u.constraint.startswith("--services")]
    if target and len(placement.services) != target:
        unhonoured.append(Unhonoured(f"--services {target}", f"found {len(placement.services)}: no finer split "
                                     "gives each service a route"))
    return replace(placement, unhonoured=unhonoured)


def _repaired(ws: Workspace, placement: Placement, pinned: set[str] = frozenset()) -> Placement:
    """The proposal made valid (validity.py): `plan` never writes a plan that generate would refuse;
    then no service owns nothing (ownership.py) unless the user pinned code to it."""
    homes = {**placement.partition(), **{e: SHARED for e in placement.shared}}
    homes, moved = repair(ws.graph, ws.facts(), homes)
    for _ in range(MAX_SETTLING):
        settled, dissolved = dissolve_ownerless(ws.graph, homes, pinned)
        if settled == homes:
            break
        homes, again = repair(ws.graph, ws.facts(), settled)
        moved = {**again, **dissolved, **moved}
    services: dict[str, set[str]] = {name: set() for name in placement.services}
    for element, home in homes.items():
        if home != SHARED:
            services[home].add(element)
    shared = {e: placement.shared.get(e) or moved.get(e, "shared") for e, h in homes.items() if h == SHARED}
    return Placement(_renamed(ws.graph, {n: s for n, s in services.items() if s}, pinned), dict(sorted(shared.items())),
                     placement.unhonoured, placement.strategy)


def _renamed(graph: ElementGraph, services: dict[str, set[str]], pinned: set[str]) -> dict[str, set[str]]:
    """Names again after the repair: a service named before it lost its helpers to the layer or
    adopted a dissolved service's tables is named after what it owns now (naming.py)."""
    free = [(name, elements) for name, elements in sorted(services.items()) if name not in pinned]
    names = name_communities(graph, [elements for _, elements in free], set(pinned) | {SHARED})
    return dict(sorted({**{n: services[n] for n in services if n in pinned},
                        **{new: elements for new, (_, elements) in zip(names, free, strict=True)}}.items()))


def baseline_scores(ws: Workspace, settings: Settings, truth: dict[str, str] | None = None) -> dict[str, Any]:
    """The scores of the naive baseline (Louvain on module imports, no constraints) for comparison."""
    options = PlanOptions("baseline", settings.resolution, settings.seed, settings.services, ws.weights)
    plan = roll_up(ws.graph, propose(ws.graph, options), Constraints(), replace(settings, strategy="baseline"))
    return score(ws.graph, placement_of(plan, ws.graph)[0], truth)


def score_line(scores: dict[str, Any], baseline: dict[str, Any]) -> str:
    parts = []
    for key, label in (("services", "services"), ("sm", "SM"), ("icp", "ICP"), ("ifn", "IFN"),
                       ("ned_python", "NED(10-400)"), ("turbomq_normalised", "MQ/K"), ("db_purity", "DB purity"), ("mojofm", "MoJoFM")):
        if scores.get(key) is not None:
            parts.append(f"{label} {scores[key]:g} ({baseline.get(key, 0):g})")
    return " · ".join(parts)


def _describe(ws: Workspace, plan: Plan, homes: dict[str, str]) -> None:
    """Comments the plan file shows: per service its figures, per entry its strongest tie."""
    figures = per_service(ws.graph, homes)
    for service in plan.services:
        f = figures.get(service.name)
        if f is not None:
            plan.reasons[f"service:{service.name}"] = (
                f"{f.elements} elements · {len(service.routes)} routes · {len(service.tables)} tables · "
                f"cohesion {f.cohesion:g} · interface {f.interface}")
    ties = _strongest_ties(ws, homes)
    for element, (other, count) in ties.items():
        plan.reasons.setdefault(element, f"strongest tie: {other} (x{count})")


def _strongest_ties(ws: Workspace, homes: dict[str, str]) -> dict[str, tuple[str, int]]:
    best: dict[str, tuple[float, str, int]] = {}
    graph = ws.graph
    for dep in graph.deps:
        for me, other in ((dep.src, dep.dst), (dep.dst, dep.src)):
            key = graph.module_of(me) if graph.elements[me].kind != "module" and _whole(graph, homes, me) else me
            if homes.get(me) != homes.get(other) or graph.module_of(other) == graph.module_of(me):
                continue
            weight = ws.weights[dep.kind] * dep.count
            if key not in best or (weight, other) > best[key][:2]:
                best[key] = (weight, other, dep.count)
    return {k: (other, count) for k, (_, other, count) in sorted(best.items())}


def _whole(graph: ElementGraph, homes: dict[str, str], element: str) -> bool:
    members = graph.members.get(graph.module_of(element), [])
    return len({homes.get(m) for m in members}) == 1


def _truth(ws: Workspace, path: Path | None) -> dict[str, str] | None:
    return None if path is None else ground_truth_partition(ws.graph, read_ground_truth(path))


@dataclass(frozen=True)
class Review:
    plan: Plan
    problems: list[Problem]
    homes: dict[str, str]
    hand_edited: bool


def review(ws: Workspace, doc: tomlkit.TOMLDocument, path: Path, root: Path | None = None) -> Review:
    """A plan document read back: the plan, its problems by field (validity.py's too), where it places
    each element. `root`: the monolith's source, when not where the analysis says."""
    plan, problems = parse(doc, path)
    facts = ws.facts(root)
    homes, placement_problems = placement_of(plan, ws.graph, facts.builder_elements())
    if not any(not p.unplaced for p in problems + placement_problems):
        placement_problems += validity_problems(ws.graph, facts, plan, homes)
    stored = doc.get("plan", {}).get("fingerprint") if isinstance(doc.get("plan"), dict) else None
    ours = stored in (fingerprint(plan), fingerprint(parse(doc, path, pin=False)[0]))  # before or after a [paths] pin
    return Review(plan, problems + placement_problems, homes, stored is not None and not ours)


def sound_plan(ws: Workspace, path: Path, root: Path | None = None) -> Review:
    """The plan file at `path`, reviewed; a UserError naming the first problem when it has any
    (code the plan does not place yet is not a problem here: `decompose check` warns about it)."""
    found = review(ws, load_document(path), path, root)
    errors = [p for p in found.problems if not p.unplaced]
    if errors:
        first = errors[0]
        raise UserError(f"{path}: {first.where}: {first.what} ({len(errors)} problem(s) in the plan)",
                        f"{first.fix}; 'decompose plan --check' lists them all")
    return found


def review_scores(ws: Workspace, found: Review, ground_truth: Path | None = None) -> dict[str, Any]:
    return score(ws.graph, found.homes, _truth(ws, ground_truth))
