"""`decompose analyze PATH`: write analysis.json, summarise on stderr, export on stdout if asked."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from decompose.analysis.pipeline import AnalyzeOptions, AnalyzeResult
from decompose.analysis.pipeline import analyze as run_analysis
from decompose.cli import choices
from decompose.cli.guard import guarded
from decompose.cli.output import DelayedBar, Quiet, Verbose, err_console, plural, settings_for, write_data
from decompose.cli.report_cmd import write_report
from decompose.cli.state import Source, load_state, save_state
from decompose.errors import UserError
from decompose.graph import FORMATS, LEVELS
from decompose.report.summary_view import SummaryView

if TYPE_CHECKING:  # the model, serializer and rich load only when a run has something to write or print
    from rich.console import Console

    from decompose.analysis.model import Analysis

FAIL_ON = ("failures", "hazards")
DEFAULT_OUT = Path(".decompose")


@guarded
def analyze(
    ctx: typer.Context,
    path: Path = typer.Argument(Path("."), help="A package folder, a project root (src/ layouts too) or a .py file."),
    out: Path = typer.Option(None, "--out", "-o", show_default=False,
                             help="Folder for analysis.json and the cache (default: .decompose for a folder, "
                                  ".decompose/<file> for one file, so it never replaces the project's analysis)."),
    json_out: bool = typer.Option(False, "--json", help="Print analysis.json to stdout (same as --format json)."),
    fmt: choices.Format | None = typer.Option(None, "--format", "-f", help="Also print the analysis to stdout in this format."),
    level: choices.Level = typer.Option("module", "--level", help="Graph granularity for dot/mermaid/graphml."),
    jobs: int = typer.Option(0, "--jobs", "-j", help="Parser processes (0: one per core)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Parse every file again; do not read or write the cache."),
    exclude: list[str] = typer.Option([], "--exclude", help="Glob of paths to skip, relative to PATH's root (repeatable)."),
    max_file_size: int = typer.Option(2048, "--max-file-size", help="Skip (and report) files larger than this many KiB."),
    fail_on: list[choices.FailOn] = typer.Option([], "--fail-on", show_default=False,
                                                 help="Exit 1 if there are any of these findings (repeatable)."),
    html: bool = typer.Option(False, "--html", help="Also write the HTML report to OUT/report.html (with ./decompose.toml if present)."),
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Read a monolith's source (never running it) and write its dependency graph to analysis.json."""
    settings = settings_for(ctx, quiet, verbose)
    fmt, level, fail_on = (fmt.value if fmt else ""), level.value, [f.value for f in fail_on]
    fmt = _check_choices(fmt or ("json" if json_out else ""), level, fail_on)
    console = None if settings.quiet else err_console()
    out = out if out is not None else default_out(path)
    target = out / "analysis.json"
    source = Source(_as_given(path), tuple(exclude), max_file_size * 1024)
    result, view = run_and_save(source, target, console, jobs, use_cache=not no_cache)
    text = result.rendered.text if result.rendered is not None and fmt == "json" else None
    _emit(result.analysis, text, target, fmt, level)
    if console is not None:
        from decompose.report.summary import analysis_summary

        console.print(analysis_summary(view, settings.verbosity))
        console.print(_timing_line(result, target))
    if html:
        from decompose.report.api import report_data  # planning and networkx load only for --html

        plan = Path("decompose.toml")
        write_report(report_data(target, plan if plan.exists() else None), out / "report.html")
        if console is not None:
            console.print(f"Wrote {out / 'report.html'}: open it in a browser.")
    _exit_for_findings(view, fail_on)


def run_and_save(source: Source, target: Path, console: Console | None, jobs: int = 0,
                 use_cache: bool = True) -> tuple[AnalyzeResult, SummaryView]:
    """Analyse `source` into `target`, or answer from the recorded state when nothing changed.
    `check` calls this too, so a boundary check always sees the tree as it is now."""
    previous = load_state(target) if use_cache else None
    options = AnalyzeOptions(
        cache_path=target.parent / "cache.sqlite" if use_cache else None, jobs=jobs or None,
        max_bytes=source.max_bytes, exclude=source.exclude,
        unchanged_since=previous.digest if previous else None, render=True,
    )
    bar = DelayedBar(console, "Analysing")
    try:
        result = run_analysis(Path(source.path), options, bar)
    finally:
        bar.stop()
    if result.rendered is None:  # unchanged since the run recorded in `previous`
        return result, previous.view  # type: ignore[union-attr]
    from decompose.analysis.serialize import write_pieces

    done = result.rendered
    write_pieces(done.pieces, target)
    view = SummaryView.of_parts(done.summary, done.routes, done.hazards, done.failures)
    save_state(target, result.digest, view, source)
    return result, view


def refresh(target: Path, console: Console | None) -> str | None:
    """Bring `target` up to date with the tree it was made from (recorded by analyze), so `check`
    never judges yesterday's code. An analysis.json without that record (or changed since analyze
    wrote it) is used as it is: the note saying so is returned, for the caller to print once the
    file has loaded (a file that does not load gets its one-line error, nothing before it)."""
    state = load_state(target)
    if state is None or state.source is None:
        return (f"{target} has no record of the folder it was made from (or was changed since analyze wrote it): "
                "checking it as it is (run 'decompose analyze PATH' and check keeps it up to date).")
    result, _ = run_and_save(state.source, target, console)
    if console is not None and result.rendered is not None:
        console.print(f"The tree changed since {target} was written: re-analysed it "
                      f"({plural(result.stats.parsed, 'file')} parsed).", markup=False)
    return None


def _as_given(path: Path) -> str:
    """Relative to the working folder when inside it (a copied or moved project still refreshes)."""
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix() or "."
    except ValueError:
        return path.resolve().as_posix()


def default_out(path: Path) -> Path:
    """A folder analyses into .decompose, where plan, generate and check look; one file into a folder
    named after it, so trying the tool on one file never replaces the project's analysis.json."""
    if path.is_file():
        return DEFAULT_OUT / ("file-" + "-".join(part for part in path.with_suffix("").parts if part not in ("/", "..", ".")))
    return DEFAULT_OUT


def _timing_line(result: AnalyzeResult, target: Path) -> str:
    stats = result.stats
    if result.rendered is None:
        return f"\n{plural(stats.files, 'file')} unchanged ({result.seconds:.2f} s). {target} is up to date"
    linked = result.link
    relinked = f", {linked.relinked:,} re-linked" if linked is not None and not linked.full else ""
    return (f"\n{plural(stats.files, 'file')} in {result.seconds:.2f} s ({stats.cache_hits:,} from cache, "
            f"{stats.parsed:,} parsed with {plural(stats.jobs, 'process', 'processes')}{relinked}). Wrote {target}")


def _check_choices(fmt: str, level: str, fail_on: list[str]) -> str:
    if fmt and fmt not in FORMATS:
        raise UserError(f"--format {fmt!r} is not a known format", f"use one of: {', '.join(FORMATS)}")
    if level not in LEVELS:
        raise UserError(f"--level {level!r} is not a known level", f"use one of: {', '.join(LEVELS)}")
    unknown = [f for f in fail_on if f not in FAIL_ON]
    if unknown:
        raise UserError(f"--fail-on {unknown[0]!r} is not a known finding", f"use one of: {', '.join(FAIL_ON)}")
    return fmt


def _emit(analysis: Analysis | None, text: str | None, target: Path, fmt: str, level: str) -> None:
    if not fmt:
        return
    if fmt == "json":
        write_data(text if text is not None else target.read_text(encoding="utf-8"))
        return
    from decompose.analysis.serialize import read
    from decompose.graph.build import build_graph  # networkx loads only for graph exports
    from decompose.graph.export import EXPORTERS

    write_data(EXPORTERS[fmt](build_graph(analysis or read(target), level)))


def _exit_for_findings(view: SummaryView, fail_on: list[str]) -> None:
    if ("failures" in fail_on and view.failures) or ("hazards" in fail_on and view.hazards):
        raise typer.Exit(1)
