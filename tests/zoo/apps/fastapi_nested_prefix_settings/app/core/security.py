"""Password hashing and signed access tokens (HS256 JWT, standard library only)."""

import base64
import binascii
import hashlib
import hmac
import json
import os
from datetime import datetime, timedelta, timezone
from typing import Any

from app.core.config import settings

ALGORITHM = "HS256"
_ITERATIONS = 100_000


class InvalidTokenError(Exception):
    pass


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def create_access_token(subject: str | Any, expires_delta: timedelta) -> str:
    expire = datetime.now(timezone.utc) + expires_delta
    header = {"alg": ALGORITHM, "typ": "JWT"}
    payload = {"exp": int(expire.timestamp()), "sub": str(subject)}
    signing_input = ".".join(
        _b64encode(json.dumps(part, separators=(",", ":")).encode())
        for part in (header, payload)
    )
    signature = hmac.new(
        settings.SECRET_KEY.encode(), signing_input.encode(), hashlib.sha256
    ).digest()
    return f"{signing_input}.{_b64encode(signature)}"


def decode_access_token(token: str) -> dict[str, Any]:
    try:
        header_b64, payload_b64, signature_b64 = token.split(".")
    except ValueError as exc:
        raise InvalidTokenError("malformed token") from exc
    expected = hmac.new(
        settings.SECRET_KEY.encode(),
        f"{header_b64}.{payload_b64}".encode(),
        hashlib.sha256,
    ).digest()
    try:
        signature = _b64decode(signature_b64)
        payload = json.loads(_b64decode(payload_b64))
    except (ValueError, binascii.Error) as exc:
        raise InvalidTokenError("malformed token") from exc
    if not hmac.compare_digest(expected, signature):
        raise InvalidTokenError("bad signature")
    if payload.get("exp", 0) < datetime.now(timezone.utc).timestamp():
        raise InvalidTokenError("token expired")
    return payload


def get_password_hash(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _ITERATIONS)
    return f"pbkdf2_sha256${_ITERATIONS}${salt.hex()}${digest.hex()}"


def verify_password(plain_password: str, hashed_password: str) -> bool:
    try:
        _, iterations, salt_hex, digest_hex = hashed_password.split("$")
    except ValueError:
        return False
    digest = hashlib.pbkdf2_hmac(
        "sha256", plain_password.encode(), bytes.fromhex(salt_hex), int(iterations)
    )
    return hmac.compare_digest(digest.hex(), digest_hex)
