"""Every artefact decompose reads is checked against its versioned schema before anything uses it.

    document = read_json(Path(".decompose/analysis.json"), ANALYSIS)   # parsed, version and structure checked
    data = check(tomlkit_document.unwrap(), PLAN, path)                # a document parsed elsewhere (TOML)

The schemas (draft 2020-12) ship in decompose/artefacts/schemas/. They check structure: required
keys and types, not what each value means (the stage reading it does that). Each artefact carries
"schema_version"; an older or newer one is refused with the command that writes it again. A file
that fails is a UserError of one line (the file, the JSON path of the first problem, what is wrong)
and the next step; reading never writes, so a refused file is left exactly as it was.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from decompose.artefacts.validate import first_problem, show
from decompose.errors import UserError

Legacy = Callable[[dict[str, Any]], dict[str, Any]]


def _unchanged(document: dict[str, Any]) -> dict[str, Any]:
    return document


def _format_field(document: dict[str, Any]) -> dict[str, Any]:
    """Contracts written before schema_version carried "format": 1, which is schema_version 1."""
    if "schema_version" not in document and "format" in document:
        return {**{k: v for k, v in document.items() if k != "format"}, "schema_version": document["format"]}
    return document


def _bare_routes(document: dict[str, Any]) -> dict[str, Any]:
    """latency.json written before schema_version was the routes object alone: version 1."""
    if "schema_version" not in document and "routes" not in document:
        return {"schema_version": 1, "routes": document}
    return document


@dataclass(frozen=True)
class Kind:
    name: str  # as the user knows the file
    schema: str  # under schemas/
    version: int  # the schema_version this decompose writes and reads
    remedy: str  # the command that writes the file again
    legacy: Legacy = _unchanged  # a file from before schema_version, in today's shape


ANALYSIS = Kind("analysis.json", "analysis.schema.json", 1, "re-run 'decompose analyze PATH'")
PLAN = Kind("decompose.toml", "plan.schema.json", 1, "fix it by hand, or move it aside and run 'decompose plan' to write a new one")
CONTRACT = Kind("contract", "contract.schema.json", 1, "record it again with 'decompose contracts record'", _format_field)
LATENCY = Kind("latency.json", "latency.schema.json", 1,
               "record again with 'decompose contracts record' (it writes .decompose/latency.json)", _bare_routes)
GENERATION = Kind("generation.json", "generation.schema.json", 1, "run 'decompose generate' again")
VERDICTS = Kind("verdicts.json", "verdicts.schema.json", 1,
                "move it aside and run 'decompose contracts verify' again (it writes .decompose/verdicts.json)")


@functools.cache
def schema(kind: Kind) -> dict[str, Any]:
    return json.loads((files("decompose.artefacts") / "schemas" / kind.schema).read_text(encoding="utf-8"))


def read_json(path: Path, kind: Kind, missing: str | None = None) -> dict[str, Any]:
    """The artefact at `path`, checked; `missing`: the next step when there is no file (default: remedy)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: not found", missing or kind.remedy) from None
    except OSError as error:
        raise UserError(f"{path}: cannot be read ({error.strerror or error})", f"check the path; {kind.remedy}") from None
    return check(parse_json(data, path, kind), kind, path)


def parse_json(data: bytes, path: Path, kind: Kind) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _refused(path, kind, f"not a readable {kind.name} (not UTF-8 text: byte {error.start})") from None
    if not text.strip():
        raise _refused(path, kind, f"not a readable {kind.name} (the file is empty)")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise _refused(path, kind, f"not a readable {kind.name} (not valid JSON: {error.msg}, line {error.lineno}, "
                                   f"column {error.colno})") from None
    except ValueError as error:
        raise _refused(path, kind, f"not a readable {kind.name} (not valid JSON: {error})") from None
    except RecursionError:
        raise _refused(path, kind, f"not a readable {kind.name} (not valid JSON: nested too deeply)") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def check(document: Any, kind: Kind, path: Path) -> dict[str, Any]:
    """`document` (parsed) in today's shape, when its version is this decompose's and its structure
    conforms; otherwise a UserError naming the first problem."""
    if not isinstance(document, dict):
        raise _refused(path, kind, f"$: {show(document)} where an object belongs")
    document = kind.legacy(document)
    _check_version(document, kind, path)
    try:
        found = first_problem(document, schema(kind))
    except RecursionError:
        found = ("$", "nested too deeply")
    if found:
        raise _refused(path, kind, f"{found[0]}: {found[1]}")
    return document


def _check_version(document: dict[str, Any], kind: Kind, path: Path) -> None:
    version = document.get("schema_version")
    if "schema_version" not in document:
        raise _refused(path, kind, f"$: required key 'schema_version' is missing (not a decompose {kind.name}?)")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _refused(path, kind, f"$.schema_version: {show(version)} where a whole number belongs")
    if version > kind.version:
        raise UserError(f"{path}: written by a newer decompose (schema_version {version}; this one reads {kind.version})",
                        f"upgrade decompose, or {kind.remedy}")
    if version < kind.version:
        raise UserError(f"{path}: written by an older decompose (schema_version {version}; this one reads {kind.version})",
                        kind.remedy)


def _refused(path: Path, kind: Kind, what: str) -> UserError:
    return UserError(f"{path}: {what}", f"{kind.remedy}; the file was left as it is")
