"""What a server-side session holds, shown to a contract replay in one answer header.

An app that keeps its sessions on the server (CTFd's `CachingSessionInterface`, Flask-Session: the cookie
holds an id, the values live in a cache of the process) hands its client values that no answer shows: CTFd's
login draws a new CSRF nonce into the session, and its suite reads it with `session_transaction()` and
sends it back in a `CSRF-Token` header. A replay against a fresh process gets a new session id and a new
nonce, so the recorded one is refused (403). With this hook, every Flask answer carries

    X-Decompose-Session: <base64url of the JSON object of the session's string values>

read after the session was saved, so the recording shows which session value a later request sent back,
and the replay takes the target's own value from the same header (decompose.contracts.compare names them
`session:$.<key>`; decompose.contracts.binding binds them). Installed only where decompose records or
replays: by the recorder plugin while the suite runs, and by the monolith's host and a service's bridge
when they were started in the contract world (DECOMPOSE_CONTRACT_RESET=1, never in production). Standard
library only, CPython 3.9 to 3.13, any Flask from 1.0.
"""
from __future__ import annotations

import base64
import json
import os
from typing import Any

HEADER = "X-Decompose-Session"
ENABLE = "DECOMPOSE_CONTRACT_RESET"  # reset.ENABLE: the contract world
_MARK = "_decompose_session_view"


def install() -> bool:
    """Wrap `flask.Flask.process_response` (once per process) so every answer shows its session's string
    values; False when Flask is not importable."""
    try:
        import flask
    except ImportError:
        return False
    original = flask.Flask.__dict__["process_response"]
    if getattr(original, _MARK, False):
        return True

    def process_response(self: Any, response: Any) -> Any:
        response = original(self, response)
        try:
            shown = encode(_values())
        except Exception:  # noqa: BLE001  (showing the session never breaks an answer)
            shown = ""
        if shown:
            response.headers[HEADER] = shown
        return response

    setattr(process_response, _MARK, True)
    flask.Flask.process_response = process_response
    return True


def install_in_contract_world() -> bool:
    """`install()` when this process was started to replay contracts (DECOMPOSE_CONTRACT_RESET=1)."""
    return os.environ.get(ENABLE) == "1" and install()


def _values() -> dict[str, str]:
    from flask import session

    return {key: value for key, value in dict(session).items() if isinstance(key, str) and isinstance(value, str)}


def encode(values: dict[str, str]) -> str:
    if not values:
        return ""
    raw = json.dumps(values, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def decode(value: str) -> dict[str, str]:
    """The values an `X-Decompose-Session` header shows; {} for anything else."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(value.encode("ascii") + b"=" * (-len(value) % 4)))
    except (ValueError, UnicodeError):
        return {}
    if not isinstance(payload, dict):
        return {}
    return {key: item for key, item in payload.items() if isinstance(key, str) and isinstance(item, str)}
