"""`analysis.state.json` beside analysis.json: the digest of the tree it describes, the file's own
size and mtime, and the summary. An unchanged tree is then answered without re-linking, re-writing
or even loading analysis.json; a hand-edited or missing analysis.json is never trusted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from decompose.report.summary_view import SummaryView


@dataclass(frozen=True)
class Source:
    """What analyze was given (relative to the working folder when inside it), so `check` can
    analyse the same tree again."""

    path: str
    exclude: tuple[str, ...] = ()
    max_bytes: int = 2048 * 1024


@dataclass(frozen=True)
class State:
    digest: str
    view: SummaryView
    source: Source | None = None


def state_path(analysis_path: Path) -> Path:
    return analysis_path.with_name("analysis.state.json")


def _stamp(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def load_state(analysis_path: Path) -> State | None:
    try:
        data = json.loads(state_path(analysis_path).read_text(encoding="utf-8"))
        if data["stamp"] != _stamp(analysis_path):
            return None
        found = data.get("source")
        source = Source(found["path"], tuple(found["exclude"]), int(found["max_bytes"])) if found else None
        return State(data["digest"], SummaryView.from_json(data["view"]), source)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_state(analysis_path: Path, digest: str, view: SummaryView, source: Source | None = None) -> None:
    data = {"digest": digest, "stamp": _stamp(analysis_path), "view": view.to_json()}
    if source is not None:
        data["source"] = {"path": source.path, "exclude": list(source.exclude), "max_bytes": source.max_bytes}
    tmp = state_path(analysis_path).with_suffix(".tmp")
    tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
    tmp.replace(state_path(analysis_path))
