"""Token authentication with callbacks registered by decorators.

    auth = TokenAuth()

    @auth.verify_token
    def verify(token):
        return User.query.filter_by(token=token).first()

    @app.route("/private")
    @auth.login_required
    def private():
        return f"hello {auth.current_user().name}"
"""
from functools import wraps

from flask import g, jsonify, request


class TokenAuth:
    def __init__(self, scheme="Bearer", header="Authorization"):
        self.scheme = scheme
        self.header = header
        self.verify_token_callback = None
        self.get_user_roles_callback = None
        self.auth_error_callback = self._default_error

    @staticmethod
    def _default_error(status):
        return jsonify({"error": "unauthorized" if status == 401 else "forbidden"}), status

    # -- registration decorators -------------------------------------------------------
    def verify_token(self, f):
        self.verify_token_callback = f
        return f

    def get_user_roles(self, f):
        self.get_user_roles_callback = f
        return f

    def error_handler(self, f):
        @wraps(f)
        def decorated(status):
            rv = f(status)
            if isinstance(rv, tuple):
                return rv
            return rv, status

        self.auth_error_callback = decorated
        return f

    # -- request side ------------------------------------------------------------------
    def get_token(self):
        value = request.headers.get(self.header, "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() != self.scheme.lower() or not token:
            return None
        return token.strip()

    def authenticate(self, token):
        if self.verify_token_callback is None:
            raise RuntimeError("TokenAuth: no @verify_token callback registered")
        return self.verify_token_callback(token)

    def authorize(self, role, user):
        if role is None:
            return True
        if self.get_user_roles_callback is None:
            return False
        roles = self.get_user_roles_callback(user) or []
        if isinstance(roles, str):
            roles = [roles]
        wanted = role if isinstance(role, (list, tuple)) else [role]
        return any(r in roles for r in wanted)

    def login_required(self, f=None, role=None, optional=False):
        def decorator(view):
            @wraps(view)
            def wrapper(*args, **kwargs):
                token = self.get_token()
                user = self.authenticate(token) if token else None
                if user is None and not optional:
                    return self.auth_error_callback(401)
                if user is not None and not self.authorize(role, user):
                    return self.auth_error_callback(403)
                g.flask_token_auth_user = user
                return view(*args, **kwargs)

            return wrapper

        if f is not None:
            return decorator(f)
        return decorator

    def current_user(self):
        return g.get("flask_token_auth_user")
