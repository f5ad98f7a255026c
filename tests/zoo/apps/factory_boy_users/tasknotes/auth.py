import functools

from flask import g, jsonify, request

from .db import db
from .models import ApiToken


def _bearer_token():
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[len("Bearer "):].strip()
    return None


def token_required(view):
    """Load ``g.user`` from a valid ``Authorization: Bearer <token>``, or answer 401."""

    @functools.wraps(view)
    def wrapped_view(**kwargs):
        token = _bearer_token()
        row = db.session.execute(db.select(ApiToken).filter_by(token=token)).scalar_one_or_none() if token else None
        if row is None or row.expired:
            return jsonify(error="authentication required"), 401
        g.user = row.user
        g.token = row
        return view(**kwargs)

    return wrapped_view
