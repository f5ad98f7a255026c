"""Every command runs inside `guarded`: a UserError becomes one message (what, where, next step)
and exit 2; anything else is a bug, reported as one (traceback only with -v), also exit 2."""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from typing import TypeVar

import typer

from decompose.cli.output import err_console
from decompose.errors import UserError

F = TypeVar("F", bound=Callable[..., None])


def guarded(command: F) -> F:
    @functools.wraps(command)
    def run(*args, **kwargs) -> None:  # noqa: ANN002, ANN003
        try:
            command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except UserError as error:
            err_console().print(f"[bold red]error:[/] {escape(error.what)}\n  [dim]→[/] {escape(error.next_step)}")
            raise typer.Exit(2) from None
        except OSError as error:  # the environment, not a bug: a folder we cannot write, a full disk
            where = error.filename or "a file"
            err_console().print(f"[bold red]error:[/] {escape(str(where))}: {escape(str(error.strerror or error))}\n"
                                "  [dim]→[/] check that the path exists and is writable, or choose another with --out")
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err_console().print("[bold red]interrupted[/]")
            raise typer.Exit(2) from None
        except Exception as error:  # noqa: BLE001 - the one place a bug becomes a message
            _internal(error, verbose=_verbose(kwargs))
            raise typer.Exit(2) from None

    return run  # type: ignore[return-value]


def _verbose(kwargs: dict) -> bool:
    """-v after the command name (its own option) or before it (the root's, kept in ctx.obj)."""
    root = getattr(kwargs.get("ctx"), "obj", None)
    return int(kwargs.get("verbose") or 0) > 0 or getattr(root, "verbosity", 0) > 0


def escape(text: str) -> str:
    """rich's markup escape, imported when there is an error to print (rich is not loaded before)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def _internal(error: Exception, verbose: bool) -> None:
    console = err_console()
    console.print(f"[bold red]internal error:[/] {type(error).__name__}: {escape(str(error))}")
    if verbose:
        console.print(traceback.format_exc(), markup=False, highlight=False)
    console.print("  [dim]→[/] this is a bug in decompose: please report it" + ("" if verbose else " (run with -v for the traceback)"))
