from flask import g, jsonify, request

from . import books


@books.before_app_request
def stamp_request():
    g.request_id = request.headers.get("X-Request-Id", "none")


@books.app_errorhandler(404)
def not_found(error):
    return jsonify(error="not found", path=request.path), 404
