"""`decompose test [SERVICE ...] [-- PYTEST ARGS]`: the generated services' own tests, in the services'
python, with local AWS served from decompose's side for the remediated ones (decompose.servicetests)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from decompose.cli.guard import guarded
from decompose.cli.output import Quiet, Verbose, err_console, settings_for

CONTEXT = {"allow_extra_args": True, "ignore_unknown_options": True}


@guarded
def test(
    ctx: typer.Context,
    services: Path = typer.Option(Path("services"), "--services", "-s", help="The folder 'decompose generate' wrote."),
    root: Path = typer.Option(Path("."), "--root", help="The project's folder (its .decompose/services-venv)."),
    python: Path = typer.Option(None, "--python", help="The monolith's interpreter (default: the active $VIRTUAL_ENV, "
                                "else the project's .venv or venv, else decompose's own; docs/generation.md)."),
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Run each generated service's tests (SERVICE ... or all; what follows goes to pytest, e.g. -- -x -k orders),
    with moto on 127.0.0.1 for the buckets, queues and tables its remediations use, stopped after."""
    settings = settings_for(ctx, quiet, verbose)
    from decompose import servicetests

    names, args = split_arguments(list(ctx.args))
    chosen = servicetests.service_names(services, names)
    runner, base = _runner(python, services, root)
    failed = []
    for name in chosen:
        if not settings.quiet:
            err_console().print(f"== {name}", markup=False)
        outcome = servicetests.run_one(services.resolve(), name, runner, base, args, root.resolve() / ".decompose" / "logs")
        if outcome.code != 0:
            failed.append(f"{name} (pytest exit {outcome.code})")
    if not settings.quiet:
        err_console().print(f"{len(chosen) - len(failed)}/{len(chosen)} services' tests passed"
                            + (f"; failed: {', '.join(failed)}" if failed else ""), markup=False)
    if failed:
        raise typer.Exit(1)


def split_arguments(args: list[str]) -> tuple[list[str], list[str]]:
    """Service names (the leading words), then pytest's arguments (from the first one starting with '-')."""
    first = next((i for i, arg in enumerate(args) if arg.startswith("-")), len(args))
    return args[:first], args[first:]


def _runner(python: Path | None, services: Path, root: Path) -> tuple[str, dict[str, str]]:
    """The services' python and its environment: their own venv on the monolith's Python (built or reused,
    as 'generate' left it), else decompose's own interpreter when the monolith shares it."""
    from decompose.interpreter import find, service_environment
    from decompose.services_env import ensure

    interpreter = find(python, root)
    if interpreter.own:
        return sys.executable, dict(os.environ)
    venv = ensure(interpreter, services, root)
    return str(venv.python), service_environment(interpreter, venv.folder, os.environ)
