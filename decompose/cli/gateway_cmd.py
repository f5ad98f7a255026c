"""`decompose gateway init|route|status|serve|up|template`: the strangler-fig route table, the local gateway
and its CloudFormation twin."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer

from decompose.cli.guard import guarded
from decompose.cli.output import Quiet, Verbose, err_console, settings_for, table_console, write_data
from decompose.errors import UserError
from decompose.gateway.modes import MODES, Mode
from decompose.gateway.paths import LOGS, SCRATCH, SHADOW_LOG

TABLE_OPTION = typer.Option(Path("routes.toml"), "--routes", "-r", help="The route table.")
RECORD_OPTION = typer.Option(None, "--record", help="Append every exchange to this file (JSON lines) for "
                             "'decompose contracts record --from'.")
app = typer.Typer(help="Strangler-fig gateway: move traffic from the monolith to the services route by route.", no_args_is_help=True,
                  rich_markup_mode=None)


@app.command("init")
@guarded
def init(
    ctx: typer.Context,
    analysis: Path = typer.Option(Path(".decompose/analysis.json"), "--analysis", "-a", help="analysis.json (from 'decompose analyze')."),
    plan: Path = typer.Option(Path("decompose.toml"), "--plan", "-p", help="The plan: which service owns each route."),
    routes: Path = TABLE_OPTION,
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Write routes.toml (every route in monolith mode), or bring it up to date keeping modes and edits."""
    settings = settings_for(ctx, quiet, verbose)
    from decompose.gateway import api  # the planner and contracts load only for the command
    synced = api.init(analysis, plan, routes)
    if settings.quiet:
        return
    console = err_console()
    owned = sum(1 for e in synced.table.entries.values() if e.owner != "monolith")
    verb = "Wrote" if synced.created else "Updated"
    trees = f"{synced.mounted} URL tree{'s' if synced.mounted != 1 else ''}"
    mounted = f"; {trees} a library mounts (Django's admin, ...) kept on the monolith" if synced.mounted else ""
    console.print(f"{verb} {routes}: {len(synced.table.entries)} routes, {owned} owned by a service{mounted}.")
    for label, items in (("added", synced.added), ("removed", synced.removed), ("back to monolith mode (new owner)", synced.reowned)):
        if items and not synced.created:
            console.print(f"  {label}: {', '.join(items)}", soft_wrap=True, markup=False)


@app.command("route")
@guarded
def route(
    ctx: typer.Context,
    mode: str = typer.Argument(..., help=f"The new mode: {MODES}."),
    routes: list[str] = typer.Argument(None, help='Routes as "METHOD /template".'),
    service: list[str] = typer.Option([], "--service", "-s", help="Every route this service owns (repeatable)."),
    every: bool = typer.Option(False, "--all", help="Every route a service owns."),
    table_path: Path = TABLE_OPTION,
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Change the mode of routes: by name, by owner service, or all."""
    settings = settings_for(ctx, quiet, verbose)
    try:
        new = Mode.parse(mode)
    except ValueError as error:
        raise UserError(str(error), f"use one of: {MODES}") from None
    from decompose.gateway.table import read, select

    table = read(table_path)
    changed = table.set_mode(select(table, list(routes or []), list(service), every), new)
    table.save()
    if not settings.quiet:
        err_console().print(f"{len(changed)} route(s) now in mode {new} in {table_path}" + ("" if changed else " (no change)"))


@app.command("status")
@guarded
def status(
    ctx: typer.Context,
    table_path: Path = TABLE_OPTION,
    log: Path = typer.Option(SHADOW_LOG, "--shadow-log", help="The gateway's shadow comparisons (JSON lines)."),
    json_output: bool = typer.Option(False, "--json", help="Print the rows as JSON on stdout."),
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Each route's owner and mode, and in shadow mode how often the service's answer differed."""
    settings = settings_for(ctx, quiet, verbose)
    from decompose.gateway import api  # the planner and contracts load only for the command
    from decompose.gateway.table import read

    rows = api.status(read(table_path), log)
    if json_output:
        write_data(json.dumps([{**vars(r), "diff_rate": r.diff_rate} for r in rows], indent=1))
    if settings.quiet:
        return
    from rich import box  # rich loads when there is something to print, not with the CLI
    from rich.table import Table as RichTable

    view = RichTable(box=box.SIMPLE, title=f"{table_path}: {len(rows)} routes")
    for name, justify in (("route", "left"), ("owner", "left"), ("mode", "left"), ("shadowed", "right"),
                          ("differing", "right"), ("diff rate", "right"), ("failed", "right")):
        view.add_column(name, justify=justify, no_wrap=True)
    for row in rows:
        rate = "" if row.diff_rate is None else f"{row.diff_rate:.1%}"
        view.add_row(row.route, row.owner, row.mode, str(row.compared or ""), str(row.differing or ""), rate, str(row.failed or ""))
    table_console().print(view)
    by_mode: dict[str, int] = {}
    for row in rows:
        by_mode[row.mode.split(":")[0]] = by_mode.get(row.mode.split(":")[0], 0) + 1
    err_console().print("Modes: " + ", ".join(f"{count} {mode}" for mode, count in sorted(by_mode.items())))


@app.command("serve")
@guarded
def serve(
    ctx: typer.Context,
    table_path: Path = TABLE_OPTION,
    port: int = typer.Option(8080, "--port", min=1, max=65535, help="Port on 127.0.0.1."),
    monolith: str = typer.Option(None, "--monolith", help="The monolith's base URL (default: [gateway] monolith)."),
    service_url: list[str] = typer.Option([], "--service-url", help="NAME=URL for a service (default: [services])."),
    contracts: Path = typer.Option(Path("contracts"), "--contracts", "-c", help="Contracts: their volatile fields are noise in shadow comparison."),
    plan: Path = typer.Option(Path("decompose.toml"), "--plan", "-p", help="The plan: its [contracts] ignore patterns."),
    log: Path = typer.Option(SHADOW_LOG, "--shadow-log", help="Where shadow comparisons are appended (JSON lines)."),
    record: Path = RECORD_OPTION,
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Run the gateway on 127.0.0.1 until interrupted (uvicorn)."""
    settings = settings_for(ctx, quiet, verbose)
    from decompose.gateway import api  # the planner and contracts load only for the command
    from decompose.gateway.table import check_owners, missing_urls, read

    table = read(table_path)
    if monolith:
        table.settings["monolith"] = monolith
    urls = {**table.services, **_pairs(service_url)}
    services = api.plan_services(plan)
    if services is not None:
        check_owners(table, services, f"the services of {plan}")
    missing_urls(table, urls)
    for path in filter(None, (log, record)):
        path.parent.mkdir(parents=True, exist_ok=True)
    if not settings.quiet:
        err_console().print(f"Gateway on http://127.0.0.1:{port}: {len(table.entries)} routes, monolith at "
                            f"{table.settings['monolith']}, shadow log {log}" + (f", recording to {record}" if record else "")
                            + ". Ctrl-C stops it.")
    api.serve(table, urls, port, log, api.noise_from(contracts, api.contract_settings(plan)), quiet=settings.quiet, record=record)


def _pairs(items: list[str]) -> dict[str, str]:
    found = {}
    for item in items:
        name, sep, url = item.partition("=")
        if not sep or not url.startswith(("http://", "https://")):
            raise UserError(f"--service-url {item!r} is not NAME=URL", "write it as --service-url cart=http://127.0.0.1:8001")
        found[name] = url
    return found


@app.command("up")
@guarded
def up(
    ctx: typer.Context,
    table_path: Path = TABLE_OPTION,
    services: Path = typer.Option(Path("services"), "--services", help="The generated services."),
    plan: Path = typer.Option(Path("decompose.toml"), "--plan", "-p", help="The plan: its [contracts] app starts the monolith."),
    root: Path = typer.Option(Path("."), "--root", help="The folder the monolith's package imports from."),
    port: int = typer.Option(8080, "--port", min=1, max=65535, help="The gateway's port on 127.0.0.1."),
    contract_world: bool = typer.Option(False, "--contract-world", help="Run in the [contracts] world with reset endpoints on (for verify)."),
    database_url: str = typer.Option(None, "--database-url", help="One database for the monolith and every service "
                                     "(default: the value of its variable in your environment)."),
    database_env: list[str] = typer.Option([], "--database-env", help="The variable the monolith reads its database URL "
                                           "from (repeatable; default: the DATABASE_URL-like variables the services read)."),
    record: Path = RECORD_OPTION,
    python: Path = typer.Option(None, "--python", help="The monolith's interpreter (default: the active $VIRTUAL_ENV, "
                                "else the project's .venv or venv, else decompose's own; docs/contracts.md)."),
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Start the monolith, every generated service and the gateway; stop them all on Ctrl-C, SIGTERM or SIGHUP."""
    settings = settings_for(ctx, quiet, verbose)
    from decompose.gateway import api  # the planner and contracts load only for the command
    from decompose.gateway.upstreams import Stopped

    try:
        with api.up(table_path, services, plan, root, port, SCRATCH, contract_reset=contract_world, record=record,
                    database_url=database_url, database_env=tuple(database_env), python=python) as stack:
            if not settings.quiet:
                _started(stack, contract_world)
            stack.fleet.watch()
    except Stopped as stopped:
        if not settings.quiet:
            err_console().print(f"Stopped by {stopped}: the monolith, the services and the gateway have exited.")


def _started(stack, contract_world: bool) -> None:  # noqa: ANN001 (api.Stack: the api loads with the command)
    console = err_console()
    console.print(stack.interpreter, markup=False, soft_wrap=True)
    console.print(f"Gateway on {stack.url} (monolith {stack.urls['monolith']}, {len(stack.urls) - 1} services); "
                  f"logs in {LOGS}. Ctrl-C stops everything.")
    for key, value in stack.database.items():
        console.print(f"Database for all: {key}={value}", markup=False, soft_wrap=True)
    if not stack.database:
        console.print("No service reads a database URL from its environment; if they use one, name its variable with --database-env.")
    if contract_world and not os.environ.get("DECOMPOSE_INTERNAL_SECRET"):
        console.print("Reset endpoints are on. To verify contracts through the gateway, in another shell:\n"
                      f"  DECOMPOSE_INTERNAL_SECRET={stack.secret} decompose contracts verify --target {stack.url}",
                      markup=False, soft_wrap=True)


@app.command("template")
@guarded
def template(
    ctx: typer.Context,
    table_path: Path = TABLE_OPTION,
    out: Path = typer.Option(Path("gateway.yaml"), "--out", "-o", help="Where to write the CloudFormation template."),
    name: str = typer.Option("decompose-gateway", "--name", help="The REST API's name (the alarms' ApiName)."),
    plan: Path = typer.Option(Path("decompose.toml"), "--plan", "-p", help="The plan: its [contracts] budgets."),
    latency: Path = typer.Option(Path(".decompose/latency.json"), "--latency", help="The monolith's recorded latencies."),
    alarms: bool = typer.Option(True, "--alarms/--no-alarms", help="CloudWatch alarms from each moved route's SLA budget."),
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Write the route table as an API Gateway REST API (CloudFormation YAML) for AWS."""
    settings = settings_for(ctx, quiet, verbose)
    from decompose.gateway import api  # the planner and contracts load only for the command
    from decompose.gateway.table import read

    written = api.write_template(read(table_path), plan, latency, out, name, alarms)
    if settings.quiet:
        return
    resources = written.document["Resources"].values()
    count = {kind: sum(1 for r in resources if r["Type"] == f"AWS::{kind}") for kind in
             ("ApiGateway::Method", "Lambda::Permission", "CloudWatch::Alarm")}
    console = err_console()
    console.print(f"Wrote {out}: {len(written.document['Resources'])} resources, {count['ApiGateway::Method']} methods, "
                  f"{count['Lambda::Permission']} Lambda permissions, {count['CloudWatch::Alarm']} alarms; "
                  f"parameters: {', '.join(written.document['Parameters'])}.", soft_wrap=True)
    if count["CloudWatch::Alarm"] and not written.baseline:
        console.print(f"[yellow]No latency baseline[/] ({latency}): no latency alarms; 'decompose contracts record' measures it.")
