"""What the CLI calls: analysis.json + decompose.toml -> rendered services -> a write plan.

    generate(analysis, plan, out)      -> Generation (files and report, and the write plan against --out)
    crossing_pairs(ws, plan, sources)  -> the [constraints] together pairs that would remove every crossing
Nothing here prints or writes; `writer.apply` writes. Errors a user can fix are UserErrors.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from decompose import serving
from decompose.analysis.model import Analysis
from decompose.contracts.settings import read as read_contracts
from decompose.generation import envfiles
from decompose.generation.crossings import Crossing, crossings, in_layer, together
from decompose.generation.layout import Sources, build_layout
from decompose.generation.model import LAYER, Layout
from decompose.generation.render import Rendered, render
from decompose.generation.settings import lambda_runtime
from decompose.generation.unplug import containers_of
from decompose.generation.locks import project_pins
from decompose.generation.writer import WritePlan, plan_writes
from decompose.interpreter import Installed, Interpreter, find, installed
from decompose.planning import pathpins
from decompose.planning.api import Workspace, load, sound_plan
from decompose.remediation import generate as remediation


@dataclass(frozen=True)
class Generation:
    rendered: Rendered
    plan: WritePlan
    monolith: Interpreter | None = None  # whose distributions pinned the requirements; the services run there


def generate(analysis_path: Path, plan_path: Path, out: Path, source: Path | None = None,
             stage: Callable[[str], None] = lambda name: None, python: Path | None = None,
             sources: Sources | None = None) -> Generation:
    """`stage` is told each stage as it starts (the CLI's progress bar). python: the monolith's
    interpreter (decompose.interpreter finds it without one); its distributions name and pin the
    services' requirements. sources: the monolith's parsed modules when the caller already holds them
    (`sources_of`: they do not depend on the plan; several plans of one analysis share them)."""
    stage("reading the analysis")
    ws = load(analysis_path, plan=plan_path)
    stage("checking the plan")
    found = sound_plan(ws, plan_path, source)
    pathpins.require_resolved(pathpins.service_routes(found.plan), "generate", str(plan_path))
    sources = sources or sources_of(ws, source)
    stage("laying out the services")
    layout = _layout(ws.analysis, found.homes, sources)
    monolith = find(python, Path("."))
    stage("rendering the services")
    dotenv = envfiles.env_files(sources)
    rendered = render(layout, sources, found.homes, plan_path.name, ws.analysis, read_contracts(plan_path),
                      None if monolith.own else _serving(_pinned(installed(monolith), plan_path.parent, sources.root),
                                                         monolith),
                      tuple(Path(os.path.relpath(path, out.resolve())).as_posix() for path in dotenv))
    envfiles.report(rendered, dotenv, sources.root)
    remediation.apply(rendered, found.plan.remediate, found.homes, layout.project, ws.analysis.hazards)
    stage("comparing with the files on disk")
    return Generation(rendered, plan_writes(out, rendered.files), monolith)


def _pinned(environment: Installed, *roots: Path) -> Installed:
    """The monolith's environment under the project's own pins: its lock or requirements files, in the
    folder of the plan (the project's root), else in the analysed folder, else above (locks.project_pins)."""
    for root in dict.fromkeys(r.resolve() for r in roots):
        found = project_pins(root)
        if found.files or found.development:
            return environment.with_pins(found.versions, tuple((root / f).as_posix() for f in found.files),
                                         found.development)
    return environment


def _serving(environment: Installed, monolith: Interpreter) -> Installed:
    """decompose's own chalice, apig-wsgi and mangum as the services get them: the versions that support the
    Python of their Lambda runtime (decompose.serving asks the monolith's pip when decompose's own do not)."""
    runtime, _ = lambda_runtime(environment.python)
    python = tuple(int(part) for part in runtime.removeprefix("python").split("."))
    found = serving.for_python(python, [str(monolith.path), "-m", "pip"])
    return replace(environment, serving=found.specs, serving_problem=found.problem)


def sources_of(ws: Workspace, source: Path | None = None) -> Sources:
    """The monolith's modules, parsed on demand; they do not depend on the plan, so one Sources
    serves every plan of a `decompose plan --converge` run."""
    return Sources.of(ws.analysis, source or Path(ws.analysis.root))


def crossing_pairs(ws: Workspace, plan_path: Path, sources: Sources) -> list[list[str]]:
    """The `together` pairs generation would suggest for this plan (stubs, split transactions),
    without rendering anything."""
    return together(crossings_of(ws, plan_path, sources))


def crossings_of(ws: Workspace, plan_path: Path, sources: Sources) -> list[Crossing]:
    """The crossings (stubs, split transactions) generation would find in this plan, without rendering
    anything: what `decompose plan --converge` removes."""
    found = sound_plan(ws, plan_path, sources.root)
    layout = _layout(ws.analysis, found.homes, sources)
    edges = crossings(ws.analysis, found.homes, layout.services, layout.layer.modules)
    return edges + _stubs_beyond(edges, layout.services) + _dynamic_imports(ws.analysis, found.homes, layout.layer.modules)


def _dynamic_imports(analysis: Analysis, homes: dict[str, str], layer) -> list[Crossing]:  # noqa: ANN001
    """`importlib.import_module("pkg.plugins.fakepay")` in code of one service, the module in another: the
    service has no copy of it (ModuleNotFoundError when called). Each is a crossing from the importing
    module's first symbol in that service: the sample's `charge`, moved to orders, loads the payment plugin."""
    homes = in_layer(homes, set(layer))
    found = []
    for edge in sorted(analysis.edges, key=lambda e: (e.src, e.dst)):
        owner = homes.get(edge.dst)
        if edge.kind != "import-dynamic" or owner in (None, LAYER):
            continue
        module = edge.src.split(":")[0]
        users = sorted({(h, e) for e, h in homes.items() if e.split(":")[0] == module and ":" in e and h not in (owner, LAYER)})
        for service in sorted({h for h, _ in users}):
            caller = edge.src if homes.get(edge.src) == service else next(e for h, e in users if h == service)
            found.append(Crossing(caller, edge.dst, "stub", service, owner))
    return found


def _stubs_beyond(edges: list[Crossing], services) -> list[Crossing]:  # noqa: ANN001
    """Stubs no edge of a service explains (used by the layer's code in the service, or by code copied
    there): each is a crossing too, from the module whose view needs it (issue #23: stubs are crossings)."""
    seen = {(c.service, c.target) for c in edges}
    found = []
    for service in services:
        for module, view in sorted(service.views.items()):
            for proxy in sorted(view.proxies.values(), key=lambda p: p.target):
                if proxy.kind == "stub" and (service.name, proxy.target) not in seen:
                    seen.add((service.name, proxy.target))
                    found.append(Crossing(module, proxy.target, "stub", service.name, proxy.owner))
    return found


def _layout(analysis: Analysis, homes: dict[str, str], sources: Sources) -> Layout:
    return build_layout(analysis, homes, sources, containers_of(sources, analysis.routes), _project_name(analysis))


def _project_name(analysis) -> str:
    tops = sorted({m.name.split(".")[0] for m in analysis.modules if m.role == "app"})
    return tops[0] if len(tops) == 1 else Path(analysis.root).resolve().name
