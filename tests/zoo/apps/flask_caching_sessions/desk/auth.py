from flask import Blueprint, jsonify, request, session

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["POST"])
def login():
    name = request.form.get("name", "")
    if not name:
        return jsonify(error="name required"), 400
    session["user"] = name
    return jsonify(user=name)


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return jsonify(user=None)
