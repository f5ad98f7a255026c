from flask import Blueprint, abort, jsonify, request, session

from desk.cache import cache

bp = Blueprint("tickets", __name__)


def signed_in():
    if "user" not in session:
        abort(403)
    return session["user"]


@bp.route("/api/tickets", methods=["GET"])
def list_tickets():
    user = signed_in()
    return jsonify(tickets=[t for t in cache.get("tickets") or [] if t["owner"] == user])


@bp.route("/api/tickets", methods=["POST"])
def open_ticket():
    user = signed_in()
    tickets = cache.get("tickets") or []
    ticket = {"id": len(tickets) + 1, "title": request.get_json()["title"], "owner": user}
    cache.set("tickets", tickets + [ticket])
    return jsonify(ticket), 201
