"""`decompose plan`: propose services (write decompose.toml), --check an edited plan, --explain a symbol.
The options are here; what runs is in plan_steps, loaded when the command runs (it needs networkx)."""

from __future__ import annotations

from pathlib import Path

import typer

from decompose.cli.guard import guarded
from decompose.cli.output import Quiet, StageBar, Verbose, err_console, settings_for

ANALYSIS = Path(".decompose/analysis.json")


@guarded
def plan(
    ctx: typer.Context,
    analysis: Path = typer.Option(ANALYSIS, "--analysis", "-a", help="analysis.json written by 'decompose analyze'."),
    out: Path = typer.Option(Path("decompose.toml"), "--plan", "-p", help="The plan file to write (or to check)."),
    strategy: str = typer.Option("louvain", "--strategy", help="Clustering strategy: louvain, baseline."),
    services: int = typer.Option(0, "--services", "-k", help="Target number of services (0: as the resolution gives)."),
    resolution: float = typer.Option(1.5, "--resolution", help="Louvain resolution: higher gives more, smaller services."),
    seed: int = typer.Option(42, "--seed", help="Seed of the community detection (same seed, same plan)."),
    check: bool = typer.Option(False, "--check", help="Re-score the plan file as it is and report every field in error."),
    explain_name: str = typer.Option("", "--explain", help="Say why a symbol (module:Name), module or table sits where it is."),
    ground_truth: Path = typer.Option(None, "--ground-truth", help="Score against a ground-truth TOML (MoJoFM)."),
    config: Path = typer.Option(None, "--config", help="pyproject.toml with [tool.decompose.weights] (default: found)."),
    force: bool = typer.Option(False, "--force", help="Replace a hand-edited plan (the old one is kept as .bak)."),
    converge: bool = typer.Option(False, "--converge", help="Plan again until generation would find no stub or split "
                                  "transaction across services, writing [constraints] follow entries: a callee joins its "
                                  "one caller, code several services need goes to the kernel (at most 8 rounds)."),
    source: Path = typer.Option(None, "--source", help="With --converge: the monolith's root, if not where analyze ran."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
    waves: bool = typer.Option(False, "--waves", help="Print the migration order of the plan file: waves of services "
                               "to move first, with the 'decompose gateway route' commands of each."),
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Propose services from analysis.json and write the editable plan decompose.toml."""
    settings = settings_for(ctx, quiet, verbose)
    from decompose.cli import plan_steps
    from decompose.planning.api import load
    from decompose.planning.plan import Settings

    proposing = not (waves or explain_name or check)
    wanted = Settings(str(analysis), strategy, resolution, seed, services)
    with StageBar(None if settings.quiet else err_console(), "Planning", 3 if proposing else 1) as bar:
        bar.step("reading the analysis and building the graph")
        ws = load(analysis, config, out)
        proposal = plan_steps.propose(ws, out, wanted, ground_truth, force, bar.step) if proposing else None
    if waves:
        plan_steps.print_waves(ws, out, json_out)
    elif explain_name:
        plan_steps.explain_element(ws, out, explain_name, json_out)
    elif check:
        plan_steps.check(ws, out, ground_truth, json_out, settings.quiet)
    else:
        plan_steps.show_proposal(out, proposal, json_out and not converge, settings.quiet or converge)
        if converge:
            plan_steps.converge(ws, out, wanted, ground_truth, source, json_out, settings.quiet)
