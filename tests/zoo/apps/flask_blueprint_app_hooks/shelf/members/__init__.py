from flask import Blueprint, jsonify

from ..rules import Closed

members = Blueprint("members", __name__)

from . import views  # noqa: E402,F401


@members.app_template_filter("shout")
def shout(text):
    return f"{text.upper()}!"


@members.app_errorhandler(Closed)
def closed(error):
    return jsonify(error="closed", why=str(error)), 503
