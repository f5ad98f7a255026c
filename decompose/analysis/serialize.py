"""analysis.json: write deterministically (sorted keys, stable order), read back checked against its schema."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import fields
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from decompose.analysis.model import (
    SCHEMA_VERSION,
    Analysis,
    Edge,
    HazardOut,
    Location,
    ModuleInfo,
    Mount,
    Route,
    SymbolInfo,
    Table,
    Unresolved,
)
from decompose.analysis.sources import ParseFailure
from decompose.artefacts import ANALYSIS, read_json

LIST_TYPES = {
    "modules": ModuleInfo, "symbols": SymbolInfo, "edges": Edge, "routes": Route, "mounts": Mount, "tables": Table,
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


def edge_line(edge: Edge) -> str:
    """`ENCODER.encode(row(edge))`, written out: edges are most of analysis.json's records (134k on
    Saleor), and building a dict for the encoder took 5x longer than the line itself. Strings still
    go through json's own escaping (`encode_basestring`, what `ENCODER` calls); the tests hold the
    two equal, byte for byte."""
    q = encode_basestring
    locations = ", ".join([f'{{"line": {line}, "path": {q(path)}}}' for path, line in edge.locations])
    via = "null" if edge.via is None else q(edge.via)
    return (f'{{"dst": {q(edge.dst)}, "kind": {q(edge.kind)}, "locations": [{locations}], "src": {q(edge.src)}, '
            f'"via": {via}, "weight": {edge.weight:d}}}')


def symbol_line(symbol: SymbolInfo) -> str:
    """`ENCODER.encode(row(symbol))`, written out (see `edge_line`)."""
    q = encode_basestring
    return (f'{{"end_line": {symbol.end_line:d}, "id": {q(symbol.id)}, "kind": {q(symbol.kind)}, "line": {symbol.line:d}, '
            f'"module": {q(symbol.module)}, "name": {q(symbol.name)}}}')


def dumps(analysis: Analysis) -> str:
    """Valid JSON with one record per line: diffs stay readable and the C encoder does the work."""
    data = to_dict(analysis)
    return assemble({key: encode_rows(value) if isinstance(value, list) else value for key, value in data.items()})


def encode_rows(items: list[Any]) -> Rows:
    return Rows([ENCODER.encode(item) for item in items])


class Rows(list):
    """A list's records, each already encoded as one line of JSON (or several lines joined by ",\n")."""


def assemble(data: dict[str, Any]) -> str:
    """The document from its top-level values; `Rows` values are written one record per line."""
    return "".join(pieces(data))


def pieces(data: dict[str, Any]) -> list[str]:
    """The document as consecutive pieces, so a large one is joined once, or never (`write_pieces`)."""
    out = ["{\n"]
    for number, key in enumerate(sorted(data)):
        value = data[key]
        rows = [chunk for chunk in value if chunk] if isinstance(value, Rows) else None
        out.append(",\n" if number else "")
        if rows:
            out.append(f"{json.dumps(key)}: [\n")
            out.extend(_separated(rows))
            out.append("\n]")
        else:
            out.append(f"{json.dumps(key)}: {ENCODER.encode([] if rows is not None else value)}")
    out.append("\n}\n")
    return out


def _separated(rows: list[str]) -> list[str]:
    out = [",\n"] * (2 * len(rows) - 1)
    out[::2] = rows
    return out


def write(analysis: Analysis, path: Path) -> str:
    """Write atomically (a reader never sees half a file); returns the text written."""
    text = dumps(analysis)
    write_text(text, path)
    return text


def write_text(text: str, path: Path) -> None:
    write_pieces([text], path)


def write_pieces(parts: list[str], path: Path) -> None:
    """Write atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    with tmp.open("w", encoding="utf-8") as out:
        out.writelines(parts)
    tmp.replace(path)


def read(path: Path) -> Analysis:
    """analysis.json, checked against its schema (decompose.artefacts) before it is built."""
    return from_dict(read_json(path, ANALYSIS, missing="run 'decompose analyze PATH' first"))


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
    return summary_of(
        [m.lines for m in analysis.modules], len(analysis.symbols), Counter(e.kind for e in analysis.edges),
        analysis.routes, len(analysis.tables), analysis.hazards, len(analysis.failures), len(analysis.unresolved),
    )


def summary_of(module_lines: list[int], symbols: int, edge_kinds: Counter[str], routes: list[Route], tables: int,
               hazards: list[HazardOut], failures: int, unresolved: int) -> dict[str, Any]:
    """The summary's counts from the parts they are counted from."""
    frameworks = Counter(r.framework for r in routes)
    kinds = Counter(h.kind for h in hazards)
    return {
        "modules": len(module_lines),
        "lines": sum(module_lines),
        "symbols": symbols,
        "edges": sum(edge_kinds.values()),
        "edges_by_kind": dict(sorted((k, n) for k, n in edge_kinds.items() if n)),
        "routes": len(routes),
        "routes_by_framework": dict(sorted(frameworks.items())),
        "tables": tables,
        "hazards": len(hazards),
        "hazards_by_kind": dict(sorted(kinds.items())),
        "hazards_in_request_path": sum(h.in_request_path for h in hazards),
        "failures": failures,
        "unresolved": unresolved,
    }
