"""Pages by their path, any depth: `/about`, `/guides/install`."""
from flask import Blueprint, abort, jsonify

bp = Blueprint("pages", __name__)

PAGES = {
    "about": "Who keeps the shelf.",
    "guides/install": "Unpack, then shelve.",
    "guides/advanced/tuning": "Sort by spine colour.",
}


@bp.route("/")
def index():
    return jsonify(pages=sorted(PAGES))


@bp.route("/<path:route>")
def page(route):
    if route not in PAGES:
        abort(404)
    return jsonify(route=route, text=PAGES[route])
