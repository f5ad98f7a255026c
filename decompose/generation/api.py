"""What the CLI calls: analysis.json + decompose.toml -> rendered services -> a write plan.

    generate(analysis, plan, out)  -> Generation (files and report, and the write plan against --out)
Nothing here prints or writes; `writer.apply` writes. Errors a user can fix are UserErrors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from decompose.analysis.serialize import read
from decompose.errors import UserError
from decompose.generation.layout import Sources, build_layout
from decompose.generation.render import Rendered, render
from decompose.generation.unplug import containers_of
from decompose.generation.writer import WritePlan, plan_writes
from decompose.planning.api import load, review
from decompose.planning.planfile import load_document


@dataclass(frozen=True)
class Generation:
    rendered: Rendered
    plan: WritePlan


def generate(analysis_path: Path, plan_path: Path, out: Path, source: Path | None = None) -> Generation:
    ws = load(analysis_path)
    found = review(ws, load_document(plan_path), plan_path)
    errors = [p for p in found.problems if not p.unplaced]
    if errors:
        first = errors[0]
        raise UserError(f"{plan_path}: {first.where}: {first.what} ({len(errors)} problem(s))",
                        f"{first.fix}; 'decompose plan --check' lists them all")
    analysis = read(analysis_path)
    root = source or Path(analysis.root)
    project = _project_name(analysis)
    layout = build_layout(analysis, found.homes, root, project)
    sources = Sources.of(analysis, root)
    containers = containers_of(sources, analysis.routes)
    rendered = render(layout, sources, containers, found.homes, plan_path.name, analysis)
    return Generation(rendered, plan_writes(out, rendered.files))


def _project_name(analysis) -> str:  # noqa: ANN001
    tops = sorted({m.name.split(".")[0] for m in analysis.modules if m.role == "app"})
    return tops[0] if len(tops) == 1 else Path(analysis.root).resolve().name
