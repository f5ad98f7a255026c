"""JSON Schema inferred from the bodies a route answered with: what every recorded answer had in
common, so a target's answer can be checked for shape even where values are volatile.

    infer([{"id": 1, "tags": ["a"]}, {"id": 2, "tags": [], "note": None}])
    -> {"type": "object", "properties": {"id": {"type": "integer"}, "note": {"type": "null"},
        "tags": {"type": "array", "items": {"type": "string"}}}, "required": ["id", "tags"]}

Rules: a key is required when every example object has it; types seen are unioned (an integer
and a float give "number"); array items are inferred from all items of all examples; an empty
array says nothing about its items. The result is deterministic (keys and type lists sorted) and
uses only draft 2020-12 keywords, so any validator (the `jsonschema` package) can check answers.
"""

from __future__ import annotations

from typing import Any

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def infer(examples: list[Any]) -> dict[str, Any]:
    """The schema of all examples, with `$schema` set; an empty list gives the schema that accepts anything."""
    return {"$schema": DIALECT, **_infer(examples)} if examples else {"$schema": DIALECT}


def _infer(examples: list[Any]) -> dict[str, Any]:
    kinds = sorted({_kind(e) for e in examples})
    if "integer" in kinds and "number" in kinds:
        kinds.remove("integer")
    branches = [_branch(kind, [e for e in examples if _kind(e) == kind or (kind == "number" and _kind(e) == "integer")])
                for kind in kinds]
    if len(branches) == 1:
        return branches[0]
    plain = [b for b in branches if set(b) == {"type"}]
    if len(plain) == len(branches):
        return {"type": [b["type"] for b in branches]}
    return {"anyOf": branches}


def _branch(kind: str, examples: list[Any]) -> dict[str, Any]:
    if kind == "object":
        keys = sorted({k for e in examples for k in e})
        properties = {k: _infer([e[k] for e in examples if k in e]) for k in keys}
        required = [k for k in keys if all(k in e for e in examples)]
        return {"type": "object", "properties": properties, "required": required}
    if kind == "array":
        items = [item for e in examples for item in e]
        return {"type": "array", "items": _infer(items)} if items else {"type": "array"}
    return {"type": kind}


JSON_TYPES = ((type(None), "null"), (bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"),
              (list, "array"), (dict, "object"))  # bool before int: True is an int in Python


def _kind(value: Any) -> str:
    for python_type, name in JSON_TYPES:
        if isinstance(value, python_type):
            return name
    raise TypeError(f"not a JSON value: {type(value).__name__}")
