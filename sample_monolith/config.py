"""Configuration defaults and environment overrides."""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

DATABASE_URL_ENV = "SAMPLE_DATABASE_URL"
UPLOAD_DIR_ENV = "SAMPLE_UPLOAD_DIR"
ADMIN_EMAILS_ENV = "SAMPLE_ADMIN_EMAILS"
NOTIFICATIONS_SYNC_ENV = "SAMPLE_NOTIFICATIONS_SYNC"
PASSWORD_HASH_ENV = "SAMPLE_PASSWORD_HASH_METHOD"
RECOGNIZER_ROUNDS_ENV = "SAMPLE_RECOGNIZER_ROUNDS"
PAYMENT_BACKOFF_ENV = "SAMPLE_PAYMENT_BACKOFF_SECONDS"
DEFAULT_DATABASE_URL = "sqlite:///sample_monolith.db"
TRUE_VALUES = ("1", "true", "yes", "on")


def utcnow() -> datetime:
    """Naive UTC timestamp; the default `CLOCK`."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Config:
    SQLALCHEMY_DATABASE_URI = DEFAULT_DATABASE_URL
    AUTO_CREATE_TABLES = True
    UPLOAD_DIR: str | None = None
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    MAX_UPLOAD_BYTES = 5 * 1024 * 1024

    CLOCK = staticmethod(utcnow)
    TOKEN_FACTORY = staticmethod(secrets.token_hex)
    SLEEP = None  # payments retry falls back to time.sleep

    TOKEN_TTL_HOURS = 24 * 7
    PASSWORD_HASH_METHOD = "scrypt"
    MIN_PASSWORD_LENGTH = 8
    ADMIN_EMAILS: tuple[str, ...] = ()

    DEFAULT_PER_PAGE = 20
    MAX_PER_PAGE = 100
    CURRENCY = "USD"

    RECOGNIZER_ROUNDS = 200_000
    RECOGNIZER_LABELS = 3
    PAYMENT_MAX_ATTEMPTS = 3
    PAYMENT_BACKOFF_SECONDS = 0.25
    NOTIFICATIONS_SYNC = False
    LOW_STOCK_THRESHOLD = 3


def env_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Settings taken from `SAMPLE_*` environment variables, if set."""
    environ = os.environ if environ is None else environ
    settings: dict[str, Any] = {}
    if environ.get(DATABASE_URL_ENV):
        settings["SQLALCHEMY_DATABASE_URI"] = environ[DATABASE_URL_ENV]
    if environ.get(UPLOAD_DIR_ENV):
        settings["UPLOAD_DIR"] = environ[UPLOAD_DIR_ENV]
    if environ.get(ADMIN_EMAILS_ENV):
        emails = environ[ADMIN_EMAILS_ENV].split(",")
        settings["ADMIN_EMAILS"] = tuple(e.strip().lower() for e in emails if e.strip())
    if environ.get(NOTIFICATIONS_SYNC_ENV):
        settings["NOTIFICATIONS_SYNC"] = environ[NOTIFICATIONS_SYNC_ENV].lower() in TRUE_VALUES
    if environ.get(PASSWORD_HASH_ENV):
        settings["PASSWORD_HASH_METHOD"] = environ[PASSWORD_HASH_ENV]
    if environ.get(RECOGNIZER_ROUNDS_ENV):
        settings["RECOGNIZER_ROUNDS"] = int(environ[RECOGNIZER_ROUNDS_ENV])
    if environ.get(PAYMENT_BACKOFF_ENV):
        settings["PAYMENT_BACKOFF_SECONDS"] = float(environ[PAYMENT_BACKOFF_ENV])
    return settings
