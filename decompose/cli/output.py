"""Output manners shared by every command: human text to stderr (rich), data to stdout,
verbosity from -q/-v, and a progress bar that appears only when work takes over a second."""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # rich loads when something is printed: a quiet warm run never does
    from rich.console import Console
    from rich.progress import Progress


@dataclass(frozen=True)
class Settings:
    verbosity: int = 0  # -1 quiet, 0 normal, 1+ verbose

    @property
    def quiet(self) -> bool:
        return self.verbosity < 0


Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")]
Verbose = Annotated[int, typer.Option("--verbose", "-v", count=True, metavar="", show_default=False,
                                      help="More detail on stderr (repeatable).")]


def settings_for(ctx: typer.Context, quiet: bool, verbose: int) -> Settings:
    """-q/-v work before or after the command name: `decompose -q analyze` = `decompose analyze -q`."""
    base: Settings = ctx.obj or Settings()
    if quiet:
        return Settings(verbosity=-1)
    return Settings(verbosity=max(base.verbosity, verbose)) if base.verbosity >= 0 else base


def plural(count: int, word: str, many: str = "") -> str:
    """ "1 file", "2 files", "1,204 routes"; `many` for the irregular ones ("process", "processes")."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def table_console(width: int = 140) -> Console:
    """For tables on stderr: a terminal keeps its width; a pipe or CI log gets `width` columns, not 80."""
    from rich.console import Console

    console = err_console()
    return console if console.is_terminal else Console(stderr=True, highlight=False, width=max(console.width, width))


def write_data(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


class DelayedBar:
    """A rich progress bar on stderr that only shows itself once the work has run for `delay` s.
    It redraws as work advances (at most `REDRAWS` times a second) instead of from rich's refresh
    thread: with no other thread running, the analysis may fork its linking children safely."""

    REDRAWS = 10

    def __init__(self, console: Console | None, label: str, delay: float = 1.0) -> None:
        """`console` None: a quiet run, never drawn."""
        self.console, self.label, self.delay = console, label, delay
        self.total = 0
        self.done = 0
        self.started_at = 0.0
        self.drawn_at = 0.0
        self.bar: Progress | None = None
        self.task = None

    def start(self, total: int) -> None:
        self.total, self.started_at = total, time.perf_counter()

    def advance(self, count: int) -> None:
        self.done += count
        now = time.perf_counter()
        if self.bar is None and self.console is not None and now - self.started_at > self.delay:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn(self.label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=self.console, transient=True, auto_refresh=False,
            )
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=self.total, completed=self.done)
        elif self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=self.done)
        if self.bar is not None and (now - self.drawn_at > 1 / self.REDRAWS or self.done >= self.total):
            self.drawn_at = now
            self.bar.refresh()

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


class StageBar:
    """A bar over a command's few stages (load, plan, render, write) for commands whose stages run
    inside other packages: it appears after `delay` s from a timer, so a quick run never shows it,
    and redraws from rich's own thread, so a long stage still shows its elapsed time."""

    def __init__(self, console: Console | None, label: str, stages: int, delay: float = 1.0) -> None:
        self.console, self.label, self.stages, self.delay = console, label, stages, delay
        self.done, self.stage = 0, ""
        self.bar: Progress | None = None
        self.timer = None
        self.lock = threading.Lock()

    def __enter__(self) -> StageBar:
        if self.console is not None:
            self.timer = threading.Timer(self.delay, self._show)
            self.timer.daemon = True
            self.timer.start()
        return self

    def step(self, stage: str) -> None:
        """The stage now running (the previous one is done)."""
        with self.lock:
            self.done, self.stage = (self.done + 1 if self.stage else 0), stage
            if self.bar is not None:
                self.bar.update(self.bar.task_ids[0], completed=self.done, description=f"{self.label}: {stage}")

    def _show(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with self.lock:
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                console=self.console, transient=True)
            self.bar.add_task(f"{self.label}: {self.stage}", total=self.stages, completed=self.done)
            self.bar.start()

    def __exit__(self, *exc: object) -> None:
        if self.timer is not None:
            self.timer.cancel()
        with self.lock:
            if self.bar is not None:
                self.bar.stop()
