"""`decompose generate`: the plan -> one Chalice project per service, a shared layer, a report."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from decompose.cli.contracts_cmd import PYTHON_OPTION
from decompose.cli.guard import escape, guarded
from decompose.cli.output import Quiet, Verbose, StageBar, err_console, plural, settings_for, write_data

if TYPE_CHECKING:
    from decompose.generation.writer import WritePlan

STAGES = 6  # the five of generation.api.generate, then writing


@guarded
def generate(
    ctx: typer.Context,
    analysis: Path = typer.Option(Path(".decompose/analysis.json"), "--analysis", "-a", help="analysis.json (from 'decompose analyze')."),
    plan: Path = typer.Option(Path("decompose.toml"), "--plan", "-p", help="The plan to generate (from 'decompose plan')."),
    out: Path = typer.Option(Path("services"), "--out", "-o", help="Folder for the services, the shared layer and generation.json."),
    source: Path | None = typer.Option(None, "--source", help="The monolith's root, if not where the analysis was run."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Write nothing; print the diff of what would change."),
    force: bool = typer.Option(False, "--force", help="Also overwrite files you changed since the last generation."),
    as_json: bool = typer.Option(False, "--json", help="Print the generation report as JSON on stdout (with --dry-run: instead of the diff)."),
    python: Path | None = PYTHON_OPTION,
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Generate AWS Chalice services (API Gateway + Lambda) from the plan; never overwrites your edits without --force."""
    settings = settings_for(ctx, quiet, verbose)
    from decompose.generation.api import generate as run_generate  # heavy: loaded by the command, not the CLI
    from decompose.generation.writer import apply, diff

    with StageBar(None if settings.quiet else err_console(), "Generating", STAGES) as bar:
        result = run_generate(analysis, plan, out, source, stage=bar.step, python=python)
        writes = result.plan
        if dry_run and not as_json:
            write_data("".join(diff(a) for a in writes.actions if a.status not in ("identical",)))
        elif not dry_run:
            bar.step("writing")
            writes = apply(writes, force=force)
    if as_json:
        write_data(json.dumps(result.rendered.report, indent=2, sort_keys=True) + "\n")
    with ThreadPoolExecutor(max_workers=1) as pool:  # both wait on the package index: the check runs meanwhile
        checking = None if dry_run else pool.submit(_wheel_warnings, result.monolith, result.rendered.report, out)
        services_env = None if dry_run else _services_env(result.monolith, out)
        wheels = checking.result() if checking else []
    if not settings.quiet:
        _summary(result.rendered.report, writes, out, dry_run, settings.verbosity)
        if result.monolith is not None:
            err_console().print(result.monolith.describe(), markup=False, soft_wrap=True)
        runtime = result.rendered.report["shared"].get("lambda_runtime") or {}
        if runtime:
            err_console().print(f"Lambda runtime: {runtime['runtime']}" + (f" (warning: {runtime['why']})"
                                                                           if runtime.get("why") else ""),
                                markup=False, soft_wrap=True)
        if runtime.get("serving"):
            err_console().print(f"warning: {runtime['serving']}", markup=False, soft_wrap=True)
        if services_env:
            err_console().print(services_env, markup=False, soft_wrap=True)
        for warning in wheels:
            err_console().print(f"warning: {warning}", markup=False, soft_wrap=True)
    if writes.conflicts and not force:
        if settings.quiet:  # an exit 1 always says why: the files kept are errors, not chatter
            _conflicts(writes, err_console())
        raise typer.Exit(1)


def _services_env(monolith, out: Path) -> str:
    """Build the venv the services run in (their tests, chalice local) from their requirements on the
    monolith's Python; a failure is reported, not fatal: the services are written, and verify or
    gateway up try again."""
    from decompose.errors import UserError
    from decompose.services_env import LINK, ensure

    if monolith is None or monolith.own:
        return ""
    try:
        venv = ensure(monolith, out, Path("."))
    except UserError as error:
        return f"warning: {error.what}; {error.next_step}"
    link = os.path.relpath(Path(".decompose", LINK).absolute(), (out / "service").absolute())
    return (f"The services run in their own venv, built from their requirements.txt files on the monolith's Python "
            f"({'built' if venv.built else 'reused'}: {venv.folder}). Run the services' tests with: "
            f"decompose test --services {out} [<service> ...] (or cd {out}/<service> && {link}/bin/python -m pytest tests, "
            "for a service that uses no AWS)"
            + (f". Let go there so that chalice runs (the Lambda package keeps them): {', '.join(venv.freed)}."
               if venv.freed else ""))


def _wheel_warnings(monolith, report: dict, out: Path) -> list[str]:
    """The pins of the written requirements that have no wheel for the Lambda runtime (decompose.wheels),
    asked of the monolith's own pip (the package index), whichever way its interpreter was found: --python,
    the config or a detected venv; not in decompose's own interpreter."""
    from decompose.services_env import requirement_lines
    from decompose.wheels import missing_wheels, summary

    if monolith is None or monolith.own:
        return []
    runtime = (report["shared"].get("lambda_runtime") or {}).get("runtime", "python3.12")
    checked = missing_wheels(requirement_lines(out), runtime, [str(monolith.path), "-m", "pip"])
    return ([summary(checked.missing, runtime)] if checked.missing else []) + ([checked.problem] if checked.problem else [])


def _conflicts(writes: WritePlan, console) -> None:  # noqa: ANN001 (a rich Console)
    for action in writes.conflicts:
        console.print(f"[yellow]conflict[/] {escape(str(action.path))}: {escape(action.reason)}")
    console.print("Kept your versions. Re-run with --force to overwrite them, or --dry-run to see the differences.")


def _summary(report: dict, writes: WritePlan, out: Path, dry_run: bool, verbosity: int) -> None:
    console = err_console()
    for service in report["services"]:
        stubs = sum(1 for c in service["clients"] if c["kind"] == "stub")
        calls = sum(1 for c in service["clients"] if c["kind"] == "client")
        console.print(f"[bold]{escape(service['name'])}[/]: {plural(len(service['routes']), 'route')}, "
                      f"{plural(len(service['symbols']), 'symbol')}, {plural(calls, 'remote call')}, {plural(stubs, 'stub')}, "
                      f"{plural(len(service['manual']), 'manual step')}")
        if verbosity > 0:
            for step in service["manual"]:
                console.print(f"    manual: {step}", markup=False)
    if report["together"]:
        crossing = sum(len(s["crossings"]) for s in report["services"])
        console.print(f"{plural(crossing, 'boundary crossing')} change behaviour (stubs, split transactions). To keep each inside "
                      "one service, add to \\[constraints] in the plan and run 'decompose plan' again:")
        console.print("together = " + json.dumps(report["together"]), markup=False, soft_wrap=True)
    if report.get("scripts"):
        console.print(f"Left out of the services, run by hand (scripts): {', '.join(s['path'] for s in report['scripts'])}",
                      markup=False, soft_wrap=True)
    counts = ", ".join(f"{n} {s}" for s, n in writes.counts().items())
    verb = "Would write" if dry_run else "Wrote"
    console.print(f"{verb} {out}: {counts}", markup=False)
    if writes.conflicts:
        _conflicts(writes, console)
    elif not dry_run:
        console.print(f"Next: decompose test (each service's tests, with local AWS for the remediated ones), or cd "
                      f"{escape(str(out))}/<service> && chalice local --no-autoreload (see {out}/generation.json).")
