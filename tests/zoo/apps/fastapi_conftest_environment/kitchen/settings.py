"""Settings read once, when the module is imported: the suite chooses them before it imports the app."""

import os


def _flag(name, default):
    return os.getenv(name, default).lower() in ("true", "1")


TESTING = _flag("TESTING", "False")
ALLOW_SIGNUP = _flag("ALLOW_SIGNUP", "False")


def _secret_key():
    if TESTING:
        return "kitchen-test-secret"
    key = os.getenv("KITCHEN_SECRET")
    if not key:
        raise RuntimeError("KITCHEN_SECRET must be set outside the tests (TESTING=True)")
    return key


SECRET_KEY = _secret_key()
