"""Kernel helpers imported by every layer: errors, validation, pagination, clock and auth."""
from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app, g, jsonify, request
from sqlalchemy import Select
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from sample_monolith.extensions import db

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    402: "payment_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    502: "bad_gateway",
}
TRUE_STRINGS = ("1", "true", "yes")
FALSE_STRINGS = ("0", "false", "no")
_TYPE_NAMES = {str: "a string", int: "an integer", bool: "a boolean", list: "a list"}
_MISSING = object()


class ApiError(Exception):
    """An error that becomes a JSON response `{"error": code, "message": ...}`."""

    def __init__(self, status: int, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details

    def to_response(self):
        body = {"error": ERROR_CODES.get(self.status, "error"), "message": self.message}
        body.update(self.details)
        return jsonify(body), self.status


def bad_request(message: str, **details: Any) -> ApiError:
    return ApiError(400, message, **details)


def unauthorized(message: str) -> ApiError:
    return ApiError(401, message)


def forbidden(message: str) -> ApiError:
    return ApiError(403, message)


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found")


def conflict(message: str, **details: Any) -> ApiError:
    return ApiError(409, message, **details)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ApiError, _handle_api_error)
    app.register_error_handler(HTTPException, _handle_http_exception)


def _handle_api_error(error: ApiError):
    return error.to_response()


def _handle_http_exception(error: HTTPException):
    status = error.code or 500
    response = jsonify(error=ERROR_CODES.get(status, "error"), message=error.description)
    response.status_code = status
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response


def now() -> datetime:
    """The current time according to the injectable `CLOCK`."""
    return current_app.config["CLOCK"]()


def new_token() -> str:
    return current_app.config["TOKEN_FACTORY"]()


def isoformat(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    return value.isoformat()


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise bad_request("request body must be a JSON object")
    return data


def optional_json_body() -> dict[str, Any]:
    if not request.get_data():
        return {}
    return json_body()


def reject_unknown(data: dict[str, Any], allowed: Sequence[str]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise bad_request(f"unknown field(s): {', '.join(unknown)}")


def get_field(
    data: dict[str, Any],
    name: str,
    kind: type,
    *,
    required: bool = True,
    default: Any = None,
    choices: Sequence[Any] | None = None,
    min_value: int | None = None,
    max_value: int | None = None,
    min_length: int = 1,
    max_length: int | None = None,
    strip: bool = True,
) -> Any:
    """Read and validate one field of a JSON object, raising 400 with a clear message."""
    value = data.get(name, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise bad_request(f"'{name}' is required", field=name)
        return default
    if not _is_kind(value, kind):
        raise bad_request(f"'{name}' must be {_TYPE_NAMES[kind]}", field=name)
    if kind is str:
        value = value.strip() if strip else value
        _check_length(name, value, min_length, max_length)
    if choices is not None and value not in choices:
        raise bad_request(f"'{name}' must be one of: {', '.join(map(str, choices))}", field=name)
    _check_range(name, value, min_value, max_value)
    return value


def _is_kind(value: Any, kind: type) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _check_length(name: str, value: str, min_length: int, max_length: int | None) -> None:
    if len(value) < min_length:
        raise bad_request(f"'{name}' must not be empty", field=name)
    if max_length is not None and len(value) > max_length:
        raise bad_request(f"'{name}' must be at most {max_length} characters", field=name)


def _check_range(name: str, value: Any, min_value: int | None, max_value: int | None) -> None:
    if min_value is not None and value < min_value:
        raise bad_request(f"'{name}' must be at least {min_value}", field=name)
    if max_value is not None and value > max_value:
        raise bad_request(f"'{name}' must be at most {max_value}", field=name)


def query_int(name: str, default: int | None = None, *, min_value: int | None = None,
              max_value: int | None = None) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"query parameter '{name}' must be an integer", parameter=name) from None
    _check_range(name, value, min_value, max_value)
    return value


def query_bool(name: str, default: bool | None = False) -> bool | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    if raw.lower() in TRUE_STRINGS:
        return True
    if raw.lower() in FALSE_STRINGS:
        return False
    raise bad_request(f"query parameter '{name}' must be true or false", parameter=name)


def query_choice(name: str, choices: Sequence[str], default: str | None) -> str | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    if raw not in choices:
        raise bad_request(f"query parameter '{name}' must be one of: {', '.join(choices)}", parameter=name)
    return raw


def query_date(name: str) -> date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise bad_request(f"query parameter '{name}' must be a date (YYYY-MM-DD)", parameter=name) from None


def page_args() -> tuple[int, int]:
    page = query_int("page", 1, min_value=1)
    per_page = query_int(
        "per_page",
        current_app.config["DEFAULT_PER_PAGE"],
        min_value=1,
        max_value=current_app.config["MAX_PER_PAGE"],
    )
    return page, per_page


def paginate(stmt: Select, serialize: Callable[[Any], dict]) -> dict[str, Any]:
    """Paginate a SELECT with `?page=&per_page=`."""
    page, per_page = page_args()
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    items = [serialize(item) for item in result.items]
    return _page_body(items, page, per_page, result.total or 0)


def paginate_list(items: Sequence[Any], serialize: Callable[[Any], dict]) -> dict[str, Any]:
    page, per_page = page_args()
    start = (page - 1) * per_page
    window = [serialize(item) for item in items[start:start + per_page]]
    return _page_body(window, page, per_page, len(items))


def _page_body(items: list[dict], page: int, per_page: int, total: int) -> dict[str, Any]:
    pages = (total + per_page - 1) // per_page
    return {"items": items, "page": page, "pages": pages, "per_page": per_page, "total": total}


def bearer_token() -> str:
    header = request.headers.get("Authorization", "").strip()
    if not header:
        raise unauthorized("missing Authorization header")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Authorization header must be 'Bearer <token>'")
    return token.strip()


def login_required(view: Callable) -> Callable:
    """Resolve the bearer token to `g.user` or answer 401/403."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        from sample_monolith.services import accounts  # accounts imports utils

        g.user = accounts.user_for_token(bearer_token())
        return view(*args, **kwargs)

    return wrapper


def admin_required(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        if not current_user().is_admin:
            raise forbidden("administrator privileges required")
        return view(*args, **kwargs)

    return login_required(wrapper)


def current_user():
    return g.user
