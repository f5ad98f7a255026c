"""`decompose contracts record|verify`: record the monolith's behaviour as contracts; replay them against a target."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from decompose.cli.guard import guarded
from decompose.cli.output import DelayedBar, Quiet, Verbose, err_console, settings_for, table_console, write_data
from decompose.errors import UserError

FAILURES_SHOWN = 8
ROOT_OPTION = typer.Option(Path("."), "--root", help="The folder the monolith's package imports from (in-process replay).")
PYTHON_OPTION = typer.Option(None, "--python", help="The monolith's interpreter (default: the active $VIRTUAL_ENV, "
                             "else the project's .venv or venv, else decompose's own; docs/contracts.md).")
class SuiteBar:
    """A DelayedBar fed by a child pytest's progress lines (decompose.contracts.progress); a count that
    goes back starts a new bar (the next run of the suite)."""

    def __init__(self, console, label: str) -> None:
        self.console, self.label = console, label
        self.bar: DelayedBar | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None or done < self.bar.done:
            self.stop()
            self.bar = DelayedBar(self.console, self.label)
            self.bar.start(total)
        self.bar.total = total
        self.bar.advance(done - self.bar.done)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


app = typer.Typer(help="SLA contracts: record the monolith's answers per planned service, verify any target against them.", no_args_is_help=True,
                  rich_markup_mode=None)


@app.command("record", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
@guarded
def record(
    ctx: typer.Context,
    analysis: Path = typer.Option(Path(".decompose/analysis.json"), "--analysis", "-a", help="analysis.json (from 'decompose analyze')."),
    plan: Path = typer.Option(Path("decompose.toml"), "--plan", "-p", help="The plan: which service owns each route."),
    out: Path = typer.Option(Path("contracts"), "--out", "-o", help="Folder for contracts/<service>.json."),
    runs: int = typer.Option(2, "--runs", min=1, help="Times to run the suite; fields that differ between runs are noise."),
    sources: list[Path] = typer.Option([], "--from", help="Build from this recording instead of running the suite "
                                       "(repeatable; e.g. the gateway's --record file)."),
    root: Path = ROOT_OPTION,
    python: Path = PYTHON_OPTION,
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Run the monolith's test suite with the recorder (pytest options after --) and write one contract per service."""
    settings = settings_for(ctx, quiet, verbose)
    if sources and ctx.args:
        raise UserError(f"pytest options ({' '.join(ctx.args)}) with --from: a recording is not a test run",
                        "record from the suite (options after --) or from recordings (--from), not both")
    from decompose.contracts.api import record as run_record  # heavy (pytest, the planner): loaded by the command

    bar = SuiteBar(None if settings.quiet else err_console(), "Recording the suite")
    try:
        result = run_record(analysis, plan, out, list(ctx.args), runs, root=root, recordings=list(sources),
                            python=python, on_progress=bar)
    finally:
        bar.stop()
    if settings.quiet:
        return
    console = err_console()
    console.print(result.interpreter, markup=False, soft_wrap=True)
    documents = sum(1 for path in result.written if path.suffix == ".json")
    console.print(f"Recorded {result.scenarios} scenarios, {result.exchanges} exchanges; wrote {documents} "
                  f"contracts and their pytest modules to {out}/")
    for line in result.world:
        console.print(f"world: {line}", markup=False, soft_wrap=True)
    if result.restored:
        console.print(f"between suite runs: put back the SQLite databases the run before changed, as they were before "
                      f"the first ({', '.join(result.restored)})", markup=False, soft_wrap=True)
    missing = {s: r for s, r in result.uncovered.items() if r}
    for service, routes in sorted(missing.items()):
        console.print(f"[yellow]uncovered[/] {service}: {', '.join(routes)}", soft_wrap=True)
    if result.unstable:
        console.print(f"{len(result.unstable)} scenarios sent different requests in different runs (kept without noise):")
        for name in result.unstable[: 10 if settings.verbosity < 1 else None]:
            console.print(f"    {name}", markup=False)
    if result.calibrated:
        console.print(f"Replayed every scenario twice on the monolith in the contract world: {result.world_noise} noisy "
                      f"fields, {len(result.not_replayable)} scenarios not replayable.")
        for name, why in sorted(result.not_replayable.items())[: 10 if settings.verbosity < 1 else None]:
            console.print(f"    {name}: {why}", markup=False, soft_wrap=True)
        for service, routes in sorted(result.unverifiable.items()):
            console.print(f"[yellow]unverifiable[/] {service}: only non-replayable scenarios reach {', '.join(routes)}",
                          soft_wrap=True)
    elif not result.world:
        console.print("No \\[contracts] app in the plan: scenarios were not replayed on the monolith (see docs/contracts.md).")
    if result.unrouted:
        console.print(f"{result.unrouted} exchanges matched no analysed route (static files, unknown paths): kept, not owned.")
    if not missing:
        console.print("Every planned route is covered.")


@app.command("verify")
@guarded
def verify(
    ctx: typer.Context,
    target: str = typer.Option("monolith", "--target", "-t", help="monolith | service:NAME | services | a base URL."),
    contracts: Path = typer.Option(Path("contracts"), "--contracts", "-c", help="Folder of contracts/<service>.json."),
    plan: Path = typer.Option(Path("decompose.toml"), "--plan", "-p", help="The plan; its [contracts] table sets the world and budgets."),
    services: Path = typer.Option(Path("services"), "--services", help="The generated services (targets service:NAME and services)."),
    root: Path = ROOT_OPTION,
    only: list[str] = typer.Option([], "--only", help="Verify only this service's contract (repeatable)."),
    junit: Path = typer.Option(None, "--junit", help="Write JUnit XML here (for CI)."),
    repeat: int = typer.Option(1, "--repeat", min=1, help="Replay every scenario N times: more samples for each route's p95."),
    warmup: int = typer.Option(1, "--warmup", min=0, help="First replay, N times and unjudged, scenarios that reach every route."),
    reset: bool = typer.Option(True, "--reset/--no-reset", help="Ask URL targets for a fresh start before each scenario."),
    in_process: bool = typer.Option(False, "--in-process", help="With service:NAME: NAME's requests through chalice.test.Client."),
    python: Path = PYTHON_OPTION,
    latency: str = typer.Option("auto", "--latency", help="What latency is judged against: auto (the services against the "
                                "monolith measured in the same run, a URL against the recorded p95, the monolith not at all), "
                                "monolith, recorded, off."),
    json_output: bool = typer.Option(False, "--json", help="Print the results as JSON on stdout."),
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Replay every recorded scenario against a target; check answers, schemas, latency and errors per route."""
    settings = settings_for(ctx, quiet, verbose)
    from decompose.contracts.suite import Options
    from decompose.contracts.suite import verify as run_verify
    from decompose.contracts.verdicts import VERDICTS_PATH
    from decompose.contracts.verdicts import keep as keep_verdicts

    bar = SuiteBar(None if settings.quiet else err_console(), f"Verifying against {target}")
    options = Options(contracts=contracts, plan=plan, services=services, junit=junit, repeat=repeat, warmup=warmup, reset=reset,
                      only=list(only), root=root, in_process=in_process, python=python, latency=latency, progress=bar)
    try:
        verified = run_verify(target, options)
    finally:
        bar.stop()
    if json_output:
        write_data(json.dumps(verified.results, indent=1, sort_keys=True))
    if not settings.quiet:
        _summary(verified, settings.verbosity)
    keep_verdicts(VERDICTS_PATH, target, verified.results)  # for 'report' and 'plan --waves', once the run is shown
    if not verified.passed:
        raise typer.Exit(1)


def _summary(verified, verbosity: int) -> None:
    from rich import box  # rich loads when there is something to print, not with the CLI
    from rich.table import Table

    console = err_console()
    if verified.interpreter:
        console.print(verified.interpreter, markup=False, soft_wrap=True)
    results = verified.results
    limit = None if verbosity > 0 else FAILURES_SHOWN
    for block in verified.failures[:limit]:
        console.print(block + "\n", markup=False, highlight=False, soft_wrap=True)
    if len(verified.failures) > len(verified.failures[:limit]):
        console.print(f"... and {len(verified.failures) - FAILURES_SHOWN} more failures (-v shows them all; --junit keeps them)")
    routes = results["routes"]
    shown = routes if verbosity > 0 or len(routes) <= 60 else [r for r in routes if _state(r) != "ok"]
    within = sum(_state(r) == "ok" for r in routes)
    unverified = sum(_state(r) == "not verified" for r in routes)
    table = Table(title=f"{verified.target}: {within}/{len(routes)} routes within contract"
                        + (f", {unverified} not verified" if unverified else ""), box=box.SIMPLE_HEAD)
    counted = results.get("internal_calls")  # the generated services' call log (decompose.contracts.calls)
    numbers = ("answers", "broken", "errors", "p95 ms", "budget ms", *(("calls",) if counted else ()))
    for column in ("service", "route", *numbers, ""):
        table.add_column(column, no_wrap=True, justify="right" if column in numbers else "left")
    for r in shown:
        table.add_row(r["service"], r["route"], str(r["exchanges"]), str(r["failed"]), str(r["errors"]),
                      _ms(r["p95_ms"]), _ms(r["budget_ms"]), *((_calls(r),) if counted else ()), STATES[_state(r)])
    table_console().print(table)
    if counted:
        console.print(_calls_line(counted), soft_wrap=True)
    scenarios = results["scenarios"]
    passed = sum(s["passed"] for s in scenarios)
    console.print(f"Scenarios: {passed}/{len(scenarios)} answered as recorded, {len(results['skipped'])} skipped "
                  "(not replayable or unstable).")
    unowned = {s["name"]: s.get("unowned", 0) for s in scenarios if s.get("unowned")}
    if unowned:
        console.print(f"Not sent, in {len(unowned)} scenario(s): {sum(unowned.values())} exchange(s) no service owns "
                      "(no analysed route matches; behind the gateway the monolith answers them).", soft_wrap=True)
    for service in verified.empty:
        console.print(f"[yellow]nothing to verify[/] for service {service}: its contract has no recorded scenario "
                      "(no test of the monolith reached its routes)", soft_wrap=True)
    if verified.empty:
        console.print(f"Contracts: {len(verified.modules)} verified, {len(verified.empty)} with nothing to verify.")
    console.print(_latency_note(results), soft_wrap=True)
    for note in verified.notes:
        console.print(f"[yellow]note[/]: {note}", soft_wrap=True)
    console.print(verdict_line(verified.passed, results), soft_wrap=True)


STATES = {"ok": "[green]ok[/]", "FAIL": "[red]FAIL[/]", "not verified": "[yellow]not verified[/]"}


def _state(route: dict) -> str:
    """A route's state; results written before states existed say only passed (no answers: not verified)."""
    if "state" in route:
        return route["state"]
    return "not verified" if not route["exchanges"] else ("ok" if route["passed"] else "FAIL")


def _latency_note(results: dict) -> str:
    if results.get("reference"):
        return f"Latency judged against {results['reference']}, replayed before the target on every scenario of this run."
    if results["latency_baseline"]:
        return "Latency judged against the monolith's recorded p95 (.decompose/latency.json)."
    return "[yellow]Latency measured, not judged[/] (the monolith is its own yardstick; --latency says how to judge it)."


def verdict_line(passed: bool, results: dict) -> str:
    """The last line, from the same outcome as the exit code: it never says passed when the exit is 1."""
    routes = results["routes"]
    wrong = sum(1 for s in results["scenarios"] if not s["passed"])
    failing = [r for r in routes if _state(r) == "FAIL"]
    slow = sum(1 for r in failing if any("latency" in p for p in r.get("problems", [])))
    unverified = sum(_state(r) == "not verified" for r in routes)
    untested = f" ({unverified} not verified: no replayed answer reached them)" if unverified else ""
    if passed:
        return (f"[green]PASSED[/]: {sum(_state(r) == 'ok' for r in routes)} routes within contract{untested}, "
                f"{len(results['scenarios'])} scenarios replayed.")
    if not failing and not wrong:  # pytest failed elsewhere (a fixture, a collection error): its output says where
        return "[red]FAILED[/]: the contract suite itself failed, no route or scenario was judged wrong (see above; exit 1)."
    return (f"[red]FAILED[/]: {len(failing)} routes out of contract ({slow} over their latency budget), "
            f"{wrong} scenarios with a wrong answer{untested} (exit 1).")


def _calls(route: dict) -> str:
    """A route's internal calls per request, median/most ("-": none of its requests was counted)."""
    if route.get("calls_median") is None:
        return "-"
    return f"{route['calls_median']:g}/{route['calls_max']}"


def _calls_line(counted: dict) -> str:
    return (f"Internal calls per request (calls column: median/most): median {counted['median']:g}, most "
            f"{counted['max']}, over {counted['requests']} requests; {counted['over_one']} made more than one.")


def _ms(value) -> str:
    return "-" if value is None else f"{value:.1f}"
