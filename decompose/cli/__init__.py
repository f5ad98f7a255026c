"""The `decompose` command line: parses arguments, calls a stage, renders, sets the exit code.

Exit codes: 0 ok, 1 findings (when asked to fail on them), 2 usage, configuration or internal error.
"""

from __future__ import annotations

import sys
import traceback

import typer

from decompose import __version__
from decompose.cli import analyze_cmd
from decompose.cli.output import Settings, err_console
from decompose.errors import UserError

app = typer.Typer(
    name="decompose",
    help="Take a Python web monolith apart into AWS microservices, one route at a time.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


# typer vendors click in recent versions: find the ClickException class it really raises
USAGE_ERRORS = tuple(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"decompose {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    ctx: typer.Context,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only errors on stderr."),
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="More detail on stderr (repeatable)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    ctx.obj = Settings(verbosity=-1 if quiet else verbose)


app.command("analyze")(analyze_cmd.analyze)


def main() -> None:
    try:
        code = app(standalone_mode=False)
    except UserError as error:
        _fail(f"[bold red]error:[/] {error.what}\n  [dim]→[/] {error.next_step}")
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _fail("[bold red]aborted[/]")
    except USAGE_ERRORS as error:  # unknown option, bad value, missing argument
        error.show()  # type: ignore[attr-defined]
        sys.exit(2)
    except Exception as error:  # noqa: BLE001 - the one place a bug becomes a message, not a traceback
        _internal(error)
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str) -> None:
    err_console().print(message)
    sys.exit(2)


def _internal(error: Exception) -> None:
    console = err_console()
    console.print(f"[bold red]internal error:[/] {type(error).__name__}: {error}", markup=True)
    if any(arg in ("-v", "-vv", "--verbose") for arg in sys.argv[1:]):
        console.print(traceback.format_exc(), markup=False, highlight=False)
        console.print("  [dim]→[/] this is a bug in decompose; please report it with the traceback above")
    else:
        console.print("  [dim]→[/] this is a bug in decompose; run again with -v for the traceback and report it")
    sys.exit(2)
