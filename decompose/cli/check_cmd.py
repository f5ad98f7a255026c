"""`decompose check`: the CI boundary guard. Exit 1 when code crosses a planned boundary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from decompose.cli.analyze_cmd import refresh
from decompose.cli.choices import CheckFormat
from decompose.cli.guard import escape, guarded
from decompose.cli.output import Quiet, Verbose, err_console, plural, settings_for, write_data
from decompose.errors import UserError

if TYPE_CHECKING:
    from decompose.planning.check import Violation

FORMATS = ("text", "json", "sarif")


@guarded
def check(
    ctx: typer.Context,
    analysis: Path = typer.Option(Path(".decompose/analysis.json"), "--analysis", "-a",
                                  help="analysis.json from 'decompose analyze'; re-analysed first if the code changed since."),
    plan: Path = typer.Option(Path("decompose.toml"), "--plan", "-p", help="The plan whose boundaries to enforce."),
    fmt: CheckFormat = typer.Option("text", "--format", "-f", help="text goes to stderr; json and sarif to stdout."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when there are violations."),
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Report dependencies that cross planned service boundaries outside an allowed interface."""
    settings, fmt = settings_for(ctx, quiet, verbose), fmt.value
    if fmt not in FORMATS:
        raise UserError(f"--format {fmt!r} is not a known format", f"use one of: {', '.join(FORMATS)}")
    from decompose.planning.api import load, sound_plan, static_folders  # heavy (networkx): loaded by the command, not the CLI
    from decompose.planning import pathpins
    from decompose.planning.check import Violation, check_boundaries
    from decompose.remediation.audit import violations as remediation_violations
    from decompose.report.sarif import to_sarif

    note = refresh(analysis, None if settings.quiet else err_console())  # the code as it is now, not at the last analyze
    ws = load(analysis, plan=plan)
    if note is not None and not settings.quiet:
        err_console().print(note, markup=False)
    found = sound_plan(ws, plan)
    violations = check_boundaries(ws.graph, found.plan)
    violations += remediation_violations(ws.analysis.hazards, static_folders(ws), found.plan.remediate)
    violations += [Violation("paths", "error", problem.where, "", "route", f"{problem.what}; {problem.fix}", ())
                   for problem in pathpins.problems(pathpins.service_routes(found.plan), plan.name)]
    if fmt == "sarif":
        write_data(json.dumps(to_sarif(violations), indent=2, sort_keys=True) + "\n")
    elif fmt == "json":
        write_data(json.dumps([_row(v) for v in violations], indent=2, sort_keys=True) + "\n")
    if not settings.quiet:
        _print(violations, fmt == "text" or settings.verbosity > 0)
    if any(v.level == "error" for v in violations) and not exit_zero:
        raise typer.Exit(1)


def _row(violation: Violation) -> dict:
    return {**{k: getattr(violation, k) for k in ("rule", "level", "src", "dst", "kind", "message")},
            "locations": [{"path": loc.path, "line": loc.line} for loc in violation.locations]}


def _print(violations: list[Violation], detail: bool) -> None:
    console = err_console()
    if detail:
        for v in violations:
            where = f"{v.locations[0].path}:{v.locations[0].line}: " if v.locations else ""
            console.print(f"{escape(where)}[{'red' if v.level == 'error' else 'yellow'}]{escape(v.rule)}[/] {escape(v.message)}")
    errors = sum(1 for v in violations if v.level == "error" and v.rule == "boundary")
    undecided = sum(1 for v in violations if v.level == "error" and v.rule == "remediation")
    unresolved = sum(1 for v in violations if v.rule == "paths")
    other = (f"{plural(undecided, 'hazard')} without a remediation, " if undecided else "") + (
        f"{plural(unresolved, 'unresolved path part')} in service routes, " if unresolved else "")
    warnings = sum(1 for v in violations if v.level != "error")
    console.print(f"{plural(errors, 'boundary violation')}, {other}{plural(warnings, 'warning')}.")
