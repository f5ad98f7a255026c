"""`decompose report`: analysis.json (+ the plan) -> one self-contained HTML file, or Mermaid."""

from __future__ import annotations

from pathlib import Path

import typer

from decompose.cli.guard import guarded
from decompose.cli.output import Quiet, Verbose, err_console, plural, settings_for, write_data
from decompose.errors import UserError


@guarded
def report(
    ctx: typer.Context,
    analysis: Path = typer.Option(Path(".decompose/analysis.json"), "--analysis", "-a", help="analysis.json (from 'decompose analyze')."),
    plan: Path = typer.Option(Path("decompose.toml"), "--plan", "-p", help="The plan to show (used when the file exists)."),
    no_plan: bool = typer.Option(False, "--no-plan", help="Show the analysis alone, even if a plan exists."),
    out: Path = typer.Option(Path(".decompose/report.html"), "--out", "-o", help="The HTML file to write."),
    mermaid: bool = typer.Option(False, "--mermaid", help="Print the service graph as Mermaid (for Markdown) instead."),
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Write an HTML report (graph, services, metrics, migration work, hazards) that opens offline."""
    settings = settings_for(ctx, quiet, verbose)
    use_plan = None if no_plan or not plan.exists() else plan
    if mermaid and use_plan is None:
        raise UserError(f"--mermaid draws the planned services, and there is no plan at {plan}",
                        "run 'decompose plan' first, or pass --plan")
    from decompose.report.api import report_data  # the planning stack loads only for the command that needs it
    from decompose.report.mermaid import services_graph

    data = report_data(analysis, use_plan)
    if mermaid:
        write_data(services_graph(data))
        return
    write_report(data, out)
    if not settings.quiet:
        size = out.stat().st_size
        what = f"with the plan {use_plan}" if use_plan else "without a plan"
        err_console().print(f"Wrote {out} ({size / 1024:.0f} KiB, {plural(len(data['nodes']), 'module')}, {what}). "
                            "Open it in a browser; it needs no network.")


def write_report(data: dict, out: Path) -> None:
    from decompose.report.html import render_html

    html = render_html(data, data["project"])
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        temporary = out.with_name(out.name + ".tmp")
        temporary.write_text(html, encoding="utf-8")
        temporary.replace(out)
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror}", "choose another path with --out") from exc
