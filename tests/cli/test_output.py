"""The progress bar: shown only after its delay, drawn from the work's own thread."""

import io
import threading
import time

from rich.console import Console

from decompose.cli.output import DelayedBar


def _console() -> Console:
    return Console(file=io.StringIO(), force_terminal=True, width=80)


def test_the_bar_draws_progress_without_starting_a_thread():
    console = _console()
    bar = DelayedBar(console, "Analysing", delay=0)
    before = threading.active_count()
    bar.start(10)
    time.sleep(0.01)
    for _ in range(10):
        bar.advance(1)
    assert bar.bar is not None
    assert threading.active_count() == before  # forking the linkers stays safe while it shows
    output = console.file.getvalue()
    bar.stop()
    assert "10/10" in output


def test_a_short_or_quiet_run_shows_no_bar():
    console = _console()
    short = DelayedBar(console, "Analysing", delay=60)
    short.start(3)
    short.advance(3)
    quiet = DelayedBar(None, "Analysing", delay=0)
    quiet.start(3)
    time.sleep(0.01)
    quiet.advance(3)
    assert short.bar is None and quiet.bar is None
    assert console.file.getvalue() == ""


def test_the_stage_bar_shows_a_long_stage_and_its_name():
    from decompose.cli.output import StageBar

    console = _console()
    with StageBar(console, "Generating", 3, delay=0) as bar:
        bar.step("reading")
        bar.step("rendering")
        deadline = time.monotonic() + 10
        while "rendering" not in console.file.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
    assert "Generating: rendering" in console.file.getvalue() and "1/3" in console.file.getvalue()


def test_a_quick_run_never_shows_the_stage_bar():
    from decompose.cli.output import StageBar

    console = _console()
    with StageBar(console, "Generating", 2, delay=60) as bar:
        bar.step("reading")
        bar.step("rendering")
    assert bar.bar is None and console.file.getvalue() == ""
