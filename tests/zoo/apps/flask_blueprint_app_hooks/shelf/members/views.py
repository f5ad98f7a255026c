from flask import abort, g, jsonify, render_template

from . import members
from .roster import MEMBERS, loans_of


@members.route("/")
def roster():
    return render_template("members.html", members=sorted(MEMBERS))


@members.route("/<name>")
def member(name):
    loans = loans_of(name)
    if loans is None:
        abort(404)
    return jsonify(name=name, loans=loans)


@members.route("/whoami")
def whoami():
    return jsonify(request_id=g.request_id)
