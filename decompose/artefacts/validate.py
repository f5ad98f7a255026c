"""A small JSON Schema (draft 2020-12) validator for the keywords our artefact schemas use.

jsonschema checks 134k edges of a large analysis.json in about 8 s; this checks them in well under
one, and stops at the first problem (all a reader needs to refuse the file). It knows only the
keywords in `KNOWN`: a schema using any other is refused when it loads, so a schema can never be
silently weaker here than it reads. It is stricter than the draft in one way: 1.0 is not an
integer (the code reading a count or a line number formats it as one). tests/security/test_artefacts.py
holds its verdicts equal to jsonschema's on every corruption it tries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

KNOWN = frozenset({
    "$schema", "$id", "$defs", "$ref", "$comment", "title", "description",
    "type", "required", "properties", "additionalProperties", "items", "enum", "const", "minimum", "minLength",
})
PYTHON_TYPES = {"object": (dict,), "array": (list,), "string": (str,), "integer": (int,), "number": (int, float),
                "boolean": (bool,), "null": (type(None),)}
SCHEMA_KEYS = ("additionalProperties", "items")  # keywords whose value is itself a schema


class SchemaError(Exception):
    """A schema this validator cannot apply faithfully (a bug in decompose, not in the user's file)."""


def check_schema(schema: Any, where: str = "#") -> None:
    """Refuse a schema that uses a keyword outside `KNOWN` (anywhere in it)."""
    if isinstance(schema, bool):
        return
    if not isinstance(schema, dict):
        raise SchemaError(f"{where}: a schema is an object or a boolean")
    unknown = sorted(set(schema) - KNOWN)
    if unknown:
        raise SchemaError(f"{where}: keyword {unknown[0]!r} is not supported by decompose.artefacts.validate")
    for key in ("properties", "$defs"):
        for name, sub in schema.get(key, {}).items():
            check_schema(sub, f"{where}/{key}/{name}")
    for key in SCHEMA_KEYS:
        if key in schema:
            check_schema(schema[key], f"{where}/{key}")


Problem = tuple[list[str], str]  # (the path's parts, innermost first; what is wrong)
Checker = Callable[[Any], "Problem | None"]


def first_problem(value: Any, schema: Any) -> tuple[str, str] | None:
    """(JSON path, what is wrong) of the first place `value` breaks `schema`; None when it conforms."""
    found = compiled(schema)(value)
    return None if found is None else ("$" + "".join(reversed(found[0])), found[1])


def compiled(schema: Any) -> Checker:
    """The schema as one function (built once per schema): a large analysis.json is millions of checks."""
    key = id(schema)
    if key not in _COMPILED:
        check_schema(schema)
        _COMPILED[key] = (schema, _compile(schema, schema, {}))
    return _COMPILED[key][1]


_COMPILED: dict[int, tuple[Any, Checker]] = {}  # the schema is kept so its id is never reused


def _compile(schema: Any, root: dict[str, Any], refs: dict[str, Checker]) -> Checker:
    if schema is True:
        return lambda value: None
    if schema is False:
        return lambda value: ([], "is not allowed here")
    checks = [check for check in (_ref(schema, root, refs), _own(schema)) if check is not None]
    checks += _object(schema, root, refs) + _array(schema, root, refs)
    if len(checks) == 1:
        return checks[0]

    def all_of(value: Any) -> Problem | None:
        for check in checks:
            found = check(value)
            if found is not None:
                return found
        return None

    return all_of


def _ref(schema: dict[str, Any], root: dict[str, Any], refs: dict[str, Checker]) -> Checker | None:
    ref = schema.get("$ref")
    if ref is None:
        return None
    if ref not in refs:
        refs[ref] = lambda value: refs[ref + "#"](value)  # a recursive reference resolves when first called
        refs[ref + "#"] = _compile(_resolve(root, ref), root, refs)
    return refs[ref]


def _own(schema: dict[str, Any]) -> Checker | None:
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds or []
    accepted = tuple(t for kind in kinds for t in PYTHON_TYPES[kind])
    bools = "boolean" in kinds  # bool is an int in Python, never an integer or a number in JSON
    rules = {k: schema[k] for k in ("const", "enum", "minimum", "minLength") if k in schema}
    if not kinds and not rules:
        return None
    wanted = " or ".join(kinds)

    def own(value: Any) -> Problem | None:
        if kinds and (not isinstance(value, accepted) or (type(value) is bool and not bools)):
            return [], f"{show(value)} should be {wanted}"
        return _rules(value, rules) if rules else None

    return own


def _rules(value: Any, rules: dict[str, Any]) -> Problem | None:
    if "const" in rules and not _same(value, rules["const"]):
        return [], f"{show(value)} should be {show(rules['const'])}"
    if "enum" in rules and not any(_same(value, option) for option in rules["enum"]):
        return [], f"{show(value)} should be one of {', '.join(map(show, rules['enum']))}"
    if "minimum" in rules and isinstance(value, (int, float)) and type(value) is not bool and value < rules["minimum"]:
        return [], f"{show(value)} should be at least {rules['minimum']}"
    if "minLength" in rules and isinstance(value, str) and len(value) < rules["minLength"]:
        return [], f"should have at least {rules['minLength']} character(s)"
    return None


def _object(schema: dict[str, Any], root: dict[str, Any], refs: dict[str, Checker]) -> list[Checker]:
    required = tuple(schema.get("required", ()))
    properties = {key: _compile(sub, root, refs) for key, sub in schema.get("properties", {}).items()}
    extra_schema = schema.get("additionalProperties", True)
    extra = None if extra_schema is True else _compile(extra_schema, root, refs)
    if not (required or properties or extra):
        return []

    def members(value: Any) -> Problem | None:
        if type(value) is not dict:
            return None
        for key in required:
            if key not in value:
                return [], f"required key {key!r} is missing"
        for key, item in value.items():
            check = properties.get(key, extra)
            found = None if check is None else check(item)
            if found is not None:
                found[0].append(_key_part(key))
                return found if key in properties or extra_schema is not False else (found[0], f"unknown key {key!r}")
        return None

    return [members]


def _array(schema: dict[str, Any], root: dict[str, Any], refs: dict[str, Checker]) -> list[Checker]:
    if "items" not in schema:
        return []
    check = _compile(schema["items"], root, refs)

    def items(value: Any) -> Problem | None:
        if type(value) is not list:
            return None
        for index, item in enumerate(value):
            found = check(item)
            if found is not None:
                found[0].append(f"[{index}]")
                return found
        return None

    return [items]


def _resolve(root: dict[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        raise SchemaError(f"$ref {ref!r}: only references inside the schema (#/...) are supported")
    found: Any = root
    for part in ref[2:].split("/"):
        found = found[part]
    return found


def _same(value: Any, expected: Any) -> bool:
    """JSON equality: true is not 1 (Python's == says it is)."""
    return type(value) is type(expected) and value == expected if isinstance(value, bool) or isinstance(expected, bool) \
        else value == expected


def _key_part(key: Any) -> str:
    text = str(key)
    return f".{text}" if text.isidentifier() else f"[{show(text)}]"


def show(value: Any) -> str:
    """A value in a message: short, on one line."""
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "an array"
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    text = repr(value)
    text = text if text.isprintable() else text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= 40 else text[:37] + "..."
