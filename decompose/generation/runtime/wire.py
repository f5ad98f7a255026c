"""The wire format of calls between services: Python values <-> JSON, or a clear error.

    JSON scalars, lists, dicts with str keys  -> themselves
    tuple, set, frozenset, bytes, dict with other keys, datetime, date, time, Decimal, UUID
                                              -> {"$tuple": [...]}, {"$bytes": "<base64>"}, ...
    an ORM row (SQLAlchemy, Django)           -> {"$model": "module:Class", "pk": [...]}
                                                 (both services share the schema and the database:
                                                 the receiver loads the row by primary key)
    Django's lazy `request.user`              -> the user row it wraps, or {"$anonymous": null} for
                                                 AnonymousUser
    an exception                              -> {"$error": "module:Class", "args": [...], "state": {...}}
                                                 (a class this service does not know travels as its name
                                                 and a neutral message: its args may hold SQL or data)
    anything else                             -> WireError naming the value's type and where it was

Decoding fails closed. The classes a service may build from what another sends are the ones its
generated code allowed at generation time (`allow(models=..., errors=...)`: the ORM models of the
shared schema, the monolith's error classes of this service, the layer and the services it calls),
the built-in exceptions, and the HTTP errors of the web frameworks (FRAMEWORK_ERRORS). A name from
the wire is only ever looked up in those tables, never imported as it is: an unknown `$model` is a
WireError, an unknown `$error` a RemoteError carrying the name as text. Decoded values nest at most
MAX_DEPTH deep.

The session rows are loaded through is configured once per service (`configure(session=...)`).
Copied verbatim into each service's shared layer as `decompose_runtime.wire`; standard library only
(SQLAlchemy is imported only if the service uses it).
"""

from __future__ import annotations

import base64
import binascii
import builtins
import datetime as dt
import decimal
import importlib
import os
import sys
import uuid
from collections.abc import Callable, Iterable
from typing import Any

MAX_DEPTH = 64  # JSON nesting a call or an answer may have (ORM rows and plain data need far less)
FRAMEWORK_ERRORS = frozenset({  # modules whose exception classes may be rebuilt by name (HTTP errors)
    "werkzeug.exceptions", "starlette.exceptions", "fastapi.exceptions", "django.http", "django.core.exceptions",
    "rest_framework.exceptions", "ninja.errors",
})
_SESSION: Callable[[], Any] | None = None
_ERRORS: dict[str, type | None] = {}  # "module:Class" -> local class (None: import it from that name on first use)
_MODELS: dict[str, type | None] = {}  # the same for ORM models


class WireError(TypeError):
    """A value that cannot travel between services."""


class RemoteError(Exception):
    """An error raised in another service whose class this service does not have."""

    def __init__(self, origin: str, message: str) -> None:
        super().__init__(f"{origin}: {message}")
        self.origin, self.message = origin, message


def configure(session: Callable[[], Any] | None = None) -> None:
    global _SESSION
    _SESSION = session


def register_error(origin: str, cls: type) -> None:
    _ERRORS[origin] = cls


def allow(models: Iterable[str] = (), errors: Iterable[str] = ()) -> None:
    """The "module:Class" names this service's generated code knows (set once, at import time)."""
    for origin in models:
        _MODELS.setdefault(origin, None)
    for origin in errors:
        _ERRORS.setdefault(origin, None)


def known_error(origin: str) -> type | None:
    """The exception class for a name from the wire, if this service allows it; never imports anything else."""
    module, _, name = origin.partition(":")
    if origin in _ERRORS:
        cls = _resolve(_ERRORS, origin)
    elif module == "builtins":
        cls = getattr(builtins, name, None)
    elif module in FRAMEWORK_ERRORS and name.isidentifier():
        cls = _resolve({origin: None}, origin)
    else:
        return None
    return cls if isinstance(cls, type) and issubclass(cls, Exception) else None


def _resolve(table: dict[str, type | None], origin: str) -> Any:
    cls = table.get(origin)
    if cls is None:
        try:
            cls = _import(origin)
        except (ImportError, AttributeError):
            return None
        if origin in table:
            table[origin] = cls
    return cls


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
    row = _row(value) or _django_row(value)
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


def _django_row(value: Any) -> dict | None:
    """A Django model instance by primary key; Django's lazy objects (`request.user`) by what they wrap.
    Django is looked at only when the process has imported it."""
    functional, models = sys.modules.get("django.utils.functional"), sys.modules.get("django.db.models")
    if functional is not None and isinstance(value, functional.LazyObject):
        if value._wrapped is functional.empty:
            value._setup()
        return encode(value._wrapped, "a lazy object")
    if type(value).__name__ == "AnonymousUser" and type(value).__module__ == DJANGO_AUTH:
        return {"$anonymous": None}
    if models is None or not isinstance(value, models.Model):
        return None
    if value.pk is None:
        raise WireError(f"a {type(value).__qualname__} that is not saved yet cannot travel between services: "
                        "save it first (the other service loads it by primary key)")
    cls = type(value)
    return {"$model": f"{cls.__module__}:{cls.__qualname__}", "pk": encode([value.pk])}


DJANGO_AUTH = "django.contrib.auth.models"  # its User and AnonymousUser travel without being named in allow()


def refresh(values: Iterable[Any]) -> None:
    """The Django rows a call was given, read again once it has run: the other service saved what it changed
    to the shared database, where the caller's own objects would have changed in place (the zoo's
    `cancel_order(order)` sets `order.status`, and the caller answers with `order.as_dict()`)."""
    models = sys.modules.get("django.db.models")
    if models is None:
        return
    for value in values:
        if isinstance(value, models.Model) and value.pk is not None:
            try:
                value.refresh_from_db()
            except value.DoesNotExist:  # the call deleted it: the caller's object keeps what it had
                continue


def _anonymous(body: Any, depth: int) -> Any:
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def encode_error(error: BaseException) -> dict:
    """An error for the other side: its class, and its args and attributes only when this service knows
    the class (the monolith's own errors, built-in and HTTP ones); otherwise the name alone, because
    a database or library error carries the statement and its parameters."""
    cls = type(error)
    origin = f"{cls.__module__}:{cls.__qualname__}"
    if cls is RemoteError:  # passed on from a third service: its name and its already neutral message
        return {"$error": error.origin, "args": [error.message], "state": {}}
    if known_error(origin) is not cls:
        service = os.environ.get("DECOMPOSE_SERVICE", "the other service")
        return {"$error": origin, "args": [f"{cls.__qualname__} raised in {service} (its log has the details)"],
                "state": {}}
    state = {k: v for k, v in vars(error).items() if not k.startswith("_")}
    try:
        encoded_state = encode(state)
        args = encode(list(error.args))
    except WireError:
        encoded_state, args = {}, [str(error)]
    return {"$error": origin, "args": args, "state": encoded_state}


def decode(data: Any, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise WireError(f"the value nests more than {MAX_DEPTH} levels deep")
    if isinstance(data, list):
        return [decode(v, depth + 1) for v in data]
    if not isinstance(data, dict):
        return data
    if len(data) == 1:
        (key, body), = data.items()
        if key in _DECODERS:
            try:
                return _DECODERS[key](body, depth + 1)
            except WireError:
                raise
            except (TypeError, ValueError, ArithmeticError, IndexError, KeyError, binascii.Error) as error:
                raise WireError(f"a malformed {key} value ({type(error).__name__})") from None
    if "$model" in data:
        return _load_row(data["$model"], data.get("pk"), depth + 1)
    if "$error" in data:
        return decode_error(data, depth + 1)
    return {k: decode(v, depth + 1) for k, v in data.items()}


_DECODERS: dict[str, Callable[[Any, int], Any]] = {
    "$tuple": lambda b, d: tuple(_list(b, d)),
    "$set": lambda b, d: set(_list(b, d)),
    "$dict": lambda b, d: {decode(k, d): decode(v, d) for k, v in _list(b, d, decoded=False)},
    "$bytes": lambda b, d: base64.b64decode(_str(b), validate=True),
    "$datetime": lambda b, d: dt.datetime.fromisoformat(_str(b)),
    "$date": lambda b, d: dt.date.fromisoformat(_str(b)),
    "$time": lambda b, d: dt.time.fromisoformat(_str(b)),
    "$timedelta": lambda b, d: dt.timedelta(days=b[0], seconds=b[1], microseconds=b[2]),
    "$decimal": lambda b, d: decimal.Decimal(_str(b)),
    "$uuid": lambda b, d: uuid.UUID(_str(b)),
    "$anonymous": _anonymous,
}


def _list(body: Any, depth: int, decoded: bool = True) -> list:
    if not isinstance(body, list):
        raise TypeError("not a list")
    return [decode(v, depth) for v in body] if decoded else body


def _str(body: Any) -> str:
    if not isinstance(body, str):
        raise TypeError("not a string")
    return body


def _load_row(origin: Any, pk: Any, depth: int) -> Any:
    known = isinstance(origin, str) and (origin in _MODELS or origin == f"{DJANGO_AUTH}:User")
    cls = _resolve(_MODELS, origin) if known else None
    if cls is None:
        raise WireError(f"received a row of {str(origin)[:200]!r}, a model this service does not know "
                        "(only the shared schema's models travel)")
    if not isinstance(pk, list) or not pk:
        raise WireError(f"received a {origin} row without its primary key")
    pk = decode(pk, depth)
    if hasattr(cls, "_base_manager") and hasattr(cls, "_meta"):  # a Django model: its own manager reads the row
        row = cls._base_manager.filter(pk=pk[0]).first()
        if row is None:
            raise WireError(f"{origin} with primary key {pk} is not in the database")
        return row
    if _SESSION is None:
        raise WireError(f"received a {origin} row but no session is configured (decompose_runtime.wire.configure)")
    row = _SESSION().get(cls, tuple(pk) if len(pk) > 1 else pk[0])
    if row is None:
        raise WireError(f"{origin} with primary key {pk} is not in the database: the other service's transaction "
                        "has not committed it (a call that crosses a transaction: see the generation report)")
    return row


def decode_error(data: dict, depth: int = 0) -> BaseException:
    origin = str(data.get("$error"))
    raw_args = data.get("args", [])
    args = tuple(decode(raw_args, depth)) if isinstance(raw_args, list) else ()
    cls = known_error(origin)
    if cls is None:
        return RemoteError(origin[:200], " ".join(str(a) for a in args))
    error = cls.__new__(cls)
    error.args = args
    state = decode(data.get("state", {}), depth)
    if isinstance(state, dict):
        vars(error).update({k: v for k, v in state.items() if isinstance(k, str) and not k.startswith("_")})
    return error


def _import(origin: str) -> Any:
    module, _, name = origin.partition(":")
    value: Any = importlib.import_module(module)
    for part in name.split("."):
        value = getattr(value, part)
    return value
