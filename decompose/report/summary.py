"""The analysis summary for stderr: counts first, then what needs attention.

Rendering reads a `SummaryView` (`decompose.report.summary_view`), a small JSON-able digest of an
analysis, so an unchanged tree can be summarised without loading the analysis itself.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table as RichTable
from rich.text import Text

from decompose.report.summary_view import SummaryView

MAX_HAZARDS = 15
MAX_FAILURES = 10


def analysis_summary(view: SummaryView, verbosity: int = 0) -> RenderableType:
    parts: list[RenderableType] = [_overview(view.counts), _edges(view.counts["edges_by_kind"])]
    if view.routes:
        parts.append(_routes(view.routes))
    if view.hazards:
        parts.append(_hazards(view.hazards, verbosity))
    if view.failures:
        parts.append(_failures(view.failures, verbosity))
    if view.counts["unresolved"]:
        parts.append(Text(f"{view.counts['unresolved']} dynamic import(s) could not be resolved (see 'unresolved' in analysis.json)", style="yellow"))
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


def _routes(routes: list) -> RichTable:
    table = RichTable(title="Routes by framework", title_justify="left", box=None, padding=(0, 2))
    table.add_column("framework")
    table.add_column("routes", justify="right")
    table.add_column("not mounted", justify="right")
    for framework, count, unmounted in routes:
        table.add_row(framework, str(count), str(unmounted))
    return table


def _hazards(hazards: list, verbosity: int) -> Group:
    """One line per hazard (tables squash file paths on narrow terminals)."""
    shown = hazards if verbosity > 0 else [h for h in hazards if h["in_request_path"]][:MAX_HAZARDS]
    lines = [Text("Lambda hazards (in a request path unless marked)", style="bold")]
    for hazard in shown:
        line = Text("  ")
        line.append(f"{hazard['kind']:<21}", style="yellow")
        line.append(f"{hazard['path']}:{hazard['line']}  {hazard['detail']}")
        if not hazard["in_request_path"]:
            line.append("  (not in a request path)", style="dim")
        lines.append(line)
    hidden = len(hazards) - len(shown)
    if hidden:
        lines.append(Text(f"  {hidden} more outside request paths or beyond the first {MAX_HAZARDS}: -v shows all", style="dim"))
    return Group(*lines)


def _failures(failures: list, verbosity: int) -> RichTable:
    table = RichTable(title="Files that could not be analysed", title_justify="left", box=None, padding=(0, 2))
    for column in ("file", "kind", "message"):
        table.add_column(column)
    shown = failures if verbosity > 0 else failures[:MAX_FAILURES]
    for failure in shown:
        where = f"{failure['path']}:{failure['line']}" if failure["line"] else failure["path"]
        table.add_row(where, failure["kind"], failure["message"])
    if len(shown) < len(failures):
        table.caption = f"{len(failures) - len(shown)} more: -v shows all"
    return table
