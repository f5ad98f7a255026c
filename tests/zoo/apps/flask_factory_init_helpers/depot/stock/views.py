from flask import Blueprint, abort, jsonify, render_template, request

from depot.maintenance import SHELVES, restocked

stock = Blueprint("stock", __name__)


@stock.route("/")
def shelves():
    return render_template("stock.html", shelves=sorted(SHELVES.items()))


@stock.route("/<name>")
def shelf(name):
    if name not in SHELVES:
        abort(404)
    return jsonify(name=name, level=SHELVES[name])


@stock.route("/restock", methods=["POST"])
def restock():
    amount = int((request.get_json(silent=True) or {}).get("amount", 0))
    return jsonify(restocked(amount))
