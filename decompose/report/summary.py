"""The analysis summary as rich renderables for stderr: counts first, then what needs attention."""

from __future__ import annotations

from collections import Counter

from rich.console import Group, RenderableType
from rich.table import Table as RichTable
from rich.text import Text

from decompose.analysis.model import Analysis
from decompose.analysis.serialize import summary_counts


def analysis_summary(analysis: Analysis, verbosity: int = 0) -> RenderableType:
    counts = summary_counts(analysis)
    parts: list[RenderableType] = [_overview(counts), _edges(counts["edges_by_kind"])]
    if analysis.routes:
        parts.append(_routes(analysis))
    if analysis.hazards:
        parts.append(_hazards(analysis, verbosity))
    if analysis.failures:
        parts.append(_failures(analysis, verbosity))
    if analysis.unresolved:
        parts.append(Text(f"{len(analysis.unresolved)} dynamic import(s) could not be resolved (see 'unresolved' in analysis.json)", style="yellow"))
    return Group(*parts)


def _overview(counts: dict) -> RichTable:
    table = RichTable(title="Analysis", show_header=False, title_justify="left", box=None, padding=(0, 2))
    for label, key in (("modules", "modules"), ("lines", "lines"), ("symbols", "symbols"), ("edges", "edges"),
                       ("routes", "routes"), ("tables", "tables"), ("hazards", "hazards"), ("parse failures", "failures")):
        table.add_row(label, f"{counts[key]:,}")
    return table


def _edges(by_kind: dict[str, int]) -> RichTable:
    table = RichTable(title="Edges by kind", title_justify="left", box=None, padding=(0, 2))
    table.add_column("kind")
    table.add_column("count", justify="right")
    for kind, count in by_kind.items():
        table.add_row(kind, f"{count:,}")
    return table


def _routes(analysis: Analysis) -> RichTable:
    table = RichTable(title="Routes by framework", title_justify="left", box=None, padding=(0, 2))
    table.add_column("framework")
    table.add_column("routes", justify="right")
    table.add_column("not mounted", justify="right")
    for framework, count in sorted(Counter(r.framework for r in analysis.routes).items()):
        unmounted = sum(1 for r in analysis.routes if r.framework == framework and not r.mounted)
        table.add_row(framework, str(count), str(unmounted))
    return table


def _hazards(analysis: Analysis, verbosity: int) -> Group:
    """One line per hazard (tables squash file paths on narrow terminals)."""
    shown = analysis.hazards if verbosity > 0 else [h for h in analysis.hazards if h.in_request_path][:15]
    lines = [Text("Lambda hazards (in a request path unless marked)", style="bold")]
    for hazard in shown:
        line = Text("  ")
        line.append(f"{hazard.kind:<21}", style="yellow")
        line.append(f"{hazard.path}:{hazard.line}  {hazard.detail}")
        if not hazard.in_request_path:
            line.append("  (not in a request path)", style="dim")
        lines.append(line)
    hidden = len(analysis.hazards) - len(shown)
    if hidden:
        lines.append(Text(f"  {hidden} more outside request paths or beyond the first 15: -v shows all", style="dim"))
    return Group(*lines)


def _failures(analysis: Analysis, verbosity: int) -> RichTable:
    table = RichTable(title="Files that could not be analysed", title_justify="left", box=None, padding=(0, 2))
    for column in ("file", "kind", "message"):
        table.add_column(column)
    shown = analysis.failures if verbosity > 0 else analysis.failures[:10]
    for failure in shown:
        where = f"{failure.path}:{failure.line}" if failure.line else failure.path
        table.add_row(where, failure.kind, failure.message)
    if len(shown) < len(analysis.failures):
        table.caption = f"{len(analysis.failures) - len(shown)} more: -v shows all"
    return table
