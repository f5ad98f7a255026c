"""analysis.json: write deterministically (sorted keys, stable order), read back with a version check."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from decompose.analysis.facts import ParseFailure
from decompose.analysis.model import (
    SCHEMA_VERSION,
    Analysis,
    Edge,
    HazardOut,
    Location,
    ModuleInfo,
    Route,
    SymbolInfo,
    Table,
    Unresolved,
)
from decompose.errors import UserError

LIST_TYPES = {
    "modules": ModuleInfo, "symbols": SymbolInfo, "edges": Edge, "routes": Route, "tables": Table,
    "hazards": HazardOut, "failures": ParseFailure, "unresolved": Unresolved,
}


def to_dict(analysis: Analysis) -> dict[str, Any]:
    data: dict[str, Any] = {name: [row(item) for item in getattr(analysis, name)] for name in LIST_TYPES}
    data.update(root=analysis.root, schema_version=analysis.schema_version, summary=summary_counts(analysis))
    return data


def row(item: Any) -> dict[str, Any]:
    """One record as a JSON-ready dict (tuples encode as lists; locations as {path, line})."""
    fields_ = vars(item)
    if "locations" in fields_:
        return {**fields_, "locations": [{"path": p, "line": n} for p, n in fields_["locations"]]}
    return fields_


ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


def dumps(analysis: Analysis) -> str:
    """Valid JSON with one record per line: diffs stay readable and the C encoder does the work."""
    data = to_dict(analysis)
    parts = []
    for key in sorted(data):
        value = data[key]
        if isinstance(value, list) and value:
            rows = ",\n".join(map(ENCODER.encode, value))
            parts.append(f"{json.dumps(key)}: [\n{rows}\n]")
        else:
            parts.append(f"{json.dumps(key)}: {ENCODER.encode(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def write(analysis: Analysis, path: Path) -> str:
    """Write atomically (a reader never sees half a file); returns the text written."""
    text = dumps(analysis)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return text


def read(path: Path) -> Analysis:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: not found", "run 'decompose analyze PATH' first") from None
    except (OSError, ValueError) as error:
        raise UserError(f"{path}: not a readable analysis.json ({error})", "re-run 'decompose analyze PATH'") from None
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version != SCHEMA_VERSION:
        raise UserError(
            f"{path}: schema_version {version!r}, this decompose reads version {SCHEMA_VERSION}",
            "re-run 'decompose analyze PATH' with this version",
        )
    return from_dict(data)


def from_dict(data: dict[str, Any]) -> Analysis:
    lists = {name: [_build(cls, item) for item in data.get(name, [])] for name, cls in LIST_TYPES.items()}
    return Analysis(root=data["root"], schema_version=data["schema_version"], **lists)


def _build(cls: type, item: dict[str, Any]) -> Any:
    values = {}
    for f in fields(cls):
        value = item.get(f.name)
        if f.name == "locations":
            value = tuple(Location(**loc) for loc in value or ())
        elif isinstance(value, list):
            value = tuple(value)
        values[f.name] = value
    return cls(**values)


def summary_counts(analysis: Analysis) -> dict[str, Any]:
    edges: dict[str, int] = {}
    for edge in analysis.edges:
        edges[edge.kind] = edges.get(edge.kind, 0) + 1
    frameworks: dict[str, int] = {}
    for route in analysis.routes:
        frameworks[route.framework] = frameworks.get(route.framework, 0) + 1
    hazards: dict[str, int] = {}
    for hazard in analysis.hazards:
        hazards[hazard.kind] = hazards.get(hazard.kind, 0) + 1
    return {
        "modules": len(analysis.modules),
        "lines": sum(m.lines for m in analysis.modules),
        "symbols": len(analysis.symbols),
        "edges": len(analysis.edges),
        "edges_by_kind": dict(sorted(edges.items())),
        "routes": len(analysis.routes),
        "routes_by_framework": dict(sorted(frameworks.items())),
        "tables": len(analysis.tables),
        "hazards": len(analysis.hazards),
        "hazards_by_kind": dict(sorted(hazards.items())),
        "hazards_in_request_path": sum(h.in_request_path for h in analysis.hazards),
        "failures": len(analysis.failures),
        "unresolved": len(analysis.unresolved),
    }


