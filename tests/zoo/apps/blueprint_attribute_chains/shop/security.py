"""The callbacks behind ``auth.login_required``: registered on import by ``shop.app``."""
from flask import jsonify

from shop.extensions import auth
from shop.models import User


@auth.verify_token
def verify_token(token):
    return User.query.filter_by(token=token).first()


@auth.get_user_roles
def get_user_roles(user):
    return ["admin", "customer"] if user.is_admin else ["customer"]


@auth.error_handler
def auth_error(status):
    message = "log in first" if status == 401 else "admins only"
    return jsonify({"error": message}), status
