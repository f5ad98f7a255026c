"""One definition of a valid plan (decompose/planning/validity.py): `plan` writes only valid plans, and over
randomly perturbed plans of the zoo's Flask and FastAPI monoliths, `plan --check` reports a problem
exactly when `generate` refuses the plan."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decompose.errors import UserError
from decompose.generation.api import generate
from decompose.planning.api import load, propose_plan, review
from decompose.planning.constraints import Constraints
from decompose.planning.plan import Settings
from decompose.planning.planfile import load_document, render
from tests.helpers import run_in

ZOO = Path(__file__).resolve().parents[1] / "zoo" / "apps"
APPS = ("app_package_named_app", "blueprint_attribute_chains", "fastapi_nested_prefix_settings", "model_alias_custom_base")


@pytest.fixture(scope="module", params=APPS)
def planned(request, tmp_path_factory):
    """(workspace, the plan decompose proposed, its file) for one zoo app, analysed where it lies."""
    where = tmp_path_factory.mktemp(request.param)
    run_in(where, ["analyze", str(ZOO / request.param), "-q"])
    ws = load(where / ".decompose" / "analysis.json")
    proposal = propose_plan(ws, Settings(), Constraints())
    plan_path = where / "decompose.toml"
    plan_path.write_text(proposal.text)
    return ws, proposal.plan, plan_path


@pytest.fixture(autouse=True)
def _in_root(planned, monkeypatch):
    monkeypatch.chdir(planned[2].parent)  # the analysis names its root relative to where analyze ran


def _errors(ws, path: Path) -> list:
    return [p for p in review(ws, load_document(path), path).problems if not p.unplaced]


def _refused(ws, path: Path, out: Path) -> bool:
    try:
        generate(ws.analysis_path, path, out)
    except UserError:
        return True
    return False


def test_plan_writes_a_plan_check_and_generate_accept(planned, tmp_path):
    ws, _, path = planned
    assert _errors(ws, path) == []
    assert not _refused(ws, path, tmp_path / "services")


def test_every_proposed_service_owns_a_route(planned):
    _, plan, _ = planned
    assert plan.services and all(s.routes for s in plan.services), [s.name for s in plan.services]


@st.composite
def perturbations(draw, plan):
    """A few moves: a module or symbol of a service to [shared] or to another service."""
    names = [s.name for s in plan.services] + ["shared"]
    moves = []
    for _ in range(draw(st.integers(1, 3))):
        service = draw(st.sampled_from(plan.services)) if plan.services else plan.shared
        field = draw(st.sampled_from(["modules", "symbols"]))
        entries = getattr(service, field)
        if not entries:
            continue
        moves.append((service.name, field, draw(st.integers(0, len(entries) - 1)), draw(st.sampled_from(names))))
    return moves


def _apply(plan, moves):
    plan = copy.deepcopy(plan)
    by_name = {s.name: s for s in (*plan.services, plan.shared)}
    for source, field, index, target in moves:
        entries = getattr(by_name[source], field)
        if index < len(entries) and target != source:
            getattr(by_name[target], field).append(entries.pop(index))
    return plan


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_check_reports_a_problem_exactly_when_generate_refuses(planned, tmp_path_factory, data):
    ws, plan, path = planned
    moved = _apply(plan, data.draw(perturbations(plan)))
    target = tmp_path_factory.mktemp("perturbed") / "decompose.toml"
    target.write_text(render(moved, ws.root, lambda e: "", []))
    assert bool(_errors(ws, target)) == _refused(ws, target, target.parent / "services")
