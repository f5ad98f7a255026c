from flask import Blueprint, current_app, g, jsonify, request

from gadgets.auth import token_required

gadgets = Blueprint("gadgets", __name__)

CATALOGUE = [{"id": n, "name": f"gadget {n}"} for n in range(1, 26)]


@gadgets.get("/gadgets")
@token_required
def list_gadgets():
    size = current_app.config["PAGE_SIZE"]
    page = request.args.get("page", 1, type=int)
    return jsonify(user=g.user, page=page, items=CATALOGUE[(page - 1) * size:page * size])


@gadgets.get("/gadgets/<int:number>")
@token_required
def one_gadget(number):
    found = [item for item in CATALOGUE if item["id"] == number]
    if not found:
        return jsonify(error="no such gadget"), 404
    return jsonify(user=g.user, **found[0])
