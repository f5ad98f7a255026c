"""`SummaryView`: the small, JSON-able digest of an analysis that the summary shows.

An unchanged tree is summarised from the view stored beside analysis.json (`decompose.cli.state`)
without loading the analysis, or rich: this module imports neither, so a warm run stays short.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from decompose.analysis.model import HazardOut, Route
    from decompose.analysis.sources import ParseFailure


@dataclass(frozen=True)
class SummaryView:
    counts: dict
    routes: list  # [framework, routes, not mounted]
    hazards: list  # {kind, path, line, detail, in_request_path}
    failures: list  # {path, line, kind, message}

    @classmethod
    def of_parts(cls, counts: dict, routes: list[Route], hazards: list[HazardOut], failures: list[ParseFailure]) -> SummaryView:
        """From the parts of an analysis that the summary shows (see `decompose.analysis.render`)."""
        frameworks = Counter(r.framework for r in routes)
        by_framework = [[fw, n, sum(1 for r in routes if r.framework == fw and not r.mounted)] for fw, n in sorted(frameworks.items())]
        shown = [{"kind": h.kind, "path": h.path, "line": h.line, "detail": h.detail, "in_request_path": h.in_request_path}
                 for h in hazards]
        failed = [{"path": f.path, "line": f.line, "kind": f.kind, "message": f.message} for f in failures]
        return cls(counts, by_framework, shown, failed)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> SummaryView:
        return cls(data["counts"], data["routes"], data["hazards"], data["failures"])
