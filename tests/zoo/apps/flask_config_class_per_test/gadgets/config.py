import os


def as_bool(value):
    return (value or "").lower() in ("1", "true", "yes", "on")


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "change-me")
    DISABLE_AUTH = as_bool(os.environ.get("DISABLE_AUTH"))
    USERS = {"ada": "lovelace"}
    PAGE_SIZE = int(os.environ.get("PAGE_SIZE") or "10")
