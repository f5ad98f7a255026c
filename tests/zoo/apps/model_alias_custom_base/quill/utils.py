from flask import request

from .errors import unauthorized
from .users.models import User


def current_user(required=True):
    """The user named by the ``X-User`` header."""
    username = request.headers.get("X-User")
    user = User.query.filter_by(username=username).first() if username else None
    if user is None and required:
        raise unauthorized()
    return user


def slugify(text):
    keep = "".join(c.lower() if c.isalnum() else "-" for c in text.strip())
    return "-".join(part for part in keep.split("-") if part)
