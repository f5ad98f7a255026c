"""`decompose analyze PATH`: write analysis.json, summarise on stderr, export on stdout if asked."""

from __future__ import annotations

from pathlib import Path

import typer

from decompose.analysis.pipeline import AnalyzeOptions, analyze as run_analysis
from decompose.analysis.serialize import dumps, write
from decompose.cli.guard import guarded
from decompose.cli.output import DelayedBar, Quiet, Verbose, err_console, settings_for, write_data
from decompose.errors import UserError
from decompose.graph.build import LEVELS, build_graph
from decompose.graph.export import EXPORTERS, FORMATS
from decompose.report.summary import analysis_summary

FAIL_ON = ("failures", "hazards")


@guarded
def analyze(
    ctx: typer.Context,
    path: Path = typer.Argument(Path("."), help="A package folder, a project root (src/ layouts too) or a .py file."),
    out: Path = typer.Option(Path(".decompose"), "--out", "-o", help="Folder for analysis.json and the cache."),
    json_out: bool = typer.Option(False, "--json", help="Print analysis.json to stdout (same as --format json)."),
    fmt: str = typer.Option("", "--format", "-f", help=f"Print to stdout: {', '.join(FORMATS)}."),
    level: str = typer.Option("module", "--level", help=f"Graph granularity for dot/mermaid/graphml: {', '.join(LEVELS)}."),
    jobs: int = typer.Option(0, "--jobs", "-j", help="Parser processes (0: one per core)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Parse every file again; do not read or write the cache."),
    exclude: list[str] = typer.Option([], "--exclude", help="Glob of paths to skip, relative to PATH's root (repeatable)."),
    max_file_size: int = typer.Option(2048, "--max-file-size", help="Skip (and report) files larger than this many KiB."),
    fail_on: list[str] = typer.Option([], "--fail-on", help="Exit 1 if there are any: failures, hazards (repeatable)."),
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Read a monolith's source (never running it) and write its dependency graph to analysis.json."""
    settings = settings_for(ctx, quiet, verbose)
    fmt = _check_choices(fmt or ("json" if json_out else ""), level, fail_on)
    console = err_console()
    options = AnalyzeOptions(
        cache_path=None if no_cache else out / "cache.sqlite", jobs=jobs or None,
        max_bytes=max_file_size * 1024, exclude=tuple(exclude),
    )
    bar = DelayedBar(console, "Analysing", enabled=not settings.quiet)
    try:
        result = run_analysis(path, options, bar)
    finally:
        bar.stop()
    target = out / "analysis.json"
    write(result.analysis, target)
    _emit(result.analysis, fmt, level)
    if not settings.quiet:
        console.print(analysis_summary(result.analysis, settings.verbosity))
        stats = result.stats
        console.print(f"\n{stats.files:,} files in {result.seconds:.2f} s ({stats.cache_hits:,} from cache, "
                      f"{stats.parsed:,} parsed with {stats.jobs} process(es)). Wrote {target}")
    _exit_for_findings(result.analysis, fail_on)


def _check_choices(fmt: str, level: str, fail_on: list[str]) -> str:
    if fmt and fmt not in FORMATS:
        raise UserError(f"--format {fmt!r} is not a known format", f"use one of: {', '.join(FORMATS)}")
    if level not in LEVELS:
        raise UserError(f"--level {level!r} is not a known level", f"use one of: {', '.join(LEVELS)}")
    unknown = [f for f in fail_on if f not in FAIL_ON]
    if unknown:
        raise UserError(f"--fail-on {unknown[0]!r} is not a known finding", f"use one of: {', '.join(FAIL_ON)}")
    return fmt


def _emit(analysis, fmt: str, level: str) -> None:  # noqa: ANN001
    if fmt == "json":
        write_data(dumps(analysis))
    elif fmt:
        write_data(EXPORTERS[fmt](build_graph(analysis, level)))


def _exit_for_findings(analysis, fail_on: list[str]) -> None:  # noqa: ANN001
    if ("failures" in fail_on and analysis.failures) or ("hazards" in fail_on and analysis.hazards):
        raise typer.Exit(1)
