from flask import Blueprint, jsonify, session

bp = Blueprint("profile", __name__)


@bp.route("/api/me")
def me():
    return jsonify(user=session.get("user"))
