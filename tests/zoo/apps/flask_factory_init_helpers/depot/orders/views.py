from flask import Blueprint, jsonify, render_template, request

from depot.units import Units

orders = Blueprint("orders", __name__)

PRICES = {"apples": 3, "pears": 4, "plums": 5}


@orders.route("/")
def price_list():
    return render_template("orders.html", prices=sorted(PRICES.items()))


@orders.route("/quote", methods=["POST"])
def quote():
    body = request.get_json(silent=True) or {}
    fruit, kilos = body.get("fruit"), int(body.get("kilos", 0))
    if fruit not in PRICES:
        return jsonify(error="unknown fruit", fruit=fruit), 400
    return jsonify(fruit=fruit, kilos=kilos, total=PRICES[fruit] * kilos, crates=Units.crates(kilos), unit=Units.KG)
