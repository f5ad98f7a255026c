from flask import g, jsonify, url_for

from ..auth import token_auth
from . import main


@main.route("/")
def index():
    return jsonify(app="notes", register=url_for("accounts.register"))


@main.route("/whoami")
@token_auth.login_required
def whoami():
    return jsonify(name=g.current_user.name, notes=url_for("api.list_notes"))
