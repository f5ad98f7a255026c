from flask import Blueprint, jsonify, redirect, request, url_for

from . import db
from .models import User

accounts = Blueprint("accounts", __name__)


@accounts.route("/register", methods=["POST"])
def register():
    name = (request.get_json(silent=True) or {}).get("name", "").strip()
    if not name:
        return jsonify(error="name is required"), 400
    if User.query.filter_by(name=name).first() is not None:
        return jsonify(error="name is taken"), 409
    user = User(name=name)
    db.session.add(user)
    db.session.commit()
    return jsonify(token=user.token, home=url_for("main.index"), notes=url_for("api.list_notes")), 201


@accounts.route("/logout")
def logout():
    return redirect(url_for("main.index"))
