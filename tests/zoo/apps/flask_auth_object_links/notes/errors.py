"""Error pages as JSON: a blueprint without routes, registered by the factory for its app-wide handlers."""
from flask import Blueprint, jsonify

errors = Blueprint("errors", __name__)


@errors.app_errorhandler(404)
def not_found(error):
    return jsonify(error="not found"), 404


@errors.app_errorhandler(405)
def not_allowed(error):
    return jsonify(error="method not allowed"), 405
