"""`decompose contracts ...`: record the monolith's behaviour as contracts (verify comes next)."""

from __future__ import annotations

from pathlib import Path

import typer

from decompose.cli.guard import guarded
from decompose.cli.output import Quiet, Verbose, err_console, settings_for
from decompose.contracts.api import record as run_record

app = typer.Typer(help="SLA contracts: record the monolith's answers, per planned service.", no_args_is_help=True)


@app.command("record", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
@guarded
def record(
    ctx: typer.Context,
    analysis: Path = typer.Option(Path(".decompose/analysis.json"), "--analysis", "-a", help="analysis.json (from 'decompose analyze')."),
    plan: Path = typer.Option(Path("decompose.toml"), "--plan", "-p", help="The plan: which service owns each route."),
    out: Path = typer.Option(Path("contracts"), "--out", "-o", help="Folder for contracts/<service>.json."),
    runs: int = typer.Option(2, "--runs", min=1, help="Times to run the suite; fields that differ between runs are noise."),
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Run the monolith's test suite with the recorder (pytest options after --) and write one contract per service."""
    settings = settings_for(ctx, quiet, verbose)
    result = run_record(analysis, plan, out, list(ctx.args), runs)
    if settings.quiet:
        return
    console = err_console()
    console.print(f"Recorded {result.scenarios} scenarios, {result.exchanges} exchanges; wrote {len(result.written)} "
                  f"contracts to {out}/")
    missing = {s: r for s, r in result.uncovered.items() if r}
    for service, routes in sorted(missing.items()):
        console.print(f"[yellow]uncovered[/] {service}: {', '.join(routes)}", soft_wrap=True)
    if result.unstable:
        console.print(f"{len(result.unstable)} scenarios sent different requests in different runs (kept without noise):")
        for name in result.unstable[: 10 if settings.verbosity < 1 else None]:
            console.print(f"    {name}", markup=False)
    if result.unrouted:
        console.print(f"{result.unrouted} exchanges matched no analysed route (static files, unknown paths): kept, not owned.")
    if not missing:
        console.print("Every planned route is covered.")
