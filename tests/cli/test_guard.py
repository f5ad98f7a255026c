"""`guarded`: a UserError is printed as written (table names in brackets are text, not rich markup) with exit 2."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from decompose.cli.guard import guarded
from decompose.cli.output import Settings
from decompose.errors import UserError

runner = CliRunner()


def failing(error: Exception) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @guarded
    def command() -> None:
        raise error

    return app


def test_a_user_error_keeps_its_brackets_and_exits_2():
    result = runner.invoke(failing(UserError("decompose.toml: [contracts] app is not set", "add it under [contracts]")))
    assert result.exit_code == 2
    assert "[contracts] app is not set" in result.output and "add it under [contracts]" in result.output


@pytest.mark.parametrize("error", [OSError(28, "No space left on device", "out/[x].json"), RuntimeError("bad [state]")])
def test_environment_and_internal_errors_are_one_message_without_traceback(error):
    result = runner.invoke(failing(error))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert ("out/[x].json: No space left on device" in result.output) or ("RuntimeError: bad [state]" in result.output)


@pytest.mark.parametrize("args", [["-v", "command"], ["command", "-v"]])
def test_verbose_before_or_after_the_command_shows_the_traceback(args):
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context, verbose: int = typer.Option(0, "-v", count=True)) -> None:
        ctx.obj = Settings(verbosity=verbose)

    @app.command()
    @guarded
    def command(ctx: typer.Context, verbose: int = typer.Option(0, "-v", count=True)) -> None:
        raise RuntimeError("bad [state]")

    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "Traceback" in result.output and "RuntimeError: bad [state]" in result.output
    assert "run with -v" not in result.output
