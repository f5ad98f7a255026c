"""The wire format of calls between services: Python values <-> JSON, or a clear error.

    JSON scalars, lists, dicts with str keys  -> themselves
    tuple, set, frozenset, bytes, dict with other keys, datetime, date, time, Decimal, UUID
                                              -> {"$tuple": [...]}, {"$bytes": "<base64>"}, ...
    an ORM row (SQLAlchemy)                   -> {"$model": "module:Class", "pk": [...]}
                                                 (both services share the schema and the database:
                                                 the receiver loads the row by primary key)
    an exception                              -> {"$error": "module:Class", "args": [...], "state": {...}}
    anything else                             -> WireError naming the value's type and where it was

The session rows are loaded through is configured once per service (`configure(session=...)`).
Copied verbatim into each service's shared layer as `decompose_runtime.wire`; standard library only
(SQLAlchemy is imported only if the service uses it).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import importlib
import uuid
from collections.abc import Callable
from typing import Any

_SESSION: Callable[[], Any] | None = None
_ERRORS: dict[str, type] = {}  # "module:Class" -> local class remote errors of that name become


class WireError(TypeError):
    """A value that cannot travel between services."""


class RemoteError(Exception):
    """An error raised in another service whose class this service does not have."""

    def __init__(self, origin: str, message: str) -> None:
        super().__init__(f"{origin}: {message}")
        self.origin = origin


def configure(session: Callable[[], Any] | None = None) -> None:
    global _SESSION
    _SESSION = session


def register_error(origin: str, cls: type) -> None:
    _ERRORS[origin] = cls


def encode(value: Any, where: str = "value") -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        return _encode_dict(value, where)
    for kind, test, make in _TAGGED:
        if test(value):
            return {kind: make(value, where)}
    row = _row(value)
    if row is not None:
        return row
    if isinstance(value, BaseException):
        return encode_error(value)
    raise WireError(f"{where} is a {type(value).__module__}.{type(value).__qualname__}, "
                    "which cannot travel between services (JSON values and ORM rows only)")


def _encode_dict(value: dict, where: str) -> Any:
    if all(isinstance(k, str) and not k.startswith("$") for k in value):
        return {k: encode(v, f"{where}[{k!r}]") for k, v in value.items()}
    return {"$dict": [[encode(k, where), encode(v, f"{where}[{k!r}]")] for k, v in value.items()]}


def _items(value: Any, where: str) -> list:
    return [encode(v, f"{where}[{i}]") for i, v in enumerate(value)]


_TAGGED: list[tuple[str, Callable[[Any], bool], Callable[[Any, str], Any]]] = [
    ("$tuple", lambda v: isinstance(v, tuple), _items),
    ("$set", lambda v: isinstance(v, (set, frozenset)), lambda v, w: _items(sorted(v, key=repr), w)),
    ("$bytes", lambda v: isinstance(v, (bytes, bytearray)), lambda v, w: base64.b64encode(bytes(v)).decode("ascii")),
    ("$datetime", lambda v: isinstance(v, dt.datetime), lambda v, w: v.isoformat()),
    ("$date", lambda v: isinstance(v, dt.date) and not isinstance(v, dt.datetime), lambda v, w: v.isoformat()),
    ("$time", lambda v: isinstance(v, dt.time), lambda v, w: v.isoformat()),
    ("$timedelta", lambda v: isinstance(v, dt.timedelta), lambda v, w: [v.days, v.seconds, v.microseconds]),
    ("$decimal", lambda v: isinstance(v, decimal.Decimal), lambda v, w: str(v)),
    ("$uuid", lambda v: isinstance(v, uuid.UUID), lambda v, w: str(v)),
]


def _row(value: Any) -> dict | None:
    try:
        from sqlalchemy import inspect
        from sqlalchemy.exc import NoInspectionAvailable
    except ImportError:
        return None
    try:
        state = inspect(value)
    except NoInspectionAvailable:
        return None
    if not hasattr(state, "mapper") or not hasattr(state, "identity"):
        return None
    if state.identity is None:
        raise WireError(f"a {type(value).__qualname__} that is not in the database yet cannot travel between "
                        "services: flush the session first (the other service loads it by primary key)")
    cls = type(value)
    return {"$model": f"{cls.__module__}:{cls.__qualname__}", "pk": encode(list(state.identity))}


def encode_error(error: BaseException) -> dict:
    cls = type(error)
    state = {k: v for k, v in vars(error).items() if not k.startswith("_")}
    try:
        encoded_state = encode(state)
        args = encode(list(error.args))
    except WireError:
        encoded_state, args = {}, [str(error)]
    return {"$error": f"{cls.__module__}:{cls.__qualname__}", "args": args, "state": encoded_state}


def decode(data: Any) -> Any:
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if len(data) == 1:
        (key, body), = data.items()
        if key in _DECODERS:
            return _DECODERS[key](body)
    if "$model" in data:
        return _load_row(data["$model"], decode(data["pk"]))
    if "$error" in data:
        return decode_error(data)
    return {k: decode(v) for k, v in data.items()}


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "$tuple": lambda b: tuple(decode(b)),
    "$set": lambda b: set(decode(b)),
    "$dict": lambda b: {decode(k): decode(v) for k, v in b},
    "$bytes": lambda b: base64.b64decode(b),
    "$datetime": dt.datetime.fromisoformat,
    "$date": dt.date.fromisoformat,
    "$time": dt.time.fromisoformat,
    "$timedelta": lambda b: dt.timedelta(days=b[0], seconds=b[1], microseconds=b[2]),
    "$decimal": decimal.Decimal,
    "$uuid": uuid.UUID,
}


def _load_row(origin: str, pk: list) -> Any:
    if _SESSION is None:
        raise WireError(f"received a {origin} row but no session is configured (decompose_runtime.wire.configure)")
    cls = _import(origin)
    row = _SESSION().get(cls, tuple(pk) if len(pk) > 1 else pk[0])
    if row is None:
        raise WireError(f"{origin} with primary key {pk} is not in the database: the other service's transaction "
                        "has not committed it (a call that crosses a transaction: see the generation report)")
    return row


def decode_error(data: dict) -> BaseException:
    origin = data["$error"]
    args = tuple(decode(data.get("args", [])))
    cls = _ERRORS.get(origin)
    if cls is None:
        try:
            cls = _import(origin)
        except (ImportError, AttributeError):
            cls = None
    if not (isinstance(cls, type) and issubclass(cls, BaseException)):
        return RemoteError(origin, " ".join(str(a) for a in args))
    error = cls.__new__(cls)
    error.args = args
    vars(error).update(decode(data.get("state", {})))
    return error


def _import(origin: str) -> Any:
    module, _, name = origin.partition(":")
    value: Any = importlib.import_module(module)
    for part in name.split("."):
        value = getattr(value, part)
    return value
