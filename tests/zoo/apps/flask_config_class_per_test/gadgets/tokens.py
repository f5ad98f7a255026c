from flask import Blueprint, current_app, jsonify, request

from gadgets.auth import sign

tokens = Blueprint("tokens", __name__)


@tokens.post("/tokens")
def new_token():
    body = request.get_json(silent=True) or {}
    name, password = body.get("name"), body.get("password")
    if current_app.config["USERS"].get(name) != password:
        return jsonify(error="wrong name or password"), 401
    return jsonify(token=sign(name)), 201
