import secrets

from flask import Blueprint, abort, current_app, jsonify, redirect, request, session

bp = Blueprint("views", __name__)


@bp.route("/signin", methods=["GET", "POST"])
def signin():
    if request.method == "GET":
        return "<form method='post'><input name='name'></form>"  # the token is in no page
    session.renew()
    session["user"] = request.form["name"]
    session["csrf"] = secrets.token_urlsafe(24)
    return redirect("/api/me")


@bp.route("/api/me", methods=["GET", "HEAD"])  # HEAD named, as a flask-restx Resource's head() does
def me():
    return jsonify(user=session.get("user"))


@bp.post("/api/todos")
def add():
    todos = current_app.extensions["todos"]
    number = len(todos) + 1
    todos[number] = {"id": number, "title": (request.get_json() or {}).get("title"), "owner": session.get("user")}
    return jsonify(todos[number]), 201


@bp.delete("/api/todos/<int:number>")
def remove(number):
    if current_app.extensions["todos"].pop(number, None) is None:
        abort(404)
    return "", 204


@bp.get("/files/<path:name>")
def files(name):
    return jsonify(file=name)


@bp.get("/files/<path:name>")  # the same rule again, under another endpoint (a theme's beta folder): never matched
def files_beta(name):
    return jsonify(file=name, beta=True)
