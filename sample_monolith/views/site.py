"""The storefront page; its CSS and JS are served from the static folder."""
from __future__ import annotations

from flask import Blueprint, Response, current_app

bp = Blueprint("site", __name__)


@bp.get("/")
def index():
    with current_app.open_resource("static/index.html") as handle:
        return Response(handle.read(), mimetype="text/html")
