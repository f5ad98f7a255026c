"""One definition of a valid plan (decompose/planning/validity.py): `plan` writes only valid plans, also under
a pin the user wrote, and over randomly perturbed plans of the zoo's Flask, FastAPI and Django monoliths
(modules and symbols moved between services, into and out of [shared], modules split), `plan --check`
reports a problem exactly when `generate` refuses the plan. Each app is analysed once; every `generate`
of an app reads its modules from one `Sources` (parsed once, as `plan --converge` does)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decompose.errors import UserError
from decompose.generation.api import generate, sources_of
from decompose.planning.api import load, propose_plan, review
from decompose.planning.constraints import Constraints
from decompose.planning.plan import Settings
from decompose.planning.planfile import load_document, render
from tests.helpers import run_in

ZOO = Path(__file__).resolve().parents[1] / "zoo" / "apps"
APPS = ("app_package_named_app", "blueprint_attribute_chains", "django_ninja_string_routers", "drf_routers_viewsets",
        "fastapi_nested_prefix_settings", "model_alias_custom_base")


@pytest.fixture(scope="module", params=APPS)
def planned(request, tmp_path_factory):
    """(workspace, the plan decompose proposed, its file, the app's parsed modules) for one zoo app,
    analysed where it lies."""
    where = tmp_path_factory.mktemp(request.param)
    run_in(where, ["analyze", str(ZOO / request.param), "-q"])
    ws = load(where / ".decompose" / "analysis.json")
    proposal = propose_plan(ws, Settings(), Constraints())
    plan_path = where / "decompose.toml"
    plan_path.write_text(proposal.text)
    return ws, proposal.plan, plan_path, sources_of(ws)


@pytest.fixture(autouse=True)
def _in_root(planned, monkeypatch):
    monkeypatch.chdir(planned[2].parent)  # the analysis names its root relative to where analyze ran


def _errors(ws, path: Path) -> list:
    return [p for p in review(ws, load_document(path), path).problems if not p.unplaced]


def _refused(ws, path: Path, out: Path, sources) -> str:
    """generate's own answer: the first line of the UserError it raises, or "" when it generates."""
    try:
        generate(ws.analysis_path, path, out, sources=sources)
    except UserError as error:
        return str(error).splitlines()[0] or "refused"
    return ""


def _verdicts(ws, path: Path, sources) -> tuple[list, str]:
    return _errors(ws, path), _refused(ws, path, path.parent / "services", sources)


def test_plan_writes_a_plan_check_and_generate_accept(planned):
    ws, _, path, sources = planned
    assert _verdicts(ws, path, sources) == ([], "")


def test_every_proposed_service_owns_a_route(planned):
    plan = planned[1]
    assert plan.services and all(s.routes for s in plan.services), [s.name for s in plan.services]


def _sections(plan) -> list:
    return [*plan.services, plan.shared]


@st.composite
def perturbations(draw, plan):
    """A few moves, each (kind, section, index, target section[, member]): a module or symbol of a service
    or of [shared] to another service or to [shared], or one symbol of a module split off to another."""
    names = [s.name for s in _sections(plan)]
    moves = []
    for _ in range(draw(st.integers(1, 3))):
        section = draw(st.sampled_from(_sections(plan)))
        kind = draw(st.sampled_from(["modules", "symbols", "split"]))
        entries = getattr(section, "modules" if kind == "split" else kind)
        if entries:
            moves.append((kind, section.name, draw(st.integers(0, len(entries) - 1)), draw(st.sampled_from(names)),
                          draw(st.integers(0, 50))))
    return moves


def _apply(plan, moves, graph):
    plan = copy.deepcopy(plan)
    by_name = {s.name: s for s in _sections(plan)}
    for kind, source, index, target, member in moves:
        field = "modules" if kind == "split" else kind
        entries = getattr(by_name[source], field)
        if index >= len(entries) or target == source:
            continue
        if kind != "split":
            getattr(by_name[target], field).append(entries.pop(index))
            continue
        symbols = graph.members[entries[index]][1:]  # the module's own symbols (its first member is itself)
        if symbols:
            entries.pop(index)
            moved = symbols[member % len(symbols)]
            by_name[source].symbols.extend(s for s in symbols if s != moved)
            by_name[target].symbols.append(moved)
    return plan


@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_check_reports_a_problem_exactly_when_generate_refuses(planned, tmp_path_factory, data):
    ws, plan, _, sources = planned
    moved = _apply(plan, data.draw(perturbations(plan)), ws.graph)
    target = tmp_path_factory.mktemp("perturbed") / "decompose.toml"
    target.write_text(render(moved, ws.root, lambda e: "", []))
    errors, refused = _verdicts(ws, target, sources)
    assert bool(errors) == bool(refused), (errors[:1], refused)


@settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_plan_written_under_a_pin_is_one_check_and_generate_accept(planned, tmp_path_factory, data):
    """A user pins a module or symbol to a service or to [shared] and plans again: the plan written
    honours the pin where it can, and both `plan --check` and `generate` accept it."""
    ws, plan, _, sources = planned
    names = sorted(e for e in ws.graph.elements if not e.startswith("table:"))
    pin = {data.draw(st.sampled_from(names)): data.draw(st.sampled_from([s.name for s in _sections(plan)]))}
    proposal = propose_plan(ws, Settings(), Constraints(pins=pin))
    target = tmp_path_factory.mktemp("pinned") / "decompose.toml"
    target.write_text(proposal.text)
    assert _verdicts(ws, target, sources) == ([], ""), pin
