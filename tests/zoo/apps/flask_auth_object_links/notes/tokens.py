"""A bearer-token guard object: one instance decorates views of several blueprints."""
import functools

from flask import g, jsonify, request


class TokenAuth:
    def __init__(self, scheme="Bearer"):
        self.scheme = scheme
        self._verify = None

    def verify_token(self, callback):
        self._verify = callback
        return callback

    def login_required(self, view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            user = self._verify(token) if scheme == self.scheme and token and self._verify else None
            if user is None:
                return jsonify(error="unauthorized"), 401
            g.current_user = user
            return view(*args, **kwargs)

        return guarded
