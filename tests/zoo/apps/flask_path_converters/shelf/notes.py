"""A literal route beside the pages' catch-all: `/api/notes` is this view, never a page."""
from flask import Blueprint, jsonify

bp = Blueprint("notes", __name__)


@bp.route("/api/notes")
def notes():
    return jsonify(notes=["dust the top shelf"])
