"""The `decompose` command line: parses arguments, calls a stage, renders, sets the exit code.

Exit codes: 0 ok, 1 findings (when asked to fail on them), 2 usage, configuration or internal error.
"""

from __future__ import annotations

import typer

from decompose import __version__
from decompose.cli import (analyze_cmd, check_cmd, contracts_cmd, gateway_cmd, generate_cmd, plan_cmd, report_cmd,
                           servicetests_cmd)
from decompose.cli.output import Settings

app = typer.Typer(
    name="decompose",
    help="Take a Python web monolith apart into AWS microservices, one route at a time.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help is plain text: "[shared]" or "[tool.decompose]" must reach the reader
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"decompose {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    ctx: typer.Context,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only errors on stderr."),
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, metavar="", show_default=False,
                                help="More detail on stderr (repeatable)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    ctx.obj = Settings(verbosity=-1 if quiet else verbose)


app.command("analyze")(analyze_cmd.analyze)
app.command("plan")(plan_cmd.plan)
app.command("check")(check_cmd.check)
app.command("generate")(generate_cmd.generate)
app.command("report")(report_cmd.report)
app.command("test", context_settings=servicetests_cmd.CONTEXT)(servicetests_cmd.test)
app.add_typer(contracts_cmd.app, name="contracts")
app.add_typer(gateway_cmd.app, name="gateway")


def main() -> None:
    app()
